"""The marketplace registry: a name in a shop's settings -> everything needed to work with it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from capture.errors import SettingsError
from capture.marketplaces import douyin, pdd, taobao
from capture.marketplaces.plugin import Marketplace, ShopContext
from capture.settings import Settings
from capture.shops import MARKETPLACE_NAMES, ShopConfig
from capture.store.order_source import Dialect
from capture.upload.connector import Connector

MARKETPLACES: Mapping[str, Marketplace] = {m.name: m for m in (taobao.MARKETPLACE, pdd.MARKETPLACE, douyin.MARKETPLACE)}
# Every marketplace a shop may name can import its export, connector or not.
DIALECTS: Mapping[str, Dialect] = {name: m.dialect for name, m in MARKETPLACES.items()}


def dialect(name: str) -> Dialect:
    return DIALECTS[name]


def marketplace(name: str) -> Marketplace:
    found = MARKETPLACES.get(name)
    if found is None:
        built = ", ".join(sorted(MARKETPLACES))
        planned = ", ".join(n for n in MARKETPLACE_NAMES if n not in MARKETPLACES)
        raise SettingsError(
            f"marketplace {name!r} has no connector in this release",
            f"available: {built}"
            + (f" ({planned}: not built yet; use orders import and queue export)" if planned else ""),
        )
    return found


def of_shop(shop: ShopConfig) -> Marketplace:
    return marketplace(shop.marketplace)


def context(settings: Settings, shop: str, env: Mapping[str, str] | None = None) -> ShopContext:
    return ShopContext(settings=settings, shop=settings.shop(shop), env=env)


@dataclass(frozen=True)
class ShopConnectors:
    """Builds (once) the connector of each shop a worker meets."""

    settings: Settings
    env: Mapping[str, str] | None = None

    def builder(self) -> Callable[[str], Connector]:
        def build(shop: str) -> Connector:
            ctx = context(self.settings, shop, self.env)
            return of_shop(ctx.shop).connector(ctx)

        return build
