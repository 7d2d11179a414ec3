"""Labels the barcode cannot help with: read by OCR alone, in any rotation, at any scale."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from capture import api
from capture import settings as settings_mod
from capture.types import Status

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
# Painted over each barcode, down to its last row of bars: 1-D codes decode from one scan line.
PAINT_MARGIN_PX = 12
PAINT_BELOW_PX = 3
PHONE_PHOTO = (3024, 4032)  # a 12-megapixel phone photo, height x width
SMALL_LABEL_SCALE = 1.0  # the 1600x1200 sample in a 4032x3024 frame: the label is about 1/5 of its width


def _truth(kind: str) -> dict:
    rows = [
        json.loads(line) for line in (SAMPLES / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return next(r for r in rows if r["kind"] == kind and r["expect_status"] == "queued")


def _washed_out(photo: np.ndarray) -> np.ndarray:
    """The photo with every barcode covered by glare; the printed digits stay."""
    out = photo.copy()
    for read in zxingcpp.read_barcodes(photo):
        p = read.position
        pts = np.array([[c.x, c.y] for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)], np.int32)
        x, y, w, h = cv2.boundingRect(pts)
        cv2.rectangle(
            out,
            (x - PAINT_MARGIN_PX, y - 5 * PAINT_MARGIN_PX),
            (x + w + PAINT_MARGIN_PX, y + h + PAINT_BELOW_PX),
            (255, 255, 255),
            -1,
        )
    assert not [r for r in zxingcpp.read_barcodes(out) if r.format != zxingcpp.BarcodeFormat.QRCode], (
        "barcodes must be unreadable"
    )
    return out


@pytest.fixture(scope="module")
def engines():
    return api.engines(settings_mod.load())


@pytest.fixture
def env(tmp_path, engines):
    """Each case its own database with the sample orders: no case depends on another having run."""
    settings = settings_mod.load(db_url=f"sqlite:///{tmp_path / 'hard.db'}")
    api.import_orders(SAMPLES / "orders.csv", settings)
    return tmp_path, settings, api.database(settings), engines


@pytest.mark.parametrize("turn", [None, cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE])
def test_label_with_washed_out_barcodes_is_read_by_ocr_in_any_rotation(env, turn):
    tmp, settings, db, engines = env
    truth = _truth("clean")
    image = cv2.imread(str(SAMPLES / truth["file"]))
    assert image is not None
    photo = _washed_out(image)
    photo = photo if turn is None else cv2.rotate(photo, turn)
    path = tmp / f"turned-{turn}.jpg"
    cv2.imwrite(str(path), photo)
    result = api.scan_one(path, engines, settings, db)
    assert result.outcome.candidate is not None and result.outcome.candidate.number == truth["waybill"]
    assert result.outcome.candidate.via.value == "ocr"
    # Read twice (main print and stub), so confident; the recipient is found in label order.
    assert result.outcome.order is not None and result.outcome.order.tid == truth["order"], result.outcome
    assert result.outcome.status is Status.QUEUED


def test_small_label_in_a_12_megapixel_photo_without_barcode_is_read_at_full_detail(env):
    tmp, settings, db, engines = env
    truth = _truth("recipient")
    image = cv2.imread(str(SAMPLES / truth["file"]))
    assert image is not None
    label = _washed_out(image)
    small = cv2.resize(label, None, fx=SMALL_LABEL_SCALE, fy=SMALL_LABEL_SCALE, interpolation=cv2.INTER_AREA)
    photo = np.full((*PHONE_PHOTO, 3), (96, 128, 160), np.uint8)  # cardboard
    y, x = 1000, 2200
    photo[y : y + small.shape[0], x : x + small.shape[1]] = small
    path = tmp / "phone.jpg"
    cv2.imwrite(str(path), photo)
    result = api.scan_one(path, engines, settings, db)
    assert result.outcome.candidate is not None and result.outcome.candidate.number == truth["waybill"]
    assert result.outcome.order is not None and result.outcome.order.tid == truth["order"]
    assert result.outcome.status is Status.QUEUED
