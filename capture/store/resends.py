"""A sent number changed: the job and its order take the new number, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col

from capture.store.tables import JobStatus, Order, UploadJob, utcnow


@dataclass(frozen=True)
class JobRow:
    id: int
    order_tid: str
    waybill: str
    carrier: str
    status: str
    shop: str
    parcel: int
    scan_id: int | None


def job(session: Session, job_id: int) -> JobRow | None:
    row = session.get(UploadJob, job_id)
    if row is None or row.id is None:
        return None
    return JobRow(row.id, row.order_tid, row.waybill, row.carrier, row.status, row.shop, row.parcel, row.scan_id)


def record_change(session: Session, job_id: int, old: str, new: str, carrier: str, response_id: str) -> bool:
    """The job (still sent with `old`) now holds `new`; False when it changed meanwhile."""
    now = utcnow()
    done = session.exec(
        update(UploadJob)
        .where(
            col(UploadJob.id) == job_id,
            col(UploadJob.status) == JobStatus.SENT.value,
            col(UploadJob.waybill) == old,
        )
        .values(waybill=new, carrier=carrier, response_id=response_id, updated_at=now)
        .returning(col(UploadJob.order_tid))
    ).first()
    if done is None:
        return False
    session.exec(
        update(Order)
        .where(col(Order.tid) == done.order_tid, col(Order.waybill) == old)
        .values(waybill=new, updated_at=now)
    )
    return True
