"""Extract stage: from what the engines saw to what the label says.

Waybill candidates come from barcodes and OCR lines, each accepted only if
it fits a carrier's format in full.  Barcode and OCR reads of the same
number are fused; near-identical numbers that differ (a misread) are kept
apart and reported as conflicts, never silently corrected.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

from capture.pipeline import carriers
from capture.pipeline.ocr_text import normalize
from capture.pipeline.people import read_people
from capture.types import (
    BarcodeRead,
    Candidate,
    Conflict,
    ConflictKind,
    Decoded,
    LabelFacts,
    Quad,
    TextLine,
    Via,
)

# Confidence given to each kind of evidence.  A Code128 read carries its own
# checksum, so a barcode alone is strong; OCR alone is strong only when the
# carrier has a check digit or the number was read in two places (main print
# and stub) identically.  Calibrated on the generated sample set.
CONF_BARCODE_AND_OCR = 0.99
CONF_BARCODE_ONLY = 0.93
CONF_OCR_CHECK_DIGIT = 0.90
CONF_OCR_TWICE = 0.88
CONF_OCR_ONCE_FACTOR = 0.7  # times the OCR score: below the queue threshold by design

# Two numbers of one carrier within this many differing characters are taken
# as two reads of one printed number, not as two parcels.
NEAR_MISS_MAX_DIFF = 2

# Two boxes are one printed row when their centres are closer than this many
# line heights across the reading direction.
ROW_TOLERANCE = 0.5
# Marketplace order numbers: Taobao, Tmall and Douyin ids are 16-20 digits;
# Pinduoduo's are a date, a dash and digits (230530-531418387930174, older
# 20150909-452750051).  Looked up in every shop's orders alike.
ORDER_NUMBER = re.compile(r"(?<![\d-])(\d{6,8}-\d{9,15}|\d{16,20})(?![\d-])")
# Runs of letters/digits, allowing single spaces ("SF 1234 5678 9012 3") and
# hyphens ("SF 1234-5678-9012-3") between groups.
ALNUM_RUN = re.compile(r"[A-Z0-9]+(?:[ -][A-Z0-9]+)*")
GROUP_SEPARATOR = re.compile(r"[ -]")
# Print dates and times are cut out before numbers are looked for: their
# digit groups must never be joined into a waybill ("2026-10-14 0...").
DATE_OR_TIME = re.compile(r"(?<!\d)(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}:\d{2}(?::\d{2})?)(?!\d)")
# Characters OCR confuses with each other on thermal print, both ways.  A
# token that fits no carrier is tried with these swapped, and kept only if
# exactly one variant fits: the carrier's format decides, never a guess.
# Letters are swapped for digits in the body of a number, digits for letters
# only where carriers print letters: the prefix (SF, YT, DPK) and the S10
# country suffix (CN).
LETTER_TO_DIGIT = {"O": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2"}
DIGIT_TO_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}
LETTER_ZONE = 3  # characters at each end where a carrier may print letters
MAX_LOOKALIKES = 6  # 2**6 variants per token at most
# Only tokens this long, with this many digits, are worth correcting.
CORRECTABLE_LENGTH = range(11, 17)
CORRECTABLE_MIN_DIGITS = 8
# The text lines' direction replaces the barcode's when the two are this close:
# a label's skew, not a line read the wrong way up.
TEXT_REFINES_DEG = 30.0


@dataclass
class _Tally:
    carrier: str
    barcode_reads: int = 0
    ocr_scores: list[float] = field(default_factory=list)
    ocr_corrected: int = 0  # reads that needed a look-alike swap


def extract(decoded: Decoded, min_ocr_score: float) -> LabelFacts:
    lines = [ln for ln in decoded.lines if ln.score >= min_ocr_score]
    direction = label_direction(decoded.barcodes, lines)
    # One printed row is one read, even when the detector split it into boxes
    # ("7305   6529   4130 78").
    rows = merge_rows(lines, direction)
    tallies = _tally_numbers(decoded.barcodes, rows)
    candidates, conflicts = _fuse(tallies)
    return LabelFacts(
        candidates=tuple(candidates),
        order_numbers=tuple(_order_numbers(decoded.barcodes, lines)),
        people=tuple(read_people(rows, direction)),
        conflicts=tuple(conflicts),
    )


def label_direction(barcodes: tuple[BarcodeRead, ...], lines: list[TextLine]) -> tuple[float, float]:
    """The label's left-to-right axis: the barcode's, made exact by the text lines' own.

    A barcode says which way the label is turned, but an engine's box for a
    1-D symbol is the span its scan lines crossed, often level when the label
    is turned a few degrees; the text boxes follow the print.  Within
    TEXT_REFINES_DEG of the barcode the text's direction is taken.
    """
    if not barcodes:
        return text_direction(lines)
    coarse = reading_direction(barcodes)
    if not lines:
        return coarse
    fine = text_direction(lines)
    cosine = coarse[0] * fine[0] + coarse[1] * fine[1]
    return fine if cosine >= math.cos(math.radians(TEXT_REFINES_DEG)) else coarse


def text_direction(lines: list[TextLine]) -> tuple[float, float]:
    """The label's left-to-right axis from the text lines themselves.

    The decode stage reads text in level views and maps each box back with
    its corners in reading order, so box[0] -> box[1] runs along the line.
    Used when no barcode shows how the label is turned.
    """
    sx = sum(ln.box[1][0] - ln.box[0][0] for ln in lines)
    sy = sum(ln.box[1][1] - ln.box[0][1] for ln in lines)
    norm = math.hypot(sx, sy)
    return (sx / norm, sy / norm) if norm else (1.0, 0.0)


def merge_rows(lines: list[TextLine], direction: tuple[float, float]) -> list[TextLine]:
    """Join text boxes that stand on one printed row, left to right.

    The detector splits a row at a wide gap ("收件人: 蒋志勇    166****7084"),
    which would part a name from its phone.  A box joins a row when its centre
    is within ROW_TOLERANCE line heights of the row's first box, measured
    across that box's own direction: on a tilted or bent label the direction
    of each line is truer than one for the whole label.
    """
    ux, uy = direction

    def along(ln: TextLine) -> float:
        cx, cy = ln.center
        return cx * ux + cy * uy

    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda ln: _across(ln, (ux, uy))):
        # Compared with the row's first box and the smaller height, so a big
        # 收/寄 marker spanning two printed rows joins neither.
        first = rows[-1][0] if rows else None
        if first and _offset_across(line, first) <= ROW_TOLERANCE * min(_height(line), _height(first)):
            rows[-1].append(line)
        else:
            rows.append([line])
    merged = []
    for row in rows:
        row.sort(key=along)
        first, last = row[0], row[-1]
        box: Quad = (first.box[0], last.box[1], last.box[2], first.box[3])
        merged.append(TextLine(text=" ".join(ln.text for ln in row), score=min(ln.score for ln in row), box=box))
    return merged


def _across(line: TextLine, direction: tuple[float, float]) -> float:
    cx, cy = line.center
    return -cx * direction[1] + cy * direction[0]


def _own_direction(line: TextLine) -> tuple[float, float]:
    (x0, y0), (x1, y1) = line.box[0], line.box[1]
    norm = math.hypot(x1 - x0, y1 - y0)
    return ((x1 - x0) / norm, (y1 - y0) / norm) if norm else (1.0, 0.0)


def _offset_across(line: TextLine, reference: TextLine) -> float:
    direction = _own_direction(reference)
    return abs(_across(line, direction) - _across(reference, direction))


def _height(line: TextLine) -> float:
    """The box's extent across its own reading direction."""
    ux, uy = _own_direction(line)
    values = [-x * uy + y * ux for x, y in line.box]
    return max(values) - min(values)


