"""What a source is given to turn what it saw into recorded decisions.

Sources (the drop folder, the camera) produce frames and files; deciding and
recording them is the application's business.  The facade hands each
source a `Recorder` (or, for the drop folder's worker processes, a module-level
factory that builds one per process), so nothing here imports the facade or
the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from capture.errors import UnreadableImage
from capture.pipeline.run import Engines
from capture.settings import Settings
from capture.types import BarcodeRead, Frame, ScanResult, ScanSummary


class Recorder(Protocol):
    @property
    def engines(self) -> Engines:
        """The barcode and OCR engines (loaded on first use), for sources that look before they record."""
        ...

    def record(self, frame: Frame, started: float) -> ScanResult:
        """Read, decide and record a frame, as `waybill scan` does (desk pairing included)."""
        ...

    def record_if_queued(self, frame: Frame, started: float, barcodes: tuple[BarcodeRead, ...]) -> ScanResult | None:
        """A first look: recorded only when it queues the parcel; None otherwise (nothing written)."""
        ...

    def record_unreadable(self, source: str, sha256: str, error: UnreadableImage, started: float) -> ScanResult:
        """A file that is not an image, recorded as an `error` scan with its hash."""
        ...

    def earlier_scan(self, sha256: str) -> ScanSummary | None:
        """The first scan of a photo with these bytes, if any (to know a duplicate)."""
        ...


# Worker processes receive it by pickling: it must be a module-level function.
RecorderFactory = Callable[[Settings], Recorder]
