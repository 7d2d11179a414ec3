"""Shared by the shop and marketplace tests: orders of a named shop, its settings and its secrets."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from capture.store.db import session_scope
from capture.store.order_source import OrderRow, upsert_orders
from capture.types import OrderStatus
from tests.fakes.douyin_server import FakeDouyin
from tests.fakes.pdd_server import FakePdd
from tests.integration.upload_helpers import FAST

PDD_SHOP = "pdd_main"
BASE_PDD = 531418387930000


@pytest.fixture
def fake_pdd() -> Iterator[FakePdd]:
    """A loopback Pinduoduo router, fresh per test, with distinctive secrets to grep outputs for."""
    with FakePdd(
        client_id="PDDCLIENT-27182818", client_secret="PDDSECRET-31415926", access_token="PDDTOKEN-16180339"
    ) as fake:
        yield fake


def pdd_sn(n: int) -> str:
    """A Pinduoduo order number, shaped as the platform's: date, dash, digits."""
    return f"230530-{BASE_PDD + n}"


def store_orders(engine: Engine, shop: str, tids: Iterable[str]) -> None:
    """Open orders of `shop`, as an import or a pull would leave them."""
    rows = [
        OrderRow(t, OrderStatus.AWAITING_SHIPMENT, "待发货", "", "李四", "*******5678", "5678", "深圳", None, "")
        for t in tids
    ]
    with session_scope(engine) as session:
        upsert_orders(session, rows, source="test", shop=shop)


def pdd_secrets(fake: FakePdd, shop: str = PDD_SHOP) -> dict[str, str]:
    prefix = f"WAYBILL_SHOP_{shop.upper()}_"
    return {
        prefix + "CLIENT_ID": fake.client_id,
        prefix + "CLIENT_SECRET": fake.client_secret,
        prefix + "ACCESS_TOKEN": fake.access_token,
    }


def write_config(path: Path, shops: dict[str, dict[str, str]]) -> Path:
    """A settings file with [shops.NAME] tables (the contract scripts rely on)."""
    lines = []
    for name, table in shops.items():
        lines.append(f"[shops.{name}]")
        lines += [f'{key} = "{value}"' for key, value in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def shop_worker_env(
    db_url: str, home: Path, config: Path, secrets: dict[str, str], **settings: object
) -> dict[str, str]:
    """Environment for a `waybill` subprocess serving shops: secrets, fast settings, its own dirs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYBILL_")}
    env.update(secrets)
    env["WAYBILL_CONFIG"] = str(config)
    env["WAYBILL_DB_URL"] = db_url
    env["WAYBILL_CACHE_DIR"] = str(home / "cache")
    env["XDG_CONFIG_HOME"] = str(home / "config")
    for name, value in {**FAST, **settings}.items():
        env["WAYBILL_" + name.upper()] = str(value)
    return env


DOUYIN_SHOP = "douyin_main"
BASE_DOUYIN = 4981234567890120000


def douyin_id(n: int) -> str:
    return str(BASE_DOUYIN + n)


@pytest.fixture
def fake_douyin() -> Iterator[FakeDouyin]:
    """A loopback Douyin gateway, fresh per test, with distinctive secrets."""
    with FakeDouyin(app_key="DYKEY-27182818", app_secret="DYSECRET-31415926", access_token="DYTOKEN-16180339") as fake:
        yield fake


def douyin_secrets(fake: FakeDouyin, shop: str = DOUYIN_SHOP, sign_method: str = "md5") -> dict[str, str]:
    prefix = f"WAYBILL_SHOP_{shop.upper()}_"
    return {
        prefix + "APP_KEY": fake.app_key,
        prefix + "APP_SECRET": fake.app_secret,
        prefix + "ACCESS_TOKEN": fake.access_token,
        prefix + "SIGN_METHOD": sign_method,
    }
