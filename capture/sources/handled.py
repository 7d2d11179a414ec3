"""What the drop folder says about each file it dealt with: the Handled value and its sidecar.

Most files get a recorded scan.  Three kinds do not, and get a result
built here instead, in the same scan contract shape (so `--json` readers
need no second format): a duplicate (the earlier scan already stands for
it), a link refused unread, and a photo that crashed its reader.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from capture import report
from capture.sources.names import shown
from capture.types import Candidate, Outcome, Reason, ScanResult, ScanSummary, Status, Via


@dataclass(frozen=True)
class Handled:
    """One file the drop folder dealt with, as run_folder reports it."""

    dropped: Path  # where it arrived
    filed: Path  # where it is now: processed/ or failed/
    sidecar: Path
    result: ScanResult  # the recorded scan; for a duplicate or a refused link, an unrecorded result
    duplicate_of: int | None = None  # scan id of the earlier scan of the same bytes
    recovered: bool = False  # recorded before a restart, filed after it


def sidecar_body(handled: Handled, why: str, sha256: str) -> dict[str, Any]:
    """NAME.json: why the photo is where it is, and the scan it got (the JSON file format, not a stage value)."""
    return {
        "photo": handled.filed.name,
        "dropped_as": shown(handled.dropped),
        "filed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "why": why,
        "sha256": sha256,
        "duplicate_of": handled.duplicate_of,
        "recovered_after_restart": handled.recovered,
        "scan": report.scan_contract(handled.result),
    }


def earlier_words(scan: ScanSummary) -> str:
    said = (
        [scan.status]
        + ([scan.waybill] if scan.waybill else [])
        + ([f"for order {scan.order_tid}"] if scan.order_tid else [])
    )
    return " ".join(said) + (f" ({', '.join(scan.reasons)})" if scan.reasons else "")


def duplicate(filed: Path, earlier: ScanSummary) -> ScanResult:
    why = f"the same photo as scan {earlier.id} ({earlier.path}): {earlier_words(earlier)}"
    outcome = Outcome(Status.REJECTED, (Reason.DUPLICATE_PHOTO,), candidate=_candidate(earlier), detail=why)
    return ScanResult(path=str(filed), outcome=outcome, decoded=None, ms=0.0)


def link_refused(filed: Path, link: Path) -> ScanResult:
    why = f"{shown(link.name)} is a link to {shown(os.readlink(link))}, outside the drop folder; it was not read"
    return ScanResult(
        path=str(filed), outcome=Outcome(Status.ERROR, (Reason.LINK_OUTSIDE_FOLDER,), detail=why), decoded=None, ms=0.0
    )


def reader_crashed(filed: Path, why: str) -> ScanResult:
    return ScanResult(
        path=str(filed), outcome=Outcome(Status.ERROR, (Reason.UNREADABLE_IMAGE,), detail=why), decoded=None, ms=0.0
    )


def recorded(filed: Path, earlier: ScanSummary) -> ScanResult:
    """The scan a photo got before a restart, for the photo now filed."""
    outcome = Outcome(
        Status(earlier.status),
        tuple(Reason(r) for r in earlier.reasons),
        candidate=_candidate(earlier),
        detail=earlier_words(earlier),
    )
    return ScanResult(path=str(filed), outcome=outcome, decoded=None, ms=0.0, scan_id=earlier.id)


def _candidate(scan: ScanSummary) -> Candidate | None:
    if not scan.waybill:
        return None
    via = Via(scan.via) if scan.via else Via.BARCODE
    return Candidate(number=scan.waybill, carrier=scan.carrier or "", via=via, confidence=scan.confidence)
