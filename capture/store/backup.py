"""Consistent copies of a SQLite database, taken while others may be writing it."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

BACKUP_FILE_MODE = 0o600  # a copy holds the same buyers' data as the database


def copy_sqlite(source: Path, target: Path) -> Path:
    """Copy `source` to a new file `target` with SQLite's online backup API (readers and writers may go on)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BACKUP_FILE_MODE)
    os.close(fd)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def before_upgrade(source: Path, revision: str | None) -> Path:
    """A copy beside the database, named for the revision it was at and the time."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return copy_sqlite(source, source.with_name(f"{source.name}.before-upgrade-{revision or 'unversioned'}-{stamp}"))
