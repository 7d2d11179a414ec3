"""The swap point: what a barcode engine and an OCR engine must do.

An engine is built once per process (model loading is the slow part) and
then called per image.  A call never changes the engine's state: per-call
options are arguments, not attributes set on the engine.
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
