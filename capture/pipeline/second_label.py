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

    With no 1-D barcode decoded (only a QR code, or the number read by OCR),
    the longest undecoded bars stand for the label's main barcode; which way
    is down on it is then unknown, so the label's reach is taken both ways.
    """
    unexplained = [bars for bars in found if not any(_explains(read.box, bars) for read in reads)]
    frames = [(a.box, OWN_TOP, OWN_BOTTOM) for a in regions.anchors(list(reads))]
    if not frames and unexplained:
        longest = max(unexplained, key=lambda bars: bars.length)
        frames = [(longest.box, OWN_TOP, -OWN_TOP)]
        unexplained = [bars for bars in unexplained if bars is not longest]
    return [bars for bars in unexplained if not any(_on_label(bars, *frame) for frame in frames)]


def _explains(box: Quad, bars: Bars) -> bool:
    """A decoded barcode explains bars it overlaps: either's centre inside the other."""
    centre = tuple(np.mean(np.array(box, dtype=np.float64), axis=0))
    return _inside(bars.centre, box) or _inside((float(centre[0]), float(centre[1])), bars.box)


def _on_label(bars: Bars, anchor_box: Quad, top: float, bottom: float) -> bool:
    """Whether bars lie on the label of the barcode at `anchor_box`, parallel to it."""
    _, u, _, _ = regions.bars_geometry(anchor_box)
    x, y = regions.label_coords(np.array(bars.centre), anchor_box)
    anchor_angle = math.degrees(math.atan2(u[1], u[0])) % 180.0
    turn = abs((bars.angle - anchor_angle + 90.0) % 180.0 - 90.0)
    return abs(x) <= OWN_HALF_WIDTH and top <= y <= bottom and turn <= OWN_MAX_TURN_DEG


def _inside(point: tuple[float, float], quad: Quad) -> bool:
    return cv2.pointPolygonTest(np.array(quad, dtype=np.float32), point, False) >= 0
