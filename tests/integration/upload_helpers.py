"""Shared by the upload tests: queue jobs the way a scan does, settings and env for a worker."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from capture import settings as settings_mod
from capture.store.db import session_scope
from capture.store.repo import ScanRecord
from tests.fakes.taobao_server import FakeTaobao
from tests.scan_rows import record_scan

ROOT = Path(__file__).resolve().parents[2]
BASE_TID = 2751925651837800000

# Short everything: a test waits seconds, not minutes, for leases and backoff.
FAST = {
    "upload_timeout_s": 0.5,
    "upload_lease_s": 2.0,
    "upload_backoff_s": 0.05,
    "upload_backoff_max_s": 0.2,
    "upload_max_attempts": 4,
    "upload_idle_poll_s": 0.05,
}


def tid(n: int) -> str:
    return str(BASE_TID + n)


def sf(n: int) -> str:
    return f"SF{n:013d}"


def queue_jobs(engine: Engine, jobs: Iterable[tuple[str, str, str]]) -> None:
    """Write (order, waybill, carrier) jobs through the scan recorder, as a scan queues them."""
    with session_scope(engine) as session:
        for order_tid, waybill, carrier in jobs:
            record = ScanRecord(
                path=f"/photos/{order_tid}.jpg",
                sha256="0" * 64,
                status="queued",
                waybill=waybill,
                carrier=carrier,
                via="barcode",
                confidence=0.99,
                order_tid=order_tid,
                reasons=[],
                evidence={},
                engines="zxing",
                ms=1.0,
            )
            record_scan(session, record, queue=True)


def upload_settings(db_url: str, cache_dir: Path, **overrides: Any) -> settings_mod.Settings:
    return settings_mod.load(env={}, db_url=db_url, cache_dir=str(cache_dir), **{**FAST, **overrides})


def credentials_env(fake: FakeTaobao) -> dict[str, str]:
    return {
        "WAYBILL_TAOBAO_ENDPOINT": fake.url,
        "WAYBILL_TAOBAO_APP_KEY": fake.app_key,
        "WAYBILL_TAOBAO_APP_SECRET": fake.app_secret,
        "WAYBILL_TAOBAO_SESSION": fake.session,
    }


def worker_env(fake: FakeTaobao, db_url: str, home: Path, **settings: object) -> dict[str, str]:
    """Environment for a `waybill` subprocess: credentials, fast settings, its own config dirs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYBILL_")}
    env.update(credentials_env(fake))
    env["WAYBILL_DB_URL"] = db_url
    env["WAYBILL_CACHE_DIR"] = str(home / "cache")
    env["XDG_CONFIG_HOME"] = str(home / "config")  # no user config or secrets file
    for name, value in {**FAST, **settings}.items():
        env["WAYBILL_" + name.upper()] = str(value)
    return env


def waybill(args: list[str], env: Mapping[str, str], **popen: Any) -> subprocess.Popen:
    """Start the real console command (as `python -m capture.cli`)."""
    return subprocess.Popen(
        [sys.executable, "-m", "capture.cli", *args],
        cwd=ROOT,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )
