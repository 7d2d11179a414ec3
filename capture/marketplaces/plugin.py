"""What a marketplace package provides (registry.py lists them), and what it is given."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from capture.settings import Settings
from capture.shops import ShopConfig
from capture.store.order_source import Dialect, OrderRow
from capture.upload.connector import Connector


@dataclass(frozen=True)
class ShopContext:
    """One shop, the settings and the environment its secrets are read from."""

    settings: Settings
    shop: ShopConfig
    env: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Pulled:
    """An orders pull: every row fetched, before anything is written."""

    rows: list[OrderRow]
    pages: int
    skipped: int  # orders the platform gave that could not become rows
    source: str  # recorded on the orders (e.g. "pdd:pdd.order.number.list.get")
    # Run once the rows are committed (an incremental pull remembers when it ran).
    after_commit: Callable[[], None] | None = None


@dataclass(frozen=True)
class Marketplace:
    name: str  # as a shop's `marketplace` setting spells it
    title: str  # for people: "Taobao/Tmall", "Pinduoduo"
    dialect: Dialect  # the order-number pattern and the status map
    secret_keys: tuple[str, ...]  # a shop's secrets: WAYBILL_SHOP_<NAME>_<KEY>
    connector: Callable[[ShopContext], Connector]  # send and check
    pull: Callable[[ShopContext], Pulled]  # the orders awaiting shipment
    carrier_codes: Callable[[ShopContext], Mapping[str, str]]  # our carrier code -> the platform's
    error_types: tuple[type, ...]  # the error values its client returns
