"""Telling a full disk from a busy database, for the line the drop folder writes while a photo waits.

SQLite on a full disk says "disk I/O error" or "database or disk is full"
and the watcher used to call that "database busy": the shop looked for a
lock that was not there.  When a database fault comes, the free space of the
database's and the drop folder's filesystems is looked at; one nearly full
is named in the line.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# Less than this free is a full disk for SQLite (a page, its journal and WAL frames).
LOW_SPACE_BYTES = 1_000_000


def _database_folder(db_url: str) -> Path | None:
    try:
        url = make_url(db_url)
    except ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser().absolute().parent


def full_disk(db_url: str, folder: Path) -> str:
    """'the disk holding PATH is full (N bytes free)', or '' when neither disk is."""
    for place in (_database_folder(db_url), folder):
        if place is None:
            continue
        try:
            stats = os.statvfs(place)
        except OSError:
            continue
        free = stats.f_bavail * stats.f_frsize
        if free < LOW_SPACE_BYTES:
            return f"the disk holding {place} is full ({free} bytes free)"
    return ""


def why_waiting(db_url: str, folder: Path, exc: Exception) -> str:
    """The reason a photo waits, in words a shop can act on."""
    full = full_disk(db_url, folder)
    if full:
        return f"{full}: free some space; nothing is lost, it is read again then"
    return f"database busy: {exc}"
