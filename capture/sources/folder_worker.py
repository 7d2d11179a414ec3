"""The part of the drop folder that runs in a worker: read one photo, decide, record.

With `watch_workers` above 1 this runs in separate processes (spawned, so
no thread or lock of the watcher is copied into them).  Each process loads
the engines once (the registry caches them by settings) and opens the
database once; every photo is then one short transaction, as `waybill scan`
does it, through the same api functions.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from capture import api
from capture.errors import CaptureError, DatabaseError, UnreadableImage
from capture.settings import Settings
from capture.sources.files import load_frame
from capture.store.db import open_engine
from capture.types import ScanResult

log = logging.getLogger(__name__)


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


@lru_cache(maxsize=2)
def _database(url: str) -> Engine:
    return open_engine(url)


def warm_up(settings: Settings) -> None:
    """Load the engines before the first photo, so it is not the slow one."""
    api.engines(settings)


def warm_up_worker(settings: Settings) -> None:
    """Process initializer.  An initializer that raises breaks the whole pool with no
    message; missing engines or models are left to the first photo instead, whose
    CaptureError reaches the watcher and stops it with the reason."""
    try:
        warm_up(settings)
    except CaptureError as exc:
        log.error("worker cannot load the engines: %s", exc)


def scan_job(job: ScanJob) -> ScanResult | DatabaseBusy:
    started = time.perf_counter()
    settings = job.settings
    chosen = api.engines(settings)
    try:
        db = _database(settings.db_url)
        try:
            frame = load_frame(Path(job.work_path), settings.max_image_pixels)
        except UnreadableImage as exc:
            log.warning("unreadable photo %s: %s", job.work_path, exc.message)
            return api.record_unreadable(job.failed_as, job.sha256, exc, chosen, db, started)
        return api.scan_frame(replace(frame, source=job.processed_as), chosen, settings, db, started)
    except (DBAPIError, DatabaseError) as exc:
        # "database is locked" past SQLite's busy timeout, a PostgreSQL restart:
        # the transaction rolled back, so the photo is simply read again later.
        log.warning("database busy while recording %s: %s", job.work_path, exc)
        return DatabaseBusy(str(exc))
