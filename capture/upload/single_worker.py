"""One upload worker per SQLite database: an OS lock on a file beside it.

Why a lock file and not a lease row in the database: the operating system
drops the lock the moment its process ends, however it ends (SIGKILL, a
power cut), so a crashed worker never blocks the next one and nothing has to
expire, heartbeat or trust a clock.  A lease row would need all three.  The
lock only works among processes of one machine, which is SQLite's own
limit: it is not safe to share over a network file system anyway; several
machines need PostgreSQL.

The lock file (`<db>.upload.lock`) says who holds it, for the message the
second worker prints.  It is never deleted: removing a lock file races with
a process that has just opened it.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from capture.errors import WorkerAlreadyRunning
from capture.store.db import sqlite_file

LOCK_SUFFIX = ".upload.lock"
HOLDER_MAX_BYTES = 200


def lock_path(db_url: str) -> Path | None:
    """The lock file for a SQLite URL; None for other databases and in-memory SQLite.

    Beside the resolved file, named after it: a worker given a symlink to
    the database (or a path through a symlinked folder) must meet the lock
    of one given the file itself.  (A hard link is another name for the same
    inode and is not caught; nobody makes one of a database by accident.)
    """
    path = sqlite_file(db_url)
    if path is None:
        return None
    real = path.resolve()
    return real.with_name(real.name + LOCK_SUFFIX)


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows desks only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, HOLDER_MAX_BYTES).decode("utf-8", "replace").strip()
    return text or "another process"


@contextmanager
def sqlite_single_worker(db_url: str) -> Iterator[None]:
    """Hold the database's worker lock for the block; raise WorkerAlreadyRunning if taken."""
    path = lock_path(db_url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_lock(fd):
            raise WorkerAlreadyRunning(
                f"another upload worker ({_holder(fd)}) is already running on {make_url(db_url).database}",
                "SQLite allows one upload worker per database: let that one work, stop it first, "
                "or use PostgreSQL (WAYBILL_DB_URL) to run several",
            )
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()} since {started}".encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock
