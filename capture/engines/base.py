"""The swap point: what a barcode engine and an OCR engine must do.

An engine is built once per process (model loading is the slow part) and
then called per image.  A call never changes the engine's state: per-call
options are arguments, not attributes set on the engine.  The registry
builds OCR engines and closes them at shutdown (ClosableOcrEngine).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from capture.types import BarcodeRead, Quad, TextLine


class BarcodeEngine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> list[BarcodeRead]:
        """Every barcode found in a BGR or grayscale image, boxes in its pixel coordinates."""
        ...


class OcrEngine(Protocol):
    name: str
    # The scale at which a label view (label text about 25-30 px high) is
    # detected: what this engine's detector needs to find each line whole.
    view_detect_scale: float

    def read(self, image: np.ndarray, upright: bool = False) -> list[TextLine]:
        """Every text line found in a BGR image, boxes in its pixel coordinates.

        `upright` says the caller has already turned the text upright (from a
        barcode's orientation), so the 0/180 angle classifier can be skipped.
        """
        ...

    def detect(self, image: np.ndarray) -> list[Quad]:
        """Where text lines are, without reading them (cheap: no recognition)."""
        ...

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """(text, score) for each level text-line crop, in the same order.

        With `detect`, this lets the caller choose which lines are worth
        reading: recognition is the costly part, about 30 ms a line.
        """
        ...

    def upside_down(self, crops: list[np.ndarray]) -> bool:
        """Whether most of these level text-line crops are upside down."""
        ...


class ClosableOcrEngine(OcrEngine, Protocol):
    """An OCR engine as the registry builds and owns it."""

    def close(self) -> None:
        """Stop the threads the engine runs.  Calls after this are a caller's bug (rapidocr raises EngineClosed)."""
        ...


class OcrEngineSettings(Protocol):
    """What an OCR engine is built from: Settings has these, and so has the registry's OcrEngineSpec."""

    @property
    def models_manifest(self) -> str: ...

    @property
    def ocr_threads(self) -> int: ...


class EngineClosed(RuntimeError):
    """An engine was called after close(): the caller kept it past shutdown."""
