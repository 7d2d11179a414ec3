"""The upload worker against the loopback Pinduoduo fake, on SQLite.

Real parts only: orders are stored under a Pinduoduo shop, jobs are queued
by the scan recorder, the worker runs end to end (api.run_upload), HTTP goes
over loopback to tests/fakes/pdd_server.py, which checks signatures and
timestamps and keeps order state.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from capture import api
from capture.errors import CredentialsError
from capture.settings import Settings
from capture.shops import ShopConfig
from capture.store.job_views import JobView
from capture.upload.worker import WorkerReport
from tests.fakes.pdd_server import INFO, SEND, FakePdd, Fault
from tests.integration.shop_helpers import PDD_SHOP, fake_pdd, pdd_secrets, pdd_sn, store_orders
from tests.integration.upload_helpers import queue_jobs, sf, upload_settings


@pytest.fixture
def settings(tmp_path: Path, upload_home: Path, fake_pdd: FakePdd) -> Settings:
    shop = ShopConfig(name=PDD_SHOP, marketplace="pdd", endpoint=fake_pdd.url)
    return upload_settings(f"sqlite:///{tmp_path / 'waybill.db'}", tmp_path / "cache", shops=(shop,))


@pytest.fixture
def engine(settings: Settings) -> Engine:
    return api.database(settings)


__all__ = ["fake_pdd"]  # a fixture, used by name


def queue_pdd(engine: Engine, fake: FakePdd, count: int) -> list[str]:
    orders = [pdd_sn(n) for n in range(count)]
    fake.add_orders(*orders)
    store_orders(engine, PDD_SHOP, orders)
    queue_jobs(engine, [(o, sf(n), "SF") for n, o in enumerate(orders)])
    return orders


def run(settings: Settings, fake: FakePdd, **secrets: str) -> WorkerReport:
    env = {**pdd_secrets(fake), **secrets}
    return api.run_upload(settings, until_empty=True, env=env, handle_signals=False)


def jobs(settings: Settings) -> dict[str, JobView]:
    return {job.order_tid: job for job in api.list_jobs(settings)}


def test_each_pinduoduo_order_is_sent_once_with_its_logistics_id(
    settings: Settings, engine: Engine, fake_pdd: FakePdd
) -> None:
    orders = queue_pdd(engine, fake_pdd, 5)

    report = run(settings, fake_pdd)

    assert report.count("sent") == 5
    assert fake_pdd.stats.ships == {o: 1 for o in orders}
    assert all(fake_pdd.orders[o].tracking_number == sf(n) for n, o in enumerate(orders))
    assert {fake_pdd.orders[o].logistics_id for o in orders} == {44}  # 顺丰快递, matched by name
    assert not fake_pdd.stats.refused  # every request was signed and timed as the platform checks
    listed = jobs(settings)
    assert {(j.status, j.shop, j.connector) for j in listed.values()} == {("sent", PDD_SHOP, "pdd")}


def test_a_reply_lost_after_the_platform_shipped_is_confirmed_not_sent_again(
    settings: Settings, engine: Engine, fake_pdd: FakePdd
) -> None:
    (order,) = queue_pdd(engine, fake_pdd, 1)
    fake_pdd.fail(Fault.APPLY_THEN_HANG, order_sn=order, hold_s=2.0)

    report = run(settings, fake_pdd)

    assert report.count("sent") == 1
    assert fake_pdd.stats.sends[order] == 1 and fake_pdd.stats.ships[order] == 1
    assert fake_pdd.stats.calls[INFO] >= 1  # it asked the platform before any second send
    assert jobs(settings)[order].last_error == "already on the order"


def test_gateway_errors_are_retried_and_sent(settings: Settings, engine: Engine, fake_pdd: FakePdd) -> None:
    orders = queue_pdd(engine, fake_pdd, 3)
    fake_pdd.fail(Fault.SERVER_ERROR, times=2)

    report = run(settings, fake_pdd)

    assert report.count("sent") == 3
    assert fake_pdd.stats.ships == {o: 1 for o in orders}


def test_a_rate_limit_ban_pauses_the_shop_until_it_ends_and_costs_no_attempt(
    settings: Settings, engine: Engine, fake_pdd: FakePdd
) -> None:
    orders = queue_pdd(engine, fake_pdd, 4)
    fake_pdd.fail(Fault.RATE_LIMIT, ban_s=2)
    started = time.monotonic()

    report = run(settings, fake_pdd)

    assert report.count("sent") == 4
    assert fake_pdd.stats.ships == {o: 1 for o in orders}
    assert min(fake_pdd.stats.ship_times) - started >= 2.0  # nothing shipped during the stated ban
    assert not fake_pdd.stats.refused  # and nothing was sent into it to be refused
    assert max(j.attempts for j in jobs(settings).values()) == 1  # the banned attempt was given back


def test_an_order_shipped_by_hand_with_another_number_goes_to_review(
    settings: Settings, engine: Engine, fake_pdd: FakePdd
) -> None:
    mine, theirs = queue_pdd(engine, fake_pdd, 2)
    fake_pdd.ship_by_hand(mine, sf(0))  # our own number: the order is as we would have made it
    fake_pdd.ship_by_hand(theirs, "SF9999999999999")

    run(settings, fake_pdd)

    listed = jobs(settings)
    assert (listed[mine].status, listed[mine].last_error) == ("sent", "already on the order")
    assert listed[theirs].status == "review"
    assert "SF9999999999999" in listed[theirs].last_error
    assert fake_pdd.stats.ships == {}


def test_a_refunded_order_goes_to_review_with_the_platforms_message(
    settings: Settings, engine: Engine, fake_pdd: FakePdd
) -> None:
    (order,) = queue_pdd(engine, fake_pdd, 1)
    fake_pdd.refund(order)

    run(settings, fake_pdd)

    job = jobs(settings)[order]
    assert job.status == "review"
    assert "不能重复发货" in job.last_error or "refunded" in job.last_error
    assert fake_pdd.stats.ships == {}


def test_a_refused_access_token_stops_the_worker_without_showing_any_secret(
    settings: Settings, engine: Engine, fake_pdd: FakePdd
) -> None:
    queue_pdd(engine, fake_pdd, 2)
    wrong = {f"WAYBILL_SHOP_{PDD_SHOP.upper()}_ACCESS_TOKEN": "WRONGTOKEN-99999999"}

    with pytest.raises(CredentialsError) as raised:
        run(settings, fake_pdd, **wrong)

    text = str(raised.value) + "".join(j.last_error for j in jobs(settings).values())
    assert "ACCESS_TOKEN" in text  # it says what to set
    for secret in ("WRONGTOKEN-99999999", fake_pdd.client_secret, fake_pdd.client_id):
        assert secret not in text
    assert {j.status for j in jobs(settings).values()} == {"pending"}


def test_missing_shop_secrets_are_named_before_anything_is_sent(
    settings: Settings, engine: Engine, fake_pdd: FakePdd
) -> None:
    queue_pdd(engine, fake_pdd, 1)

    with pytest.raises(CredentialsError) as raised:
        api.run_upload(settings, until_empty=True, env={}, handle_signals=False)

    assert "WAYBILL_SHOP_PDD_MAIN_CLIENT_ID" in str(raised.value)
    assert fake_pdd.stats.calls[SEND] == 0


def test_a_second_parcel_of_a_shipped_order_is_uploaded_as_an_extra_number(
    settings: Settings, engine: Engine, fake_pdd: FakePdd
) -> None:
    (order,) = queue_pdd(engine, fake_pdd, 1)
    assert run(settings, fake_pdd).count("sent") == 1
    queue_jobs(engine, [(order, sf(7), "SF")])  # the order's second number: its parcel 2

    report = run(settings, fake_pdd)

    assert report.count("sent") == 1
    assert fake_pdd.orders[order].tracking_number == sf(0) and fake_pdd.stats.ships[order] == 1
    assert fake_pdd.orders[order].extra_tracks == [(44, sf(7))]
    assert sorted((j.waybill, j.status) for j in api.list_jobs(settings)) == [(sf(0), "sent"), (sf(7), "sent")]
