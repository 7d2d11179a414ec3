"""Pinduoduo workers on one PostgreSQL queue: exactly once through races and a SIGKILL mid-send.

Workers are real `waybill upload --until-empty` processes reading a settings
file with a [shops.pdd_main] table and the shop's secrets from the
environment; the database is the session's throwaway PostgreSQL server.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from capture.store.db import session_scope
from capture.store.job_views import list_jobs
from tests.fakes.pdd_server import FakePdd, Fault
from tests.integration.shop_helpers import (
    PDD_SHOP,
    fake_pdd,
    pdd_secrets,
    pdd_sn,
    shop_worker_env,
    store_orders,
    write_config,
)
from tests.integration.test_upload_postgres import SENT_COUNT, WORKER_TIMEOUT_S, finish, statuses
from tests.integration.upload_helpers import queue_jobs, sf, waybill

__all__ = ["fake_pdd"]  # a fixture, used by name

RACE_JOBS = 600
RACE_WORKERS = 3


def pdd_env(fake: FakePdd, pg_url: str, home: Path, **settings: object) -> dict[str, str]:
    config = write_config(home / "waybill.toml", {PDD_SHOP: {"marketplace": "pdd", "endpoint": fake.url}})
    return shop_worker_env(pg_url, home, config, pdd_secrets(fake), **settings)


def queue_pdd(engine: Engine, fake: FakePdd, count: int) -> list[str]:
    orders = [pdd_sn(n) for n in range(count)]
    fake.add_orders(*orders)
    store_orders(engine, PDD_SHOP, orders)
    queue_jobs(engine, [(o, sf(n), "SF") for n, o in enumerate(orders)])
    return orders


def test_pinduoduo_workers_racing_on_one_queue_ship_every_order_once(
    pg_engine: Engine, pg_url: str, fake_pdd: FakePdd, tmp_path: Path, upload_home: Path
) -> None:
    orders = queue_pdd(pg_engine, fake_pdd, RACE_JOBS)
    fake_pdd.fail(Fault.SERVER_ERROR, times=10)
    for n in (100, 300, 500):
        fake_pdd.fail(Fault.APPLY_THEN_HANG, order_sn=orders[n], hold_s=1.0)
    env = pdd_env(fake_pdd, pg_url, tmp_path, upload_lease_s=5.0)

    results = [finish(w) for w in [waybill(["upload", "--until-empty"], env) for _ in range(RACE_WORKERS)]]

    for code, _out, err in results:
        assert code == 0, err
    sent = [int(SENT_COUNT.search(out).group(1)) for _code, out, _err in results]  # type: ignore[union-attr]
    assert sum(sent) == RACE_JOBS
    assert sum(1 for n in sent if n) >= 2  # they really shared the queue
    assert fake_pdd.stats.ships == {o: 1 for o in orders}
    assert sum(fake_pdd.stats.sends.values()) == RACE_JOBS + 10  # only the 5xx were sent again
    assert statuses(pg_engine) == {"sent": RACE_JOBS}


@pytest.mark.parametrize(
    "fault", [Fault.APPLY_THEN_HANG, Fault.TIMEOUT], ids=["after-the-platform-applied", "before-it-applied"]
)
def test_a_pinduoduo_worker_killed_mid_send_loses_its_lease_and_the_order_ships_once(
    pg_engine: Engine, pg_url: str, fake_pdd: FakePdd, tmp_path: Path, upload_home: Path, fault: Fault
) -> None:
    orders = queue_pdd(pg_engine, fake_pdd, 10)
    fake_pdd.fail(fault, order_sn=orders[0], hold_s=30)
    env = pdd_env(fake_pdd, pg_url, tmp_path, upload_timeout_s=1.0, upload_lease_s=4.0)

    doomed = waybill(["upload"], env)
    try:
        assert fake_pdd.wait_for(lambda s: s.sends[orders[0]] == 1, timeout_s=WORKER_TIMEOUT_S)
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.communicate()
    with session_scope(pg_engine) as session:
        assert [j.order_tid for j in list_jobs(session) if j.status == "sending"] == [orders[0]]

    code, _out, err = finish(waybill(["upload", "--until-empty"], env))

    assert code == 0, err
    assert fake_pdd.stats.ships == {o: 1 for o in orders}
    applied = fault is Fault.APPLY_THEN_HANG
    assert fake_pdd.stats.sends[orders[0]] == (1 if applied else 2)
    with session_scope(pg_engine) as session:
        first = next(j for j in list_jobs(session) if j.order_tid == orders[0])
    assert (first.status, first.attempts, first.shop) == ("sent", 2, PDD_SHOP)
    assert statuses(pg_engine) == {"sent": len(orders)}
    for secret in (fake_pdd.client_secret, fake_pdd.access_token):
        assert secret not in err
