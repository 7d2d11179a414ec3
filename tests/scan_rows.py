"""Scan rows written straight from a ScanRecord, for tests that set the store up without a pipeline Outcome.

`record_scan(..., queue=True)` writes what a queued decision leaves behind
for its one order: the scan row and its upload job, in the caller's
transaction.  Tests of the decision itself use capture.decisions.
"""

from __future__ import annotations

from sqlmodel import Session

from capture.store import repo


def record_scan(session: Session, record: repo.ScanRecord, queue: bool) -> int:
    scan_id = repo.insert_scan(session, record)
    if queue:
        assert record.order_tid and record.waybill and record.carrier, "a queued scan row needs its order and number"
        repo.queue_jobs(session, scan_id, record.waybill, record.carrier, (record.order_tid,))
    return scan_id
