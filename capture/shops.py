"""Shops: which marketplace each of a seller's shops is on, from `[shops.NAME]` tables in the TOML file.

    [shops.tmall_main]
    marketplace = "taobao"          # taobao | pdd | douyin
    endpoint = "https://eco.taobao.com/router/rest"   # optional: the platform's default
    shop_carriers = "SF,ZTO"        # optional: this shop's carriers (else the global setting)

    [shops.pdd_outlet]
    marketplace = "pdd"

A shop's secrets are never in this file: they come from
WAYBILL_SHOP_<NAME>_<KEY> environment variables or the owner-only secrets
file as shop_<name>_<key> (see capture/upload/credentials.py).

The shop "default" always exists: it is today's single Taobao shop, whose
secrets are the WAYBILL_TAOBAO_* ones, so a setup from before shops keeps
working unchanged.  A `[shops.default]` table may redefine it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from capture.errors import SettingsError

DEFAULT_SHOP = "default"
# Known here, not from the marketplace registry, so settings need not import
# the connectors; tests/unit/test_marketplaces.py checks the two agree.
MARKETPLACE_NAMES = ("taobao", "pdd", "douyin")
# Lower-case letters, digits and _: the name is spelled upper-case in an
# environment variable (WAYBILL_SHOP_<NAME>_CLIENT_ID) and stored with orders.
SHOP_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
SHOP_KEYS = ("marketplace", "endpoint", "shop_carriers")


@dataclass(frozen=True)
class ShopConfig:
    name: str
    marketplace: str
    endpoint: str = ""  # empty: the marketplace's production endpoint
    shop_carriers: str = ""  # empty: the global shop_carriers setting


def default_shop() -> ShopConfig:
    return ShopConfig(name=DEFAULT_SHOP, marketplace="taobao")


def _shop(name: str, table: Any, where: str) -> ShopConfig:
    if not SHOP_NAME.fullmatch(name):
        raise SettingsError(
            f"shop name {name!r} in {where} is not allowed",
            "use lower-case letters, digits and _, starting with a letter, at most 32 (e.g. [shops.pdd_main])",
        )
    if not isinstance(table, Mapping):
        raise SettingsError(
            f"shops.{name} in {where} is not a table", f'write it as [shops.{name}] marketplace = "pdd"'
        )
    unknown = sorted(set(table) - set(SHOP_KEYS))
    if unknown:
        raise SettingsError(
            f"unknown keys in [shops.{name}] of {where}: {', '.join(unknown)}",
            f"known: {', '.join(SHOP_KEYS)}; secrets go in the environment or the secrets file",
        )
    marketplace = table.get("marketplace")
    if marketplace not in MARKETPLACE_NAMES:
        raise SettingsError(
            f"[shops.{name}] in {where} has marketplace {marketplace!r}",
            f"set marketplace to one of {', '.join(MARKETPLACE_NAMES)}",
        )
    not_text = [k for k in ("endpoint", "shop_carriers") if not isinstance(table.get(k, ""), str)]
    if not_text:
        raise SettingsError(f"in [shops.{name}] of {where}, {', '.join(not_text)} must be text", 'key = "value"')
    return ShopConfig(
        name=name,
        marketplace=marketplace,
        endpoint=table.get("endpoint", ""),
        shop_carriers=table.get("shop_carriers", ""),
    )


def parse_shops(data: Any, where: str) -> tuple[ShopConfig, ...]:
    """The shops of a TOML file's `shops` table, sorted by name."""
    if not isinstance(data, Mapping):
        raise SettingsError(
            f"shops in {where} is not a table", '[shops.NAME] tables, e.g. [shops.pdd_main] marketplace = "pdd"'
        )
    return tuple(_shop(name, table, where) for name, table in sorted(data.items()))


def with_default(shops: tuple[ShopConfig, ...]) -> tuple[ShopConfig, ...]:
    """`shops` and the default Taobao shop, unless a table redefines it."""
    if any(shop.name == DEFAULT_SHOP for shop in shops):
        return shops
    return (default_shop(), *shops)


def find_shop(shops: tuple[ShopConfig, ...], name: str) -> ShopConfig:
    for shop in with_default(shops):
        if shop.name == name:
            return shop
    known = ", ".join(shop.name for shop in with_default(shops))
    raise SettingsError(
        f"no shop named {name!r}", f"known shops: {known}; add a [shops.{name}] table to the settings file"
    )
