"""The product's operations as functions: they raise CaptureError, never exit.

The CLI (and later the web page) are thin adapters over these.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from capture import report
from capture.engines import registry
from capture.errors import CaptureError, UnreadableImage
from capture.pipeline.run import Engines, process, read_label
from capture.settings import Settings
from capture.sources.files import expand_paths, load_frame
from capture.store import repo
from capture.store.db import open_engine, session_scope
from capture.types import Decoded, Frame, LabelFacts, Outcome, Reason, ScanResult, Status

log = logging.getLogger(__name__)


def engines(settings: Settings) -> Engines:
    barcode, ocr = registry.engines_for(settings)
    return Engines(barcode=barcode, ocr=ocr)


def database(settings: Settings) -> Engine:
    return open_engine(settings.db_url)


def scan_paths(paths: Iterable[str | Path], settings: Settings, db: Engine | None = None) -> Iterator[ScanResult]:
    """Scan photos (files or folders), record each decision, queue the safe ones.

    A photo that cannot be read yields an `error` result and the batch goes on.
    """
    photos = list(expand_paths(paths))  # a mistyped path fails before any photo is recorded
    db = db or database(settings)
    chosen = engines(settings)
    for path in photos:
        yield scan_one(path, chosen, settings, db)


def scan_one(path: Path, chosen: Engines, settings: Settings, db: Engine) -> ScanResult:
    """Read one photo file, decide, record; an unreadable file is recorded as `error`."""
    started = time.perf_counter()
    try:
        frame = load_frame(path, settings.max_image_pixels)
    except UnreadableImage as exc:
        log.warning("unreadable photo %s: %s", path, exc.message)
        failed = Outcome(Status.ERROR, (Reason.UNREADABLE_IMAGE,), detail=str(exc))
        with session_scope(db) as session:
            return _record(session, str(path), "", None, None, failed, chosen, started)
    return scan_frame(frame, chosen, settings, db, started)


def scan_frame(frame: Frame, chosen: Engines, settings: Settings, db: Engine, started: float | None = None) -> ScanResult:
    """Read one frame already in memory (a photo, a camera frame), decide, record."""
    started = time.perf_counter() if started is None else started
    # Matching and recording share one transaction: the queue checks and the
    # queue insert see the same state, and a job exists only with its scan
    # record (the outbox pattern).  The transaction starts at the first query,
    # after the engines have read the frame.
    with session_scope(db) as session:
        decoded, facts, outcome = process(frame, chosen, repo.SqlOrderLookup(session), settings)
        return _record(session, frame.source, frame.sha256, decoded, facts, outcome, chosen, started)


def _record(
    session: Session,
    path: str,
    sha256: str,
    decoded: Decoded | None,
    facts: LabelFacts | None,
    outcome: Outcome,
    chosen: Engines,
    started: float,
) -> ScanResult:
    ms = (time.perf_counter() - started) * 1000
    result = ScanResult(path=path, outcome=outcome, decoded=decoded, ms=ms, facts=facts)
    scan_id = repo.record_scan(session, _scan_record(result, sha256, chosen), queue=outcome.status is Status.QUEUED)
    return replace(result, scan_id=scan_id)


def _scan_record(result: ScanResult, sha256: str, chosen: Engines) -> repo.ScanRecord:
    outcome = result.outcome
    candidate = outcome.candidate
    return repo.ScanRecord(
        path=result.path,
        sha256=sha256,
        status=outcome.status.value,
        waybill=candidate.number if candidate else None,
        carrier=candidate.carrier if candidate else None,
        via=candidate.via.value if candidate else None,
        confidence=outcome.confidence,
        order_tid=outcome.order.tid if outcome.order else None,
        reasons=[str(r) for r in outcome.reasons],
        evidence=report.evidence(result.decoded, result.facts, outcome),
        engines=chosen.names,
        ms=result.ms,
    )


def decode_paths(paths: Iterable[str | Path], settings: Settings) -> Iterator[tuple[Path, Decoded | CaptureError]]:
    """What the engines see on each photo, uninterpreted; unreadable photos yield their error."""
    chosen = engines(settings)
    for path in expand_paths(paths):
        try:
            frame = load_frame(path, settings.max_image_pixels)
        except UnreadableImage as exc:
            yield path, exc
            continue
        decoded, _facts = read_label(frame, chosen, settings)
        yield path, decoded


def import_orders(path: Path, settings: Settings):  # type: ignore[no-untyped-def]
    from capture.store.orders_import import import_orders as run_import

    with session_scope(database(settings)) as session:
        return run_import(session, path)


def queue_entries(settings: Settings, statuses: tuple[str, ...] = ()) -> list[repo.QueueEntry]:
    with session_scope(database(settings)) as session:
        return repo.list_queue(session, statuses)
