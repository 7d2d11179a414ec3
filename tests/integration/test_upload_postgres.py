"""Several upload workers on one PostgreSQL queue: exactly once through races, kills and restarts.

Workers are real `waybill upload --until-empty` processes; the database is
the session's throwaway PostgreSQL server (conftest.py); the marketplace is
the loopback fake, which counts every send and every ship per order.
"""

from __future__ import annotations

import re
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from capture.store.db import session_scope
from capture.store.job_views import list_jobs
from tests.fakes.taobao_server import SEND, FakeTaobao, Fault
from tests.integration.upload_helpers import queue_jobs, sf, tid, waybill, worker_env

RACE_JOBS = 1000
RACE_WORKERS = 3
WORKER_TIMEOUT_S = 180
SENT_COUNT = re.compile(r"upload: sent (\d+)")


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=WORKER_TIMEOUT_S)
    return process.returncode, out, err


def statuses(engine: Engine) -> Counter[str]:
    with session_scope(engine) as session:
        return Counter(job.status for job in list_jobs(session))


def test_workers_racing_on_one_queue_send_every_order_exactly_once(
    pg_engine: Engine, pg_url: str, fake_taobao: FakeTaobao, tmp_path: Path, upload_home: Path
) -> None:
    orders = [tid(n) for n in range(RACE_JOBS)]
    fake_taobao.add_orders(*orders)
    queue_jobs(pg_engine, [(t, sf(n), "SF") for n, t in enumerate(orders)])
    # Some trouble on the way: 5xx pages, and replies lost after the order shipped.
    fake_taobao.fail(Fault.SERVER_ERROR, times=10)
    for n in (100, 500, 900):
        fake_taobao.fail(Fault.APPLY_THEN_HANG, tid=orders[n], hold_s=1.0)
    env = worker_env(fake_taobao, pg_url, tmp_path, upload_lease_s=5.0)

    workers = [waybill(["upload", "--until-empty"], env) for _ in range(RACE_WORKERS)]
    results = [finish(w) for w in workers]

    for code, _out, err in results:
        assert code == 0, err
    sent_by_worker = [int(SENT_COUNT.search(out).group(1)) for _code, out, _err in results]  # type: ignore[union-attr]
    assert sum(sent_by_worker) == RACE_JOBS
    assert sum(1 for n in sent_by_worker if n) >= 2  # they really shared the queue
    assert fake_taobao.stats.ships == {t: 1 for t in orders}  # every order shipped, none twice
    # The only second sends are the 5xx retries: the lost replies were confirmed, not re-sent.
    assert sum(fake_taobao.stats.sends.values()) == RACE_JOBS + 10
    assert statuses(pg_engine) == {"sent": RACE_JOBS}


@pytest.mark.parametrize(
    "fault", [Fault.APPLY_THEN_HANG, Fault.TIMEOUT], ids=["after-the-platform-applied", "before-it-applied"]
)
def test_a_worker_killed_mid_send_loses_its_lease_and_the_order_ships_once(
    pg_engine: Engine, pg_url: str, fake_taobao: FakeTaobao, tmp_path: Path, upload_home: Path, fault: Fault
) -> None:
    orders = [tid(n) for n in range(10)]
    fake_taobao.add_orders(*orders)
    queue_jobs(pg_engine, [(t, sf(n), "SF") for n, t in enumerate(orders)])
    fake_taobao.fail(fault, tid=orders[0], hold_s=30)  # the first job's send hangs...
    env = worker_env(fake_taobao, pg_url, tmp_path, upload_timeout_s=1.0, upload_lease_s=4.0)

    doomed = waybill(["upload"], env)
    try:
        assert fake_taobao.wait_for(lambda s: s.sends[orders[0]] == 1, timeout_s=WORKER_TIMEOUT_S)
    finally:
        doomed.send_signal(signal.SIGKILL)  # ...and its worker dies in the middle of it
        doomed.communicate()
    with session_scope(pg_engine) as session:
        held = [j for j in list_jobs(session) if j.status == "sending"]
    assert [j.order_tid for j in held] == [orders[0]]

    code, _out, err = finish(waybill(["upload", "--until-empty"], env))

    assert code == 0, err
    assert fake_taobao.stats.ships == {t: 1 for t in orders}
    applied = fault is Fault.APPLY_THEN_HANG
    # Applied: the new holder asks and finds our number; not applied: it sends.
    assert fake_taobao.stats.sends[orders[0]] == (1 if applied else 2)
    with session_scope(pg_engine) as session:
        first = next(j for j in list_jobs(session) if j.order_tid == orders[0])
    assert (first.status, first.attempts) == ("sent", 2)
    assert first.last_error == ("already on the order" if applied else "")
    assert statuses(pg_engine) == {"sent": len(orders)}


def test_the_database_restarted_under_a_running_worker(
    restart_pg: Callable[[], None],
    pg_engine: Engine,
    pg_url: str,
    fake_taobao: FakeTaobao,
    tmp_path: Path,
    upload_home: Path,
) -> None:
    orders = [tid(n) for n in range(200)]
    fake_taobao.add_orders(*orders)
    fake_taobao.send_delay_s = 0.01  # long enough to restart the server mid-queue
    queue_jobs(pg_engine, [(t, sf(n), "SF") for n, t in enumerate(orders)])
    env = worker_env(fake_taobao, pg_url, tmp_path)

    worker = waybill(["upload", "--until-empty"], env)
    try:
        assert fake_taobao.wait_for(lambda s: sum(s.ships.values()) >= 30, timeout_s=WORKER_TIMEOUT_S)
        restart_pg()
        shipped_at_restart = sum(fake_taobao.stats.ships.values())
        code, _out, err = finish(worker)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert code == 0, err
    assert shipped_at_restart < len(orders)  # the restart happened with work left
    assert "database unavailable" in err  # it noticed, waited and reconnected
    assert fake_taobao.stats.ships == {t: 1 for t in orders}
    assert fake_taobao.stats.sends == {t: 1 for t in orders}
    assert statuses(pg_engine) == {"sent": len(orders)}
    assert fake_taobao.stats.calls[SEND] == len(orders)
