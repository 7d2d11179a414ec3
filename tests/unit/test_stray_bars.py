"""Which undecoded bars belong to the label read, and which to another label beside it (pipeline.second_label)."""

from __future__ import annotations

from capture.pipeline.bars import Bars
from capture.pipeline.second_label import stray_bars
from capture.types import BarcodeRead, Quad

# The new label's main barcode, read left to right: 1000 px long, 150 px tall.
MAIN_LEFT, MAIN_TOP, MAIN_LENGTH, MAIN_HEIGHT = 1000.0, 1000.0, 1000.0, 150.0


def _rect(cx: float, cy: float, length: float, height: float) -> Quad:
    x0, y0, x1, y1 = cx - length / 2, cy - height / 2, cx + length / 2, cy + height / 2
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _bars(cx: float, cy: float, length: float) -> Bars:
    return Bars(_rect(cx, cy, length, MAIN_HEIGHT * length / MAIN_LENGTH), angle=0.0, length=length)


MAIN_CENTRE = (MAIN_LEFT + MAIN_LENGTH / 2, MAIN_TOP + MAIN_HEIGHT / 2)
MAIN = BarcodeRead("SF4506309367470", "Code128", "zxing", _rect(*MAIN_CENTRE, MAIN_LENGTH, MAIN_HEIGHT))
# Its stub copy, smaller, off to the right a barcode length further down the label.
STUB = _bars(MAIN_CENTRE[0] + 0.54 * MAIN_LENGTH, MAIN_CENTRE[1] + 1.16 * MAIN_LENGTH, 0.66 * MAIN_LENGTH)


def test_bars_beside_the_main_barcode_at_its_height_are_another_labels():
    # An older label half under the new one: its barcode sits left of the
    # new main barcode, a third of a length lower, well inside the new
    # label's reach across.  No label prints a second barcode there.
    beside = _bars(MAIN_CENTRE[0] - 0.82 * MAIN_LENGTH, MAIN_CENTRE[1] + 0.31 * MAIN_LENGTH, 0.58 * MAIN_LENGTH)
    own = _bars(*MAIN_CENTRE, MAIN_LENGTH)
    assert stray_bars([own, STUB, beside], [MAIN]) == [beside]


def test_the_labels_own_stub_copy_below_is_not_a_stray():
    own = _bars(*MAIN_CENTRE, MAIN_LENGTH)
    assert stray_bars([own, STUB], [MAIN]) == []


def test_a_piece_of_the_main_barcode_is_not_a_stray():
    # Glare splits the main barcode's bars in two: each piece lies on the barcode read.
    left = _bars(MAIN_CENTRE[0] - 0.3 * MAIN_LENGTH, MAIN_CENTRE[1], 0.4 * MAIN_LENGTH)
    assert stray_bars([left], [MAIN]) == []


def test_bars_in_the_labels_header_above_the_barcode_are_its_own():
    # Stripes of the header's service box, above and right of the main barcode.
    header = _bars(MAIN_CENTRE[0] + 0.82 * MAIN_LENGTH, MAIN_CENTRE[1] - 0.58 * MAIN_LENGTH, 0.46 * MAIN_LENGTH)
    own = _bars(*MAIN_CENTRE, MAIN_LENGTH)
    assert stray_bars([own, header], [MAIN]) == []
