"""Consistent copies of a SQLite database, taken while others may be writing it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL

from capture.errors import DatabaseError

BACKUP_FILE_MODE = 0o600  # a copy holds the same buyers' data as the database
PG_DUMP_TIMEOUT_S = 3600


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


def integrity(copy: Path) -> str:
    """SQLite's own verdict on a copy: "ok", or the first problem it found."""
    with sqlite3.connect(f"file:{copy}?mode=ro", uri=True) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def dump_postgres(url: URL, target: Path) -> Path:
    """pg_dump's custom format (restore with pg_restore): one consistent snapshot while others write."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise DatabaseError(
            "pg_dump was not found", "install the PostgreSQL client (apt-get install postgresql-client)"
        )
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BACKUP_FILE_MODE)  # never over an older backup
    os.close(fd)
    plain = url.set(drivername="postgresql")
    env = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else dict(os.environ)
    done = subprocess.run(
        [pg_dump, "--format=custom", "--file", str(target), plain.set(password=None).render_as_string(False)],
        capture_output=True,
        text=True,
        env=env,
        timeout=PG_DUMP_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise DatabaseError(f"pg_dump failed: {done.stderr.strip()}", f"the partial file {target} may be removed")
    return target
