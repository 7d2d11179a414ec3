"""Stray bars that print the label's own number: the label's barcode, not another label's.

Every barcode on an e-waybill has its number printed in digits along its
bars (the human-readable line).  Bars no engine decoded whose digits read
as the very number queued are that label's own barcode, half under a hand
or past the edge its reach was measured to (the main barcode of a
three-part label whose stub decoded, a stub far below the main barcode).
An older label's bars print the older number, so they stay strays: the
text must be the whole number, on the band along those bars.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import cv2
import numpy as np

from capture.engines.base import OcrEngine
from capture.pipeline.bars import Bars
from capture.types import TextLine

# The band read along the bars, in bar-region lengths either side of it: the
# region found may be the visible part of a barcode whose digits run on.
ALONG_MARGIN = 0.5
# ... and across, in bar heights either side: the digits sit just below the
# bars (or above, on a label upside down in the photo), a third as high.
ACROSS_MARGIN = 0.8
# A line is the bars' own when it runs beside them over this much of its
# length or theirs, whichever is shorter.
MIN_ALONG_OVERLAP = 0.5
# Numbers shorter than this are not trusted to a text match.
MIN_NUMBER_CHARS = 8
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def prints_number(image: np.ndarray, bars: Bars, number: str, lines: Sequence[TextLine], ocr: OcrEngine) -> bool:
    """Whether `number` is printed along `bars`, in lines already read or read now on the band around them."""
    wanted = _plain(number)
    if len(wanted) < MIN_NUMBER_CHARS:
        return False
    to_band, size = _band(bars)
    in_band = [(line.text, _moved(line.box, to_band)) for line in lines]
    if any(wanted in _plain(text) and _along(box, bars, size) for text, box in in_band):
        return True
    band = cv2.warpAffine(image, to_band, size, flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    return any(wanted in _plain(line.text) and _along(np.array(line.box), bars, size) for line in ocr.read(band))


def _along(box: np.ndarray, bars: Bars, size: tuple[int, int]) -> bool:
    """Whether a line (corners in band pixels) runs along the bars: inside the band, and beside the bars
    over half its length or theirs, not past their end (a neighbouring label's number in line with them)."""
    xs, ys = box[:, 0], box[:, 1]
    centre_y = float(ys.mean())
    if not 0 <= centre_y <= size[1] or xs.max() < 0 or xs.min() > size[0]:
        return False
    start = (size[0] - bars.length) / 2
    overlap = min(float(xs.max()), start + bars.length) - max(float(xs.min()), start)
    return overlap >= MIN_ALONG_OVERLAP * min(float(xs.max() - xs.min()), bars.length)


def _moved(quad: Sequence[tuple[float, float]], affine: np.ndarray) -> np.ndarray:
    return np.array(quad, dtype=np.float64) @ affine[:, :2].T + affine[:, 2]


def _plain(text: str) -> str:
    """Upper-case letters and digits only: "SF 267 468 021 860 8" and "SF2674680218608" agree."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).upper())


def _band(bars: Bars) -> tuple[np.ndarray, tuple[int, int]]:
    """The 2x3 map from photo pixels to the level band around `bars`, and the band's size."""
    width_px = int(bars.length * (1 + 2 * ALONG_MARGIN))
    height_px = int(bars.height * (1 + 2 * ACROSS_MARGIN))
    to_photo = bars.level_frame(width_px, height_px)
    return cv2.invertAffineTransform(to_photo), (width_px, height_px)
