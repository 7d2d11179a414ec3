"""The database itself: which schema revision it is at, and upgrading it (`waybill db`).

These open their own short-lived engine without checking the schema first:
they are how an outdated database is looked at and brought up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import ArgumentError

from capture.errors import DatabaseError
from capture.settings import Settings
from capture.store import backup, restore, schema
from capture.store.db import connect, reporting_connection_faults, sqlite_file, where
from capture.upload.single_worker import lock_path


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
            path = sqlite_file(engine.url)
            copy = None
            if path is not None and not found.up_to_date and not found.is_new:
                copy = backup.before_upgrade(path, found.current)
            return DatabaseUpgrade(where(engine), schema.upgrade(engine), copy)
    finally:
        engine.dispose()


def refuse_missing_db_folder(db_url: str) -> None:
    """A --db naming a SQLite file in a folder that does not exist is taken for a typo, not made.

    It used to create the folders and an empty database, and the command went
    on against nothing.  A new database in an existing folder is still made
    (`make demo`, a first run), and the default location is created as before.
    """
    try:
        path = sqlite_file(db_url)
    except ArgumentError:  # a malformed URL: opening it says so, with the forms that work
        return
    if path is not None and not os.path.lexists(path.parent):
        raise DatabaseError(
            f"no folder {path.parent} for the database {path.name}; nothing was created",
            "check --db for a typo, or create the folder first if a new database belongs there",
        )


@dataclass(frozen=True)
class DatabaseBackup:
    where: str
    target: Path
    integrity: str  # SQLite's integrity_check of the copy ("ok"); "pg_dump" for PostgreSQL


def backup_database(settings: Settings, target: Path) -> DatabaseBackup:
    """A consistent copy while scanners and workers go on: SQLite's online backup API, or pg_dump.

    Never over an existing file; a SQLite copy is checked with integrity_check before it is reported.
    """
    engine = connect(settings.db_url)
    try:
        with reporting_connection_faults(engine):
            if os.path.lexists(target):
                raise DatabaseError(f"{target} exists; a backup is never written over a file", "give a new name")
            path = sqlite_file(engine.url)
            if path is None:
                return DatabaseBackup(where(engine), backup.dump_postgres(engine.url, target), "pg_dump")
            if not path.is_file():
                raise DatabaseError(f"no database at {path}", "check --db / WAYBILL_DB_URL")
            copy = backup.copy_sqlite(path, target)
            return DatabaseBackup(where(engine), copy, backup.integrity(copy))
    finally:
        engine.dispose()


@dataclass(frozen=True)
class DatabaseRestore:
    where: str
    source: Path
    kept: Path | None  # the SQLite content replaced, copied aside first; None for a new file or PostgreSQL
    schema: schema.SchemaState


def restore_database(settings: Settings, source: Path) -> DatabaseRestore:
    """Put a `waybill backup` file back as the database, refusing while anything has it open.

    capture.store.restore says how "open" is known (SQLite locks, the upload
    worker's lock file, pg_stat_activity).  Raises DatabaseError.
    """
    if not source.is_file():
        raise DatabaseError(f"no backup file {source}", "give the path of a file made by `waybill backup`")
    engine = connect(settings.db_url)
    try:
        with reporting_connection_faults(engine):
            path = sqlite_file(engine.url)
            if path is None:
                engine.dispose()  # our own pooled session would count as one in use
                restore.restore_postgres(source, engine.url)
                kept = None
            else:
                kept = restore.restore_sqlite(source, path.resolve(), lock_path(settings.db_url))
            return DatabaseRestore(where(engine), source, kept, schema.state(engine))
    finally:
        engine.dispose()
