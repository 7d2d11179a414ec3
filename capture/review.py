"""Review: what waits for a person, and settling it through the same checks as the pipeline.

Every scan's decision is written to the audit trail here (`record_decision`);
a scan that went to review becomes a review item.  A person then accepts a
candidate (order and number as read), corrects the number (typed, checked
against the carrier table), or rejects the photo.  Accepting or correcting
runs pipeline.checks.before_queueing, exactly as an automatic decision does;
what fails the checks stays open, and the attempt is on the trail.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from capture.errors import ReviewError, UnknownOrder
from capture.pipeline import carriers, checks
from capture.pipeline.checks import AWAITING_SHIPMENT, Refusal
from capture.pipeline.match import VIA_DESK_PAIR, MatchPolicy
from capture.store import audit, repo, reviews
from capture.store.audit import Action, Decision
from capture.store.tables import ReviewState
from capture.types import Candidate, LabelFacts, OrderRef, OrderScore, Outcome, Person, Reason, Status, Via

# Scores shown with an audit entry: the decision's evidence, not every order looked at.
AUDIT_SCORES_KEPT = 3
STILL_OPEN = "open"


# --- recording every decision -----------------------------------------------------


def record_decision(
    session: Session, scan_id: int, path: str, outcome: Outcome, actor: str = audit.AUTO_PIPELINE
) -> None:
    """After a scan is recorded: merged shipments' other jobs, the review item, the audit row."""
    candidate = outcome.candidate
    if outcome.status is Status.QUEUED and outcome.also_orders and candidate is not None:
        # record_scan queued the main order; the others of one parcel share its scan.
        repo.queue_jobs(
            session, scan_id, candidate.number, candidate.carrier, tuple(o.tid for o in outcome.also_orders)
        )
    review_id = reviews.open_item(session, scan_id) if outcome.status is Status.REVIEW else None
    audit.record(
        session,
        Decision(
            actor=actor,
            action=_action(outcome),
            status=outcome.status.value,
            scan_id=scan_id,
            review_id=review_id,
            waybill=candidate.number if candidate else None,
            carrier=candidate.carrier if candidate else None,
            order_tids=tuple(o.tid for o in outcome.orders),
            reasons=tuple(str(r) for r in outcome.reasons),
            detail=outcome.detail,
            evidence={
                "path": path,
                "numbers_read": [c.number for c in outcome.candidates],
                "match_via": outcome.match_via,
                "scores": [_score_dict(s) for s in outcome.scores[:AUDIT_SCORES_KEPT]],
            },
        ),
    )


def _action(outcome: Outcome) -> Action:
    if Reason.PICK_LIST in outcome.reasons:
        return Action.PICK_LIST
    if outcome.match_via == VIA_DESK_PAIR:
        return Action.DESK_PAIR
    return Action.SCAN


def _score_dict(score: OrderScore) -> dict[str, str | float]:
    return asdict(score)


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


@dataclass(frozen=True)
class ReviewEntry:
    id: int
    scan_id: int
    created_at: datetime
    path: str
    reasons: list[str]
    detail: str
    numbers: tuple[NumberRead, ...]
    conflicts: tuple[str, ...]
    orders: tuple[OrderChoice, ...]  # best first
    suggested_order: str | None  # what `accept` takes when no --order is given
    suggested_waybill: str | None  # what `accept` takes when no --waybill is given


def entries(session: Session) -> list[ReviewEntry]:
    lookup = repo.SqlOrderLookup(session)
    return [_entry(item, lookup) for item in reviews.list_open(session)]


def _entry(item: reviews.OpenItem, lookup: repo.SqlOrderLookup) -> ReviewEntry:
    facts = label_facts(item.evidence)
    scores = {s["tid"]: s for s in item.evidence.get("scores", [])}
    tids = list(dict.fromkeys([*(t for t in (item.order_tid,) if t), *item.evidence.get("also_orders", []), *scores]))
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
                score=s["score"] if s else None,
                name=s["name"] if s else None,
                phone=s["phone"] if s else None,
                address_fit=s["address"] if s else None,
            )
        )
    return ReviewEntry(
        id=item.id,
        scan_id=item.scan_id,
        created_at=item.created_at,
        path=item.path,
        reasons=item.reasons,
        detail=item.evidence.get("detail", ""),
        numbers=tuple(NumberRead(c.number, c.carrier, c.via.value, c.confidence) for c in facts.candidates),
        conflicts=facts.conflicts,
        orders=tuple(choices),
        suggested_order=_suggested_order(item, choices),
        suggested_waybill=facts.candidates[0].number if len(facts.candidates) == 1 else None,
    )


