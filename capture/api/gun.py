"""A barcode gun's read at the packing desk (扫码枪): a waybill number, a pick list's order number, or neither.

A keyboard-wedge gun types what it read and Enter; the web page sends that
text here.  A waybill number goes through the carrier rules as a barcode on
a photo would (pipeline.extract, no OCR), then the same match, checks, desk
pairing and recording as a photo (scanning.scan_read), its via `gun`.  An
order number is a pick list: it pairs with the station's label as
`waybill pair` does (reviewing.pair_order).  Anything else is said to be
neither, and not recorded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from capture.api.orders import find_order
from capture.api.reviewing import pair_order
from capture.api.runtime import database
from capture.api.scanning import scan_read
from capture.desk_pairing import PairResult, PairState
from capture.errors import BadArguments, UnknownOrder
from capture.pipeline.extract import extract
from capture.settings import Settings
from capture.types import BarcodeRead, Decoded, LabelFacts, Outcome, Reason, ScanResult, Status, Via

READER = "gun"
GUN_FORMAT = "gun"  # what the gun's symbology was is not told by a keyboard wedge
NO_BOX = ((0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0))
MAX_READ_CHARS = 128  # a gun read is one symbol; more is a stuck key or a pasted page


@dataclass(frozen=True)
class GunRead:
    """What one gun read came to: the scan object's result, and the pairing when it was a pick list."""

    result: ScanResult
    pair: PairResult | None = None


def read_code(text: str, station: str | None, settings: Settings) -> GunRead:
    text = text.strip()
    if not text or len(text) > MAX_READ_CHARS:
        raise BadArguments(
            f"a gun read must be 1 to {MAX_READ_CHARS} characters", "scan one barcode, ending with Enter"
        )
    station = station or settings.desk_station or None
    source = f"gun:{station}" if station else "gun"
    decoded = Decoded(barcodes=(BarcodeRead(text, GUN_FORMAT, READER, NO_BOX),), lines=())
    facts = _as_gun(extract(decoded, settings.ocr_min_score))
    if facts.candidates:
        return GunRead(scan_read(source, decoded, facts, READER, settings, database(settings), station))
    if facts.order_numbers:
        return _pick_list(source, facts.order_numbers[0], station, settings)
    said = Outcome(
        Status.NO_WAYBILL,
        (Reason.UNKNOWN_CODE,),
        detail=f"{text} is neither a waybill number of a known carrier nor an order number",
    )
    return GunRead(ScanResult(path=source, outcome=said, decoded=decoded, ms=0.0))


def _as_gun(facts: LabelFacts) -> LabelFacts:
    """The candidates as read by the gun: a person aimed it at one barcode, which the contract calls `gun`."""
    return replace(facts, candidates=tuple(replace(c, via=Via.GUN) for c in facts.candidates))


def _pick_list(source: str, tid: str, station: str | None, settings: Settings) -> GunRead:
    started = time.perf_counter()
    if not station:
        raise BadArguments("an order number read needs a station to pair at", "open the desk page with ?station=A")
    try:
        paired = pair_order(tid, station, settings)
    except UnknownOrder as exc:
        unknown = Outcome(Status.NO_WAYBILL, (Reason.NO_MATCHING_ORDER,), detail=exc.message)
        return GunRead(ScanResult(path=source, outcome=unknown, decoded=None, ms=_ms(started)))
    detail = (
        f"pick list for order {tid}: scan its label at {station}"
        if paired.state is PairState.WAITING
        else f"pick list for order {tid} paired with the label of scan {paired.label_scan_id}"
    )
    # The order as pairing found it, for the scan object's "order".
    order = find_order(paired.order_tid, settings)
    held = Outcome(Status.NO_WAYBILL, (Reason.PICK_LIST,), order=order, detail=detail)
    return GunRead(ScanResult(path=source, outcome=held, decoded=None, ms=_ms(started)), paired)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
