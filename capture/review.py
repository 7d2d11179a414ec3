"""Review: what waits for a person, and settling it through the same checks as the pipeline.

A scan that went to review is a review item (capture.decisions opened it
with the scan).  A person accepts a
candidate (order and number as read), corrects the number (typed, checked
against the carrier table), or rejects the photo.  Accepting or correcting
runs pipeline.checks.before_queueing, exactly as an automatic decision does;
what fails the checks stays open, and the attempt is on the trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from capture import decisions
from capture.errors import ReviewError, UnknownOrder
from capture.pipeline import carriers, checks
from capture.pipeline.checks import Refusal
from capture.pipeline.match import MatchPolicy
from capture.store import repo, review_items
from capture.store.order_items import PackingNotes, packing_notes
from capture.store.tables import ReviewState
from capture.types import Conflict, LabelFacts, OrderRef, OrderStatus

# --- what waits ------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberRead:
    number: str
    carrier: str
    via: str
    confidence: float


@dataclass(frozen=True)
class OrderChoice:
    """An order a review item may be settled with, and how well the label fits it."""

    tid: str
    status: str
    receiver_name: str
    phone_tail: str
    address: str
    score: float | None  # None: named by the label or the desk, not scored
    name: float | None
    phone: float | None
    address_fit: float | None
    notes: PackingNotes = field(default_factory=PackingNotes)  # items, buyer message, seller note


@dataclass(frozen=True)
class ReviewEntry:
    id: int
    scan_id: int
    created_at: datetime
    path: str
    reasons: list[str]
    detail: str
    numbers: tuple[NumberRead, ...]
    conflicts: tuple[Conflict, ...]
    orders: tuple[OrderChoice, ...]  # best first
    suggested_order: str | None  # what `accept` takes when no --order is given
    suggested_waybill: str | None  # what `accept` takes when no --waybill is given


def entries(session: Session) -> list[ReviewEntry]:
    lookup = repo.SqlOrderLookup(session)
    found = [_entry(item, lookup) for item in review_items.list_open(session)]
    notes = packing_notes(session, list(dict.fromkeys(o.tid for entry in found for o in entry.orders)))
    return [replace(entry, orders=tuple(replace(o, notes=notes[o.tid]) for o in entry.orders)) for entry in found]


def _entry(item: review_items.OpenItem, lookup: repo.SqlOrderLookup) -> ReviewEntry:
    facts = item.evidence.label
    scores = {s.tid: s for s in item.evidence.scores}
    tids = list(dict.fromkeys([*(t for t in (item.order_tid,) if t), *item.evidence.also_orders, *scores]))
    choices = []
    for tid in tids:
        order = lookup.by_tid(tid)
        if order is None:
            continue
        s = scores.get(tid)
        choices.append(
            OrderChoice(
                tid=tid,
                status=order.status,
                receiver_name=order.receiver_name,
                phone_tail=order.phone_tail,
                address=order.address,
                score=s.score if s else None,
                name=s.name if s else None,
                phone=s.phone if s else None,
                address_fit=s.address if s else None,
            )
        )
    return ReviewEntry(
        id=item.id,
        scan_id=item.scan_id,
        created_at=item.created_at,
        path=item.path,
        reasons=item.reasons,
        detail=item.evidence.detail,
        numbers=tuple(NumberRead(c.number, c.carrier, c.via.value, c.confidence) for c in facts.candidates),
        conflicts=facts.conflicts,
        orders=tuple(choices),
        suggested_order=_suggested_order(item, choices),
        suggested_waybill=facts.candidates[0].number if len(facts.candidates) == 1 else None,
    )


def _suggested_order(item: review_items.OpenItem, choices: list[OrderChoice]) -> str | None:
    """The order the scan settled on, else the only open order looked at; None when a person must say."""
    if item.order_tid:
        return item.order_tid
    open_ = [c.tid for c in choices if c.status == OrderStatus.AWAITING_SHIPMENT]
    return open_[0] if len(open_) == 1 else None


# --- settling --------------------------------------------------------------------------


class Choice(StrEnum):
    ACCEPT = "accept"  # take a candidate: the number as read, an order looked at (or named)
    CORRECT = "correct"  # the number as typed by the person, off the label
    REJECT = "reject"  # do not send


@dataclass(frozen=True)
class Resolution:
    choice: Choice
    orders: tuple[str, ...] = ()  # empty: the suggested order
    waybill: str | None = None  # accept: one of the numbers read; correct: the typed number
    note: str = ""
    # The person says: a further parcel of an order that already has a number (拆单发货).
    another_parcel: bool = False


@dataclass(frozen=True)
class Resolved:
    item_id: int
    state: ReviewState  # OPEN when the checks refused the choice
    orders: tuple[str, ...]
    waybill: str | None
    carrier: str | None
    refusal: Refusal | None = None


def resolve(session: Session, item_id: int, resolution: Resolution, actor: str, policy: MatchPolicy) -> Resolved:
    """Settle a review item; raises ReviewError / UnknownOrder for what cannot be asked of it."""
    item = _open_item(session, item_id)
    if resolution.choice is Choice.REJECT:
        decisions.commit_rejection(session, item, resolution.note, actor)
        return Resolved(item.id, ReviewState.REJECTED, (), None, None)
    number, carrier = _number(resolution, item.evidence.label, item.id)
    lookup = repo.SqlOrderLookup(session)
    orders = _orders(resolution.orders, item, lookup)
    tids = tuple(o.tid for o in orders)
    refusal = checks.before_queueing(
        number, carrier, orders, lookup, policy.shop_carriers, policy.carriers_by_shop, resolution.another_parcel
    )
    note = f"another parcel: {resolution.note}" if resolution.another_parcel else resolution.note
    if refusal is not None:
        decisions.commit_refusal(session, item, refusal, number, carrier, tids, note, actor)
        return Resolved(item.id, ReviewState.OPEN, tids, number, carrier, refusal)
    state = ReviewState.CORRECTED if resolution.choice is Choice.CORRECT else ReviewState.ACCEPTED
    decisions.commit_settlement(session, item, state, number, carrier, tids, note, actor)
    return Resolved(item.id, state, tids, number, carrier)


def _open_item(session: Session, item_id: int) -> review_items.OpenItem:
    item = review_items.get(session, item_id, lock=True)
    if item is None:
        raise ReviewError(f"there is no review item {item_id}", "`waybill review` lists the open ones")
    if item.state != ReviewState.OPEN.value:
        when = f" at {item.resolved_at:%Y-%m-%d %H:%M:%S} UTC" if item.resolved_at else ""
        raise ReviewError(
            f"review item {item_id} is already {item.state} by {item.resolved_by}{when}",
            "`waybill history` shows what was decided",
        )
    return item


def _number(resolution: Resolution, facts: LabelFacts, item_id: int) -> tuple[str, str]:
    read = [c.number for c in facts.candidates]
    if resolution.choice is Choice.CORRECT:
        if not resolution.waybill:
            raise ReviewError("a correction needs the number", f"waybill review correct {item_id} NUMBER")
        return typed_number(resolution.waybill)
    if resolution.waybill:
        number = carriers.canonical(resolution.waybill)
        if number not in read:
            raise ReviewError(
                f"{number} was not read on this photo (read: {', '.join(read) or 'nothing'})",
                f"to use a number off the label, type it: waybill review correct {item_id} {number}",
            )
    elif len(read) == 1:
        number = read[0]
    elif not read:
        raise ReviewError(
            "no number was read on this photo", f"type it off the label: waybill review correct {item_id} NUMBER"
        )
    else:
        raise ReviewError(
            f"this photo shows {len(read)} numbers: {', '.join(read)}",
            f"say which: waybill review accept {item_id} --waybill NUMBER",
        )
    carrier = next(c.carrier for c in facts.candidates if c.number == number)
    return number, carrier


def typed_number(text: str) -> tuple[str, str]:
    """(number, carrier code) of a number a person typed, if the carrier table knows it."""
    number = carriers.canonical(text)
    carrier = carriers.identify(number)
    if carrier is None:
        raise ReviewError(
            f"{number} is not a waybill number of any carrier we know (or fits several)",
            "check it against the label; SF is SF + 13 digits, ZTO 14 digits from 73-79, YTO YT + 13 digits, JD JD + 2 + 11 digits",
        )
    return number, carrier.code


def _orders(given: tuple[str, ...], item: review_items.OpenItem, lookup: repo.SqlOrderLookup) -> tuple[OrderRef, ...]:
    if not given:
        suggested = _entry(item, lookup).suggested_order
        if suggested is None:
            raise ReviewError(
                f"review item {item.id} has no single order to take",
                f"name it: waybill review accept {item.id} --order TID (repeat --order to ship several orders in this parcel)",
            )
        given = (suggested,)
    orders = []
    for tid in dict.fromkeys(given):
        order = lookup.by_tid(tid)
        if order is None:
            raise UnknownOrder(f"no order {tid} is known", "check the number, or import / pull the orders first")
        orders.append(order)
    return tuple(orders)
