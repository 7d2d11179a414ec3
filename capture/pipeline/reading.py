"""Which text lines of a photo to recognise, and in what order.

Recognition is what costs: 15-60 ms a line on 2 cores (it grows with the
line's length), and a label has 12-16 lines.  So a label is read in rounds,
nearest its barcode first, and the caller decides after each (pipeline.run):

1. the three lines nearest under the bars -- usually the printed number,
   the recipient's name and phone, and the first address line, which settle
   most decisions -- then the next three, then the rest of a band around the
   bars, lines over them last (only this band is detected at first);
2. then everything else on the label: sender, service lines, header, stub.

A photo without a barcode has nothing to rank lines by and is read in one round.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from capture.engines.base import OcrEngine
from capture.pipeline import regions
from capture.pipeline.regions import LabelView
from capture.types import BarcodeRead, Quad, TextLine

# Where the first rounds look: the band from NEAR_ABOVE barcode lengths over
# the anchor's bars (a number printed above them) to NEAR_BELOW under them
# (the printed number and the recipient block end about 0.5 under them on
# e-waybills).  Only this band is detected at first.
NEAR_ABOVE = 0.10
NEAR_BELOW = 0.55
# Across, the band reaches this far either side of the bars' centre: an
# e-waybill is about 1.4 barcode lengths wide, centred on its main barcode
# (a view around a lone barcode is wider, in case it is the shorter stub copy).
BAND_HALF_WIDTH = 0.8
# Printed rows recognised per early round, nearest the bars first: the
# number, the recipient's name and phone, and the first address line usually
# decide.  Rows, not detections: the detector may cut one row in pieces
# ("7546", "2889", "7514 02").
EARLY_ROUND_ROWS = 3
EARLY_ROUNDS = 2
# A box this close to square holds a character or two (a boxed 收 or 寄): a
# marker, read with the rest of the band rather than in an early round.
MARKER_MAX_RATIO = 1.6
# A line the band's detection cut at the band's edge is left to the whole
# view's detection (within this many view pixels of the edge).
EDGE_PX = 3.0
# The first rounds read across the label's width: an e-waybill is about 1.4
# barcode lengths wide, centred on its main barcode.
LABEL_HALF_WIDTH = 0.7
# Boxes whose tops are this close (view px) are one row, read left to right.
ROW_PX = 10.0
# Both OCR engines drop lines scoring below this after their own detection
# (rapidocr's text_score, PaddleOCR's drop_score); lines recognised here get
# the same floor.
ENGINE_MIN_SCORE = 0.5
# Text lines the angle classifier votes on when no barcode says which way is up.
ORIENTATION_SAMPLE_LINES = 5


@dataclass(frozen=True)
class _Line:
    view: int  # index into TextReading.views
    order: tuple[int, float, float]  # reading order: (view, y, x) of the box's top-left corner
    quad: Quad  # view coordinates


class TextReading:
    """The text of one photo, recognised a round at a time.

    Build it, call `read_round` until it returns False or the caller has
    what it needs; `lines` is what has been read so far.
    """

    def __init__(self, image: np.ndarray, reads: list[BarcodeRead], engine: OcrEngine, max_side: int) -> None:
        self._engine = engine
        self.views: list[LabelView] = []
        self._rounds: list[list[_Line]] = []
        self._band_quads: list[list[Quad]] = []  # per view, what the band detection found
        self._rest_pending = False  # the views beyond their bands are still to be detected
        self._read: list[tuple[_Line, TextLine]] = []
        anchors = regions.anchors(reads)
        if anchors:
            self._plan_label_views(image, anchors, reads)
        else:
            self._plan_text_view(image, max_side)

    def _plan_label_views(self, image: np.ndarray, anchors: list[BarcodeRead], reads: list[BarcodeRead]) -> None:
        """Detect the band around each anchor's bars; rank its lines nearest first."""
        near: list[tuple[tuple[bool, float], _Line]] = []
        for anchor in anchors:
            view = regions.label_view(image, anchor, reads)
            index = len(self.views)
            self.views.append(view)
            quads = _band_lines(self._engine, view)
            self._band_quads.append(quads)
            near.extend((_rank(q, view), _line(index, q)) for q in quads)
        near.sort(key=lambda item: item[0])
        rows = _rows([line for _, line in near if not _is_marker(line.quad)])
        markers = [line for _, line in near if _is_marker(line.quad)]
        early = [
            [line for row in rows[i * EARLY_ROUND_ROWS : (i + 1) * EARLY_ROUND_ROWS] for line in row]
            for i in range(EARLY_ROUNDS)
        ]
        later = [line for row in rows[EARLY_ROUNDS * EARLY_ROUND_ROWS :] for line in row] + markers
        self._rounds = [r for r in (*early, later) if r]
        self._rest_pending = True

    def _plan_rest(self) -> list[_Line]:
        """Every line of the label views beyond what their bands showed."""
        rest: list[_Line] = []
        for index, view in enumerate(self.views):
            seen = self._band_quads[index]
            for quad in _detect_scaled(self._engine, view.image, self._engine.view_detect_scale):
                if not any(_same_line(quad, other) for other in seen):
                    rest.append(_line(index, quad))
        return rest

    def _plan_text_view(self, image: np.ndarray, max_side: int) -> None:
        """Find the text first (detection only, on a small copy), then plan to read just that part level.

        A label small in a 12-megapixel photo is read at full detail, a turned
        or skewed label is read level, and a photo with no text costs one detection.
        """
        probe = regions.whole_photo(image, max_side)
        quads = [probe.map_quad(q) for q in self._engine.detect(probe.image)]
        if not quads:
            return
        view = regions.text_view(image, quads)
        # Level lines may still be upside down: let the angle classifier vote
        # on the longest few, then read the whole view one way up.
        longest = sorted(quads, key=_long_side, reverse=True)[:ORIENTATION_SAMPLE_LINES]
        crops = [c for c in (view.crop(view.to_view(q)) for q in longest) if c.size]
        if self._engine.upside_down(crops):
            view = view.turned_half()
        self.views.append(view)
        self._rounds = [[_line(0, quad) for quad in self._engine.detect(view.image)]]

    def read_round(self) -> bool:
        """Recognise the next round of lines; False when none was left."""
        if not self._rounds and self._rest_pending:
            self._rest_pending = False
            rest = self._plan_rest()
            if rest:
                self._rounds.append(rest)
        if not self._rounds:
            return False
        batch = self._rounds.pop(0)
        crops = [self.views[line.view].line_crop(line.quad) for line in batch]
        readable = [(line, crop) for line, crop in zip(batch, crops, strict=True) if crop.size]
        results = self._engine.recognize([crop for _, crop in readable])
        for (line, _), (text, score) in zip(readable, results, strict=True):
            if text and score >= ENGINE_MIN_SCORE:
                view = self.views[line.view]
                self._read.append((line, TextLine(text=text, score=score, box=view.map_quad(line.quad))))
        return True

    def read_all(self) -> None:
        while self.read_round():
            pass

    @property
    def unread(self) -> int:
        """Lines detected but not recognised (yet); the label beyond the bands counts as one until detected."""
        return sum(len(r) for r in self._rounds) + self._rest_pending

    @property
    def lines(self) -> list[TextLine]:
        """Lines read so far, in reading order: view by view, rows top to bottom, each row left to right."""
        ordered = [text for _, text in _reading_order(self._read)]
        return _without_repeats(ordered) if len(self.views) > 1 else ordered


