"""Which printed lines make undecodable bars the label's own (pipeline.printed_number), on a real photo.

The bars are a real label's stub barcode cut into shuffled strips (they
decode to nothing); the lines are placed where OCR would have found them,
and the real OCR engine reads the band around the bars, which holds no digits.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from capture import api
from capture import settings as settings_mod
from capture.pipeline.bars import Bars, find_bars
from capture.pipeline.printed_number import prints_number
from capture.types import TextLine

ROOT = Path(__file__).resolve().parents[2]
LABEL = ROOT / "samples" / "photos" / "005_clean.jpg"
NUMBER = "75462889751402"
STUB_BARS = (slice(885, 955), slice(780, 1085))
AT = (300, 400)  # top-left (y, x) of the bars on a sheet of paper


@pytest.fixture(scope="module")
def ocr():
    return api.engines(settings_mod.load()).ocr


@pytest.fixture(scope="module")
def sheet() -> tuple[np.ndarray, Bars]:
    label = cv2.imread(str(LABEL))
    assert label is not None
    bars = label[STUB_BARS]
    strips = [bars[:, i : i + 10] for i in range(0, bars.shape[1], 10)]
    inner = strips[2:-2]
    np.random.default_rng(7).shuffle(inner)
    damaged = np.concatenate([*strips[:2], *inner, *strips[-2:]], axis=1)
    image = np.full((800, 1400, 3), (225, 232, 236), np.uint8)
    y, x = AT
    image[y : y + damaged.shape[0], x : x + damaged.shape[1]] = damaged
    (found,) = find_bars(image)
    return image, found


def _line(text: str, left: float, right: float, top: float, bottom: float) -> TextLine:
    return TextLine(text=text, score=0.99, box=((left, top), (right, top), (right, bottom), (left, bottom)))


def _extent(bars: Bars) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in bars.box], [p[1] for p in bars.box]
    return min(xs), max(xs), min(ys), max(ys)


def test_the_number_printed_under_the_bars_makes_them_the_labels_own(sheet, ocr) -> None:
    image, bars = sheet
    left, right, _top, bottom = _extent(bars)
    under = _line(f"运单号: {NUMBER}", left + 10, right - 10, bottom + 8, bottom + 32)
    assert prints_number(image, bars, NUMBER, [under], ocr)


def test_another_number_under_the_bars_does_not(sheet, ocr) -> None:
    image, bars = sheet
    left, right, _top, bottom = _extent(bars)
    under = _line("75462889751499", left + 10, right - 10, bottom + 8, bottom + 32)
    assert not prints_number(image, bars, NUMBER, [under], ocr)


def test_the_number_in_line_with_the_bars_but_before_their_start_does_not(sheet, ocr) -> None:
    """A new label's number line beside an old label's bars, at their height: not the old bars' digits."""
    image, bars = sheet
    left, _right, top, bottom = _extent(bars)
    before = _line(NUMBER, left - 0.45 * bars.length - 10, left - 10, top + 10, bottom - 10)
    assert not prints_number(image, bars, NUMBER, [before], ocr)


def test_no_printed_line_at_all_leaves_them_unexplained(sheet, ocr) -> None:
    image, bars = sheet
    assert not prints_number(image, bars, NUMBER, [], ocr)
