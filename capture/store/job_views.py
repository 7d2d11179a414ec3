"""The upload queue as people and the CLI see it: one row per job, by status or by number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from capture.store.tables import UploadJob, as_utc


@dataclass(frozen=True)
class JobView:
    """One row of the queue as `waybill queue list` shows it."""

    id: int
    order_tid: str
    waybill: str
    carrier: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    claimed_by: str | None
    lease_until: datetime | None
    connector: str
    response_id: str
    sent_at: datetime | None
    exported_to: str
    created_at: datetime
    updated_at: datetime
    shop: str = "default"


def _view(j: UploadJob) -> JobView:
    return JobView(
        id=j.id or 0,
        order_tid=j.order_tid,
        waybill=j.waybill,
        carrier=j.carrier,
        status=j.status,
        attempts=j.attempts,
        next_attempt_at=as_utc(j.next_attempt_at),
        last_error=j.last_error,
        claimed_by=j.claimed_by,
        lease_until=as_utc(j.lease_until) if j.lease_until else None,
        connector=j.connector,
        response_id=j.response_id,
        sent_at=as_utc(j.sent_at) if j.sent_at else None,
        exported_to=j.exported_to,
        created_at=as_utc(j.created_at),
        updated_at=as_utc(j.updated_at),
        shop=j.shop,
    )


def list_jobs(session: Session, statuses: Sequence[str] = ()) -> list[JobView]:
    query = select(UploadJob).order_by(col(UploadJob.id))
    if statuses:
        query = query.where(col(UploadJob.status).in_(tuple(statuses)))
    return [_view(j) for j in session.exec(query)]


def jobs_for(session: Session, key: str) -> list[JobView]:
    """Upload jobs for an order number or a waybill number (indexed on both)."""
    query = (
        select(UploadJob)
        .where(or_(col(UploadJob.order_tid) == key, col(UploadJob.waybill) == key))
        .order_by(col(UploadJob.id))
    )
    return [_view(j) for j in session.exec(query)]


def statuses_of(session: Session, ids: Sequence[int]) -> dict[int, str]:
    rows = session.exec(select(UploadJob.id, UploadJob.status).where(col(UploadJob.id).in_(tuple(ids)))).all()
    return {job_id: status for job_id, status in rows if job_id is not None}
