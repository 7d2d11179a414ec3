"""Where on a photo to read text: the label around each waybill barcode, turned upright.

A waybill barcode runs along the label's width, so it tells where the label
is, how it is turned and how large it is.  OCR then reads only that part of
the photo, upright (no angle classifier needed) and at a fixed scale: a
label small in a 12-megapixel photo is read at full detail, a label filling
a photo is not read at more pixels than it needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from capture.types import BarcodeRead, Quad

# The label around a barcode, in barcode lengths from the barcode's centre:
# e-waybills are about 1.4 barcode lengths wide and 2.2 long, with the main
# barcode in the upper third and the tear-off stub at the bottom.  Generous,
# because perspective and skew stretch the label against its barcode.
LABEL_LEFT = -1.0
LABEL_RIGHT = 1.0
LABEL_TOP = -0.9
LABEL_BOTTOM = 2.3
# When a barcode was read only once it may be the stub copy at the bottom of
# the label (the main one blurred or under glare): reach up over the label.
LABEL_TOP_LONE = -2.6
LABEL_HALF_WIDTH_LONE = 1.5  # a stub barcode is shorter than the main one
# Room kept above the main barcode (a number printed over it) and above the
# stub barcode (the last line before the stub), in barcode lengths.
HEADER_MARGIN = 0.12
STUB_MARGIN = 0.05
# The barcode's length in the upright view, in pixels: label text is then
# about 25-30 px high, what the recogniser reads best.
VIEW_BARCODE_PX = 420
# Barcodes shorter than this (px) are stub copies or QR codes, not anchors.
MIN_ANCHOR_PX = 40
WHITE = (255, 255, 255)
# Views built from detected text: height of a detected line box in the view
# (boxes include the detector's margin around the glyphs; 64 px boxes hold
# about 30 px text), a margin around the text (fraction of its extent), and
# a cap on the view's size.
TEXT_VIEW_BOX_PX = 64
TEXT_VIEW_MARGIN = 0.04
TEXT_VIEW_MAX_SIDE = 2400
# 2-D codes (a QR code with a URL) are square: they say nothing about how
# the label is turned, so they never anchor a view.
MATRIX_FORMATS = ("QR", "DataMatrix", "PDF417", "Aztec", "MaxiCode")
# A text box this much taller than wide is vertical text, read turned.
VERTICAL_LINE_RATIO = 1.5


@dataclass(frozen=True, eq=False)
class LabelView:
    """An upright crop of one label and the affine map back to the photo."""

    image: np.ndarray
    to_photo: np.ndarray  # 2x3 affine: view pixel -> photo pixel
    # Left, top, right and bottom (view px) of the barcode a label view was
    # built around; None for views built from detected text.
    bars: tuple[float, float, float, float] | None = None

    def map_quad(self, quad: Quad) -> Quad:
        pts = np.array(quad, dtype=np.float64)
        mapped = pts @ self.to_photo[:, :2].T + self.to_photo[:, 2]
        return tuple((float(x), float(y)) for x, y in mapped)  # type: ignore[return-value]

    def to_view(self, quad: Quad) -> Quad:
        back = cv2.invertAffineTransform(self.to_photo)
        pts = np.array(quad, dtype=np.float64)
        mapped = pts @ back[:, :2].T + back[:, 2]
        return tuple((float(x), float(y)) for x, y in mapped)  # type: ignore[return-value]

    def turned_half(self) -> LabelView:
        """The same view turned 180 degrees (a label lying upside down)."""
        height, width = self.image.shape[:2]
        flip = np.array([[-1.0, 0.0, width], [0.0, -1.0, height], [0.0, 0.0, 1.0]])
        to_photo = np.vstack([self.to_photo, [0.0, 0.0, 1.0]]) @ flip
        bars = (
            None
            if self.bars is None
            else (width - self.bars[2], height - self.bars[3], width - self.bars[0], height - self.bars[1])
        )
        return LabelView(image=cv2.rotate(self.image, cv2.ROTATE_180), to_photo=to_photo[:2], bars=bars)

    def line_crop(self, quad: Quad) -> np.ndarray:
        """A detected text line (quad in view coordinates) cut out level, as the recogniser wants it.

        The same cut PaddleOCR and RapidOCR make after their own detection:
        the quad warped to a rectangle, and a line much taller than wide
        (vertical text) turned to lie down.
        """
        pts = np.array(quad, dtype=np.float32)
        width = int(max(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[3])))
        height = int(max(np.linalg.norm(pts[0] - pts[3]), np.linalg.norm(pts[1] - pts[2])))
        if width < 1 or height < 1:
            return np.zeros((0, 0, 3), dtype=np.uint8)
        target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
        crop = cv2.warpPerspective(
            self.image,
            cv2.getPerspectiveTransform(pts, target),
            (width, height),
            flags=cv2.INTER_CUBIC,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return np.rot90(crop) if height / width >= VERTICAL_LINE_RATIO else crop

    def crop(self, quad: Quad) -> np.ndarray:
        """The axis-aligned pixels of a quad given in view coordinates."""
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        height, width = self.image.shape[:2]
        x0, x1 = max(0, int(min(xs))), min(width, int(max(xs)) + 1)
        y0, y1 = max(0, int(min(ys))), min(height, int(max(ys)) + 1)
        return self.image[y0:y1, x0:x1]


def bars_geometry(box: Quad) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(centre, unit reading direction, length, height) of a barcode box."""
    pts = np.array(box, dtype=np.float64)
    top = pts[1] - pts[0]
    length = float(np.hypot(*top))
    height = float(np.hypot(*(pts[3] - pts[0])))
    direction = top / length if length else np.array([1.0, 0.0])
    return pts.mean(axis=0), direction, length, height


