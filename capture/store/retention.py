"""Rows past their keeping time (`waybill prune`), never what a person or the uploader still needs.

Held, whatever its age: a scan with an open review item, or with an upload
job that is pending, sending, waiting in review or dead (a person will look).
Upload jobs themselves are never deleted: a sent job is what stops the same
order being sent a second number (the unique index on upload_jobs), so a
scan with any job keeps its row and loses only its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from capture.store.tables import AuditEntry, DeskPair, JobStatus, ReviewItem, ReviewState, Scan, UploadJob

HELD_JOB_STATES = (
    JobStatus.PENDING.value,
    JobStatus.SENDING.value,
    JobStatus.REVIEW.value,
    JobStatus.DEAD.value,
    JobStatus.FAILED.value,
)
NO_EVIDENCE = "{}"


@dataclass(frozen=True)
class RowPrune:
    evidence_cleared: int  # scans whose evidence (and their audit rows') was emptied
    audit_rows: int
    scans: int


def held_scans(session: Session) -> set[int]:
    reviewing = session.exec(select(ReviewItem.scan_id).where(ReviewItem.state == ReviewState.OPEN.value)).all()
    uploading = session.exec(
        select(UploadJob.scan_id).where(col(UploadJob.status).in_(HELD_JOB_STATES), col(UploadJob.scan_id).is_not(None))
    ).all()
    return {int(i) for i in (*reviewing, *uploading) if i is not None}


def held_paths(session: Session) -> set[str]:
    """Where the held scans' photos are (scan.path), to keep their files."""
    held = held_scans(session)
    if not held:
        return set()
    return set(session.exec(select(Scan.path).where(col(Scan.id).in_(held))).all())


def _old_scans(session: Session, cutoff: datetime, held: set[int]) -> list[int]:
    ids = session.exec(select(Scan.id).where(Scan.created_at < cutoff)).all()
    return [int(i) for i in ids if i is not None and i not in held]


def clear_evidence(session: Session, cutoff: datetime, dry_run: bool) -> int:
    held = held_scans(session)
    ids = [
        i
        for i in _old_scans(session, cutoff, held)
        if session.exec(select(Scan.evidence).where(Scan.id == i)).one() != NO_EVIDENCE
    ]
    if ids and not dry_run:
        session.exec(update(Scan).where(col(Scan.id).in_(ids)).values(evidence=NO_EVIDENCE))
        session.exec(update(AuditEntry).where(col(AuditEntry.scan_id).in_(ids)).values(evidence=NO_EVIDENCE))
    return len(ids)


def prune_audit(session: Session, cutoff: datetime, dry_run: bool) -> tuple[int, int]:
    """(audit rows, scans) older than `cutoff` removed; a scan goes only with its last audit row and no job."""
    held = held_scans(session)
    old_rows = session.exec(select(AuditEntry.id, AuditEntry.scan_id).where(AuditEntry.at < cutoff)).all()
    rows = [int(i) for i, scan_id in old_rows if i is not None and (scan_id is None or scan_id not in held)]
    with_jobs = set(session.exec(select(UploadJob.scan_id).where(col(UploadJob.scan_id).is_not(None))).all())
    paired = set(session.exec(select(DeskPair.label_scan_id).where(col(DeskPair.label_scan_id).is_not(None))).all())
    gone_rows = set(rows)
    scans = []
    for scan_id in _old_scans(session, cutoff, held):
        if scan_id in with_jobs or scan_id in paired:
            continue
        left = session.exec(select(AuditEntry.id).where(AuditEntry.scan_id == scan_id)).all()
        if all(i in gone_rows for i in left):
            scans.append(scan_id)
    if not dry_run:
        if rows:
            session.exec(delete(AuditEntry).where(col(AuditEntry.id).in_(rows)))
        if scans:
            session.exec(delete(ReviewItem).where(col(ReviewItem.scan_id).in_(scans)))
            session.exec(delete(Scan).where(col(Scan.id).in_(scans)))
    return len(rows), len(scans)
