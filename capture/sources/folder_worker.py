"""The part of the drop folder that runs in a worker: read one photo, decide, record.

With `watch_workers` above 1 this runs in separate processes (spawned, so
no thread or lock of the watcher is copied into them).  Each process builds
its Recorder once, from the factory the facade gave the watcher, and the
recorder keeps the engines and the database for every photo after; each
photo is then one short transaction, as `waybill scan` does it.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from multiprocessing.queues import SimpleQueue
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from capture.engines.cpu import usable_cores
from capture.errors import CaptureError, DatabaseError, UnreadableImage
from capture.settings import Settings
from capture.sources.disk_space import why_waiting
from capture.sources.files import load_frame
from capture.sources.parent_death import die_with_parent
from capture.sources.recorder import Recorder, RecorderFactory
from capture.types import ScanResult

log = logging.getLogger(__name__)
# This process's recorder: set by use_recorder (the watcher's own thread pool)
# or by warm_up_worker (a worker process).
_recorder: Recorder | None = None
# Where a worker process says which photo it starts: the deadline on a hung
# reader counts from there, not from the submit (a new worker first spends
# seconds loading its engines).
_started: SimpleQueue | None = None


@dataclass(frozen=True)
class ScanJob:
    work_path: str  # in-progress/NAME: the file to read
    processed_as: str  # the path recorded when the photo reads: where it will be filed
    failed_as: str  # the path recorded when it does not
    sha256: str  # of the bytes the watcher saw; "" when it could not read them
    settings: Settings


@dataclass(frozen=True)
class DatabaseBusy:
    """Nothing was recorded: the database was locked or unreachable.  Try the photo again later."""

    message: str


def use_recorder(recorder: Recorder) -> None:
    """Read photos in this process with `recorder`, its engines loaded now, so the first photo is not the slow one."""
    global _recorder
    _recorder = recorder
    recorder.engines  # noqa: B018  (loading the engines is the point)


def warm_up_worker(
    settings: Settings, make_recorder: RecorderFactory, watcher_pid: int, started: SimpleQueue | None = None
) -> None:
    """Process initializer.  An initializer that raises breaks the whole pool with no
    message; missing engines or models are left to the first photo instead, whose
    CaptureError reaches the watcher and stops it with the reason."""
    global _started
    _started = started
    die_with_parent(watcher_pid)
    try:
        use_recorder(make_recorder(settings))
    except CaptureError as exc:
        log.error("worker cannot load the engines: %s", exc)


def scan_job(job: ScanJob) -> ScanResult | DatabaseBusy:
    started = time.perf_counter()
    recorder = _recorder
    if recorder is None:
        raise RuntimeError("scan_job ran in a process whose recorder was never set (use_recorder)")
    if _started is not None:
        _started.put(job.work_path)
    try:
        try:
            frame = load_frame(Path(job.work_path), job.settings.max_image_pixels)
        except UnreadableImage as exc:
            log.warning("unreadable photo %s: %s", job.work_path, exc.message)
            return recorder.record_unreadable(job.failed_as, job.sha256, exc, started)
        return recorder.record(replace(frame, source=job.processed_as), started)
    except (DBAPIError, DatabaseError) as exc:
        # "database is locked" past SQLite's busy timeout, a PostgreSQL restart:
        # the transaction rolled back, so the photo is simply read again later.
        why = why_waiting(job.settings.db_url, Path(job.work_path).parent, exc)
        log.warning("not recorded yet, %s: %s", Path(job.work_path).name, why)
        return DatabaseBusy(str(exc))


def worker_settings(settings: Settings) -> Settings:
    """Share the cores between the worker processes' OCR instead of letting each take all.

    Left to itself ONNX Runtime starts one spinning thread per core in every
    process: two workers on two cores ran four busy threads and read fewer
    photos per second than one worker did.
    """
    if settings.watch_workers == 1 or settings.ocr_threads > 0:
        return settings
    return replace(settings, ocr_threads=max(1, usable_cores() // settings.watch_workers))


def new_pool(
    settings: Settings, recorder: Recorder, make_recorder: RecorderFactory, started: SimpleQueue | None = None
) -> Executor:
    """The readers: one thread using the watcher's own recorder, or `watch_workers` processes
    (each puts the in-progress path of a photo it starts on `started`)."""
    if settings.watch_workers == 1:
        use_recorder(recorder)
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="waybill-reader")
    # spawn, not fork: the watcher already runs watchdog's threads, and a
    # forked child would inherit their locks mid-use.
    return ProcessPoolExecutor(
        max_workers=settings.watch_workers,
        mp_context=get_context("spawn"),
        initializer=warm_up_worker,
        initargs=(settings, make_recorder, os.getpid(), started),
    )