def anchors(reads: tuple[BarcodeRead, ...] | list[BarcodeRead]) -> list[BarcodeRead]:
    """One barcode per label: the longest 1-D code, skipping others on the same label.

    Another barcode is on the same label when it carries the same text (the
    stub copy) or its centre lies inside the label box of a longer one.  A
    second label beside the first (a reused box) gets its own view.
    """
    linear = [r for r in reads if not is_matrix(r)]
    chosen: list[BarcodeRead] = []
    for read in sorted(linear, key=lambda r: -bars_geometry(r.box)[2]):
        centre, _, length, _ = bars_geometry(read.box)
        if length < MIN_ANCHOR_PX:
            continue
        if any(read.text == a.text or _inside_label(centre, a) for a in chosen):
            continue
        chosen.append(read)
    return chosen


def is_matrix(read: BarcodeRead) -> bool:
    """A 2-D code (QR, Data Matrix...), not a 1-D barcode."""
    return any(m in read.format for m in MATRIX_FORMATS)


def label_coords(point: np.ndarray, anchor_box: Quad) -> tuple[float, float]:
    """A photo point in the label frame of the barcode at `anchor_box`, in barcode lengths from its centre."""
    centre, u, length, _ = bars_geometry(anchor_box)
    rel = point - centre
    return float(rel @ u) / length, float(rel @ np.array([-u[1], u[0]])) / length


def _inside_label(point: np.ndarray, anchor: BarcodeRead) -> bool:
    x, y = label_coords(point, anchor.box)
    return LABEL_LEFT <= x <= LABEL_RIGHT and LABEL_TOP <= y <= LABEL_BOTTOM


def _span(anchor: BarcodeRead, reads: tuple[BarcodeRead, ...] | list[BarcodeRead]) -> tuple[float, float, float, float]:
    """Left, right, top and bottom of the part of the label worth reading, in barcode lengths.

    With the stub copy read below the main barcode, the barcode number is
    known for certain, so the header above the barcode (carrier name,
    sorting code, print date) and the stub (a copy of the number and the
    recipient) are left out: recognition time grows with every line read.
    With only one copy read, the barcode may be the stub itself, so the
    view reaches up over the whole label.
    """
    _, _, length, height = bars_geometry(anchor.box)
    copies = [r for r in reads if r is not anchor and r.text == anchor.text]
    if not copies:
        return -LABEL_HALF_WIDTH_LONE, LABEL_HALF_WIDTH_LONE, LABEL_TOP_LONE, LABEL_BOTTOM
    below = [(label_coords(bars_geometry(c.box)[0], anchor.box)[1], bars_geometry(c.box)[3] / length) for c in copies]
    below = [(y, h) for y, h in below if y > 0]
    if not below:
        return LABEL_LEFT, LABEL_RIGHT, LABEL_TOP, LABEL_BOTTOM
    stub_y, stub_h = min(below)
    top = -height / length / 2 - HEADER_MARGIN
    return LABEL_LEFT, LABEL_RIGHT, top, stub_y - stub_h / 2 - STUB_MARGIN


