"""Decode stage: run the barcode and OCR engines over a frame.

No interpretation happens here: every barcode and every text line the
engines report is passed on, in the frame's own pixel coordinates.
"""

from __future__ import annotations

import cv2
import numpy as np

from capture.engines.base import BarcodeEngine, OcrEngine
from capture.types import Decoded, Frame, Quad, TextLine

# Contrast-limited equalisation rescues barcodes in dim or washed-out photos
# that the engine misses on the raw pixels; only tried when the first pass
# found nothing, so clean photos pay nothing for it.
CLAHE_CLIP_LIMIT = 3.0
CLAHE_TILE_GRID = (8, 8)


def decode(frame: Frame, barcodes: BarcodeEngine, ocr: OcrEngine, ocr_max_side: int) -> Decoded:
    return Decoded(barcodes=tuple(read_barcodes(frame.image, barcodes)), lines=tuple(read_text(frame.image, ocr, ocr_max_side)))


def read_barcodes(image: np.ndarray, engine: BarcodeEngine) -> list:
    found = engine.read(image)
    if found:
        return found
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    clahe = cv2.createCLAHE(clipLimit=CLAHE_CLIP_LIMIT, tileGridSize=CLAHE_TILE_GRID)
    return engine.read(clahe.apply(gray))


def read_text(image: np.ndarray, engine: OcrEngine, max_side: int) -> list[TextLine]:
    """OCR at most `max_side` pixels on the long side; boxes mapped back to the frame."""
    height, width = image.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    if scale < 1.0:
        small = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        return [_rescale(line, 1.0 / scale) for line in engine.read(small)]
    return engine.read(image)


def _rescale(line: TextLine, factor: float) -> TextLine:
    box: Quad = tuple((x * factor, y * factor) for x, y in line.box)  # type: ignore[assignment]
    return TextLine(text=line.text, score=line.score, box=box)