def _suggested_order(item: reviews.OpenItem, choices: list[OrderChoice]) -> str | None:
    """The order the scan settled on, else the only open order looked at; None when a person must say."""
    if item.order_tid:
        return item.order_tid
    open_ = [c.tid for c in choices if c.status == AWAITING_SHIPMENT]
    return open_[0] if len(open_) == 1 else None


def label_facts(evidence: dict) -> LabelFacts:
    """The label's facts as report.evidence stored them with the scan."""
    candidates = tuple(
        Candidate(
            number=c["number"],
            carrier=c["carrier"],
            via=Via(c["via"]),
            confidence=c["confidence"],
            ocr_reads=c.get("ocr_reads", 0),
            barcode_reads=c.get("barcode_reads", 0),
        )
        for c in evidence.get("candidates", [])
    )
    people = tuple(
        Person(p["name"], p["phone_tail"], p["address"], p.get("role", "")) for p in evidence.get("people", [])
    )
    return LabelFacts(
        candidates, tuple(evidence.get("order_numbers", [])), people, tuple(evidence.get("conflicts", []))
    )


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


@dataclass(frozen=True)
class Resolved:
    item_id: int
    state: str  # a ReviewState value, or "open" when the checks refused
    orders: tuple[str, ...]
    waybill: str | None
    carrier: str | None
    refusal: Refusal | None = None


def resolve(session: Session, item_id: int, resolution: Resolution, actor: str, policy: MatchPolicy) -> Resolved:
    """Settle a review item; raises ReviewError / UnknownOrder for what cannot be asked of it."""
    item = _open_item(session, item_id)
    if resolution.choice is Choice.REJECT:
        return _reject(session, item, resolution.note, actor)
    facts = label_facts(item.evidence)
    number, carrier = _number(resolution, facts, item.id)
    lookup = repo.SqlOrderLookup(session)
    orders = _orders(resolution.orders, item, lookup)
    tids = tuple(o.tid for o in orders)
    refusal = checks.before_queueing(number, carrier, orders, lookup, policy.shop_carriers)
    evidence = {
        "path": item.path,
        "numbers_read": [c.number for c in facts.candidates],
        "scan_reasons": item.reasons,
        "note": resolution.note,
    }
    if refusal is not None:
        decision = Decision(
            actor,
            Action.REVIEW_REFUSED,
            refusal.status.value,
            item.scan_id,
            item.id,
            number,
            carrier,
            tids,
            (str(refusal.reason),),
            refusal.detail,
            evidence,
        )
        audit.record(session, decision)
        return Resolved(item.id, STILL_OPEN, tids, number, carrier, refusal)
    repo.queue_jobs(session, item.scan_id, number, carrier, tids)
    state = ReviewState.CORRECTED if resolution.choice is Choice.CORRECT else ReviewState.ACCEPTED
    if not reviews.close(session, item.id, state, actor, tids[0], number, resolution.note):
        raise ReviewError(f"review item {item.id} was settled by someone else meanwhile", "run `waybill review` again")
    action = Action.REVIEW_CORRECT if state is ReviewState.CORRECTED else Action.REVIEW_ACCEPT
    audit.record(
        session,
        Decision(
            actor,
            action,
            Status.QUEUED.value,
            item.scan_id,
            item.id,
            number,
            carrier,
            tids,
            (),
            resolution.note,
            evidence,
        ),
    )
    return Resolved(item.id, state.value, tids, number, carrier)


def _open_item(session: Session, item_id: int) -> reviews.OpenItem:
    item = reviews.get(session, item_id, lock=True)
    if item is None:
        raise ReviewError(f"there is no review item {item_id}", "`waybill review` lists the open ones")
    if item.state != ReviewState.OPEN.value:
        when = f" at {item.resolved_at:%Y-%m-%d %H:%M:%S} UTC" if item.resolved_at else ""
        raise ReviewError(
            f"review item {item_id} is already {item.state} by {item.resolved_by}{when}",
            "`waybill history` shows what was decided",
        )
    return item


def _reject(session: Session, item: reviews.OpenItem, note: str, actor: str) -> Resolved:
    if not reviews.close(session, item.id, ReviewState.REJECTED, actor, None, None, note):
        raise ReviewError(f"review item {item.id} was settled by someone else meanwhile", "run `waybill review` again")
    tids = tuple(t for t in (item.order_tid,) if t)
    evidence = {"path": item.path, "scan_reasons": item.reasons}
    audit.record(
        session,
        Decision(
            actor,
            Action.REVIEW_REJECT,
            Status.REJECTED.value,
            item.scan_id,
            item.id,
            item.waybill,
            item.carrier,
            tids,
            (),
            note,
            evidence,
        ),
    )
    return Resolved(item.id, ReviewState.REJECTED.value, (), None, None)


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


def _orders(given: tuple[str, ...], item: reviews.OpenItem, lookup: repo.SqlOrderLookup) -> tuple[OrderRef, ...]:
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
