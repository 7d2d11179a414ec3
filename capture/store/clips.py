"""Packing videos and disputes in the database: find a parcel's clips, keep a disputed order's, pick what retention removes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from capture.store.tables import Clip, Dispute, as_utc, utcnow


@dataclass(frozen=True)
class ClipView:
    id: int
    path: str
    sha256: str
    waybill: str
    order_tid: str | None
    station: str
    scan_id: int | None
    started_at: datetime
    ended_at: datetime
    frames: int
    bytes: int
    removed_at: datetime | None
    removed_reason: str
    disputed: bool  # its order has an open dispute: retention keeps it


@dataclass(frozen=True)
class DisputeView:
    id: int
    order_tid: str
    note: str
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None


def add_clip(session: Session, clip: Clip) -> int:
    session.add(clip)
    session.flush()
    assert clip.id is not None
    return clip.id


def clips_for(session: Session, key: str) -> list[ClipView]:
    """The clips of a waybill number or an order number (or of one scan, by `scan:ID`), oldest first."""
    query = select(Clip).where(or_(col(Clip.waybill) == key, col(Clip.order_tid) == key))
    return _views(session, session.exec(query.order_by(col(Clip.started_at), col(Clip.id))).all())


def clips_of_scan(session: Session, scan_id: int) -> list[ClipView]:
    query = select(Clip).where(col(Clip.scan_id) == scan_id).order_by(col(Clip.id))
    return _views(session, session.exec(query).all())


def clip(session: Session, clip_id: int) -> ClipView | None:
    row = session.get(Clip, clip_id)
    return _views(session, [row])[0] if row is not None else None


def open_dispute(session: Session, order_tid: str, note: str, by: str) -> DisputeView:
    """Mark an order disputed; one already open is returned as it is."""
    existing = _open_disputes(session, {order_tid})
    if existing:
        return _dispute_view(existing[0])
    row = Dispute(order_tid=order_tid, note=note, opened_by=by)
    session.add(row)
    session.flush()
    return _dispute_view(row)


def close_dispute(session: Session, order_tid: str, by: str) -> int:
    """Close an order's open disputes; how many were open."""
    rows = _open_disputes(session, {order_tid})
    for row in rows:
        row.closed_at, row.closed_by = utcnow(), by
        session.add(row)
    return len(rows)


def disputes_for(session: Session, order_tids: set[str]) -> list[DisputeView]:
    return [_dispute_view(d) for d in _open_disputes(session, order_tids)]


def kept_bytes(session: Session) -> int:
    total = session.exec(select(func.coalesce(func.sum(Clip.bytes), 0)).where(col(Clip.removed_at).is_(None))).one()
    return int(total)


def removable_oldest_first(session: Session) -> list[Clip]:
    """Clips whose file is still there and whose order has no open dispute, oldest first."""
    disputed = select(Dispute.order_tid).where(col(Dispute.closed_at).is_(None))
    query = (
        select(Clip)
        .where(col(Clip.removed_at).is_(None))
        .where(or_(col(Clip.order_tid).is_(None), col(Clip.order_tid).not_in(disputed)))
        .order_by(col(Clip.started_at), col(Clip.id))
    )
    return list(session.exec(query).all())


def mark_removed(session: Session, row: Clip, reason: str) -> None:
    row.removed_at, row.removed_reason = utcnow(), reason
    session.add(row)


def _open_disputes(session: Session, order_tids: set[str]) -> list[Dispute]:
    if not order_tids:
        return []
    query = select(Dispute).where(col(Dispute.order_tid).in_(order_tids)).where(col(Dispute.closed_at).is_(None))
    return list(session.exec(query).all())


def _views(session: Session, rows: Sequence[Clip]) -> list[ClipView]:
    found = list(rows)
    disputed = {d.order_tid for d in _open_disputes(session, {r.order_tid for r in found if r.order_tid})}
    return [
        ClipView(
            id=r.id or 0,
            path=r.path,
            sha256=r.sha256,
            waybill=r.waybill,
            order_tid=r.order_tid,
            station=r.station,
            scan_id=r.scan_id,
            started_at=as_utc(r.started_at),
            ended_at=as_utc(r.ended_at),
            frames=r.frames,
            bytes=r.bytes,
            removed_at=as_utc(r.removed_at) if r.removed_at else None,
            removed_reason=r.removed_reason,
            disputed=r.order_tid in disputed,
        )
        for r in found
    ]


def _dispute_view(d: Dispute) -> DisputeView:
    return DisputeView(
        id=d.id or 0,
        order_tid=d.order_tid,
        note=d.note,
        opened_by=d.opened_by,
        opened_at=as_utc(d.opened_at),
        closed_at=as_utc(d.closed_at) if d.closed_at else None,
    )
