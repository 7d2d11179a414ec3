"""The audit trail: every decision about a parcel, who or what made it, when, on what evidence.

Rows are only ever added, in the transaction that carries the decision out,
so the trail cannot say something happened that was rolled back.  Actors:

    auto:pipeline          a scan decided by the pipeline
    auto:desk:<station>    a desk pairing (pick list + label) decided it
    person:<name>          a person, through `waybill review` (--by, else $USER)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import or_
from sqlmodel import Session, col, select

from capture.store.tables import AuditEntry, Order, as_utc, utcnow

AUTO_PIPELINE = "auto:pipeline"
AUTO_REMATCH = "auto:rematch"  # a waiting label matched again once new orders came in
PERSON_PREFIX = "person:"


def desk_actor(station: str) -> str:
    return f"auto:desk:{station}"


def person_actor(name: str) -> str:
    return name if name.startswith((PERSON_PREFIX, "auto:")) else PERSON_PREFIX + name


class Action(StrEnum):
    SCAN = "scan"  # the pipeline decided a photo
    PICK_LIST = "pick_list"  # a desk took an order's pick list and waits for its label
    DESK_PAIR = "desk_pair"  # a desk paired a label with a pick list
    REVIEW_ACCEPT = "review_accept"
    REVIEW_CORRECT = "review_correct"
    REVIEW_REJECT = "review_reject"
    REVIEW_REFUSED = "review_refused"  # a person's choice failed the checks before queueing
    REMATCH = "rematch"  # a waiting label matched again after orders were imported or pulled
    RESEND = "resend"  # a person changed a sent number on the marketplace (`waybill queue resend`)
    RESEND_REFUSED = "resend_refused"  # the checks or the marketplace said no; nothing changed


@dataclass(frozen=True)
class AuditRecord:
    """What the trail keeps of one decision (one row per order it concerns)."""

    actor: str
    action: Action
    status: str
    scan_id: int | None = None
    review_id: int | None = None
    waybill: str | None = None
    carrier: str | None = None
    order_tids: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    detail: str = ""
    evidence: dict | None = None


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: datetime
    actor: str
    action: str
    status: str
    scan_id: int | None
    review_id: int | None
    waybill: str | None
    carrier: str | None
    order_tid: str | None
    reasons: list[str]
    detail: str
    evidence: dict
    shop: str | None = None  # the order's shop, when the order is known


def record(session: Session, decision: AuditRecord) -> None:
    """Add the decision to the trail, in the caller's transaction."""
    at = utcnow()
    for tid in decision.order_tids or (None,):
        session.add(
            AuditEntry(
                at=at,
                actor=decision.actor,
                action=decision.action.value,
                scan_id=decision.scan_id,
                review_id=decision.review_id,
                status=decision.status,
                waybill=decision.waybill,
                carrier=decision.carrier,
                order_tid=tid,
                reasons=json.dumps(list(decision.reasons), ensure_ascii=False),
                detail=decision.detail,
                evidence=json.dumps(decision.evidence or {}, ensure_ascii=False),
            )
        )
    session.flush()


def history(session: Session, key: str) -> list[HistoryEntry]:
    """Every decision about a waybill number or an order number, oldest first.

    Rows are found by number (indexed), then every row of the same scans is
    added, so a photo's story is whole: the automatic review, then the
    person's correction with another number.
    """
    direct = session.exec(
        select(AuditEntry).where(or_(col(AuditEntry.waybill) == key, col(AuditEntry.order_tid) == key))
    ).all()
    scan_ids = {e.scan_id for e in direct if e.scan_id is not None}
    related = session.exec(select(AuditEntry).where(col(AuditEntry.scan_id).in_(scan_ids))).all() if scan_ids else []
    entries = {e.id: e for e in [*direct, *related]}
    tids = {e.order_tid for e in entries.values() if e.order_tid}
    shops = dict(session.exec(select(Order.tid, Order.shop).where(col(Order.tid).in_(tids))).all()) if tids else {}
    ordered = sorted(entries.values(), key=lambda e: (as_utc(e.at), e.id or 0))
    return [_view(e, shops.get(e.order_tid or "")) for e in ordered]


def _view(e: AuditEntry, shop: str | None = None) -> HistoryEntry:
    return HistoryEntry(
        id=e.id or 0,
        at=as_utc(e.at),
        actor=e.actor,
        action=e.action,
        status=e.status,
        scan_id=e.scan_id,
        review_id=e.review_id,
        waybill=e.waybill,
        carrier=e.carrier,
        order_tid=e.order_tid,
        reasons=json.loads(e.reasons),
        detail=e.detail,
        evidence=json.loads(e.evidence),
        shop=shop,
    )
