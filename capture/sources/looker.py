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

A live camera (and the desk page's) runs that full read on a worker thread
of its own: frames keep coming and being looked at while it reads (a label
put down during a 2 s OCR of the empty desk is not missed).  Its numbers
count on the first frame after it finished, if that frame still shows the
picture it read; a desk that changed meanwhile is read afresh.  A video file
read frame by frame waits for it, so every run sees the same.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
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

log = logging.getLogger(__name__)

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
    def __init__(self, chosen: Engines, settings: Settings, background: bool = False) -> None:
        self._chosen = chosen
        self._background = background  # full reads on a worker thread (see the module's doc)
        self._worker: ThreadPoolExecutor | None = None
        self._pending: tuple[np.ndarray, Future[tuple[SightedNumber, ...]]] | None = None
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
        if last.reads:
            return Sighting(frame, last.reads, steady, last.barcodes)
        found = self._finished_read(thumb)
        if found:
            return Sighting(frame, found, steady)
        if not steady or self._pending is not None or not self._may_read_fully(thumb):
            return Sighting(frame, last.reads, steady, last.barcodes)
        if self._background:
            if self._worker is None:
                self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="camera-full-read")
            self._pending = (thumb, self._worker.submit(self._read_fully, frame.image))
            return Sighting(frame, last.reads, steady, last.barcodes)
        found = self._read_fully(frame.image)
        self._noted(found, thumb)
        return Sighting(frame, found, steady)

    def close(self) -> None:
        """The camera stops: a full read under way is not waited for."""
        if self._worker is not None:
            self._worker.shutdown(wait=False, cancel_futures=True)
            self._worker, self._pending = None, None

    def _read_fully(self, image: np.ndarray) -> tuple[SightedNumber, ...]:
        decoded, facts = read_label(Frame(image, "camera"), self._chosen, self._settings)
        found = _waybill_reads(decoded.barcodes)
        return found + tuple(SightedNumber(c.number, Via.OCR, None) for c in facts.candidates if c.via is Via.OCR)

    def _finished_read(self, thumb: np.ndarray) -> tuple[SightedNumber, ...]:
        """What a background full read found, once done, if the desk still shows the picture it read."""
        if self._pending is None or not self._pending[1].done():
            return ()
        (read_thumb, future), self._pending = self._pending, None
        try:
            found = future.result()
        except Exception:
            log.exception("camera: a full read failed; the next steady frame is read again")
            return ()
        if not same_picture(thumb, read_thumb):
            return ()  # the desk changed while it was read: what it found is not there now
        self._noted(found, read_thumb)
        return found

    def _noted(self, found: tuple[SightedNumber, ...], thumb: np.ndarray) -> None:
        self._ocr_found = self._ocr_found or bool(found)
        if not found:
            self._fruitless = thumb

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
