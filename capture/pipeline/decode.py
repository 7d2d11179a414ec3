"""Decode stage: run the barcode and OCR engines over a frame.

Barcodes are read on the whole photo; when that finds no 1-D barcode, the
photo is searched for bars at low resolution and each region is read again
upright at full detail (bar_crops.py).  Text is read only on the label
around each waybill barcode, turned upright and at a fixed scale (see
regions.py), nearest the barcode first (see reading.py); only a photo with
no barcode is read whole.  No interpretation happens here: every barcode and
text line is passed on, in the frame's own pixel coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from capture.engines.base import BarcodeEngine, OcrEngine
from capture.pipeline import regions
from capture.pipeline.bar_crops import read_bars
from capture.pipeline.bars import Bars, find_bars
from capture.pipeline.reading import TextReading
from capture.types import BarcodeRead, Decoded, Frame

# Contrast-limited equalisation rescues barcodes in dim or washed-out photos
# that the engine misses on the raw pixels; only tried when the first pass
# found nothing, so clean photos pay nothing for it.
CLAHE_CLIP_LIMIT = 3.0
CLAHE_TILE_GRID = (8, 8)


@dataclass
class Decoding:
    """A frame being decoded: its barcodes, and its text read a round at a time."""

    barcodes: tuple[BarcodeRead, ...]
    text: TextReading
    # The photo's barcode-like regions, when they were searched for already.
    bars: tuple[Bars, ...] | None = None

    def read_round(self) -> bool:
        return self.text.read_round()

    @property
    def decoded(self) -> Decoded:
        """What has been seen so far."""
        return Decoded(barcodes=self.barcodes, lines=tuple(self.text.lines), unread_lines=self.text.unread)


def begin(
    frame: Frame,
    barcodes: BarcodeEngine,
    ocr: OcrEngine,
    ocr_max_side: int,
    known: tuple[BarcodeRead, ...] | None = None,
) -> Decoding:
    """Read the barcodes and find the text lines; no line is recognised yet.

    `known`: the frame's barcodes already read (a camera's preview pass), so
    they are not read again.
    """
    reads = list(known) if known is not None else read_barcodes(frame.image, barcodes)
    found: tuple[Bars, ...] | None = None
    if not regions.anchors(reads):
        found = tuple(find_bars(frame.image))
        reads += [r for r in read_bars(frame.image, found, barcodes) if all(r.text != k.text for k in reads)]
    return Decoding(barcodes=tuple(reads), text=TextReading(frame.image, reads, ocr, ocr_max_side), bars=found)


def decode(frame: Frame, barcodes: BarcodeEngine, ocr: OcrEngine, ocr_max_side: int) -> Decoded:
    """Everything on the frame: every barcode and every text line."""
    decoding = begin(frame, barcodes, ocr, ocr_max_side)
    decoding.text.read_all()
    return decoding.decoded


def read_barcodes(image: np.ndarray, engine: BarcodeEngine) -> list[BarcodeRead]:
    found = engine.read(image)
    if found:
        return found
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    clahe = cv2.createCLAHE(clipLimit=CLAHE_CLIP_LIMIT, tileGridSize=CLAHE_TILE_GRID)
    return engine.read(clahe.apply(gray))
