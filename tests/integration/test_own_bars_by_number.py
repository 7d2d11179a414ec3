"""Bars no engine decodes, lying outside the reach of the barcode that decoded: the label's own, or another's?

A label's own barcode can lie out of the reach measured from the barcode
that decoded (the main barcode of a three-part label under a hand, a stub
far below) and still be its own: its printed number is the number read.
Bars printing another number are another label's (and the queued number
only in line with them, past their end: tests/unit/test_printed_number.py).  Each photo is a real sample label with a damaged barcode
patch (its bars cut into strips and shuffled: stripes that decode to
nothing) laid on the box beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from capture import api
from capture import settings as settings_mod
from capture.pipeline.bars import find_bars
from capture.types import Reason, Status

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
LABEL = "photos/005_clean.jpg"  # a ZTO label: main barcode at the top, its stub copy at the bottom
STUB_BARS = (slice(885, 955), slice(780, 1085))  # the stub copy's bars in that photo (rows, columns)
CARDBOARD = (96, 128, 160)
PAPER = (225, 232, 236)
CANVAS = (1800, 2700)
PATCH_AT = (1400, 2000)  # top-left (y, x) of the patch of paper with the damaged bars
STRIP_PX = 10
DIGITS_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _truth() -> dict:
    rows = [json.loads(line) for line in (SAMPLES / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return next(r for r in rows if r["file"] == LABEL)


def _damaged(bars: np.ndarray) -> np.ndarray:
    """The bars cut into strips, the inner ones shuffled: bars to the eye, no valid symbol."""
    strips = [bars[:, i : i + STRIP_PX] for i in range(0, bars.shape[1], STRIP_PX)]
    inner = strips[2:-2]
    np.random.default_rng(7).shuffle(inner)
    return np.concatenate([*strips[:2], *inner, *strips[-2:]], axis=1)


def _photo(digits: str) -> np.ndarray:
    """The label, and on the box beside it a patch of damaged bars with `digits` printed below them."""
    label = cv2.imread(str(SAMPLES / LABEL))
    assert label is not None
    canvas = np.full((*CANVAS, 3), CARDBOARD, np.uint8)
    canvas[: label.shape[0], : label.shape[1]] = label
    bars = _damaged(label[STUB_BARS])
    patch = np.full((160, 420, 3), PAPER, np.uint8)
    patch[20 : 20 + bars.shape[0], 55 : 55 + bars.shape[1]] = bars
    y, x = PATCH_AT
    cv2.putText(patch, digits, (70, 135), DIGITS_FONT, 0.9, (20, 20, 20), 2, cv2.LINE_AA)
    canvas[y : y + patch.shape[0], x : x + patch.shape[1]] = patch
    return canvas


@pytest.fixture(scope="module")
def engines():
    return api.engines(settings_mod.load())


def _scan(tmp_path: Path, engines, photo: np.ndarray):
    texts = [r.text for r in zxingcpp.read_barcodes(photo)]
    assert len(texts) == 3, f"only the label's own codes may decode, the patch never: {texts}"
    y, x = PATCH_AT
    assert any(b.centre[0] > x and b.centre[1] > y for b in find_bars(photo)), "the patch must look like bars"
    settings = settings_mod.load(db_url=f"sqlite:///{tmp_path / 'own.db'}")
    api.import_orders(SAMPLES / "orders.csv", settings)
    path = tmp_path / "label.jpg"
    cv2.imwrite(str(path), photo, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return api.scan_one(path, engines, settings, api.database(settings)).outcome


def test_undecodable_bars_printing_the_number_read_are_the_labels_own_and_it_queues(tmp_path, engines):
    truth = _truth()
    outcome = _scan(tmp_path, engines, _photo(truth["waybill"]))
    assert outcome.status is Status.QUEUED, outcome
    assert outcome.order is not None and outcome.order.tid == truth["order"]


def test_undecodable_bars_printing_another_number_send_the_photo_to_review(tmp_path, engines):
    truth = _truth()
    other = truth["waybill"][:-2] + ("99" if not truth["waybill"].endswith("99") else "11")
    outcome = _scan(tmp_path, engines, _photo(other))
    assert outcome.status is Status.REVIEW, outcome
    assert Reason.MULTIPLE_LABELS in outcome.reasons or Reason.MULTIPLE_WAYBILLS in outcome.reasons, outcome
