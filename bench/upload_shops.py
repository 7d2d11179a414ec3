"""The marketplaces bench/upload.py runs: each one's fake, order numbers, shop and worker environment."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from tests.fakes.douyin_server import FakeDouyin
from tests.fakes.pdd_server import FakePdd
from tests.fakes.taobao_server import FakeTaobao
from tests.integration.shop_helpers import (
    DOUYIN_SHOP,
    PDD_SHOP,
    douyin_id,
    douyin_secrets,
    pdd_secrets,
    pdd_sn,
    shop_worker_env,
    store_orders,
    write_config,
)
from tests.integration.upload_helpers import tid, worker_env


@dataclass(frozen=True)
class Market:
    name: str
    fake: Callable[[], Any]  # a context manager: the loopback platform
    order_number: Callable[[int], str]
    store: Callable[[Engine, list[str]], None]  # the orders, in their shop, before jobs are queued
    env: Callable[[Any, str, Path, Mapping[str, object]], dict[str, str]]


def _shop_env(shop: str, marketplace: str, secrets: Callable[[Any], dict[str, str]]) -> Callable[..., dict[str, str]]:
    def env(fake: Any, db_url: str, scratch: Path, settings: Mapping[str, object]) -> dict[str, str]:
        config = write_config(scratch / f"{shop}.toml", {shop: {"marketplace": marketplace, "endpoint": fake.url}})
        return shop_worker_env(db_url, scratch, config, secrets(fake), **settings)

    return env


MARKETPLACES = {
    "taobao": Market(
        "taobao",
        FakeTaobao,
        tid,
        lambda _engine, _orders: None,  # jobs of orders not in the table go to the default (Taobao) shop
        lambda fake, db_url, scratch, settings: worker_env(fake, db_url, scratch, **settings),
    ),
    "pdd": Market(
        "pdd",
        FakePdd,
        pdd_sn,
        lambda engine, orders: store_orders(engine, PDD_SHOP, orders),
        _shop_env(PDD_SHOP, "pdd", pdd_secrets),
    ),
    "douyin": Market(
        "douyin",
        FakeDouyin,
        douyin_id,
        lambda engine, orders: store_orders(engine, DOUYIN_SHOP, orders),
        _shop_env(DOUYIN_SHOP, "douyin", lambda fake: douyin_secrets(fake, sign_method="hmac-sha256")),
    ),
}
