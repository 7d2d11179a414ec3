"""Scanning: a photo or frame read, decided and recorded, through the one pipeline.

`waybill scan`, the drop folder, the desk camera and the coming web page all
come through here; what a decision writes is capture.decisions' business.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from capture import decisions, desk_pairing
from capture.api.runtime import database, engines
from capture.errors import CaptureError, DatabaseError, UnreadableImage
from capture.evidence import ScanEvidence
from capture.pipeline.match import decide
from capture.pipeline.run import Engines, match_policy, process, read_label
from capture.settings import Settings
from capture.sources.files import expand_paths, load_frame, not_photos
from capture.sources.names import shown
from capture.store import audit, repo
from capture.store.db import session_scope
from capture.types import BarcodeRead, Decoded, Frame, LabelFacts, Outcome, Reason, ScanResult, Status

log = logging.getLogger(__name__)
# A decision that lost a race with another process writing the same order is
# decided again from scratch this many times in all: the second look sees the
# winner's job (already_queued) where the first could not.
DECISION_ATTEMPTS = 3


def scan_paths(paths: Iterable[str | Path], settings: Settings, db: Engine | None = None) -> Iterator[ScanResult]:
    """Scan photos (files or folders), record each decision, queue the safe ones.

    A photo that cannot be read yields an `error` result and the batch goes on.
    """
    photos = list(expand_paths(paths))  # a mistyped path fails before any photo is recorded
    db = db or database(settings)
    chosen = engines(settings)
    for path in photos:
        yield scan_one(path, chosen, settings, db)


def files_not_photos(paths: Iterable[str | Path]) -> list[str]:
    """Files in the folders given that scan_paths leaves unread, not being named as photos (for a line)."""
    return [shown(p) for p in not_photos(paths)]


def scan_one(path: Path, chosen: Engines, settings: Settings, db: Engine) -> ScanResult:
    """Read one photo file, decide, record; an unreadable file is recorded as `error`."""
    started = time.perf_counter()
    try:
        frame = load_frame(path, settings.max_image_pixels)
    except UnreadableImage as exc:
        log.warning("unreadable photo %s: %s", path, exc.message)
        failed = Outcome(Status.ERROR, (Reason.UNREADABLE_IMAGE,), detail=str(exc))
        with session_scope(db) as session:
            return _record(session, shown(path), "", None, None, failed, chosen, started)
    return scan_frame(frame, chosen, settings, db, started)


def scan_frame(
    frame: Frame,
    chosen: Engines,
    settings: Settings,
    db: Engine,
    started: float | None = None,
    station: str | None = None,
) -> ScanResult:
    """Read one frame already in memory (a photo, a camera frame), decide, record.

    With a `station` (else settings.desk_station) the frame takes part in
    desk pairing: a pick list is held for the next label (see capture.desk_pairing).
    """
    started = time.perf_counter() if started is None else started
    station = station or settings.desk_station
    for attempt in range(1, DECISION_ATTEMPTS + 1):
        try:
            return _decide_and_record(frame, chosen, settings, db, started, station)
        except (IntegrityError, OperationalError) as exc:
            if not _lost_race(exc):
                raise
            if attempt == DECISION_ATTEMPTS:
                raise DatabaseError(
                    f"{frame.source}: another process kept writing the same orders; nothing was recorded",
                    "scan the photo again once the other scanner is done",
                ) from exc
            log.info("%s: lost a race with another scanner (%s); deciding again", frame.source, exc.orig)
    raise AssertionError("unreachable")


def _lost_race(exc: IntegrityError | OperationalError) -> bool:
    """Another process committed first: the one-job-per-order index refused ours, or SQLite's snapshot went stale."""
    return isinstance(exc, IntegrityError) or "database is locked" in str(exc.orig)


