"""Match stage: which open order a label belongs to, and whether it is safe to queue.

The order lookup is passed in (an `OrderLookup`), so this stage does no I/O
of its own.  The rules lean one way: one wrong number uploaded is worse than
ten left for review, so anything short of a single clear answer is review.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from typing import Protocol

from capture.pipeline.extract import NEAR_MISS_MAX_DIFF
from capture.types import Candidate, LabelFacts, OrderRef, Outcome, Person, Reason, Status, Via

AWAITING_SHIPMENT = "awaiting_shipment"
# Below this a candidate is reported but sent to review, never queued.
QUEUE_MIN_CONFIDENCE = 0.85
# Address similarity (0-1, on normalised text) needed for a recipient to fit
# an order.  Labels abbreviate and OCR drops characters, so not 1.0; a
# different street in the same city scores well under this.
ADDRESS_MIN_SIMILARITY = 0.6
# Administrative suffixes that labels and exports write or leave out at will.
ADDRESS_NOISE = re.compile(r"[\s,，。·\-—_()（）#]|省|市|自治区|特别行政区")


class OrderLookup(Protocol):
    """What matching needs to know about orders and the queue (see store.repo)."""

    def by_tid(self, tid: str) -> OrderRef | None: ...

    def by_phone_tail(self, tail: str) -> list[OrderRef]: ...

    def orders_with_waybill(self, waybill: str) -> list[str]:
        """tids of orders that carry or are queued with this waybill."""
        ...

    def queued_waybill(self, tid: str) -> str | None:
        """The waybill already queued for this order, if any."""
        ...


def decide(facts: LabelFacts, orders: OrderLookup) -> Outcome:
    candidates = facts.candidates
    if not candidates:
        return Outcome(Status.NO_WAYBILL)
    if len(candidates) > 1:
        reason = Reason.OCR_UNCONFIRMED if _ocr_reads_of_one_number(candidates) else Reason.MULTIPLE_WAYBILLS
        return Outcome(Status.REVIEW, (reason,), candidates=candidates, detail=", ".join(c.number for c in candidates))
    candidate = candidates[0]
    disagreements = [c for c in facts.conflicts if c.startswith(Reason.BARCODE_OCR_DISAGREE)]
    if disagreements:
        return Outcome(Status.REVIEW, (Reason.BARCODE_OCR_DISAGREE,), candidate=candidate, candidates=candidates, detail="; ".join(disagreements))
    return _match_order(candidate, facts, orders)


def _ocr_reads_of_one_number(candidates: tuple[Candidate, ...]) -> bool:
    """OCR-only reads of one carrier that differ by a character or two: one number misread."""
    first = candidates[0]
    return all(
        c.via is Via.OCR and c.carrier == first.carrier and _near(c.number, first.number) for c in candidates[1:]
    ) and first.via is Via.OCR


def _near(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= NEAR_MISS_MAX_DIFF


def _match_order(candidate: Candidate, facts: LabelFacts, orders: OrderLookup) -> Outcome:
    order, considered, how, ambiguity = _find_order(facts, orders)
    base = Outcome(Status.REVIEW, candidate=candidate, candidates=facts.candidates, order=order, orders_considered=considered, match_via=how)

    others = [tid for tid in orders.orders_with_waybill(candidate.number) if order is None or tid != order.tid]
    if others:
        return _with(base, Status.REJECTED, Reason.WAYBILL_ON_OTHER_ORDER, f"{candidate.number} is already on order {', '.join(others)}")
    if order is None:
        reason = Reason.AMBIGUOUS_ORDER if ambiguity else Reason.NO_MATCHING_ORDER
        return _with(base, Status.REVIEW, reason, ambiguity)
    if order.status != AWAITING_SHIPMENT:
        detail = f"order {order.tid} is {order.status}"
        if order.waybill:
            detail += f" with waybill {order.waybill}"
        return _with(base, Status.REJECTED, Reason.ORDER_NOT_AWAITING_SHIPMENT, detail)
    queued = orders.queued_waybill(order.tid)
    if queued == candidate.number:
        return _with(base, Status.REJECTED, Reason.ALREADY_QUEUED, f"{candidate.number} is already queued for order {order.tid}")
    if queued:
        return _with(base, Status.REVIEW, Reason.ORDER_HAS_OTHER_WAYBILL, f"order {order.tid} is already queued with {queued}")
    if candidate.confidence < QUEUE_MIN_CONFIDENCE:
        return _with(base, Status.REVIEW, Reason.OCR_UNCONFIRMED, f"confidence {candidate.confidence:.2f} below {QUEUE_MIN_CONFIDENCE}")
    return Outcome(Status.QUEUED, candidate=candidate, candidates=facts.candidates, order=order, orders_considered=considered, match_via=how)


def _with(base: Outcome, status: Status, reason: Reason, detail: str) -> Outcome:
    return Outcome(
        status,
        (reason,),
        candidate=base.candidate,
        candidates=base.candidates,
        order=base.order,
        orders_considered=base.orders_considered,
        detail=detail,
        match_via=base.match_via,
    )


def _find_order(facts: LabelFacts, orders: OrderLookup) -> tuple[OrderRef | None, tuple[OrderRef, ...], str, str]:
    """(order, orders considered, how it was found, why it is ambiguous if it is).

    The order number printed on the label wins.  Otherwise the recipient must
    fit exactly one order awaiting shipment.
    """
    printed = [o for o in (orders.by_tid(tid) for tid in facts.order_numbers) if o is not None]
    if len(printed) == 1:
        return printed[0], tuple(printed), "order_number", ""
    if len(printed) > 1:
        return None, tuple(printed), "order_number", f"label shows {len(printed)} known order numbers"

    considered: dict[str, OrderRef] = {}
    fitting: dict[str, OrderRef] = {}
    for person in facts.people:
        for order in orders.by_phone_tail(person.phone_tail):
            considered[order.tid] = order
            if order.status == AWAITING_SHIPMENT and recipient_fits(person, order):
                fitting[order.tid] = order
    if len(fitting) == 1:
        return next(iter(fitting.values())), tuple(considered.values()), "recipient", ""
    if len(fitting) > 1:
        return None, tuple(considered.values()), "recipient", f"{len(fitting)} open orders fit the recipient: {', '.join(fitting)}"
    return None, tuple(considered.values()), "", ""


def recipient_fits(person: Person, order: OrderRef) -> bool:
    """Name and phone tail equal, address similar enough."""
    return (
        bool(person.name)
        and person.phone_tail == order.phone_tail
        and _norm_name(person.name) == _norm_name(order.receiver_name)
        and address_similarity(person.address, order.address) >= ADDRESS_MIN_SIMILARITY
    )


def _norm_name(name: str) -> str:
    return unicodedata.normalize("NFKC", name).replace(" ", "").strip()


def address_similarity(a: str, b: str) -> float:
    na = ADDRESS_NOISE.sub("", unicodedata.normalize("NFKC", a))
    nb = ADDRESS_NOISE.sub("", unicodedata.normalize("NFKC", b))
    if not na or not nb:
        return 0.0
    return SequenceMatcher(None, na, nb, autojunk=False).ratio()
