"""The upload worker against the loopback Douyin (抖店) fake: on SQLite in process, on PostgreSQL as processes.

The fake checks the path, signature (md5 and hmac-sha256), timestamp and
token of every call and keeps order state.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from capture import api
from capture.api.orders import find_order
from capture.errors import CredentialsError
from capture.settings import Settings
from capture.shops import ShopConfig
from capture.store.db import session_scope
from capture.store.job_views import JobView, list_jobs
from capture.upload.worker import WorkerReport
from tests.fakes.douyin_server import DETAIL, SEARCH, FakeDouyin, Fault
from tests.integration.shop_helpers import (
    DOUYIN_SHOP,
    douyin_id,
    douyin_secrets,
    fake_douyin,
    shop_worker_env,
    store_orders,
    write_config,
)
from tests.integration.test_upload_postgres import SENT_COUNT, WORKER_TIMEOUT_S, finish, statuses
from tests.integration.upload_helpers import queue_jobs, sf, upload_settings, waybill

__all__ = ["fake_douyin"]  # a fixture, used by name


@pytest.fixture
def settings(tmp_path: Path, upload_home: Path, fake_douyin: FakeDouyin) -> Settings:
    shop = ShopConfig(name=DOUYIN_SHOP, marketplace="douyin", endpoint=fake_douyin.url)
    return upload_settings(f"sqlite:///{tmp_path / 'waybill.db'}", tmp_path / "cache", shops=(shop,))


def queue_douyin(engine: Engine, fake: FakeDouyin, count: int) -> list[str]:
    orders = [douyin_id(n) for n in range(count)]
    fake.add_orders(*orders)
    store_orders(engine, DOUYIN_SHOP, orders)
    queue_jobs(engine, [(o, sf(n), "SF") for n, o in enumerate(orders)])
    return orders


def run(settings: Settings, fake: FakeDouyin, sign_method: str = "md5", **extra: str) -> WorkerReport:
    env = {**douyin_secrets(fake, sign_method=sign_method), **extra}
    return api.run_upload(settings, until_empty=True, env=env, handle_signals=False)


def jobs(settings: Settings) -> dict[str, JobView]:
    return {job.order_tid: job for job in api.list_jobs(settings)}


@pytest.mark.parametrize("sign_method", ["md5", "hmac-sha256"])
def test_each_douyin_order_is_sent_once_signed_either_way(
    settings: Settings, fake_douyin: FakeDouyin, sign_method: str
) -> None:
    orders = queue_douyin(api.database(settings), fake_douyin, 4)

    report = run(settings, fake_douyin, sign_method)

    assert report.count("sent") == 4
    assert fake_douyin.stats.ships == {o: 1 for o in orders}
    assert {fake_douyin.orders[o].company for o in orders} == {"shunfeng"}
    assert not fake_douyin.stats.refused
    assert {(j.status, j.shop, j.connector) for j in jobs(settings).values()} == {("sent", DOUYIN_SHOP, "douyin")}


def test_a_lost_reply_is_confirmed_from_the_order_not_sent_again(settings: Settings, fake_douyin: FakeDouyin) -> None:
    (order,) = queue_douyin(api.database(settings), fake_douyin, 1)
    fake_douyin.fail(Fault.APPLY_THEN_HANG, order_id=order, hold_s=2.0)

    run(settings, fake_douyin)

    assert fake_douyin.stats.sends[order] == 1 and fake_douyin.stats.ships[order] == 1
    assert fake_douyin.stats.calls[DETAIL] >= 1
    assert jobs(settings)[order].last_error == "already on the order"


def test_a_flow_limit_pauses_the_shop_and_5xx_are_retried(settings: Settings, fake_douyin: FakeDouyin) -> None:
    orders = queue_douyin(api.database(settings), fake_douyin, 4)
    fake_douyin.fail(Fault.RATE_LIMIT, ban_s=2)
    fake_douyin.fail(Fault.SERVER_ERROR, times=2)
    started = time.monotonic()

    run(settings, fake_douyin)

    assert fake_douyin.stats.ships == {o: 1 for o in orders}
    assert min(fake_douyin.stats.ship_times) - started >= 2.0
    assert not fake_douyin.stats.refused


def test_shipped_by_hand_or_cancelled_goes_to_review_and_our_own_number_counts_as_sent(
    settings: Settings, fake_douyin: FakeDouyin
) -> None:
    mine, theirs, cancelled = queue_douyin(api.database(settings), fake_douyin, 3)
    fake_douyin.ship_by_hand(mine, sf(0))
    fake_douyin.ship_by_hand(theirs, "SF9999999999999")
    fake_douyin.cancel(cancelled)

    run(settings, fake_douyin)

    listed = jobs(settings)
    assert (listed[mine].status, listed[mine].last_error) == ("sent", "already on the order")
    assert listed[theirs].status == "review" and "SF9999999999999" in listed[theirs].last_error
    assert listed[cancelled].status == "review" and "订单已发货或已取消" in listed[cancelled].last_error
    assert fake_douyin.stats.ships == {}


def test_a_refused_token_stops_the_worker_and_no_secret_is_shown(settings: Settings, fake_douyin: FakeDouyin) -> None:
    queue_douyin(api.database(settings), fake_douyin, 1)
    wrong = {f"WAYBILL_SHOP_{DOUYIN_SHOP.upper()}_ACCESS_TOKEN": "WRONGTOKEN-99999999"}

    with pytest.raises(CredentialsError) as raised:
        run(settings, fake_douyin, **wrong)

    text = str(raised.value) + "".join(j.last_error for j in jobs(settings).values())
    assert "ACCESS_TOKEN" in text
    for secret in ("WRONGTOKEN-99999999", fake_douyin.app_secret, fake_douyin.app_key):
        assert secret not in text


def test_orders_pull_for_a_douyin_shop_stores_encrypted_receivers_as_unknown(
    settings: Settings, fake_douyin: FakeDouyin
) -> None:
    fake_douyin.add_orders(*(douyin_id(n) for n in range(130)))

    report = api.pull_orders(settings, env=douyin_secrets(fake_douyin), shop=DOUYIN_SHOP)

    assert (report.added, report.pages, report.skipped) == (130, 2, 0)
    assert fake_douyin.stats.calls[SEARCH] == 2
    found = find_order(douyin_id(5), settings)
    assert found is not None and found.shop == DOUYIN_SHOP and found.status == "awaiting_shipment"
    assert (found.receiver_name, found.phone_tail) == ("", "5678")


# --- PostgreSQL, real processes ------------------------------------------------


def douyin_env(fake: FakeDouyin, pg_url: str, home: Path, **settings: object) -> dict[str, str]:
    config = write_config(home / "waybill.toml", {DOUYIN_SHOP: {"marketplace": "douyin", "endpoint": fake.url}})
    return shop_worker_env(pg_url, home, config, douyin_secrets(fake, sign_method="hmac-sha256"), **settings)


def test_douyin_workers_racing_on_postgres_ship_every_order_once(
    pg_engine: Engine, pg_url: str, fake_douyin: FakeDouyin, tmp_path: Path, upload_home: Path
) -> None:
    orders = queue_douyin(pg_engine, fake_douyin, 600)
    fake_douyin.fail(Fault.SERVER_ERROR, times=10)
    for n in (100, 300, 500):
        fake_douyin.fail(Fault.APPLY_THEN_HANG, order_id=orders[n], hold_s=1.0)
    env = douyin_env(fake_douyin, pg_url, tmp_path, upload_lease_s=5.0)

    results = [finish(w) for w in [waybill(["upload", "--until-empty"], env) for _ in range(3)]]

    for code, _out, err in results:
        assert code == 0, err
    sent = [int(SENT_COUNT.search(out).group(1)) for _code, out, _err in results]  # type: ignore[union-attr]
    assert sum(sent) == 600 and sum(1 for n in sent if n) >= 2
    assert fake_douyin.stats.ships == {o: 1 for o in orders}
    assert sum(fake_douyin.stats.sends.values()) == 600 + 10
    assert statuses(pg_engine) == {"sent": 600}


@pytest.mark.parametrize("fault", [Fault.APPLY_THEN_HANG, Fault.TIMEOUT], ids=["applied", "not-applied"])
def test_a_douyin_worker_killed_mid_send_leaves_the_order_shipped_once(
    pg_engine: Engine, pg_url: str, fake_douyin: FakeDouyin, tmp_path: Path, upload_home: Path, fault: Fault
) -> None:
    orders = queue_douyin(pg_engine, fake_douyin, 10)
    fake_douyin.fail(fault, order_id=orders[0], hold_s=30)
    env = douyin_env(fake_douyin, pg_url, tmp_path, upload_timeout_s=1.0, upload_lease_s=4.0)

    doomed = waybill(["upload"], env)
    try:
        assert fake_douyin.wait_for(lambda s: s.sends[orders[0]] == 1, timeout_s=WORKER_TIMEOUT_S)
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.communicate()

    code, _out, err = finish(waybill(["upload", "--until-empty"], env))

    assert code == 0, err
    assert fake_douyin.stats.ships == {o: 1 for o in orders}
    assert fake_douyin.stats.sends[orders[0]] == (1 if fault is Fault.APPLY_THEN_HANG else 2)
    with session_scope(pg_engine) as session:
        first = next(j for j in list_jobs(session) if j.order_tid == orders[0])
    assert (first.status, first.attempts) == ("sent", 2)