def _reading_order(read: list[tuple[_Line, TextLine]]) -> list[tuple[_Line, TextLine]]:
    """The order the OCR engines give their own detections (PaddleOCR's sorted_boxes).

    By the boxes' top-left corners: top to bottom, then corners within ROW_PX
    of each other's height left to right.
    """
    ordered = sorted(read, key=lambda item: item[0].order)
    for i in range(len(ordered) - 1):
        for j in range(i, -1, -1):
            (view_a, top_a, left_a), (view_b, top_b, left_b) = ordered[j][0].order, ordered[j + 1][0].order
            if view_a == view_b and abs(top_b - top_a) < ROW_PX and left_b < left_a:
                ordered[j], ordered[j + 1] = ordered[j + 1], ordered[j]
            else:
                break
    return ordered


def near_band_in_view(bars: Quad, width: int, height: int) -> bool:
    """Whether the band the first rounds read, across the label's width, lies inside a width x height picture.

    For a camera looking at a label still moving into place (sources.tracker):
    until this holds, the recipient block may be cut off at the edge.
    `bars` is the barcode's box in the picture.
    """
    centre, u, length, bars_height = regions.bars_geometry(bars)
    if length == 0:
        return False
    d = np.array([-u[1], u[0]])
    xs = (-LABEL_HALF_WIDTH * length, LABEL_HALF_WIDTH * length)
    ys = (-bars_height / 2 - NEAR_ABOVE * length, bars_height / 2 + NEAR_BELOW * length)
    corners = [centre + x * u + y * d for x in xs for y in ys]
    return all(0 <= cx < width and 0 <= cy < height for cx, cy in corners)


def _line(view: int, quad: Quad) -> _Line:
    # By the box's first corner, as the engines' own ordering does.
    return _Line(view, (view, quad[0][1], quad[0][0]), quad)


def _band(view: LabelView, half_width: float | None) -> tuple[int, int, int, int]:
    """The part of a label view (left, top, right, bottom) holding the anchor's bars and the lines next to them.

    Across, `half_width` barcode lengths either side of the bars' centre, or the view's whole width.
    """
    assert view.bars is not None  # label views always know their bars
    bars_left, bars_top, bars_right, bars_bottom = view.bars
    barcode_px = regions.VIEW_BARCODE_PX
    height, width = view.image.shape[:2]
    mid_x = (bars_left + bars_right) / 2
    reach = width if half_width is None else half_width * barcode_px
    return (
        max(0, int(mid_x - reach)),
        max(0, int(bars_top - NEAR_ABOVE * barcode_px)),
        min(width, math.ceil(mid_x + reach)),
        min(height, math.ceil(bars_bottom + NEAR_BELOW * barcode_px)),
    )


