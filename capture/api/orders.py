"""Orders into the database from a seller's export file."""

from __future__ import annotations

from pathlib import Path

from capture.api.runtime import database
from capture.settings import Settings
from capture.store import repo
from capture.store.db import session_scope
from capture.store.orders_import import ImportReport
from capture.store.orders_import import import_orders as read_into


def import_orders(path: Path, settings: Settings) -> ImportReport:
    """Read an order export (CSV, GBK or UTF-8) and store its orders, in one transaction."""
    with session_scope(database(settings)) as session:
        return read_into(session, path)


def order_count(settings: Settings) -> int:
    """Orders loaded in the database: 0 means every label can only go to review."""
    with session_scope(database(settings)) as session:
        return repo.order_count(session)
