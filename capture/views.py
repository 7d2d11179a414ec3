"""The JSON shapes of the product's values, one function per value: what `--json` prints, and the web API must too.

The scan and decode objects are the contracts in ARCHITECTURE.md; they are
built in capture.report (which the scan record's sidecars also use), and
the functions here hand them on.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any, TypeAlias

from capture import report
from capture.desk_pairing import PairResult
from capture.errors import CaptureError
from capture.review import ReviewEntry
from capture.sources.handled import Handled
from capture.sources.names import shown
from capture.store.audit import HistoryEntry
from capture.store.job_views import JobView
from capture.store.tables import JobStatus
from capture.types import Decoded, ScanResult
from capture.upload.worker import JobResult

if TYPE_CHECKING:
    # Only for the annotation: capture.sources.camera imports capture.api and OpenCV.
    from capture.sources.camera import CameraEvent

JSON: TypeAlias = dict[str, Any]
LEASE_LOST = "lease_lost"  # an attempt's status when the job's lease was lost and nothing was recorded
RETRY_DIGITS = 1
STREAM_DIGITS = 3


def scan_json(result: ScanResult) -> JSON:
    """One `waybill scan --json` object (the contract)."""
    return report.scan_contract(result)


def decode_json(path: str, decoded: Decoded) -> JSON:
    """One `waybill decode --json` object (the contract)."""
    return report.decode_contract(path, decoded)


def decode_error_json(path: str, error: CaptureError) -> JSON:
    """The `waybill decode --json` object for a photo that could not be read."""
    return {"path": path, "error": error.message, "barcodes": [], "ocr": []}


def watch_json(handled: Handled) -> JSON:
    """One `waybill watch --json` object: the scan object, and where the file went."""
    return {
        **scan_json(handled.result),
        "dropped_as": shown(handled.dropped),
        "filed_as": str(handled.filed),
        "sidecar": str(handled.sidecar),
        "duplicate_of": handled.duplicate_of,
        "recovered": handled.recovered,
    }


def camera_json(event: CameraEvent, source: str) -> JSON:
    """One `waybill camera --json` object: the scan object, and the frames that decided it."""
    return {
        **scan_json(event.result),
        "source": source,
        "evidence": str(event.evidence),
        "frames": event.frames,
        "stream_s": round(event.stream_s, STREAM_DIGITS),
    }


def review_entry_json(entry: ReviewEntry) -> JSON:
    """One open review item, with its evidence (`waybill review --json`)."""
    body = asdict(entry)
    body["created_at"] = entry.created_at.isoformat()
    # Each conflict as the sentence a person reads (the key has always held sentences).
    body["conflicts"] = [str(c) for c in entry.conflicts]
    return body


def history_entry_json(entry: HistoryEntry) -> JSON:
    """One decision about a waybill or an order (`waybill history --json`)."""
    body = asdict(entry)
    body["at"] = entry.at.isoformat()
    return body


def pair_json(result: PairResult) -> JSON:
    """What desk pairing did with an order (`waybill pair --json`)."""
    outcome = result.outcome
    return {
        "station": result.station,
        "order": result.order_tid,
        "state": result.state,
        "label_scan_id": result.label_scan_id,
        "expires_at": result.expires_at.isoformat() if result.expires_at else None,
        "status": outcome.status.value if outcome else None,
        "waybill": outcome.candidate.number if outcome and outcome.candidate else None,
        "reasons": [str(r) for r in outcome.reasons] if outcome else [],
        "detail": outcome.detail if outcome else "",
    }


def upload_result_json(result: JobResult) -> JSON:
    """One upload attempt (`waybill upload --json`)."""
    return {
        "job": result.job_id,
        "order": result.order_tid,
        "waybill": result.waybill,
        "status": result.status or LEASE_LOST,
        "attempts": result.attempts,
        "message": result.message or None,
        "retry_in_s": round(result.retry_in_s, RETRY_DIGITS) if result.retry_in_s is not None else None,
    }


def queue_entry_json(job: JobView) -> JSON:
    """One row of the upload queue (`waybill queue list --json`)."""
    return {
        "id": job.id,
        "order": job.order_tid,
        "shop": job.shop,
        "waybill": job.waybill,
        "carrier": job.carrier,
        "status": job.status,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        # Only a pending job has a next attempt; for the others the column is stale.
        "next_attempt_at": job.next_attempt_at.isoformat() if job.status == JobStatus.PENDING.value else None,
        "last_error": job.last_error,
        "claimed_by": job.claimed_by,
        "lease_until": job.lease_until.isoformat() if job.lease_until else None,
        "sent_at": job.sent_at.isoformat() if job.sent_at else None,
        "response_id": job.response_id,
        "exported_to": job.exported_to or None,
    }
