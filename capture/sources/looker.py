"""The camera's look at one frame: what numbers it shows, and whether the picture is steady.

Per frame, cheapest first:
1. a grey thumbnail (sources.stillness): is the scene steady, and does it
   still show what the last read frame showed?  A desk that has not changed
   since then (a label held still after its barcode was read, the empty desk)
   shows the same barcodes: they are not read again, the last read's stand;
2. otherwise barcodes at preview scale (`camera_preview_width`, grey, boxes
   mapped back to the frame);
3. only when the picture is steady and no barcode decoded, the full read of
   the frame (barcodes at full resolution, then OCR), at most
   OCR_LOOKS_PER_STILL times per still period, and not on a picture that a
   full read already found nothing in (the empty desk between parcels): OCR
   costs far more than a frame lasts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from capture.pipeline import carriers
from capture.pipeline.decode import read_barcodes
from capture.pipeline.run import Engines, read_label
from capture.settings import Settings
from capture.sources.stillness import Stillness, same_picture, thumbnail
from capture.sources.stream import StreamFrame
from capture.sources.tracker import SightedNumber, Sighting
from capture.types import BarcodeRead, Frame, Quad, Via

# Full reads per still period: the first looks; more only to confirm a number
# it found (two must agree), the third to break a tie.  A still scene with no
# number (the empty desk) costs one.
OCR_LOOKS_PER_STILL = 3


@dataclass(frozen=True)
class _Read:
    """The last frame whose barcodes were read: its thumbnail, image and what it showed."""

    thumb: np.ndarray
    image: np.ndarray
    reads: tuple[SightedNumber, ...]
    barcodes: tuple[BarcodeRead, ...]


class Looker:
    def __init__(self, chosen: Engines, settings: Settings) -> None:
        self._chosen = chosen
        self._settings = settings
        self._still = Stillness()
        self._ocr_period = -1
        self._ocr_looks = 0
        self._ocr_found = False  # a full read in this still period found a number
        self._last: _Read | None = None
        self._fruitless: np.ndarray | None = None  # the thumbnail of the last full read that found nothing
        self.barcode_reads = 0  # frames whose barcodes were read (the others showed the same picture)

    def unchanged(self, thumb: np.ndarray) -> np.ndarray | None:
        """The last read frame's image when `thumb` shows the same picture (its frame need not be decoded)."""
        return self._last.image if self._last is not None and same_picture(thumb, self._last.thumb) else None

    def look(self, frame: StreamFrame, thumb: np.ndarray | None = None) -> Sighting:
        """`thumb`: the frame's thumbnail when the caller made it already (from a reduced decode)."""
        thumb = thumbnail(frame.image) if thumb is None else thumb
        steady = self._still.update(thumb)
        last = self._last
        if last is None or not same_picture(thumb, last.thumb):
            preview, scale = _preview(frame.image, self._settings.camera_preview_width)
            barcodes = tuple(_in_frame(read, 1.0 / scale) for read in read_barcodes(preview, self._chosen.barcode))
            last = self._last = _Read(thumb, frame.image, _waybill_reads(barcodes), barcodes)
            self.barcode_reads += 1
        if last.reads or not steady or not self._may_read_fully(thumb):
            return Sighting(frame, last.reads, steady, last.barcodes)
        decoded, facts = read_label(Frame(frame.image, "camera"), self._chosen, self._settings)
        found = _waybill_reads(decoded.barcodes)
        found += tuple(SightedNumber(c.number, Via.OCR, None) for c in facts.candidates if c.via is Via.OCR)
        self._ocr_found = self._ocr_found or bool(found)
        if not found:
            self._fruitless = thumb
        return Sighting(frame, found, steady)

    def decided(self) -> None:
        """A capture was decided: no more full reads until the picture moves again."""
        self._ocr_looks = OCR_LOOKS_PER_STILL

    def _may_read_fully(self, thumb: np.ndarray) -> bool:
        if self._still.period != self._ocr_period:
            self._ocr_period, self._ocr_looks, self._ocr_found = self._still.period, 0, False
        if self._ocr_looks >= OCR_LOOKS_PER_STILL or (self._ocr_looks > 0 and not self._ocr_found):
            return False
        if self._ocr_looks == 0 and same_picture(thumb, self._fruitless):
            return False  # a full read found nothing in this very picture before
        self._ocr_looks += 1
        return True


def _preview(image: np.ndarray, width: int) -> tuple[np.ndarray, float]:
    """The frame in grey at `width` (the barcode engine reads luminance only: a third of the pixels to shrink)."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    height, full_width = gray.shape[:2]
    if full_width <= width:
        return gray, 1.0
    scale = width / full_width
    return cv2.resize(gray, (width, round(height * scale)), interpolation=cv2.INTER_AREA), scale


def _in_frame(read: BarcodeRead, to_frame: float) -> BarcodeRead:
    """A barcode read on the preview, its box in frame pixels."""
    box: Quad = tuple((x * to_frame, y * to_frame) for x, y in read.box)  # type: ignore[assignment]
    return replace(read, box=box)


def _waybill_reads(reads: tuple[BarcodeRead, ...]) -> tuple[SightedNumber, ...]:
    """Barcodes (boxes in frame pixels) that carry a waybill number, not a QR code's URL."""
    found = []
    for read in reads:
        number = carriers.canonical(read.text)
        if carriers.identify(number):
            found.append(SightedNumber(number, Via.BARCODE, read.box))
    return tuple(found)
