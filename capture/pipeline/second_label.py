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
# Beside the anchor, near its own height, a label has no other barcode: its
# stub copies lie below it (a barcode length down or more) and its main
# barcode above a stub.  Bars clear of the anchor's ends there (half a length
# plus a gap) are an older label's, however close (overlapping labels).
# Higher up, a label's header (logo, service box) can look like bars.
BESIDE_MAX_OFFSET = 0.45
BESIDE_MIN_ACROSS = 0.62
# Two labels' QR codes are of one size to within this (templates differ,
# and so does the distance when one label lies nearer the camera).
LABEL_CODE_MAX_SIZE_RATIO = 2.0


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


def other_codes(reads: Sequence[BarcodeRead]) -> list[str]:
    """The texts of label-sized 2-D codes on the photo when there is more than one: each label carries one.

    An e-waybill prints one QR code (the carrier's or the platform's link for
    the parcel); two different ones of about one size are two parcels'
    labels, wherever they lie, even when every 1-D barcode but the new
    label's is unreadable.  A code much larger than the other is the
    carton's own print (a brand's QR code), not a label's.
    """
    codes: dict[str, float] = {}
    for read in reads:
        if regions.is_matrix(read) and read.text:
            codes[read.text] = max(codes.get(read.text, 0.0), _side(read.box))
    if len(codes) < 2:
        return []
    smallest = min(codes.values())
    texts = sorted(text for text, side in codes.items() if side <= LABEL_CODE_MAX_SIZE_RATIO * smallest)
    return texts if len(texts) > 1 else []


def _side(box: Quad) -> float:
    pts = np.array(box, dtype=np.float64)
    return float(max(np.hypot(*(pts[1] - pts[0])), np.hypot(*(pts[3] - pts[0]))))


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
    beside = abs(y) <= BESIDE_MAX_OFFSET and abs(x) >= BESIDE_MIN_ACROSS
    return abs(x) <= OWN_HALF_WIDTH and top <= y <= bottom and turn <= OWN_MAX_TURN_DEG and not beside


def _inside(point: tuple[float, float], quad: Quad) -> bool:
    return cv2.pointPolygonTest(np.array(quad, dtype=np.float32), point, False) >= 0
