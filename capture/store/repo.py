"""Queries: the order lookup matching uses, scan records and the outbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from capture.store.tables import JobStatus, Order, Scan, UploadJob
from capture.types import OrderRef

# Jobs in these states hold their order: a second number for it is not queued.
ACTIVE_JOB_STATES = (JobStatus.PENDING.value, JobStatus.SENT.value, JobStatus.FAILED.value)


def _ref(order: Order) -> OrderRef:
    return OrderRef(
        tid=order.tid,
        status=order.status,
        receiver_name=order.receiver_name,
        phone_tail=order.phone_tail,
        address=order.receiver_address,
        waybill=order.waybill,
    )


class SqlOrderLookup:
    """store-backed implementation of pipeline.match.OrderLookup (indexed queries only)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def by_tid(self, tid: str) -> OrderRef | None:
        order = self._session.get(Order, tid)
        return _ref(order) if order else None

    def by_phone_tail(self, tail: str) -> list[OrderRef]:
        if not tail:
            return []
        return [_ref(o) for o in self._session.exec(select(Order).where(Order.phone_tail == tail))]

    def orders_with_waybill(self, waybill: str) -> list[str]:
        on_orders = self._session.exec(select(Order.tid).where(Order.waybill == waybill)).all()
        queued = self._session.exec(
            select(UploadJob.order_tid).where(UploadJob.waybill == waybill, col(UploadJob.status).in_(ACTIVE_JOB_STATES))
        ).all()
        return sorted(set(on_orders) | set(queued))

    def queued_waybill(self, tid: str) -> str | None:
        return self._session.exec(
            select(UploadJob.waybill).where(UploadJob.order_tid == tid, col(UploadJob.status).in_(ACTIVE_JOB_STATES))
        ).first()


@dataclass(frozen=True)
class ScanRecord:
    path: str
    sha256: str
    status: str
    waybill: str | None
    carrier: str | None
    via: str | None
    confidence: float
    order_tid: str | None
    reasons: list[str]
    evidence: dict
    engines: str
    ms: float


def record_scan(session: Session, record: ScanRecord, queue: bool) -> int:
    """Write the scan and, if `queue`, its upload job in the caller's transaction (an outbox)."""
    scan = Scan(
        path=record.path,
        sha256=record.sha256,
        status=record.status,
        waybill=record.waybill,
        carrier=record.carrier,
        via=record.via,
        confidence=record.confidence,
        order_tid=record.order_tid,
        reasons=json.dumps(record.reasons, ensure_ascii=False),
        evidence=json.dumps(record.evidence, ensure_ascii=False),
        engines=record.engines,
        ms=record.ms,
    )
    session.add(scan)
    session.flush()
    if queue:
        if not (record.order_tid and record.waybill and record.carrier):
            raise ValueError("a queued scan needs an order, a waybill and a carrier")
        session.add(UploadJob(order_tid=record.order_tid, waybill=record.waybill, carrier=record.carrier, scan_id=scan.id))
    assert scan.id is not None
    return scan.id


@dataclass(frozen=True)
class QueueEntry:
    id: int
    order_tid: str
    waybill: str
    carrier: str
    status: str
    attempts: int
    created_at: datetime
    last_error: str


def list_queue(session: Session, statuses: tuple[str, ...] = ()) -> list[QueueEntry]:
    query = select(UploadJob).order_by(col(UploadJob.id))
    if statuses:
        query = query.where(or_(*(UploadJob.status == s for s in statuses)))
    return [
        QueueEntry(
            id=j.id or 0,
            order_tid=j.order_tid,
            waybill=j.waybill,
            carrier=j.carrier,
            status=j.status,
            attempts=j.attempts,
            created_at=j.created_at,
            last_error=j.last_error,
        )
        for j in session.exec(query)
    ]
