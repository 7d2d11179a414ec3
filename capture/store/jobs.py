"""The outbox's SQL: claim with a lease, record what a send did, and the queue commands.

Every write that changes a claimed job is fenced on (status = sending,
claimed_by = this worker): a worker whose lease ran out and was taken over
cannot overwrite what the new holder records.  The policy (which outcome
leads where, how long to back off) lives in capture/upload/queue.py; this
module only says how each transition is written.

Time: on PostgreSQL every "now" is the server's clock (statement_timestamp),
so workers on several machines with skewed clocks agree on when a lease
runs out.  SQLite has one machine, and its own clock is Python's.

Claiming is one statement on both databases:

    UPDATE upload_jobs SET status='sending', claimed_by=..., lease_until=now+lease,
                           attempts=attempts+1
     WHERE id = (SELECT id FROM upload_jobs WHERE <due> ORDER BY next_attempt_at, id
                 LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING ...

On PostgreSQL, SKIP LOCKED lets concurrent workers each take a different
row without waiting; a row another worker just claimed is re-checked
against <due> after its lock is released (READ COMMITTED), and no longer
matches.  SQLite drops the FOR UPDATE clause; one statement is one write
there, and only one worker runs per SQLite database anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, and_, func, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from capture.store.tables import JobStatus, Order, OrderStatus, UploadJob, as_utc, utcnow

PENDING = JobStatus.PENDING.value
SENDING = JobStatus.SENDING.value
# A person decides about these: `queue retry` sends them again.
NEEDS_PERSON = (JobStatus.REVIEW.value, JobStatus.DEAD.value, JobStatus.FAILED.value)
RETRYABLE = (*NEEDS_PERSON, JobStatus.EXPORTED.value, PENDING)
CANCELLABLE = (*NEEDS_PERSON, JobStatus.EXPORTED.value, PENDING)

Now = ColumnElement[datetime] | datetime


@dataclass(frozen=True)
class ClaimedJob:
    """A job this worker holds until `lease_until` (database clock)."""

    id: int
    order_tid: str
    waybill: str
    carrier: str
    scan_id: int | None
    attempts: int  # including this claim
    lease_until: datetime
    created_at: datetime
    shop: str = "default"  # capture.shops.DEFAULT_SHOP: whose credentials send it
    parcel: int = 1  # 1 ships the order; 2 and on add a package to it

    @property
    def outcome_unknown(self) -> bool:
        """A previous attempt may have reached the marketplace: check before sending again.

        A later attempt follows a timeout, a dropped connection or a worker
        that died mid-send (its lease ran out); any of them may have shipped
        the order without us hearing back.
        """
        return self.attempts > 1


@dataclass(frozen=True)
class ExportedJob:
    id: int
    order_tid: str
    carrier: str
    waybill: str


@dataclass(frozen=True)
class WorkLeft:
    """What a worker may still have to do: jobs pending (due or later) or being sent."""

    pending: int
    sending: int
    wake_in_s: float | None  # until the earliest retry or lease end, None if nothing left

    @property
    def empty(self) -> bool:
        return self.pending == 0 and self.sending == 0


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _now(session: Session) -> Now:
    """ "Now" for use inside a statement: the server's clock on PostgreSQL."""
    if _is_postgres(session):
        return func.statement_timestamp(type_=DateTime(timezone=True))
    return utcnow()


def database_now(session: Session) -> datetime:
    """The clock leases and retries are measured on, as a value."""
    if _is_postgres(session):
        return session.exec(select(func.statement_timestamp(type_=DateTime(timezone=True)))).one()
    return utcnow()


# --- the worker's side ------------------------------------------------------


def _due(now: Now, shops: Sequence[str], skip_shops: Sequence[str]) -> ColumnElement[bool]:
    due = or_(
        and_(col(UploadJob.status) == PENDING, col(UploadJob.next_attempt_at) <= now),
        and_(col(UploadJob.status) == SENDING, col(UploadJob.lease_until) < now),
    )
    if shops:
        due = and_(due, col(UploadJob.shop).in_(tuple(shops)))
    if skip_shops:
        due = and_(due, col(UploadJob.shop).not_in(tuple(skip_shops)))
    return due


