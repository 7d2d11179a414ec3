"""Live events across `waybill serve` processes sharing one PostgreSQL database: LISTEN/NOTIFY.

With PostgreSQL, a process does not hand an event to its own pages
directly: it NOTIFYs the channel, and every process (itself included)
LISTENs and hands what arrives to its pages.  So a supervisor sees every
desk, whichever process serves either of them.  On SQLite there is one
process per database file in practice, and the hub delivers in memory.

NOTIFY payloads are limited to 8000 bytes; a desk event is ~2 KB.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

CHANNEL = "waybill_desk_events"
MAX_PAYLOAD_BYTES = 7900
POLL_S = 1.0  # how often the listener looks at its stop flag
RECONNECT_S = 2.0

Deliver = Callable[[str, str | None, dict[str, Any]], None]


def is_postgres(db_url: str) -> bool:
    return make_url(db_url).get_backend_name() == "postgresql"


def _conninfo(db_url: str) -> str:
    return make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgRelay:
    """Sends events with NOTIFY; a thread LISTENs and delivers every event, its own included."""

    def __init__(self, db_url: str, deliver: Deliver) -> None:
        self._conninfo = _conninfo(db_url)
        self._deliver = deliver
        self._stop = threading.Event()
        self._outbox: queue.SimpleQueue[tuple[str, str | None, dict[str, Any]] | None] = queue.SimpleQueue()
        self._sender: psycopg.Connection | None = None
        self._sending = threading.Thread(target=self._send_loop, name="desk-events-notify", daemon=True)
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="desk-events-listen", daemon=True)

    def start(self, wait_s: float = 10.0) -> PgRelay:
        self._thread.start()
        self._sending.start()
        self._listening.wait(wait_s)  # events sent before LISTEN would not come back to this process
        return self

    def stop(self) -> None:
        self._stop.set()
        self._outbox.put(None)
        self._sending.join(POLL_S * 3)
        self._thread.join(POLL_S * 3)
        if self._sender is not None:
            self._sender.close()
            self._sender = None

    def send(self, kind: str, station: str | None, body: dict[str, Any]) -> None:
        """Queue the event for NOTIFY; never blocks (routes call it on the event loop)."""
        self._outbox.put((kind, station, body))

    def _send_loop(self) -> None:
        while True:
            item = self._outbox.get()
            if item is None:
                return
            kind, station, body = item
            payload = json.dumps({"kind": kind, "station": station, "body": body}, ensure_ascii=False)
            if len(payload.encode()) > MAX_PAYLOAD_BYTES:
                log.warning("desk event of %d bytes too large for NOTIFY; delivered in this process only", len(payload))
                self._deliver(kind, station, body)
                continue
            try:
                if self._sender is None or self._sender.closed:
                    self._sender = psycopg.connect(self._conninfo, autocommit=True)
                self._sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
            except psycopg.Error as exc:
                # The decision is recorded already; only the live view misses it (pages reload their lists).
                log.warning("desk event not sent to other processes: %s", exc)
                self._sender = None
                self._deliver(kind, station, body)

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=POLL_S):
                            event = json.loads(note.payload)
                            self._deliver(event["kind"], event["station"], event["body"])
            except psycopg.Error as exc:
                log.warning("desk events listener lost PostgreSQL (%s); again in %.0f s", exc, RECONNECT_S)
                self._stop.wait(RECONNECT_S)
