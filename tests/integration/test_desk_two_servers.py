"""Two `waybill serve` processes on one PostgreSQL database: a page on either sees the outcomes of both.

Live events go through LISTEN/NOTIFY (capture.web.pg_events), not process
memory.  Real processes, as a shop with several desks' servers runs them.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from capture import api
from capture import settings as settings_mod
from capture.api import users

ROOT = Path(__file__).resolve().parents[2]
START_S = 60.0
EVENT_S = 15.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def two_servers(pg_engine: Engine, pg_url: str, tmp_path: Path) -> Iterator[tuple[list[str], dict[str, str]]]:
    settings = settings_mod.load(env={}, db_url=pg_url)
    api.import_orders(ROOT / "samples" / "orders.csv", settings)
    users.add_user("boss", "supervisor", "boss-password", settings)
    headers = {"Authorization": f"Bearer {users.issue_token('boss', settings)}"}
    env = {**os.environ, "WAYBILL_EVIDENCE_DIR": str(tmp_path / "evidence")}
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "capture.cli", "serve", "--db", pg_url, "--port", str(port), "--no-voice"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, server in zip(urls, servers, strict=True):
            _wait_healthy(url, server)
        yield urls, headers
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                raise


def _wait_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"waybill serve exited: {server.stderr.read().decode() if server.stderr else ''}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"waybill serve at {url} did not start")


def watch_events(url: str, headers: dict[str, str], station: str | None) -> queue.Queue[dict[str, Any]]:
    """Read the server's event stream in a thread; each event's data lands in the queue."""
    seen: queue.Queue[dict[str, Any]] = queue.Queue()
    ready = threading.Event()

    def read() -> None:
        params = {"station": station} if station else {}
        try:
            with httpx.stream("GET", f"{url}/api/events", headers=headers, params=params, timeout=None) as stream:
                ready.set()
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        seen.put(json.loads(line[6:]))
        except httpx.HTTPError:
            pass  # the server stopped at the end of the test

    threading.Thread(target=read, daemon=True).start()
    ready.wait(EVENT_S)
    return seen


def next_event(seen: queue.Queue[dict[str, Any]], kind: str) -> dict[str, Any]:
    deadline = time.monotonic() + EVENT_S
    while time.monotonic() < deadline:
        event = seen.get(timeout=max(0.1, deadline - time.monotonic()))
        if event["kind"] == kind:
            return event
    raise AssertionError(f"no {kind} event within {EVENT_S} s")


def test_a_read_at_one_server_reaches_a_page_of_the_other_and_back(
    two_servers: tuple[list[str], dict[str, str]],
) -> None:
    (first, second), headers = two_servers
    supervisor_view = watch_events(second, headers, None)
    desk_view = watch_events(first, headers, "A")

    read = httpx.post(f"{first}/api/code", json={"text": "SF8080808080808", "station": "A"}, headers=headers)
    assert read.status_code == 200 and read.json()["status"] == "review"
    outcome = next_event(supervisor_view, "outcome")
    assert (outcome["waybill"], outcome["station"]) == ("SF8080808080808", "A")

    (item,) = httpx.get(f"{second}/api/review", headers=headers).json()
    taken = httpx.post(f"{second}/api/review/{item['id']}/reject", json={"note": "test"}, headers=headers)
    assert taken.status_code == 200
    settled = next_event(desk_view, "resolved")  # the packer's page, served by the other process
    assert settled["scan_id"] == read.json()["scan_id"] and settled["state"] == "rejected"