def _band_lines(engine: OcrEngine, view: LabelView) -> list[Quad]:
    """Lines inside the band around the bars, in view coordinates; lines cut by its top or bottom are left out.

    The band is first BAND_HALF_WIDTH wide; when a line runs out of its side
    (a short barcode on a wide label: ZTO's 14 digits), it is detected again
    at the view's full width.
    """
    quads, cut_at_side = _detect_band(engine, view, BAND_HALF_WIDTH)
    if cut_at_side:
        quads, _ = _detect_band(engine, view, None)
    return quads


def _detect_band(engine: OcrEngine, view: LabelView, half_width: float | None) -> tuple[list[Quad], bool]:
    """Lines the band shows whole, and whether any ran out of its left or right side."""
    left, top, right, bottom = _band(view, half_width)
    if bottom <= top or right <= left:
        return [], False
    found = _detect_scaled(engine, view.image[top:bottom, left:right], engine.view_detect_scale)
    quads: list[Quad] = [tuple((x + left, y + top) for x, y in q) for q in found]  # type: ignore[misc]
    height, width = view.image.shape[:2]
    # An edge of the band inside the view cuts lines; the whole view's detection reads them.
    cut_top = [q for q in quads if top > 0 and _bounds(q)[1] <= top + EDGE_PX]
    cut_bottom = [q for q in quads if bottom < height and _bounds(q)[3] >= bottom - EDGE_PX]
    cut_side = any(
        (left > 0 and _bounds(q)[0] <= left + EDGE_PX) or (right < width and _bounds(q)[2] >= right - EDGE_PX)
        for q in quads
    )
    return [q for q in quads if q not in cut_top and q not in cut_bottom], cut_side


def _rank(quad: Quad, view: LabelView) -> tuple[bool, float]:
    """When to read a line of the band: lines beside and under the bars first, nearest first, then those over them.

    Under the bars are the printed number and the recipient; over them, on
    many labels, the sorting hub and the print time.
    """
    assert view.bars is not None
    _, bars_top, _, bars_bottom = view.bars
    above = bars_top - max(y for _, y in quad)
    if above > 0:
        return True, above
    return False, max(0.0, min(y for _, y in quad) - bars_bottom)


def _rows(lines: list[_Line]) -> list[list[_Line]]:
    """Lines (in reading priority) grouped into printed rows: one view, centres level within half a line height."""
    rows: list[list[_Line]] = []
    for line in lines:
        _, top, _, bottom = _bounds(line.quad)
        row = next(
            (
                r
                for r in rows
                if r[0].view == line.view and abs(_mid_y(r[0].quad) - (top + bottom) / 2) <= (bottom - top) / 2
            ),
            None,
        )
        if row is None:
            rows.append([line])
        else:
            row.append(line)
    return rows


def _mid_y(quad: Quad) -> float:
    return sum(y for _, y in quad) / 4


def _bounds(quad: Quad) -> tuple[float, float, float, float]:
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    return min(xs), min(ys), max(xs), max(ys)


def _is_marker(quad: Quad) -> bool:
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    return max(xs) - min(xs) < MARKER_MAX_RATIO * (max(ys) - min(ys))


def _same_line(a: Quad, b: Quad) -> bool:
    """Whether two detections (view coordinates) are one line: the centre of either lies inside the other.

    Centres, not overlapping bounds: lines in a view can lean a few degrees
    (the barcode's box leans with the photo's perspective), and the bounds
    of two neighbouring leaning lines overlap widely.
    """
    return _inside(_centre(a), b) or _inside(_centre(b), a)


def _inside(point: tuple[float, float], quad: Quad) -> bool:
    return cv2.pointPolygonTest(np.array(quad, dtype=np.float32), point, False) >= 0


def _detect_scaled(engine: OcrEngine, image: np.ndarray, scale: float) -> list[Quad]:
    """Text boxes found on a copy of `image` at `scale` (the engine's choice), in `image`'s own coordinates.

    Lines are still cut for recognition from the full-scale view.
    """
    if scale == 1.0:
        return engine.detect(image)
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return [tuple((x / scale, y / scale) for x, y in quad) for quad in engine.detect(small)]  # type: ignore[misc]


def _without_repeats(lines: list[TextLine]) -> list[TextLine]:
    """Drop a line read twice where two labels' views overlap (same text, same place).

    Otherwise the second copy counts as a second read of the same print, and
    the two join into one row whose digit groups make false numbers.
    """
    kept: list[TextLine] = []
    for line in lines:
        cx, cy = _centre(line.box)
        if not any(k.text == line.text and math.dist((cx, cy), _centre(k.box)) < _short_side(k.box) for k in kept):
            kept.append(line)
    return kept


def _centre(quad: Quad) -> tuple[float, float]:
    return sum(x for x, _ in quad) / 4, sum(y for _, y in quad) / 4


def _short_side(quad: Quad) -> float:
    (x0, y0), (x1, y1), _, (x3, y3) = quad
    return min(math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0))


def _long_side(quad: Quad) -> float:
    (x0, y0), (x1, y1), _, (x3, y3) = quad
    return max(math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0))
