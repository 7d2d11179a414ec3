"""Backups on a schedule, with rotation, beside a long-running `watch`, `upload` or `serve`.

On when the settings name a `backup_dir` and a positive `backup_interval_s`.
Each run makes `waybill-<UTC time>.db` (SQLite) or `.pgdump` (PostgreSQL)
with the same code as `waybill backup`, then removes the oldest of those
files beyond `backup_keep`.  Only files of that name are counted or removed:
a shop's own files in the folder are never touched.  A backup that fails
says so in the log and the next run tries again; it never stops the scanner.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from capture.api.database import backup_database
from capture.errors import CaptureError
from capture.settings import Settings
from capture.store.db import sqlite_file

log = logging.getLogger(__name__)
BACKUP_NAME = re.compile(r"^waybill-\d{8}T\d{6}\.\d{6}Z\.(db|pgdump)$")
BACKUP_DIR_MODE = 0o700
STOP_WAIT_S = 30.0  # a backup under way at shutdown may finish


def backup_name(settings: Settings, now: datetime) -> str:
    suffix = "db" if sqlite_file(settings.db_url) is not None else "pgdump"
    return f"waybill-{now:%Y%m%dT%H%M%S.%f}Z.{suffix}"


def rotate(folder: Path, keep: int) -> list[Path]:
    """Remove the oldest scheduled backups beyond `keep`; the removed files."""
    ours = sorted(p for p in folder.iterdir() if BACKUP_NAME.match(p.name))  # the name sorts by time
    removed = ours[: max(0, len(ours) - keep)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def backup_once(settings: Settings) -> Path | None:
    """One scheduled backup and its rotation; the new file, or None when it failed (logged)."""
    folder = Path(settings.backup_dir).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=BACKUP_DIR_MODE)
        done = backup_database(settings, folder / backup_name(settings, datetime.now(UTC)))
    except (CaptureError, OSError) as exc:
        log.error(
            "scheduled backup into %s failed: %s (the next one is tried in %gs)",
            folder,
            exc,
            settings.backup_interval_s,
        )
        return None
    if done.integrity not in ("ok", "pg_dump"):
        log.error("scheduled backup %s failed integrity_check: %s; it is kept for a look", done.target, done.integrity)
    removed = rotate(folder, settings.backup_keep)
    log.info("backup %s written (integrity %s); %d older removed", done.target, done.integrity, len(removed))
    return done.target


class BackupSchedule:
    """A daemon thread making a backup every `backup_interval_s` until stopped (first one at once)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="waybill-backups", daemon=True)

    def start(self) -> BackupSchedule:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(STOP_WAIT_S)

    def _run(self) -> None:
        while not self._stop.is_set():
            backup_once(self._settings)
            self._stop.wait(self._settings.backup_interval_s)


def scheduled(settings: Settings) -> bool:
    return bool(settings.backup_dir) and settings.backup_interval_s > 0


@contextmanager
def backups_while_running(settings: Settings) -> Iterator[None]:
    """Scheduled backups for the length of the block, when the settings ask for them."""
    if not scheduled(settings):
        yield
        return
    os.makedirs(Path(settings.backup_dir).expanduser(), mode=BACKUP_DIR_MODE, exist_ok=True)
    schedule = BackupSchedule(settings).start()
    try:
        yield
    finally:
        schedule.stop()
