"""The one-worker-per-SQLite guard holds however the file is named: through a symlink too.

Two real `waybill upload` processes, one given the file, one a symlink to it;
the second must be refused (exit 9), as it is when both name the file alike.
"""

from __future__ import annotations

import signal
from pathlib import Path

from capture import api
from tests.fakes.taobao_server import FakeTaobao
from tests.integration.upload_helpers import queue_jobs, sf, tid, upload_settings, waybill, worker_env

LOCK_WAIT_S = 60  # the machine is shared: a worker may take a while to start
EXIT_WORKER_RUNNING = 9


def test_a_second_worker_reaching_the_database_through_a_symlink_is_refused(
    tmp_path: Path, upload_home: Path, fake_taobao: FakeTaobao
) -> None:
    real = tmp_path / "data" / "waybill.db"
    real.parent.mkdir()
    engine = api.database(upload_settings(f"sqlite:///{real}", tmp_path / "cache"))
    fake_taobao.add_orders(tid(1))
    queue_jobs(engine, [(tid(1), sf(1), "SF")])
    link = tmp_path / "shop.db"
    link.symlink_to(real)

    first = waybill(["upload"], worker_env(fake_taobao, f"sqlite:///{real}", tmp_path))
    try:
        if not fake_taobao.wait_for(lambda s: s.ships[tid(1)] == 1, timeout_s=LOCK_WAIT_S):
            first.kill()
            raise AssertionError(first.communicate()[1])
        second = waybill(["upload", "--until-empty"], worker_env(fake_taobao, f"sqlite:///{link}", tmp_path))
        _out, err = second.communicate(timeout=60)
        assert second.returncode == EXIT_WORKER_RUNNING, err
        assert f"another upload worker (pid {first.pid} on " in err
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    again = waybill(["upload", "--until-empty"], worker_env(fake_taobao, f"sqlite:///{link}", tmp_path))
    _out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
