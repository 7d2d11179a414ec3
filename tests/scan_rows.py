"""Scan rows for tests that set the store up without reading a photo.

`record_scan(..., queue=True)` writes what a queued decision leaves behind
for its one order (the scan row and its upload job) from a bare ScanRecord;
`commit_decided` commits a matched Outcome through capture.decisions, as a
scanned photo's decision is committed.
"""

from __future__ import annotations

from sqlmodel import Session

from capture import decisions
from capture.evidence import ScanEvidence
from capture.store import audit, repo
from capture.types import LabelFacts, Outcome


def record_scan(session: Session, record: repo.ScanRecord, queue: bool) -> int:
    scan_id = repo.insert_scan(session, record)
    if queue:
        assert record.order_tid and record.waybill and record.carrier, "a queued scan row needs its order and number"
        repo.queue_jobs(session, scan_id, record.waybill, record.carrier, (record.order_tid,))
    return scan_id


def commit_decided(session: Session, facts: LabelFacts, out: Outcome, path: str = "p.jpg") -> int:
    """Commit a matched label's decision (read by barcode, evidence without engine output) as the pipeline would."""
    c = out.candidate
    record = repo.ScanRecord(
        path=path,
        sha256="",
        status=out.status.value,
        waybill=c.number if c else None,
        carrier=c.carrier if c else None,
        via="barcode",
        confidence=0.99,
        order_tid=out.order.tid if out.order else None,
        reasons=[str(r) for r in out.reasons],
        evidence=ScanEvidence.of(None, facts, out).to_json(),
        engines="t",
        ms=1.0,
    )
    return decisions.commit_scan(session, record, out, audit.AUTO_PIPELINE)