def claim(
    session: Session, worker: str, lease_s: float, shops: Sequence[str] = (), skip_shops: Sequence[str] = ()
) -> ClaimedJob | None:
    """Take the next due job (or one whose lease ran out) for `lease_s` seconds.

    `shops`: only jobs of these shops (empty: any); `skip_shops`: none of
    these (a shop whose platform asked us to wait).
    """
    now = _now(session)
    due = _due(now, shops, skip_shops)
    pick = (
        select(UploadJob.id)
        .where(due)
        .order_by(col(UploadJob.next_attempt_at), col(UploadJob.id))
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(UploadJob)
        .where(col(UploadJob.id) == pick)
        .values(
            status=SENDING,
            claimed_by=worker,
            lease_until=now + timedelta(seconds=lease_s),
            attempts=col(UploadJob.attempts) + 1,
            updated_at=now,
        )
        .returning(
            col(UploadJob.id),
            col(UploadJob.order_tid),
            col(UploadJob.waybill),
            col(UploadJob.carrier),
            col(UploadJob.scan_id),
            col(UploadJob.attempts),
            col(UploadJob.lease_until),
            col(UploadJob.created_at),
            col(UploadJob.shop),
            col(UploadJob.parcel),
        )
    )
    row = session.exec(statement).first()
    if row is None:
        return None
    return ClaimedJob(
        id=row.id,
        order_tid=row.order_tid,
        waybill=row.waybill,
        carrier=row.carrier,
        scan_id=row.scan_id,
        attempts=row.attempts,
        lease_until=as_utc(row.lease_until),
        created_at=as_utc(row.created_at),
        shop=row.shop,
        parcel=row.parcel,
    )


def _held(job_id: int, worker: str) -> ColumnElement[bool]:
    return and_(col(UploadJob.id) == job_id, col(UploadJob.status) == SENDING, col(UploadJob.claimed_by) == worker)


def _fenced_update(session: Session, job_id: int, worker: str, **values: object) -> bool:
    """Apply `values` if this worker still holds the job; False when it does not."""
    now = _now(session)
    result = session.exec(update(UploadJob).where(_held(job_id, worker)).values(updated_at=now, **values))
    return result.rowcount == 1


def extend_lease(session: Session, job_id: int, worker: str, lease_s: float) -> bool:
    return _fenced_update(session, job_id, worker, lease_until=_now(session) + timedelta(seconds=lease_s))


def mark_sent(session: Session, job_id: int, worker: str, connector: str, response_id: str, note: str = "") -> bool:
    """The marketplace has the number on the order.  Also marks our copy of the order shipped."""
    now = _now(session)
    done = session.exec(
        update(UploadJob)
        .where(_held(job_id, worker))
        .values(
            status=JobStatus.SENT.value,
            claimed_by=None,
            lease_until=None,
            connector=connector,
            response_id=response_id,
            sent_at=now,
            last_error=note,
            updated_at=now,
        )
        .returning(col(UploadJob.order_tid), col(UploadJob.waybill))
    ).first()
    if done is None:
        return False
    # Matching then sees the order as shipped with this number, as a later
    # order import would say.
    session.exec(
        update(Order)
        .where(col(Order.tid) == done.order_tid, col(Order.status) == OrderStatus.AWAITING_SHIPMENT.value)
        .values(status=OrderStatus.SHIPPED.value, waybill=done.waybill, updated_at=now)
    )
    return True


def mark_retry(session: Session, job_id: int, worker: str, delay_s: float, error: str, counted: bool = True) -> bool:
    """Back to pending, due in `delay_s`.  Uncounted (a rate limit) gives the attempt back."""
    values: dict[str, object] = {
        "status": PENDING,
        "claimed_by": None,
        "lease_until": None,
        "next_attempt_at": _now(session) + timedelta(seconds=delay_s),
        "last_error": error,
    }
    if not counted:
        values["attempts"] = col(UploadJob.attempts) - 1
    return _fenced_update(session, job_id, worker, **values)


def mark_review(session: Session, job_id: int, worker: str, error: str) -> bool:
    return _fenced_update(
        session, job_id, worker, status=JobStatus.REVIEW.value, claimed_by=None, lease_until=None, last_error=error
    )


