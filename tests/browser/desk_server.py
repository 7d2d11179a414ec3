"""A real `waybill serve` app on a free loopback port, on a real SQLite file, for the browser and API tests.

uvicorn runs in a thread of the test process (the app as `waybill serve`
builds it); `stop()` and `start()` again on the same port and database play
a server restart.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from sqlmodel import col, select

from capture import api
from capture.api import users
from capture.settings import Settings
from capture.settings import load as load_settings
from capture.store.db import session_scope
from capture.store.tables import Order
from capture.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
ORDERS = ROOT / "samples" / "orders.csv"
START_TIMEOUT_S = 20.0
PASSWORDS = {"packer": "packer-pass-1", "supervisor": "super-pass-1", "admin": "admin-pass-1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def desk_settings(folder: Path) -> Settings:
    return load_settings(env={}, db_url=f"sqlite:///{folder / 'desk.db'}", evidence_dir=str(folder / "evidence"))


@dataclass
class DeskServer:
    settings: Settings
    port: int = field(default_factory=free_port)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DeskServer:
        config = uvicorn.Config(
            create_app(self.settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=1,  # open event streams must not hold a restart up
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=f"desk-server-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"the desk server did not start on port {self.port}")

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._server = self._thread = None


def prepared_database(settings: Settings) -> None:
    """The sample orders, and one user of each role (name = role)."""
    api.import_orders(ORDERS, settings)
    for role, password in PASSWORDS.items():
        users.add_user(role, role, password, settings)


def open_order_tids(settings: Settings, count: int) -> list[str]:
    """The first `count` orders awaiting shipment, by order number."""
    with session_scope(api.database(settings)) as session:
        rows = session.exec(
            select(Order).where(col(Order.status) == "awaiting_shipment").order_by(col(Order.tid))
        ).all()
        return [o.tid for o in rows][:count]
