"""Putting a backup back: only over a database nobody has open.

How "in use" is known, because a restore under a running scanner or worker
would swap the rows from under it (a job it is sending, a scan it is
writing) and the next write would land in a database it did not read:

- SQLite: every open connection to a WAL database holds a shared lock on the
  file for as long as it is open (SQLAlchemy pools keep it open between
  calls), so `waybill watch`, `scan`, `serve` and `upload` all do while they
  run.  The restore takes SQLite's EXCLUSIVE lock with no wait; any other
  connection makes that fail, and the restore refuses.  Having it, it keeps
  it until the copy is written, so nobody can open the file in between.
  An upload worker's lock file (`<db>.upload.lock`) is tried first, for a
  message that names the worker.
- PostgreSQL: any other session on the database in pg_stat_activity.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL

from capture.errors import DatabaseError
from capture.store.backup import BACKUP_FILE_MODE, PG_DUMP_TIMEOUT_S

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
REQUIRED_TABLES = ("scans", "upload_jobs", "audit_log")
STOP_THEM = "stop `waybill watch`, `scan`, `serve` and `upload` on it first, then restore again"


class DatabaseInUse(DatabaseError):
    """A restore refused because something has the database open."""


def check_sqlite_backup(backup: Path) -> None:
    """A SQLite backup that passes integrity_check and holds this product's tables, or DatabaseError."""
    with backup.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise DatabaseError(f"{backup} is not a SQLite database", "give a file made by `waybill backup`")
    with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as conn:
        verdict = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if verdict != "ok":
        raise DatabaseError(f"{backup} is damaged (integrity_check: {verdict}); nothing was restored", "use another")
    missing = [t for t in REQUIRED_TABLES if t not in names]
    if missing:
        raise DatabaseError(
            f"{backup} is not a waybill database (no {', '.join(missing)} table); nothing was restored",
            "give a file made by `waybill backup`",
        )


def worker_holding(lock_file: Path | None) -> str | None:
    """Who holds the upload worker's lock beside the database, or None if nobody does."""
    if lock_file is None or not lock_file.exists():
        return None
    import fcntl

    fd = os.open(lock_file, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
        return None
    finally:
        os.close(fd)  # releases our probe


@contextmanager
def sqlite_exclusive(target: Path, lock_file: Path | None) -> Iterator[sqlite3.Connection]:
    """A connection holding `target` exclusively (nobody else has it open), or DatabaseInUse."""
    holder = worker_holding(lock_file)
    if holder is not None:
        raise DatabaseInUse(f"an upload worker ({holder}) has {target} open; nothing was restored", STOP_THEM)
    conn = sqlite3.connect(target, timeout=0, isolation_level=None)
    try:
        try:
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            # Leaving WAL needs every other connection gone; the lock is then ours until we close.
            conn.execute("PRAGMA journal_mode=DELETE").fetchone()
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise DatabaseInUse(
                f"{target} is open in another process (SQLite: {exc}); nothing was restored", STOP_THEM
            ) from exc
        yield conn
    finally:
        conn.close()


def restore_sqlite(backup: Path, target: Path, lock_file: Path | None) -> Path | None:
    """Replace `target`'s content with `backup`'s; the old content is kept beside it first.

    Returns the copy of what was there (None for a new or empty file).
    """
    check_sqlite_backup(backup)
    if not target.exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BACKUP_FILE_MODE))
    with sqlite_exclusive(target, lock_file) as conn:
        kept = None
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = target.with_name(f"{target.name}.before-restore-{stamp}")
            os.close(os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BACKUP_FILE_MODE))
            with sqlite3.connect(kept) as copy:
                conn.backup(copy)
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as src:
            src.backup(conn)
        conn.execute("PRAGMA journal_mode=WAL")
    return kept


# --- PostgreSQL ---------------------------------------------------------------


def _plain(url: URL) -> dict:
    return {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
        "connect_timeout": 10,
    }


def other_sessions(url: URL) -> list[str]:
    """The other sessions on the database, as `application_name pid` (from pg_stat_activity)."""
    import psycopg  # the postgres extra: only a PostgreSQL restore needs it

    with psycopg.connect(**{k: v for k, v in _plain(url).items() if v is not None}, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT coalesce(nullif(application_name, ''), 'a client'), pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [f"{name} (pid {pid})" for name, pid in rows]


def restore_postgres(backup: Path, url: URL) -> None:
    """pg_restore a `waybill backup` dump over the database, in one transaction, if nobody else is on it."""
    with backup.open("rb") as fh:
        if fh.read(len(PG_CUSTOM_HEADER)) != PG_CUSTOM_HEADER:
            raise DatabaseError(f"{backup} is not a pg_dump custom-format file", "give a file made by `waybill backup`")
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise DatabaseError(
            "pg_restore was not found", "install the PostgreSQL client (apt-get install postgresql-client)"
        )
    sessions = other_sessions(url)
    if sessions:
        raise DatabaseInUse(
            f"{len(sessions)} other session(s) on the database: {', '.join(sessions[:5])}; nothing was restored",
            STOP_THEM,
        )
    plain = url.set(drivername="postgresql")
    env = {**os.environ, "PGPASSWORD": url.password} if url.password else dict(os.environ)
    done = subprocess.run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",  # a failed restore leaves the database as it was
            "--exit-on-error",
            "--dbname",
            plain.set(password=None).render_as_string(False),
            str(backup),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=PG_DUMP_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise DatabaseError(f"pg_restore failed: {done.stderr.strip()}", "the database is as it was before")
