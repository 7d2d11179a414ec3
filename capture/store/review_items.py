"""Review items: scans that wait for a person, and how each was settled."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from capture.evidence import ScanEvidence
from capture.store.tables import ReviewItem, ReviewState, Scan, as_utc, utcnow


@dataclass(frozen=True)
class OpenItem:
    """A review item with the scan it is about."""

    id: int
    scan_id: int
    state: str
    created_at: datetime
    path: str
    waybill: str | None  # the number the scan settled on, if one
    carrier: str | None
    order_tid: str | None  # the order the scan settled on, if one
    reasons: list[str]
    evidence: ScanEvidence
    resolved_by: str
    resolved_at: datetime | None


def open_item(session: Session, scan_id: int) -> int:
    item = ReviewItem(scan_id=scan_id)
    session.add(item)
    session.flush()
    assert item.id is not None
    return item.id


def open_for_photo(session: Session, sha256: str) -> int | None:
    """The open item of an earlier scan of the same bytes, if any: a re-run must not queue a person twice."""
    if not sha256:
        return None  # camera frames and unreadable files: nothing to know the photo by
    query = (
        select(ReviewItem.id)
        .join(Scan, col(Scan.id) == col(ReviewItem.scan_id))
        .where(Scan.sha256 == sha256, ReviewItem.state == ReviewState.OPEN.value)
        .order_by(col(ReviewItem.id))
    )
    return session.exec(query).first()


def list_open(session: Session) -> list[OpenItem]:
    query = (
        select(ReviewItem, Scan)
        .join(Scan, col(Scan.id) == col(ReviewItem.scan_id))
        .where(ReviewItem.state == ReviewState.OPEN.value)
        .order_by(col(ReviewItem.id))
    )
    return [_view(item, scan) for item, scan in session.exec(query)]


def get(session: Session, item_id: int, lock: bool = False) -> OpenItem | None:
    """The item; `lock` holds its row until the transaction ends (PostgreSQL), so two people cannot settle it at once."""
    item = session.get(ReviewItem, item_id, with_for_update=lock)
    if item is None:
        return None
    scan = session.get(Scan, item.scan_id)
    assert scan is not None  # foreign key
    return _view(item, scan)


def open_for_scan(session: Session, scan_id: int) -> OpenItem | None:
    item = session.exec(
        select(ReviewItem).where(ReviewItem.scan_id == scan_id, ReviewItem.state == ReviewState.OPEN.value)
    ).first()
    return get(session, item.id) if item is not None and item.id is not None else None


def close(
    session: Session,
    item_id: int,
    state: ReviewState,
    by: str,
    order_tid: str | None,
    waybill: str | None,
    note: str = "",
) -> bool:
    """Settle an open item; False if it was no longer open (someone else settled it first)."""
    item = session.get(ReviewItem, item_id, with_for_update=True)
    if item is None or item.state != ReviewState.OPEN.value:
        return False
    item.state = state.value
    item.resolved_at = utcnow()
    item.resolved_by = by
    item.order_tid = order_tid
    item.waybill = waybill
    item.note = note
    session.add(item)
    session.flush()
    return True


def _view(item: ReviewItem, scan: Scan) -> OpenItem:
    return OpenItem(
        id=item.id or 0,
        scan_id=item.scan_id,
        state=item.state,
        created_at=as_utc(item.created_at),
        path=scan.path,
        waybill=scan.waybill,
        carrier=scan.carrier,
        order_tid=scan.order_tid,
        reasons=json.loads(scan.reasons),
        evidence=ScanEvidence.from_json(json.loads(scan.evidence)),
        resolved_by=item.resolved_by,
        resolved_at=as_utc(item.resolved_at) if item.resolved_at else None,
    )
