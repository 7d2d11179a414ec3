"""The facade's side of monitoring: the database's figures, and whether each part is alive.

/healthz answers three questions (issue 15): can the database be read, do
the engines work, is an upload worker running.  How each is known:

- database: the figures' own read through the process's engine, now (503 when it fails).
- engines: the process says (`EnginesCheck`): `serve` builds them (once),
  `watch` reports what its worker processes did with the last photos, and
  `upload` uses none.
- upload worker: on SQLite, whether the worker's lock file is held (by any
  process on this machine); on PostgreSQL, whether a session named
  `waybill upload` is in pg_stat_activity (the CLI names its sessions).  No
  worker is "degraded" only when jobs are waiting to be sent, and the answer
  stays 200: it is another process's trouble, and a load balancer should
  keep a server that works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text

from capture import __version__
from capture.api.runtime import database, engines
from capture.errors import EngineUnavailable
from capture.settings import Settings
from capture.store.db import session_scope, sqlite_file
from capture.store.restore import worker_holding
from capture.store.stats import QueueStats, queue_stats
from capture.upload.single_worker import lock_path

EnginesCheck = Callable[[], tuple[bool, str]]
UPLOAD_APP_NAME = "waybill upload"


def read_stats(settings: Settings) -> QueueStats:
    with session_scope(database(settings)) as session:
        return queue_stats(session)


def _upload_worker(settings: Settings) -> tuple[bool | None, str]:
    """(running?, who) — None when it cannot be told."""
    if sqlite_file(settings.db_url) is not None:
        holder = worker_holding(lock_path(settings.db_url))
        return (True, holder) if holder else (False, "no upload worker holds the lock")
    with database(settings).connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = :n"),
            {"n": UPLOAD_APP_NAME},
        ).all()
    return (True, f"{len(pids)} session(s) of `waybill upload`") if pids else (False, "no `waybill upload` session")


def health(settings: Settings, engines: EnginesCheck) -> tuple[bool, dict[str, Any]]:
    """(this process can work, the /healthz body)."""
    body: dict[str, Any] = {"version": __version__}
    try:
        stats = read_stats(settings)  # a read of every table the figures need, now
        body["database"] = {"ok": True}
    except Exception as exc:  # reported, not raised: the answer is the point
        body["database"] = {"ok": False, "detail": str(exc).splitlines()[0]}
        body["status"] = "degraded"
        return False, body
    engines_ok, engines_detail = engines()
    body["engines"] = {"ok": engines_ok, "detail": engines_detail}
    waiting = sum(stats.jobs_by_state.get(s, 0) for s in ("pending", "sending"))
    running, who = _upload_worker(settings)
    body["upload_worker"] = {"ok": bool(running) or waiting == 0, "running": running, "detail": who, "waiting": waiting}
    body["status"] = "ok" if engines_ok and body["upload_worker"]["ok"] else "degraded"
    # The HTTP status is this process's: it can do its job (503 when it cannot).  A missing
    # upload worker is another process's trouble: "degraded" in the body, still 200.
    return engines_ok, body


def engines_built(settings: Settings) -> tuple[bool, str]:
    """For `serve`, which reads photos itself: the engines are built (once; later calls reuse them)."""
    try:
        built = engines(settings)
    except Exception as exc:  # an engine that cannot be built is the answer, not a crash of /healthz
        return False, str(exc).splitlines()[0]
    return True, f"{type(built.barcode).__name__} and {type(built.ocr).__name__} loaded"


def no_engines() -> tuple[bool, str]:
    return True, "not used by this process"


@contextmanager
def monitoring(settings: Settings, port: int | None, engines: EnginesCheck = no_engines) -> Iterator[int | None]:
    """/metrics and /healthz on `port` for the block (None: no server); yields the port."""
    if port is None:
        yield None
        return
    try:  # prometheus-client comes with the web extra
        from capture.monitoring.metrics import database_registry
        from capture.monitoring.server import serving
    except ImportError as exc:
        raise EngineUnavailable(
            f"--metrics-port needs prometheus-client, from the web extra ({exc.name} is missing)",
            "install it: uv sync --locked --extra web",
        ) from exc

    registry = database_registry(lambda: read_stats(settings))
    with serving(settings.metrics_host, port, registry, lambda: health(settings, engines)) as bound:
        yield bound
