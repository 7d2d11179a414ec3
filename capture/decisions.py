"""The one place a decision is committed: its scan row, upload jobs, review item and audit row.

Three deciders share it: the pipeline on a photo (`commit_scan`), the desk
when a pick list meets its label (`commit_pairing`, `commit_pick_list_wait`),
and a person settling a review item (`commit_settlement`, `commit_refusal`,
`commit_rejection`).  Each writes in the caller's session, so all that one
decision writes commits together or not at all: an upload job exists exactly
when the decision that justifies it does (the outbox pattern), and the audit
trail holds every decision that happened and none that was rolled back.

The rules that reach a decision live in pipeline/, desk_pairing.py and review.py;
this module only records them.
"""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel import Session

from capture.errors import ReviewError
from capture.pipeline.checks import Refusal
from capture.store import audit, repo, review_items
from capture.store.audit import Action, AuditRecord
from capture.store.tables import ReviewState
from capture.types import MatchVia, OrderScore, Outcome, Reason, Status

# Recipient scores kept with an audit row: the decision's evidence, not every order looked at.
AUDIT_SCORES_KEPT = 3
SETTLING_ACTIONS = {
    ReviewState.ACCEPTED: Action.REVIEW_ACCEPT,
    ReviewState.CORRECTED: Action.REVIEW_CORRECT,
}


def commit_scan(session: Session, scan: repo.ScanRecord, outcome: Outcome, actor: str) -> int:
    """A frame's decision: the scan row, a job per order it ships, a review item if a person must look."""
    candidate = outcome.candidate
    if outcome.status is Status.QUEUED and (candidate is None or outcome.order is None):
        raise ValueError("a queued decision needs a number and an order")
    scan_id = repo.insert_scan(session, scan)
    if outcome.status is Status.QUEUED and candidate is not None:
        repo.queue_jobs(session, scan_id, candidate.number, candidate.carrier, tuple(o.tid for o in outcome.orders))
    review_id = _review_item(session, scan, scan_id) if outcome.status is Status.REVIEW else None
    audit.record(
        session,
        AuditRecord(
            actor=actor,
            action=_scan_action(outcome),
            status=outcome.status.value,
            scan_id=scan_id,
            review_id=review_id,
            waybill=candidate.number if candidate else None,
            carrier=candidate.carrier if candidate else None,
            order_tids=tuple(o.tid for o in outcome.orders),
            reasons=tuple(str(r) for r in outcome.reasons),
            detail=outcome.detail,
            evidence={
                "path": scan.path,
                "numbers_read": [c.number for c in outcome.candidates],
                "match_via": outcome.match_via.value if outcome.match_via else "",
                "scores": [_score_json(s) for s in outcome.scores[:AUDIT_SCORES_KEPT]],
            },
        ),
    )
    return scan_id


def _review_item(session: Session, scan: repo.ScanRecord, scan_id: int) -> int:
    """A new item, unless the same photo already waits for a person (a batch run again after a crash).

    The new scan row stays, and its audit row names the item that stands for it.
    """
    return review_items.open_for_photo(session, scan.sha256) or review_items.open_item(session, scan_id)


def _scan_action(outcome: Outcome) -> Action:
    if Reason.PICK_LIST in outcome.reasons:
        return Action.PICK_LIST
    if outcome.match_via is MatchVia.DESK_PAIR:
        return Action.DESK_PAIR
    return Action.SCAN


def _score_json(score: OrderScore) -> dict[str, object]:
    return asdict(score)


def commit_pairing(
    session: Session, item: review_items.OpenItem, outcome: Outcome, station: str, pick_list: str
) -> None:
    """A held label's review item decided by the pick list scanned at `station`."""
    actor = audit.desk_actor(station)
    candidate = outcome.candidate
    tids = tuple(o.tid for o in outcome.orders) or (pick_list,)
    if outcome.status is Status.QUEUED and candidate is not None:
        repo.queue_jobs(session, item.scan_id, candidate.number, candidate.carrier, tids)
        note = f"pick list {pick_list} at {station}"
        review_items.close(session, item.id, ReviewState.PAIRED, actor, pick_list, candidate.number, note)
    audit.record(
        session,
        AuditRecord(
            actor,
            Action.DESK_PAIR,
            outcome.status.value,
            item.scan_id,
            item.id,
            candidate.number if candidate else None,
            candidate.carrier if candidate else None,
            tids,
            tuple(str(r) for r in outcome.reasons),
            outcome.detail,
            {"path": item.path, "pick_list": pick_list, "station": station},
        ),
    )