def label_view(
    image: np.ndarray, anchor: BarcodeRead, reads: tuple[BarcodeRead, ...] | list[BarcodeRead] = ()
) -> LabelView:
    """The label around `anchor`, upright, at VIEW_BARCODE_PX per barcode length."""
    centre, u, length, bar_height = bars_geometry(anchor.box)
    d = np.array([-u[1], u[0]])  # down on the label: reading direction turned 90 degrees clockwise
    left, right, top, bottom = _span(anchor, reads)
    scale = VIEW_BARCODE_PX / length
    width = round((right - left) * VIEW_BARCODE_PX)
    height = round((bottom - top) * VIEW_BARCODE_PX)
    # View origin (top-left of the label box) in photo coordinates.
    origin = centre + (left * length) * u + (top * length) * d
    to_photo = np.column_stack([u / scale, d / scale, origin])
    to_view = cv2.invertAffineTransform(to_photo)
    view = cv2.warpAffine(
        image, to_view, (width, height), flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR, borderValue=WHITE
    )
    # The bars' centre is the label frame's origin; they are one barcode length long.
    mid_x, mid_y = -left * VIEW_BARCODE_PX, -top * VIEW_BARCODE_PX
    half_height = bar_height * scale / 2
    bars = (mid_x - VIEW_BARCODE_PX / 2, mid_y - half_height, mid_x + VIEW_BARCODE_PX / 2, mid_y + half_height)
    return LabelView(image=view, to_photo=to_photo, bars=bars)


def text_view(image: np.ndarray, quads: list[Quad]) -> LabelView:
    """The part of the photo where text was detected, turned so the lines run
    left to right (or right to left: see LabelView.turned_half) and scaled
    so line boxes are TEXT_VIEW_BOX_PX high.

    For photos with no barcode to say where the label is: a label small in a
    12-megapixel photo is read at full detail, a label turned 90 degrees or
    skewed is read level.
    """
    pts = np.array(quads, dtype=np.float64)  # n x 4 x 2
    top = pts[:, 1] - pts[:, 0]
    side = pts[:, 3] - pts[:, 0]
    top_len, side_len = np.hypot(top[:, 0], top[:, 1]), np.hypot(side[:, 0], side[:, 1])
    along = np.where((top_len >= side_len)[:, None], top, side)  # each box's long edge
    lengths = np.maximum(top_len, side_len)
    # Mean of doubled angles: a line's direction is known only up to 180 degrees.
    doubled = 2 * np.arctan2(along[:, 1], along[:, 0])
    angle = 0.5 * math.atan2(float((np.sin(doubled) * lengths).sum()), float((np.cos(doubled) * lengths).sum()))
    u = np.array([math.cos(angle), math.sin(angle)])
    d = np.array([-u[1], u[0]])
    flat = pts.reshape(-1, 2)
    xs, ys = flat @ u, flat @ d
    box_px = float(np.median(np.minimum(top_len, side_len)))
    extent_x, extent_y = xs.max() - xs.min(), ys.max() - ys.min()
    margin = TEXT_VIEW_MARGIN * max(extent_x, extent_y)
    scale = TEXT_VIEW_BOX_PX / max(box_px, 1.0)
    scale = min(scale, TEXT_VIEW_MAX_SIDE / (max(extent_x, extent_y) + 2 * margin))
    width = round((extent_x + 2 * margin) * scale)
    height = round((extent_y + 2 * margin) * scale)
    origin = (xs.min() - margin) * u + (ys.min() - margin) * d
    to_photo = np.column_stack([u / scale, d / scale, origin])
    view = cv2.warpAffine(
        image,
        cv2.invertAffineTransform(to_photo),
        (width, height),
        flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
        borderValue=WHITE,
    )
    return LabelView(image=view, to_photo=to_photo)


def whole_photo(image: np.ndarray, max_side: int) -> LabelView:
    """The whole photo, shrunk to `max_side`: for photos where no barcode shows where the label is."""
    height, width = image.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    view = (
        image
        if scale == 1.0
        else cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    )
    to_photo = np.array([[1 / scale, 0.0, 0.0], [0.0, 1 / scale, 0.0]])
    return LabelView(image=view, to_photo=to_photo)
