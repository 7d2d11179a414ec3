"""Decode stage: run the barcode and OCR engines over a frame.

Barcodes are read on the whole photo.  Text is read only on the label
around each waybill barcode, turned upright and at a fixed scale (see
regions.py); only a photo with no barcode is read whole.  No interpretation
happens here: every barcode and text line is passed on, in the frame's own
pixel coordinates.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from capture.engines.base import BarcodeEngine, OcrEngine
from capture.pipeline import regions
from capture.types import BarcodeRead, Decoded, Frame, Quad, TextLine

# Contrast-limited equalisation rescues barcodes in dim or washed-out photos
# that the engine misses on the raw pixels; only tried when the first pass
# found nothing, so clean photos pay nothing for it.
CLAHE_CLIP_LIMIT = 3.0
CLAHE_TILE_GRID = (8, 8)
# Text lines the angle classifier votes on when no barcode says which way is up.
ORIENTATION_SAMPLE_LINES = 5


def decode(frame: Frame, barcodes: BarcodeEngine, ocr: OcrEngine, ocr_max_side: int) -> Decoded:
    reads = read_barcodes(frame.image, barcodes)
    return Decoded(barcodes=tuple(reads), lines=tuple(read_text(frame.image, reads, ocr, ocr_max_side)))


def read_barcodes(image: np.ndarray, engine: BarcodeEngine) -> list[BarcodeRead]:
    found = engine.read(image)
    if found:
        return found
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    clahe = cv2.createCLAHE(clipLimit=CLAHE_CLIP_LIMIT, tileGridSize=CLAHE_TILE_GRID)
    return engine.read(clahe.apply(gray))


def read_text(image: np.ndarray, reads: list[BarcodeRead], engine: OcrEngine, max_side: int) -> list[TextLine]:
    """OCR the label around each anchor barcode, or where text is when there is none."""
    anchors = regions.anchors(reads)
    if not anchors:
        return read_text_without_barcode(image, engine, max_side)
    lines: list[TextLine] = []
    for anchor in anchors:
        view = regions.label_view(image, anchor, reads)
        lines.extend(view.map_line(line) for line in engine.read(view.image, upright=True))
    return _without_repeats(lines) if len(anchors) > 1 else lines


def _without_repeats(lines: list[TextLine]) -> list[TextLine]:
    """Drop a line read twice where two labels' views overlap (same text, same place).

    Otherwise the second copy counts as a second read of the same print, and
    the two join into one row whose digit groups make false numbers.
    """
    kept: list[TextLine] = []
    for line in lines:
        cx, cy = _centre(line.box)
        if not any(k.text == line.text and math.dist((cx, cy), _centre(k.box)) < _short_side(k.box) for k in kept):
            kept.append(line)
    return kept


def _centre(quad: Quad) -> tuple[float, float]:
    return sum(x for x, _ in quad) / 4, sum(y for _, y in quad) / 4


def _short_side(quad: Quad) -> float:
    (x0, y0), (x1, y1), _, (x3, y3) = quad
    return min(math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0))


def read_text_without_barcode(image: np.ndarray, engine: OcrEngine, max_side: int) -> list[TextLine]:
    """Find the text first (detection only, on a small copy), then read just that part level.

    A label small in a 12-megapixel photo is read at full detail, a turned or
    skewed label is read level, and a photo with no text costs one detection.
    """
    probe = regions.whole_photo(image, max_side)
    quads = [probe.map_quad(q) for q in engine.detect(probe.image)]
    if not quads:
        return []
    view = regions.text_view(image, quads)
    # Level lines may still be upside down: let the angle classifier vote on
    # the longest few, then read the whole view one way up.
    longest = sorted(quads, key=_long_side, reverse=True)[:ORIENTATION_SAMPLE_LINES]
    crops = [c for c in (view.crop(view.to_view(q)) for q in longest) if c.size]
    if engine.upside_down(crops):
        view = view.turned_half()
    return [view.map_line(line) for line in engine.read(view.image, upright=True)]


def _long_side(quad: Quad) -> float:
    (x0, y0), (x1, y1), _, (x3, y3) = quad
    return max(math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0))