def _decide_and_record(
    frame: Frame, chosen: Engines, settings: Settings, db: Engine, started: float, station: str
) -> ScanResult:
    # Matching and recording share one transaction: the queue checks and the
    # queue insert see the same state, and a job exists only with its scan
    # record (the outbox pattern, capture.decisions).
    with session_scope(db) as session:
        if not station:
            decoded, facts, outcome = process(frame, chosen, repo.SqlOrderLookup(session), settings)
            return _record(session, frame.source, frame.sha256, decoded, facts, outcome, chosen, started)
        decoded, facts = read_label(frame, chosen, settings)
        step = desk_pairing.step(session, station, facts, match_policy(settings), settings.pair_timeout_s)
        result = _record(
            session, frame.source, frame.sha256, decoded, facts, step.outcome, chosen, started, actor=step.actor
        )
        desk_pairing.apply(session, station, step, result.scan_id, settings.pair_timeout_s)
        return result


def scan_frame_if_queued(
    frame: Frame,
    chosen: Engines,
    settings: Settings,
    db: Engine,
    started: float | None = None,
    barcodes: tuple[BarcodeRead, ...] | None = None,
) -> ScanResult | None:
    """A camera's first look at a label just come to rest: recorded only if it queues the parcel.

    Anything less (review, rejection) is left unrecorded, because the steady
    frame that follows decides for good, on a full read; None then.
    `barcodes`: the frame's barcodes as the camera's preview pass read them.
    """
    started = time.perf_counter() if started is None else started
    with session_scope(db) as session:
        decoded, facts, outcome = process(frame, chosen, repo.SqlOrderLookup(session), settings, barcodes)
        if outcome.status is not Status.QUEUED:
            return None
        return _record(session, frame.source, frame.sha256, decoded, facts, outcome, chosen, started)


def scan_read(
    source: str, decoded: Decoded, facts: LabelFacts, reader: str, settings: Settings, db: Engine, station: str | None
) -> ScanResult:
    """A label already read by something other than the engines (a barcode gun): matched, decided, recorded.

    The same match, checks, desk pairing and recording as scan_frame;
    `reader` names what read it, for the scan record's engines column.
    """
    started = time.perf_counter()
    station = station or settings.desk_station
    with session_scope(db) as session:
        if not station:
            outcome = decide(facts, repo.SqlOrderLookup(session), match_policy(settings))
            return _record(session, source, "", decoded, facts, outcome, reader, started)
        step = desk_pairing.step(session, station, facts, match_policy(settings), settings.pair_timeout_s)
        result = _record(session, source, "", decoded, facts, step.outcome, reader, started, actor=step.actor)
        desk_pairing.apply(session, station, step, result.scan_id, settings.pair_timeout_s)
        return result


def _record(
    session: Session,
    path: str,
    sha256: str,
    decoded: Decoded | None,
    facts: LabelFacts | None,
    outcome: Outcome,
    chosen: Engines | str,
    started: float,
    actor: str = audit.AUTO_PIPELINE,
) -> ScanResult:
    ms = (time.perf_counter() - started) * 1000
    result = ScanResult(path=path, outcome=outcome, decoded=decoded, ms=ms, facts=facts)
    names = chosen if isinstance(chosen, str) else chosen.names
    scan_id = decisions.commit_scan(session, _scan_record(result, sha256, names), outcome, actor)
    return replace(result, scan_id=scan_id)


def _scan_record(result: ScanResult, sha256: str, engine_names: str) -> repo.ScanRecord:
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
        evidence=ScanEvidence.of(result.decoded, result.facts, outcome).to_json(),
        engines=engine_names,
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


def record_unreadable(
    source: str, sha256: str, error: UnreadableImage, chosen: Engines, db: Engine, started: float
) -> ScanResult:
    """Record a photo that could not be decoded as an `error` scan, keeping its hash.

    The drop folder records the hash too, so the same broken bytes dropped
    again are known as a duplicate instead of being read a second time.
    """
    failed = Outcome(Status.ERROR, (Reason.UNREADABLE_IMAGE,), detail=str(error))
    with session_scope(db) as session:
        return _record(session, source, sha256, None, None, failed, chosen, started)
