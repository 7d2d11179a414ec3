"""The upload worker against the loopback Taobao fake, on SQLite.

Real parts only: jobs are queued by the scan recorder, the worker runs the
product's code end to end (api.run_upload), HTTP goes over loopback to
tests/fakes/taobao_server.py, which checks signatures and keeps order state.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from capture import api
from capture.errors import CredentialsError
from capture.settings import Settings
from capture.store.db import session_scope
from capture.store.job_views import JobView
from capture.store.order_source import OrderRow, upsert_orders
from capture.store.tables import Order, OrderStatus
from capture.upload.worker import JobResult, WorkerReport
from tests.fakes.taobao_server import SHIPPINGS, FakeTaobao, Fault
from tests.integration.upload_helpers import credentials_env, queue_jobs, sf, tid, upload_settings

OFFLINE = "isv.logistics-offline-service-error"


@pytest.fixture
def settings(tmp_path: Path, upload_home: Path) -> Settings:
    return upload_settings(f"sqlite:///{tmp_path / 'waybill.db'}", tmp_path / "cache")


@pytest.fixture
def engine(settings: Settings) -> Engine:
    return api.database(settings)


def run(settings: Settings, fake: FakeTaobao, results: list[JobResult] | None = None) -> WorkerReport:
    collect = results.append if results is not None else None
    return api.run_upload(
        settings, until_empty=True, env=credentials_env(fake), on_result=collect, handle_signals=False
    )


def jobs_by_order(settings: Settings) -> dict[str, JobView]:
    return {job.order_tid: job for job in api.list_jobs(settings)}


def test_a_queue_is_sent_once_per_order_and_the_worker_exits_when_empty(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    orders = [tid(n) for n in range(5)]
    fake_taobao.add_orders(*orders)
    queue_jobs(engine, [(t, sf(n), "SF") for n, t in enumerate(orders)])

    report = run(settings, fake_taobao)

    assert report.count("sent") == 5
    assert fake_taobao.stats.sends == {t: 1 for t in orders}
    assert fake_taobao.stats.ships == {t: 1 for t in orders}
    assert all(fake_taobao.orders[t].out_sid == sf(n) for n, t in enumerate(orders))
    jobs = jobs_by_order(settings)
    assert {j.status for j in jobs.values()} == {"sent"}
    assert all(j.response_id and j.sent_at and j.claimed_by is None for j in jobs.values())
    # The company list was fetched once and cached for the next worker.
    assert fake_taobao.stats.calls["taobao.logistics.companies.get"] == 1
    assert list((Path(settings.cache_dir)).glob("taobao-companies-*.json"))


def test_sent_orders_are_marked_shipped_for_matching(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    row = OrderRow(
        tid(1),
        OrderStatus.AWAITING_SHIPMENT,
        "WAIT_SELLER_SEND_GOODS",
        "b",
        "张三",
        "13812345678",
        "5678",
        "杭州",
        None,
        "",
    )
    with session_scope(engine) as session:
        upsert_orders(session, [row], source="test")
    fake_taobao.add_orders(tid(1))
    queue_jobs(engine, [(tid(1), sf(1), "SF")])
    run(settings, fake_taobao)
    with session_scope(engine) as session:
        order = session.get(Order, tid(1))
        assert order is not None and (order.status, order.waybill) == (OrderStatus.SHIPPED.value, sf(1))


def test_retries_through_5xx_timeouts_and_platform_faults(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    orders = [tid(n) for n in range(3)]
    fake_taobao.add_orders(*orders)
    queue_jobs(engine, [(t, sf(n), "SF") for n, t in enumerate(orders)])
    fake_taobao.fail(Fault.SERVER_ERROR, tid=orders[0], times=2)
    fake_taobao.fail(Fault.TIMEOUT, tid=orders[1], hold_s=1.5)  # past the 0.5 s client timeout, not applied
    fake_taobao.fail(
        Fault.ERROR, tid=orders[2], sub_code="isp.top-remote-connection-timeout", sub_msg="远程服务调用超时"
    )

    report = run(settings, fake_taobao)

    assert report.count("sent") == 3
    assert fake_taobao.stats.ships == {t: 1 for t in orders}
    assert fake_taobao.stats.sends == {orders[0]: 3, orders[1]: 2, orders[2]: 2}
    jobs = jobs_by_order(settings)
    assert [jobs[t].attempts for t in orders] == [3, 2, 2]


def test_a_send_applied_but_unanswered_is_confirmed_not_sent_again(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    fake_taobao.add_orders(tid(1))
    queue_jobs(engine, [(tid(1), sf(1), "SF")])
    fake_taobao.fail(Fault.APPLY_THEN_HANG, tid=tid(1), hold_s=1.5)  # shipped, reply lost to the timeout

    run(settings, fake_taobao)

    assert fake_taobao.stats.sends[tid(1)] == 1  # the second attempt asked, and did not send
    assert fake_taobao.stats.ships[tid(1)] == 1
    assert fake_taobao.stats.calls[SHIPPINGS] == 1
    job = jobs_by_order(settings)[tid(1)]
    assert (job.status, job.attempts, job.last_error) == ("sent", 2, "already on the order")


def test_a_rate_limit_pauses_the_worker_for_the_stated_ban_without_using_attempts(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    orders = [tid(n) for n in range(3)]
    fake_taobao.add_orders(*orders)
    queue_jobs(engine, [(t, sf(n), "SF") for n, t in enumerate(orders)])
    ban_s = 2
    fake_taobao.fail(Fault.RATE_LIMIT, tid=orders[0], ban_s=ban_s)
    started = time.monotonic()

    report = run(settings, fake_taobao)

    assert report.count("sent") == 3
    assert fake_taobao.stats.refused[7] == 0  # nothing was sent into the ban: the worker waited it out
    first_send = min(t for times in fake_taobao.stats.send_times.values() for t in times)
    resumed = min(fake_taobao.stats.ship_times)
    assert resumed - first_send >= ban_s
    assert time.monotonic() - started < ban_s + 5
    assert jobs_by_order(settings)[orders[0]].attempts == 1  # the limited attempt was given back


def test_an_invalid_number_goes_to_review_with_the_platform_message(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    fake_taobao.add_orders(tid(1), tid(2))
    queue_jobs(engine, [(tid(1), sf(1), "SF"), (tid(2), sf(2), "SF")])
    fake_taobao.fail(Fault.ERROR, tid=tid(1), sub_code=f"{OFFLINE}:B60", sub_msg="运单号不符合规则或已经被使用")

    report = run(settings, fake_taobao)

    assert (report.count("review"), report.count("sent")) == (1, 1)
    job = jobs_by_order(settings)[tid(1)]
    assert job.status == "review" and job.attempts == 1
    assert "B60" in job.last_error and "运单号不符合规则或已经被使用" in job.last_error
    assert fake_taobao.stats.sends[tid(1)] == 1  # permanent: not retried


def test_a_number_breaking_the_companys_rule_is_never_sent(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    fake_taobao.add_orders(tid(1))
    queue_jobs(engine, [(tid(1), "YT12345", "YTO")])  # YTO numbers are YT + 13 digits on Taobao
    run(settings, fake_taobao)
    job = jobs_by_order(settings)[tid(1)]
    assert job.status == "review" and "number rule" in job.last_error
    assert fake_taobao.stats.sends[tid(1)] == 0


def test_already_shipped_with_our_number_is_sent(settings: Settings, engine: Engine, fake_taobao: FakeTaobao) -> None:
    fake_taobao.add_orders(tid(1))
    fake_taobao.ship_by_hand(tid(1), sf(1))  # B04 on send
    queue_jobs(engine, [(tid(1), sf(1), "SF")])
    run(settings, fake_taobao)
    job = jobs_by_order(settings)[tid(1)]
    assert (job.status, job.last_error) == ("sent", "already on the order")
    assert fake_taobao.stats.ships[tid(1)] == 0


def test_already_shipped_with_another_number_goes_to_review(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    fake_taobao.add_orders(tid(1), tid(2))
    fake_taobao.ship_by_hand(tid(1), sf(99))
    fake_taobao.close_order(tid(2))
    queue_jobs(engine, [(tid(1), sf(1), "SF"), (tid(2), sf(2), "SF")])
    run(settings, fake_taobao)
    jobs = jobs_by_order(settings)
    assert jobs[tid(1)].status == "review" and sf(99) in jobs[tid(1)].last_error
    assert jobs[tid(2)].status == "review" and "B04" in jobs[tid(2)].last_error  # closed: no number on it


def test_a_job_is_dead_after_the_last_attempt(settings: Settings, engine: Engine, fake_taobao: FakeTaobao) -> None:
    fake_taobao.add_orders(tid(1))
    queue_jobs(engine, [(tid(1), sf(1), "SF")])
    fake_taobao.fail(Fault.SERVER_ERROR, tid=tid(1), times=100)

    report = run(settings, fake_taobao)

    assert report.count("dead") == 1
    job = jobs_by_order(settings)[tid(1)]
    assert job.status == "dead" and job.attempts == settings.upload_max_attempts
    assert job.last_error.startswith(f"gave up after {settings.upload_max_attempts} attempts: HTTP 502")
    assert fake_taobao.stats.sends[tid(1)] == settings.upload_max_attempts

    # A person retries it once the platform is well again.
    fake_taobao.clear_faults()
    change = api.retry_jobs(settings, [])
    assert change.changed == [job.id]
    run(settings, fake_taobao)
    assert jobs_by_order(settings)[tid(1)].status == "sent"
    assert fake_taobao.stats.ships[tid(1)] == 1


def test_refused_credentials_stop_the_worker_and_leave_the_job_untouched(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    fake_taobao.add_orders(tid(1))
    queue_jobs(engine, [(tid(1), sf(1), "SF")])
    fake_taobao.fail(Fault.INVALID_SESSION, tid=tid(1))
    with pytest.raises(CredentialsError) as caught:
        run(settings, fake_taobao)
    assert "session" in caught.value.hint
    assert fake_taobao.session not in str(caught.value)  # the platform quoted it; we did not
    job = jobs_by_order(settings)[tid(1)]
    assert (job.status, job.attempts) == ("pending", 0)
    assert fake_taobao.session not in job.last_error
