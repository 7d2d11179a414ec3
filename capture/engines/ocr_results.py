"""What both OCR engines make of their backends' raw answers: text boxes and the up/down vote.

RapidOCR and PaddleOCR run the same PP-OCR angle classifier, whose labels are
"0" and "180", and both give a text box as four (x, y) points.
"""

from __future__ import annotations

from collections.abc import Iterable

from capture.types import Quad

UPSIDE_DOWN = "180"  # the angle classifier's label for a line turned half round


def quad(points: Iterable[Iterable[float]]) -> Quad:
    """A text box as four float (x, y) corners, from a 4x2 array or a list of points."""
    corners = [(float(x), float(y)) for x, y in points]
    if len(corners) != 4:
        raise ValueError(f"expected a 4-point text box, got {len(corners)} points")
    return (corners[0], corners[1], corners[2], corners[3])


def mostly_upside_down(labels: Iterable[str]) -> bool:
    """Whether more of the angle classifier's labels say "180" than not (a tie is upright)."""
    votes = sum(1 if label == UPSIDE_DOWN else -1 for label in labels)
    return votes > 0
