"""Orders into the database from a seller's export file."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from capture.api.runtime import database
from capture.marketplaces import registry
from capture.pipeline.run import match_policy
from capture.rematch import RematchReport, rematch_waiting
from capture.settings import Settings
from capture.shops import DEFAULT_SHOP
from capture.store import repo
from capture.store.db import session_scope
from capture.store.orders_import import ImportReport
from capture.store.orders_import import import_orders as read_into
from capture.types import OrderRef


@dataclass(frozen=True)
class OrdersImported(ImportReport):
    """The import, and the waiting labels its orders matched."""

    rematch: RematchReport = field(default_factory=RematchReport)


def import_orders(path: Path, settings: Settings, shop: str = DEFAULT_SHOP) -> OrdersImported:
    """Read a shop's order or item report and store it; then match the labels waiting for their order.

    The shop's marketplace says what its order numbers look like and what
    its statuses mean.  One transaction: the orders, the item lines, and
    every rematched label's job, closed review item and audit row commit
    together or not at all.
    """
    dialect = registry.dialect(settings.shop(shop).marketplace)
    with session_scope(database(settings)) as session:
        report = read_into(session, path, shop=shop, dialect=dialect)
        rematch = rematch_waiting(session, match_policy(settings), f"importing {path.name}")
    return OrdersImported(**{f.name: getattr(report, f.name) for f in fields(report)}, rematch=rematch)


def order_count(settings: Settings) -> int:
    """Orders loaded in the database: 0 means every label can only go to review."""
    with session_scope(database(settings)) as session:
        return repo.order_count(session)


SEARCH_LIMIT = 50
PHONE_TAIL_DIGITS = 4


def find_order(tid: str, settings: Settings) -> OrderRef | None:
    with session_scope(database(settings)) as session:
        return repo.SqlOrderLookup(session).by_tid(tid.strip())


def search_orders(query: str, settings: Settings) -> list[OrderRef]:
    """Orders a supervisor means by `query`: an order number, a phone's last four digits, or a receiver's name."""
    query = query.strip()
    if not query:
        return []
    with session_scope(database(settings)) as session:
        lookup = repo.SqlOrderLookup(session)
        if query.isdigit() and len(query) == PHONE_TAIL_DIGITS:
            return lookup.by_phone_tail(query)[:SEARCH_LIMIT]
        exact = lookup.by_tid(query)
        if exact is not None:
            return [exact]
        return lookup.by_name(query, SEARCH_LIMIT)
