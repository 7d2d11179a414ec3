"""The whole flow for one frame, on a page: decode -> extract -> match."""

from __future__ import annotations

from dataclasses import dataclass

from capture.engines.base import BarcodeEngine, OcrEngine
from capture.pipeline.bar_crops import read_bars
from capture.pipeline.bars import Bars, find_bars
from capture.pipeline.checks import Refusal
from capture.pipeline.decode import begin, decode
from capture.pipeline.extract import extract
from capture.pipeline.match import MatchPolicy, OrderLookup, decide, refused, settled
from capture.pipeline.printed_number import prints_number
from capture.pipeline.second_label import other_codes, stray_bars
from capture.settings import Settings
from capture.types import BarcodeRead, Decoded, Frame, LabelFacts, Outcome, Reason, Status


@dataclass(frozen=True)
class Engines:
    barcode: BarcodeEngine
    ocr: OcrEngine

    @property
    def names(self) -> str:
        return f"{self.barcode.name}+{self.ocr.name}"


def read_label(frame: Frame, engines: Engines, settings: Settings) -> tuple[Decoded, LabelFacts]:
    decoded = decode(frame, engines.barcode, engines.ocr, settings.ocr_max_side)
    return decoded, extract(decoded, settings.ocr_min_score)


def match_policy(settings: Settings) -> MatchPolicy:
    return MatchPolicy(
        merge_shipments=settings.merge_shipments,
        shop_carriers=settings.shop_carrier_codes,
        carriers_by_shop={s.name: settings.carrier_codes_of_shop(s.name) for s in settings.shops if s.shop_carriers},
    )


def process(
    frame: Frame,
    engines: Engines,
    orders: OrderLookup,
    settings: Settings,
    barcodes: tuple[BarcodeRead, ...] | None = None,
) -> tuple[Decoded, LabelFacts, Outcome]:
    """Read the label nearest its barcode first, deciding after each round; stop once the decision is settled.

    A queue is then held to one more test, on the whole photo whatever the
    reading saw: bars of another label that no engine decoded send it to review.

    `barcodes`: the frame's barcodes when already read (see decode.begin).
    """
    decoding = begin(frame, engines.barcode, engines.ocr, settings.ocr_max_side, barcodes)
    policy = match_policy(settings)
    while True:
        more = decoding.read_round()
        decoded = decoding.decoded
        facts = extract(decoded, settings.ocr_min_score)
        outcome = decide(facts, orders, policy)
        if not more or not decoded.unread_lines or settled(outcome):
            return decoded, facts, _alone_on_photo(frame, decoded, outcome, decoding.bars, engines)


def _alone_on_photo(
    frame: Frame, decoded: Decoded, outcome: Outcome, found: tuple[Bars, ...] | None, engines: Engines
) -> Outcome:
    """`outcome`, or review when the photo shows bars of a label other than the one read.

    `found`: the photo's bars when decoding searched for them already.
    """
    if outcome.status is not Status.QUEUED:
        return outcome
    codes = other_codes(decoded.barcodes)
    if codes:
        # Their texts stay out of the detail: a carrier's QR code may carry the receiver's phone.
        detail = f"{len(codes)} different QR codes on the photo, one label carries one: check the box for an old label"
        return refused(outcome, Refusal(Status.REVIEW, Reason.MULTIPLE_LABELS, detail))
    bars = find_bars(frame.image) if found is None else found
    strays = stray_bars(bars, decoded.barcodes)
    if not strays:
        return outcome
    # Stray bars may be the label's own barcode that the whole-photo read
    # missed (half under a hand, small in a far photo): read on their own,
    # they give the label's number again and are explained.  Any other
    # number they give is the other label's, shown to the person deciding.
    known = {read.text for read in decoded.barcodes}
    again = read_bars(frame.image, strays, engines.barcode)
    strays = stray_bars(bars, (*decoded.barcodes, *(read for read in again if read.text in known)))
    # Bars that would not decode but print the number queued are the label's own too.
    number = outcome.candidate.number if outcome.candidate else ""
    strays = [b for b in strays if not prints_number(frame.image, b, number, decoded.lines, engines.ocr)]
    if not strays:
        return outcome
    where = ", ".join(f"({x:.0f}, {y:.0f})" for x, y in (bars.centre for bars in strays))
    others = sorted({read.text for read in again if read.text not in known})
    read_as = f" read {', '.join(others)}" if others else " were not read"
    detail = f"bars of another label at {where} (photo px){read_as}: check the box for an old label"
    return refused(outcome, Refusal(Status.REVIEW, Reason.MULTIPLE_LABELS, detail))
