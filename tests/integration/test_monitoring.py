"""`watch` and `upload` with `--metrics-port`: real processes, real HTTP on loopback, the figures a shop would graph.

Same names as `waybill serve`'s /metrics (tests/browser covers that route's login).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from capture import api
from capture import settings as settings_mod
from capture.store.db import open_engine
from capture.upload.single_worker import sqlite_single_worker
from tests.fakes.taobao_server import FakeTaobao
from tests.integration.test_watch import CLEAN_A, CORRUPT, NO_LABEL, ROOT
from tests.integration.upload_helpers import queue_jobs, sf, tid, waybill, worker_env

WAIT_S = 120.0
JOBS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    code, body = get(port, "/metrics")
    if code != 200:
        return {}
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def wait_for(check: Callable[[], object], what: str) -> object:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_watch_serves_photos_by_outcome_queue_depth_and_a_health_that_misses_the_upload_worker(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'waybill.db'}"
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=db, env={}))
    api.close()
    inbox, port = tmp_path / "inbox", free_port()
    inbox.mkdir()
    env = {**os.environ, "WAYBILL_WATCH_STABLE_S": "0.3", "WAYBILL_WATCH_UNFINISHED_WAIT_S": "0"}
    watch = subprocess.Popen(
        [sys.executable, "-m", "capture.cli", "watch", str(inbox), "--db", db, "--json", "--metrics-port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: get(port, "/metrics")[0] == 200, "the metrics port")
        for photo in (CLEAN_A, NO_LABEL, CORRUPT):
            shutil.copy(photo, inbox / photo.name)
        assert watch.stdout is not None
        lines = [json.loads(watch.stdout.readline()) for _ in range(3)]
        by_status = {line["status"] for line in lines}
        assert by_status == {"queued", "no_waybill", "error"}, lines
        found = samples(port)
        assert found[("waybill_database_up", ())] == 1
        for outcome in ("queued", "no_waybill", "error"):
            assert found[("waybill_photos", (("outcome", outcome),))] == 1
        assert found[("waybill_upload_jobs", (("state", "pending"),))] == 1
        assert found[("waybill_upload_jobs", (("state", "sent"),))] == 0
        assert found[("waybill_oldest_pending_job_age_seconds", ())] > 0
        assert found[("waybill_last_successful_send_timestamp_seconds", ())] == 0
        assert ("waybill_reviews_waiting", ()) in found
        # A job waits and no upload worker runs: degraded, and it says which part (the watcher itself works: 200).
        code, body = get(port, "/healthz")
        health = json.loads(body)
        assert code == 200 and health["status"] == "degraded", body
        assert health["database"]["ok"] and health["engines"]["ok"]
        assert health["upload_worker"] == {**health["upload_worker"], "ok": False, "running": False, "waiting": 1}
        with sqlite_single_worker(db):  # the lock `waybill upload` holds while it runs
            code, body = get(port, "/healthz")
        assert code == 200 and json.loads(body)["status"] == "ok", body
        assert get(port, "/nothing")[0] == 404
    finally:
        watch.send_signal(signal.SIGTERM)
        _out, err = watch.communicate(timeout=60)
    assert watch.returncode == 0, err
    assert f"metrics: http://127.0.0.1:{port}/metrics" in err
    assert get(port, "/metrics")[0] == 0  # gone with the watcher


def test_upload_serves_its_last_send_and_an_emptied_queue(
    tmp_path: Path, fake_taobao: FakeTaobao, upload_home: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'waybill.db'}"
    engine = open_engine(db)
    orders = [tid(n) for n in range(JOBS)]
    fake_taobao.add_orders(*orders)
    queue_jobs(engine, [(t, sf(n), "SF") for n, t in enumerate(orders)])
    engine.dispose()
    port = free_port()
    started = time.time()
    worker = waybill(["upload", "--metrics-port", str(port)], worker_env(fake_taobao, db, tmp_path))
    try:
        sent = ("waybill_upload_jobs", (("state", "sent"),))
        found = wait_for(lambda: (s := samples(port)).get(sent) == JOBS and s, "every job sent")
        assert isinstance(found, dict)
        assert found[("waybill_upload_jobs", (("state", "pending"),))] == 0
        assert found[("waybill_oldest_pending_job_age_seconds", ())] == 0
        assert found[("waybill_last_successful_send_timestamp_seconds", ())] >= started - 1
        code, body = get(port, "/healthz")
        assert code == 200 and json.loads(body)["upload_worker"]["running"] is True, body
    finally:
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    assert fake_taobao.stats.ships == {t: 1 for t in orders}  # each order shipped once