def commit_rematch(session: Session, item: review_items.OpenItem, outcome: Outcome, source: str) -> bool:
    """A waiting label that the orders from `source` (an import, a pull) now match safely: jobs, item closed, trail.

    False, and nothing written, when the item was settled meanwhile.
    """
    candidate, tids = outcome.candidate, tuple(o.tid for o in outcome.orders)
    if outcome.status is not Status.QUEUED or candidate is None or not tids:
        raise ValueError("only a queued decision with a number and an order settles a waiting label")
    note = f"matched again after {source}"
    if not review_items.close(
        session, item.id, ReviewState.REMATCHED, audit.AUTO_REMATCH, tids[0], candidate.number, note
    ):
        return False
    repo.queue_jobs(session, item.scan_id, candidate.number, candidate.carrier, tids)
    audit.record(
        session,
        AuditRecord(
            audit.AUTO_REMATCH,
            Action.REMATCH,
            Status.QUEUED.value,
            item.scan_id,
            item.id,
            candidate.number,
            candidate.carrier,
            tids,
            (),
            f"{note}: {outcome.detail}" if outcome.detail else note,
            {
                "path": item.path,
                "scan_reasons": item.reasons,
                "match_via": outcome.match_via.value if outcome.match_via else "",
                "scores": [_score_json(s) for s in outcome.scores[:AUDIT_SCORES_KEPT]],
            },
        ),
    )
    return True


def commit_pick_list_wait(session: Session, station: str, tid: str, detail: str) -> None:
    """A pick list typed or scanned without a photo: the station now waits for its label."""
    audit.record(
        session, AuditRecord(audit.desk_actor(station), Action.PICK_LIST, "waiting", order_tids=(tid,), detail=detail)
    )


def _person_evidence(item: review_items.OpenItem, note: str) -> dict[str, object]:
    return {
        "path": item.path,
        "numbers_read": [c.number for c in item.evidence.label.candidates],
        "scan_reasons": item.reasons,
        "note": note,
    }


def commit_settlement(
    session: Session,
    item: review_items.OpenItem,
    state: ReviewState,
    number: str,
    carrier: str,
    tids: tuple[str, ...],
    note: str,
    actor: str,
) -> None:
    """A person's accept or correction that passed the checks: the jobs, the item closed, the trail."""
    repo.queue_jobs(session, item.scan_id, number, carrier, tids)
    if not review_items.close(session, item.id, state, actor, tids[0], number, note):
        raise ReviewError(f"review item {item.id} was settled by someone else meanwhile", "run `waybill review` again")
    audit.record(
        session,
        AuditRecord(
            actor,
            SETTLING_ACTIONS[state],
            Status.QUEUED.value,
            item.scan_id,
            item.id,
            number,
            carrier,
            tids,
            (),
            note,
            _person_evidence(item, note),
        ),
    )


def commit_refusal(
    session: Session,
    item: review_items.OpenItem,
    refusal: Refusal,
    number: str,
    carrier: str,
    tids: tuple[str, ...],
    note: str,
    actor: str,
) -> None:
    """A person's choice the checks refused: only the attempt is recorded; the item stays open."""
    audit.record(
        session,
        AuditRecord(
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
            _person_evidence(item, note),
        ),
    )


def commit_rejection(session: Session, item: review_items.OpenItem, note: str, actor: str) -> None:
    """A person said: do not send this photo's number."""
    if not review_items.close(session, item.id, ReviewState.REJECTED, actor, None, None, note):
        raise ReviewError(f"review item {item.id} was settled by someone else meanwhile", "run `waybill review` again")
    audit.record(
        session,
        AuditRecord(
            actor,
            Action.REVIEW_REJECT,
            Status.REJECTED.value,
            item.scan_id,
            item.id,
            item.waybill,
            item.carrier,
            tuple(t for t in (item.order_tid,) if t),
            (),
            note,
            {"path": item.path, "scan_reasons": item.reasons},
        ),
    )
