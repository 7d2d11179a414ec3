"""The database itself: which schema revision it is at, and upgrading it (`waybill db`).

These open their own short-lived engine without checking the schema first:
they are how an outdated database is looked at and brought up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from capture.settings import Settings
from capture.store import backup, schema
from capture.store.db import connect, reporting_connection_faults, sqlite_file, where


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
