"""What the monitoring reads off the database: counts by state, the oldest waiting job, the last send.

One short read per scrape, so every process (`serve`, `watch`, `upload`)
reports the same figures for the same database, whichever did the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from capture.store.tables import JobStatus, ReviewItem, ReviewState, Scan, UploadJob, as_utc

WAITING_TO_SEND = (JobStatus.PENDING.value, JobStatus.SENDING.value)
# A job's last error, by what it came to: retried later, refused by the platform, given up.
ERROR_CLASSES = {
    JobStatus.PENDING.value: "transient",
    JobStatus.SENDING.value: "transient",
    JobStatus.REVIEW.value: "refused",
    JobStatus.FAILED.value: "refused",
    JobStatus.DEAD.value: "gave_up",
}


@dataclass(frozen=True)
class QueueStats:
    photos_by_outcome: dict[str, int]  # scans by status: queued, review, rejected, no_waybill, error
    reviews_waiting: int
    jobs_by_state: dict[str, int]  # every JobStatus, 0 when none
    errors_by_class: dict[str, int]  # jobs whose last attempt failed, by ERROR_CLASSES
    oldest_waiting_since: datetime | None  # created_at of the oldest pending or sending job
    last_sent_at: datetime | None


def queue_stats(session: Session) -> QueueStats:
    photos = dict(session.exec(select(Scan.status, func.count()).group_by(Scan.status)).all())
    reviews = session.exec(
        select(func.count()).select_from(ReviewItem).where(ReviewItem.state == ReviewState.OPEN.value)
    ).one()
    jobs = {s.value: 0 for s in JobStatus} | dict(
        session.exec(select(UploadJob.status, func.count()).group_by(UploadJob.status)).all()
    )
    errors = dict.fromkeys(sorted(set(ERROR_CLASSES.values())), 0)
    failing = session.exec(
        select(UploadJob.status, func.count()).where(UploadJob.last_error != "").group_by(UploadJob.status)
    ).all()
    for status, count in failing:
        if status in ERROR_CLASSES:
            errors[ERROR_CLASSES[status]] += count
    oldest = session.exec(
        select(func.min(UploadJob.created_at)).where(col(UploadJob.status).in_(WAITING_TO_SEND))
    ).one()
    last_sent = session.exec(select(func.max(UploadJob.sent_at))).one()
    return QueueStats(
        photos_by_outcome={str(k): int(v) for k, v in photos.items()},
        reviews_waiting=int(reviews),
        jobs_by_state={str(k): int(v) for k, v in jobs.items()},
        errors_by_class=errors,
        oldest_waiting_since=as_utc(oldest) if oldest else None,
        last_sent_at=as_utc(last_sent) if last_sent else None,
    )