@dataclass(frozen=True)
class OcrNumber:
    number: str
    corrected: bool  # read only after swapping look-alike characters


def ocr_numbers(text: str) -> list[OcrNumber]:
    """Waybill numbers in one OCR line: as printed, with group spaces or hyphens removed,
    or after a look-alike swap that only one carrier format allows.

    Longest spans of groups are tried first, and a span overlapping one already
    taken is skipped: "JT 9973 9035 0726 2" is one J&T number, not also the
    13-digit EMS-shaped number inside it.
    """
    found: dict[str, OcrNumber] = {}
    for run in ALNUM_RUN.findall(DATE_OR_TIME.sub(" ; ", normalize(text))):
        groups = GROUP_SEPARATOR.split(run)
        taken: set[int] = set()
        for start, end in _group_spans(len(groups)):
            if taken.intersection(range(start, end)):
                continue
            number = carriers.canonical("".join(groups[start:end]))
            read = OcrNumber(number, corrected=False) if carriers.identify(number) else None
            if read is None:
                fixed = unique_correction(number)
                read = OcrNumber(fixed, corrected=True) if fixed else None
            if read is not None:
                found.setdefault(read.number, read)
                taken.update(range(start, end))
    return list(found.values())


def _group_spans(count: int) -> list[tuple[int, int]]:
    """(start, end) of every run of neighbouring groups, longest first.

    A number printed in groups may share its row with other groups (a date,
    a count), so each contiguous span is tried, not just the whole row.
    """
    return [(start, start + size) for size in range(count, 0, -1) for start in range(count - size + 1)]


