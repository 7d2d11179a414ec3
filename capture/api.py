"""The product's operations as functions: they raise CaptureError, never exit.

The CLI (and later the web page) are thin adapters over these.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session

from capture import desk, report, review
from capture.engines import registry
from capture.errors import CaptureError, UnreadableImage
from capture.pipeline.carriers import canonical
from capture.pipeline.run import Engines, match_policy, process, read_label
from capture.settings import Settings
from capture.sources.files import expand_paths, load_frame
from capture.store import audit, backup, repo, schema
from capture.store.db import connect, open_engine, reporting_connection_faults, session_scope, where
from capture.types import BarcodeRead, Decoded, Frame, LabelFacts, Outcome, Reason, ScanResult, Status

log = logging.getLogger(__name__)


def engines(settings: Settings) -> Engines:
    barcode, ocr = registry.engines_for(settings)
    return Engines(barcode=barcode, ocr=ocr)


def database(settings: Settings) -> Engine:
    return open_engine(settings.db_url)


@dataclass(frozen=True)
class DatabaseStatus:
    where: str  # the URL without its password
    schema: schema.SchemaState


@dataclass(frozen=True)
class DatabaseUpgrade:
    where: str
    upgrade: schema.Upgrade
    backup: Path | None  # the SQLite copy taken first; None when nothing had to change, or on PostgreSQL


def database_status(settings: Settings) -> DatabaseStatus:
    engine = connect(settings.db_url)
    try:
        with reporting_connection_faults(engine):
            return DatabaseStatus(where(engine), schema.state(engine))
    finally:
        engine.dispose()


def upgrade_database(settings: Settings) -> DatabaseUpgrade:
    """Bring the database to this release's schema in place, keeping every row.

    A SQLite file is copied first (SQLite cannot undo most DDL); PostgreSQL
    runs the whole upgrade in one transaction, so a failure leaves it as it was.
    """
    engine = connect(settings.db_url)
    try:
        with reporting_connection_faults(engine):
            found = schema.state(engine)
            path = backup.sqlite_path(engine)
            copy = None
            if path is not None and not found.up_to_date and not found.is_new:
                copy = backup.before_upgrade(path, found.current)
            return DatabaseUpgrade(where(engine), schema.upgrade(engine), copy)
    finally:
        engine.dispose()


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
    desk pairing: a pick list is held for the next label (see capture.desk).
    """
    started = time.perf_counter() if started is None else started
    station = station or settings.desk_station
    # Matching and recording share one transaction: the queue checks and the
    # queue insert see the same state, and a job exists only with its scan
    # record (the outbox pattern).  The transaction starts at the first query,
    # after the engines have read the frame.
    with session_scope(db) as session:
        if not station:
            decoded, facts, outcome = process(frame, chosen, repo.SqlOrderLookup(session), settings)
            return _record(session, frame.source, frame.sha256, decoded, facts, outcome, chosen, started)
        decoded, facts = read_label(frame, chosen, settings)
        step = desk.step(session, station, facts, match_policy(settings), settings.pair_timeout_s)
        result = _record(
            session, frame.source, frame.sha256, decoded, facts, step.outcome, chosen, started, actor=step.actor
        )
        desk.apply(session, station, step, result.scan_id, settings.pair_timeout_s)
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


def _record(
    session: Session,
    path: str,
    sha256: str,
    decoded: Decoded | None,
    facts: LabelFacts | None,
    outcome: Outcome,
    chosen: Engines,
    started: float,
    actor: str = audit.AUTO_PIPELINE,
) -> ScanResult:
    ms = (time.perf_counter() - started) * 1000
    result = ScanResult(path=path, outcome=outcome, decoded=decoded, ms=ms, facts=facts)
    scan_id = repo.record_scan(session, _scan_record(result, sha256, chosen), queue=outcome.status is Status.QUEUED)
    # The audit trail, the review item and any merged orders' jobs: same transaction.
    review.record_decision(session, scan_id, path, outcome, actor)
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


def import_orders(path: Path, settings: Settings) -> ImportReport:
    from capture.store.orders_import import import_orders as run_import

    with session_scope(database(settings)) as session:
        return run_import(session, path)


def queue_entries(settings: Settings, statuses: tuple[str, ...] = ()) -> list[repo.QueueEntry]:
    with session_scope(database(settings)) as session:
        return repo.list_queue(session, statuses)


# --- sources: the drop folder and the camera (issue 6) ------------------------

if TYPE_CHECKING:  # the source modules import this one; at run time they are imported when called
    from capture.sources.camera import CameraEvent, CameraSummary
    from capture.sources.handled import Handled
    from capture.store.orders_import import ImportReport


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


def run_folder(
    folder: str | Path, settings: Settings, on_result: Callable[[Handled], None], stop: threading.Event | None = None
) -> None:
    """Watch a drop folder until `stop` is set: each photo is read, recorded, queued if safe, and filed.

    `on_result(Handled)` is called for every file dealt with.  Raises
    SourceUnavailable when the folder does not exist at start.
    """
    from capture.sources.folder import watch_folder

    watch_folder(Path(folder), settings, on_result, stop)


def run_camera(
    source: str,
    settings: Settings,
    on_event: Callable[[CameraEvent], None],
    stop: threading.Event | None = None,
    realtime: bool = False,
) -> CameraSummary:
    """Read a camera (device index, stream URL or video file) until it ends or `stop` is set.

    `on_event(CameraEvent)` is called once per parcel.  A video file is read
    frame by frame unless `realtime`, which plays it at its frame rate and
    drops frames the way a live camera does.  Returns a CameraSummary.
    Raises SourceUnavailable when the source cannot be opened at start.
    """
    from capture.sources.camera import watch_camera

    return watch_camera(source, settings, on_event, stop, realtime=realtime)


# --- matching: review, history, desk pairing (issue 4) ------------------------


def review_entries(settings: Settings) -> list[review.ReviewEntry]:
    """Scans that wait for a person, with their evidence, oldest first."""
    with session_scope(database(settings)) as session:
        return review.entries(session)


def resolve_review(item_id: int, resolution: review.Resolution, settings: Settings, by: str) -> review.Resolved:
    """Accept, correct or reject a review item as `by` (a person's name); the checks before queueing apply."""
    with session_scope(database(settings)) as session:
        return review.resolve(session, item_id, resolution, audit.person_actor(by), match_policy(settings))


@dataclass(frozen=True)
class History:
    key: str
    decisions: list[audit.HistoryEntry]
    jobs: list[repo.QueueEntry]  # the upload queue's rows for it, as they stand now


def history(key: str, settings: Settings) -> History:
    """Every decision about a waybill number or an order number, and its upload jobs."""
    wanted = canonical(key)  # a waybill as printed (spaces, lower case, JD suffix); order numbers stay
    with session_scope(database(settings)) as session:
        return History(wanted, audit.history(session, wanted), repo.jobs_for(session, wanted))


def pair_order(tid: str, station: str, settings: Settings) -> desk.PairResult:
    """Desk pairing without a photo: the order's pick list was scanned (or typed) at `station`.

    The order is held for the station's next label, or settles the label the
    station holds.  Raises UnknownOrder for a number no imported order has.
    """
    with session_scope(database(settings)) as session:
        return desk.pair_order(session, tid, station, match_policy(settings), settings.pair_timeout_s)
