"""Whether a photo shows bars that belong to no label read: an older label on a reused box.

Decoded barcodes explain the bars they sit on.  Bars no engine decoded are
still the label's own when they lie on it, parallel to its barcode: the
stub copy below, or the main barcode above a stub that decoded.  Anything
else is another label, and a courier's scanner may read its barcode, so
the parcel goes to a person however sure the number read is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from capture.pipeline import regions
from capture.pipeline.bars import Bars
from capture.types import BarcodeRead, Quad

# A label's own barcodes, in barcode lengths from the anchor's centre along
# and down the label (regions' label frame): across, an e-waybill is about
# 1.4 lengths wide, plus room for perspective; down, a stub barcode's
# anchor sees the main barcode up to about 3.4 lengths above it.
OWN_HALF_WIDTH = 0.85
OWN_TOP = -3.6
OWN_BOTTOM = 2.6
# One label's barcodes are parallel; perspective turns them apart by a few degrees.
OWN_MAX_TURN_DEG = 10.0


def stray_bars(found: Sequence[Bars], reads: Sequence[BarcodeRead]) -> list[Bars]:
    """The bars that no decoded barcode explains and that lie on no decoded label.

    A label's reach is measured from its main barcode (the anchor): a stub
    copy is shorter and off to one side, and measured from it the label
    would reach over an older label beside it.  With no 1-D barcode decoded
    (only a QR code, or the number read by OCR), the longest undecoded bars
    stand for the label's main barcode; which way is down on it is then
    unknown, so the label's reach is taken both ways.
    """
    unexplained = [bars for bars in found if not any(_explains(read.box, bars) for read in reads)]
    anchors = regions.anchors(list(reads))
    frames = [(anchor.box, _direction(anchor.box, found), OWN_TOP, OWN_BOTTOM) for anchor in anchors]
    if not frames and unexplained:
        longest = max(unexplained, key=lambda bars: bars.length)
        frames = [(longest.box, longest.angle, OWN_TOP, -OWN_TOP)]
        unexplained = [bars for bars in unexplained if bars is not longest]
    return [bars for bars in unexplained if not any(_on_label(bars, *frame) for frame in frames)]


def _direction(box: Quad, found: Sequence[Bars]) -> float:
    """The reading direction (degrees) of a decoded barcode, as the bars search measures it.

    Strays are compared with the bars the barcode sits on, measured the same
    way: an engine's box corners are placed less exactly than the bars'
    own direction, by over ten degrees under perspective.
    """
    under = [bars for bars in found if _explains(box, bars)]
    if under:
        return max(under, key=lambda bars: bars.length).angle
    _, u, _, _ = regions.bars_geometry(box)
    return math.degrees(math.atan2(u[1], u[0])) % 180.0


def _explains(box: Quad, bars: Bars) -> bool:
    """A decoded barcode explains bars it overlaps: either's centre inside the other."""
    centre = tuple(np.mean(np.array(box, dtype=np.float64), axis=0))
    return _inside(bars.centre, box) or _inside((float(centre[0]), float(centre[1])), bars.box)


def _on_label(bars: Bars, anchor_box: Quad, anchor_angle: float, top: float, bottom: float) -> bool:
    """Whether bars lie on the label of the barcode at `anchor_box` (reading at `anchor_angle`), parallel to it."""
    x, y = regions.label_coords(np.array(bars.centre), anchor_box)
    turn = abs((bars.angle - anchor_angle + 90.0) % 180.0 - 90.0)
    return abs(x) <= OWN_HALF_WIDTH and top <= y <= bottom and turn <= OWN_MAX_TURN_DEG


def _inside(point: tuple[float, float], quad: Quad) -> bool:
    return cv2.pointPolygonTest(np.array(quad, dtype=np.float32), point, False) >= 0