def unique_correction(token: str) -> str | None:
    """The one look-alike variant of `token` that fits a carrier, or None."""
    if len(token) not in CORRECTABLE_LENGTH or sum(ch.isdigit() for ch in token) < CORRECTABLE_MIN_DIGITS:
        return None
    swaps_at = {i: LETTER_TO_DIGIT[ch] for i, ch in enumerate(token) if ch in LETTER_TO_DIGIT and i >= LETTER_ZONE - 1}
    swaps_at.update(
        {
            i: DIGIT_TO_LETTER[ch]
            for i, ch in enumerate(token)
            if ch in DIGIT_TO_LETTER and (i < LETTER_ZONE or i >= len(token) - LETTER_ZONE + 1)
        }
    )
    spots = sorted(swaps_at)
    if not spots or len(spots) > MAX_LOOKALIKES:
        return None
    valid = set()
    for swaps in itertools.product((False, True), repeat=len(spots)):
        chars = list(token)
        for i, swap in zip(spots, swaps, strict=True):
            if swap:
                chars[i] = swaps_at[i]
        variant = "".join(chars)
        if variant != token and carriers.identify(variant):
            valid.add(variant)
    return valid.pop() if len(valid) == 1 else None


def _tally_numbers(barcodes: tuple[BarcodeRead, ...], lines: list[TextLine]) -> dict[str, _Tally]:
    tallies: dict[str, _Tally] = {}
    for read in barcodes:
        number = carriers.canonical(read.text)
        carrier = carriers.identify(number)
        if carrier:
            tallies.setdefault(number, _Tally(carrier.code)).barcode_reads += 1
    for line in lines:
        for found in ocr_numbers(line.text):
            carrier = carriers.identify(found.number)
            assert carrier is not None  # ocr_numbers only returns identified numbers
            tally = tallies.setdefault(found.number, _Tally(carrier.code))
            tally.ocr_scores.append(line.score)
            tally.ocr_corrected += found.corrected
    return tallies


def _confidence(number: str, tally: _Tally) -> tuple[Via, float]:
    if tally.barcode_reads and tally.ocr_scores:
        return Via.BOTH, CONF_BARCODE_AND_OCR
    if tally.barcode_reads:
        return Via.BARCODE, CONF_BARCODE_ONLY
    if carriers.BY_CODE[tally.carrier].has_check_digit and number[0].isalpha():
        return Via.OCR, CONF_OCR_CHECK_DIGIT
    # Two reads confirm each other only if at least one needed no correction.
    if len(tally.ocr_scores) >= 2 and tally.ocr_corrected < len(tally.ocr_scores):
        return Via.OCR, CONF_OCR_TWICE * min(tally.ocr_scores)
    return Via.OCR, CONF_OCR_ONCE_FACTOR * tally.ocr_scores[0]


def near_miss(a: str, b: str) -> bool:
    """Whether one number could be an OCR misread of the other: same length, a character or two apart."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= NEAR_MISS_MAX_DIFF


def _fuse(tallies: dict[str, _Tally]) -> tuple[list[Candidate], list[Conflict]]:
    """Turn tallies into candidates; fold OCR misreads of a barcoded number into conflicts.

    An OCR-only number one or two characters away from a number the barcode
    read is a misread of that number.  If OCR also read the barcode's number
    exactly, the misread is dropped (kept as evidence); if not, barcode and
    OCR disagree and the conflict is reported for review.
    """
    conflicts: list[Conflict] = []
    dropped: set[str] = set()
    for number, tally in tallies.items():
        if tally.barcode_reads:
            continue
        for other, other_tally in tallies.items():
            if other_tally.barcode_reads and near_miss(number, other):
                dropped.add(number)
                kind = ConflictKind.OCR_MISREAD if other_tally.ocr_scores else ConflictKind.BARCODE_OCR_DISAGREE
                conflicts.append(Conflict(kind, barcode=other, ocr=number))
                break
    candidates = []
    for number, tally in tallies.items():
        if number in dropped:
            continue
        via, confidence = _confidence(number, tally)
        candidates.append(
            Candidate(
                number=number,
                carrier=tally.carrier,
                via=via,
                confidence=round(confidence, 4),
                ocr_reads=len(tally.ocr_scores),
                barcode_reads=tally.barcode_reads,
            )
        )
    candidates.sort(key=lambda c: -c.confidence)
    return candidates, conflicts


def _order_numbers(barcodes: tuple[BarcodeRead, ...], lines: list[TextLine]) -> list[str]:
    found: list[str] = []
    texts = [normalize(b.text) for b in barcodes] + [normalize(ln.text).replace(" ", "") for ln in lines]
    for text in texts:
        for number in ORDER_NUMBER.findall(text):
            if number not in found:
                found.append(number)
    return found


def reading_direction(barcodes: tuple[BarcodeRead, ...]) -> tuple[float, float]:
    """Unit vector of the label's left-to-right axis in the photo.

    Waybill barcodes are printed along the label's width, and the engines
    report each symbol's corners starting from its own top-left, so the
    longest barcode's top edge tells how the label is turned (0/90/180/270
    and skew).  With no barcode the photo is taken as upright.
    """
    best, best_len = (1.0, 0.0), 0.0
    for read in barcodes:
        (x0, y0), (x1, y1) = read.box[0], read.box[1]
        length = math.hypot(x1 - x0, y1 - y0)
        if length > best_len:
            best, best_len = ((x1 - x0) / length, (y1 - y0) / length), length
    return best