def mark_dead(session: Session, job_id: int, worker: str, error: str) -> bool:
    return _fenced_update(
        session, job_id, worker, status=JobStatus.DEAD.value, claimed_by=None, lease_until=None, last_error=error
    )


def release(session: Session, job_id: int, worker: str, error: str) -> bool:
    """Give the job back untouched (due now, attempt not counted): the fault was ours, not its."""
    return mark_retry(session, job_id, worker, 0.0, error, counted=False)


def work_left(session: Session, shops: Sequence[str] = ()) -> WorkLeft:
    now = database_now(session)
    live: ColumnElement[bool] = col(UploadJob.status).in_((PENDING, SENDING))
    if shops:
        live = and_(live, col(UploadJob.shop).in_(tuple(shops)))
    rows = session.exec(
        select(UploadJob.status, func.count(), func.min(UploadJob.next_attempt_at), func.min(UploadJob.lease_until))
        .where(live)
        .group_by(UploadJob.status)
    ).all()
    counts = {PENDING: 0, SENDING: 0}
    wake: list[datetime] = []
    for status, count, next_attempt, lease_end in rows:
        counts[status] = count
        moment = next_attempt if status == PENDING else lease_end
        if moment is not None:
            wake.append(as_utc(moment))
    wake_in = max(0.0, (min(wake) - now).total_seconds()) if wake else None
    return WorkLeft(pending=counts[PENDING], sending=counts[SENDING], wake_in_s=wake_in)


# --- the people's side ------------------------------------------------------


def _ids_where(ids: Sequence[int], statuses: Sequence[str]) -> ColumnElement[bool]:
    condition = col(UploadJob.status).in_(tuple(statuses))
    return and_(condition, col(UploadJob.id).in_(tuple(ids))) if ids else condition


def retry(session: Session, ids: Sequence[int], statuses: Sequence[str] = RETRYABLE) -> list[int]:
    """Make jobs due now; ones a person held (review, dead, exported) start their attempts afresh.

    `ids` empty means every job in `statuses`.  Returns the ids moved.
    """
    now = _now(session)
    moved: list[int] = []
    fresh = [s for s in statuses if s != PENDING]
    if fresh:
        moved += (
            session.exec(
                update(UploadJob)
                .where(_ids_where(ids, fresh))
                .values(
                    status=PENDING, attempts=0, next_attempt_at=now, claimed_by=None, lease_until=None, updated_at=now
                )
                .returning(col(UploadJob.id))
            )
            .scalars()
            .all()
        )
    if PENDING in statuses:
        moved += (
            session.exec(
                update(UploadJob)
                .where(_ids_where(ids, (PENDING,)))
                .values(next_attempt_at=now, updated_at=now)
                .returning(col(UploadJob.id))
            )
            .scalars()
            .all()
        )
    return sorted(moved)


def cancel(session: Session, ids: Sequence[int]) -> list[int]:
    """Cancel jobs not being sent and not sent; returns the ids cancelled.  No ids, no change."""
    if not ids:
        return []
    now = _now(session)
    return sorted(
        session.exec(
            update(UploadJob)
            .where(_ids_where(ids, CANCELLABLE))
            .values(status=JobStatus.CANCELLED.value, claimed_by=None, lease_until=None, updated_at=now)
            .returning(col(UploadJob.id))
        )
        .scalars()
        .all()
    )


def take_for_export(session: Session, exported_to: str, shop: str = "default") -> list[ExportedJob]:
    """Mark every pending job of `shop` exported to `exported_to` and return them, oldest first.

    One shop per file: each back office ships only its own shop's orders.

    One UPDATE: a job a worker is claiming at the same moment is either
    claimed (then `sending`, not pending, and left out) or exported, never both.
    """
    now = _now(session)
    rows = session.exec(
        update(UploadJob)
        .where(col(UploadJob.status) == PENDING, col(UploadJob.shop) == shop)
        .values(
            status=JobStatus.EXPORTED.value, connector="csv", exported_to=exported_to, exported_at=now, updated_at=now
        )
        .returning(col(UploadJob.id), col(UploadJob.order_tid), col(UploadJob.carrier), col(UploadJob.waybill))
    ).all()
    return sorted((ExportedJob(r.id, r.order_tid, r.carrier, r.waybill) for r in rows), key=lambda j: j.id)
