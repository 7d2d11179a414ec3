"""Desk pairing: the packer scans an order's pick list and the parcel's label, in either order.

A photo (or frame) whose only barcode or print is an order number, with no
waybill number, is a pick list.  Per station (setting desk_station, or the
`station` the API is given):

* pick list, then label: the station holds the order for pair_timeout_s;
  the next label is matched to it directly (pipeline.match, paired route),
  unless the label prints another order number or plainly names another
  recipient (review: pair_mismatch).
* label, then pick list: a label that went to review for want of an order
  (no_matching_order, ambiguous_order) is held; the pick list settles that
  review item through the same decision and checks.
* a label with nothing held falls back to recipient matching, as anywhere.

State lives in the desk_pairs table (store.desk), so it survives restarts
and a second process at the same desk sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from capture import decisions
from capture.errors import UnknownOrder
from capture.outcome_words import in_words
from capture.pipeline.match import MatchPolicy, decide
from capture.store import audit, desk_pairs, repo, review_items
from capture.types import LabelFacts, OrderRef, Outcome, Reason, Status

# A held label is worth pairing only when what it lacked was the order.
PAIRABLE_REASONS = frozenset({Reason.NO_MATCHING_ORDER, Reason.AMBIGUOUS_ORDER})


class Next(StrEnum):
    """What the station holds after this scan."""

    KEEP = "keep"  # whatever it held
    HOLD_ORDER = "hold_order"  # this pick list's order
    HOLD_LABEL = "hold_label"  # this scan's label
    FORGET = "forget"  # nothing: a pair was made


@dataclass(frozen=True)
class DeskStep:
    outcome: Outcome
    next: Next
    actor: str
    order_tid: str | None = None  # for HOLD_ORDER


def is_pick_list(facts: LabelFacts) -> bool:
    return not facts.candidates and bool(facts.order_numbers)


def step(session: Session, station: str, facts: LabelFacts, policy: MatchPolicy, timeout_s: float) -> DeskStep:
    """Decide one frame read at a desk (before it is recorded; see apply)."""
    lookup = repo.SqlOrderLookup(session)
    held = desk_pairs.waiting(session, station)
    if is_pick_list(facts):
        return _pick_list(session, station, facts, lookup, policy, held, timeout_s)
    paired_tid = held.order_tid if held else None
    outcome = decide(facts, lookup, policy, paired_tid)
    if paired_tid:
        # A photo with no number read does not use up the pick list: the packer shoots again.
        return DeskStep(outcome, Next.FORGET if facts.candidates else Next.KEEP, audit.desk_actor(station))
    if outcome.status is Status.REVIEW and len(facts.candidates) == 1 and set(outcome.reasons) <= PAIRABLE_REASONS:
        return DeskStep(outcome, Next.HOLD_LABEL, audit.AUTO_PIPELINE)
    return DeskStep(outcome, Next.KEEP, audit.AUTO_PIPELINE)


def apply(session: Session, station: str, done: DeskStep, scan_id: int | None, timeout_s: float) -> None:
    """Update what the station holds, once the frame's scan is recorded."""
    if done.next is Next.HOLD_ORDER and done.order_tid:
        desk_pairs.hold_order(session, station, done.order_tid, timeout_s)
    elif done.next is Next.HOLD_LABEL and scan_id is not None:
        desk_pairs.hold_label(session, station, scan_id, timeout_s)
    elif done.next is Next.FORGET:
        desk_pairs.forget(session, station)


def _pick_list(
    session: Session,
    station: str,
    facts: LabelFacts,
    lookup: repo.SqlOrderLookup,
    policy: MatchPolicy,
    held: desk_pairs.Waiting | None,
    timeout_s: float,
) -> DeskStep:
    actor = audit.desk_actor(station)
    known = [o for o in (lookup.by_tid(tid) for tid in facts.order_numbers) if o is not None]
    if len(known) != 1:
        what = "no known order number" if not known else f"{len(known)} known order numbers"
        detail = f"pick list with {what} ({', '.join(facts.order_numbers)}); nothing paired"
        reason = Reason.NO_MATCHING_ORDER if not known else Reason.AMBIGUOUS_ORDER
        return DeskStep(Outcome(Status.NO_WAYBILL, (reason,), detail=detail), Next.KEEP, actor)
    order = known[0]
    if held and held.label_scan_id is not None:
        paired = pair_label(session, station, held.label_scan_id, order, policy)
        if paired is not None:
            detail = f"paired with the label of scan {held.label_scan_id}: {in_words(paired)}"
            return DeskStep(
                Outcome(Status.NO_WAYBILL, (Reason.PICK_LIST,), order=order, detail=detail), Next.FORGET, actor
            )
    detail = f"pick list for order {order.tid}: scan its label at {station} within {timeout_s:g} s"
    return DeskStep(
        Outcome(Status.NO_WAYBILL, (Reason.PICK_LIST,), order=order, detail=detail), Next.HOLD_ORDER, actor, order.tid
    )


def pair_label(session: Session, station: str, scan_id: int, order: OrderRef, policy: MatchPolicy) -> Outcome | None:
    """Settle a held label's review item with this order; None if it was settled meanwhile."""
    item = review_items.open_for_scan(session, scan_id)
    if item is None:
        return None
    outcome = decide(item.evidence.label, repo.SqlOrderLookup(session), policy, order.tid)
    decisions.commit_pairing(session, item, outcome, station, order.tid)
    return outcome


# --- the API's pick list (a typed or scanned order number, no photo) -----------------


class PairState(StrEnum):
    WAITING = "waiting"  # the order is held for the station's next label
    PAIRED = "paired"  # a held label was settled with it


@dataclass(frozen=True)
class PairResult:
    station: str
    order_tid: str
    state: PairState
    outcome: Outcome | None = None  # the held label's decision, when paired
    label_scan_id: int | None = None
    expires_at: datetime | None = None


def pair_order(session: Session, tid: str, station: str, policy: MatchPolicy, timeout_s: float) -> PairResult:
    order = repo.SqlOrderLookup(session).by_tid(tid.strip())
    if order is None:
        raise UnknownOrder(f"no order {tid} is known", "check the number, or import / pull the orders first")
    held = desk_pairs.waiting(session, station)
    if held and held.label_scan_id is not None:
        paired = pair_label(session, station, held.label_scan_id, order, policy)
        if paired is not None:
            desk_pairs.forget(session, station)
            return PairResult(station, order.tid, PairState.PAIRED, paired, held.label_scan_id)
    desk_pairs.hold_order(session, station, order.tid, timeout_s)
    decisions.commit_pick_list_wait(
        session, station, order.tid, f"pick list for order {order.tid}: waiting for its label at {station}"
    )
    held_now = desk_pairs.waiting(session, station)
    return PairResult(station, order.tid, PairState.WAITING, expires_at=held_now.expires_at if held_now else None)
