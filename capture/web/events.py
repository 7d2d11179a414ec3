"""Live events for the pages: each new outcome and each settled review item, as server-sent events.

One hub per process.  Facade calls run in worker threads; `publish` hands
the event to every subscriber's asyncio queue through its loop.  The last
REPLAY events are kept, so a page that reconnects with Last-Event-ID gets
what it missed while the network was down.  (Several server processes on
one PostgreSQL database relay them through LISTEN/NOTIFY: capture.web.pg_events.)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

REPLAY = 500
SUBSCRIBER_QUEUE = 200  # a page that stops reading loses events beyond this, not the server's memory
HEARTBEAT_S = 15.0  # a comment line this often: proxies keep the stream open, the page sees it alive


@dataclass(frozen=True)
class Event:
    id: int
    kind: str  # "outcome" (a new scan at a desk) | "resolved" (a review item settled)
    station: str | None
    body: dict[str, Any]

    def sse(self) -> str:
        data = json.dumps({"kind": self.kind, "station": self.station, **self.body}, ensure_ascii=False)
        return f"id: {self.id}\nevent: {self.kind}\ndata: {data}\n\n"

    def for_station(self, station: str | None) -> bool:
        # A settled review item goes to every desk: the page that scanned it knows its scan id.
        return station is None or self.kind != "outcome" or self.station == station


@dataclass
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Event]
    station: str | None


@dataclass
class EventHub:
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Ids start at the clock's milliseconds: after a restart they stay above any id a page saw before.
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(int(time.time() * 1000)))
    _recent: deque[Event] = field(default_factory=lambda: deque(maxlen=REPLAY))
    _subscribers: list[_Subscriber] = field(default_factory=list)

    # Set when processes share PostgreSQL (capture.web.pg_events): publish goes out through it,
    # and what comes back, from every process, is delivered here.
    relay: Any = None

    def publish(self, kind: str, station: str | None, body: dict[str, Any]) -> None:
        if self.relay is not None:
            self.relay.send(kind, station, body)
        else:
            self.deliver(kind, station, body)

    def deliver(self, kind: str, station: str | None, body: dict[str, Any]) -> Event:
        with self._lock:
            event = Event(next(self._ids), kind, station, body)
            self._recent.append(event)
            subscribers = list(self._subscribers)
        for sub in subscribers:
            if event.for_station(sub.station):
                sub.loop.call_soon_threadsafe(_offer, sub.queue, event)
        return event

    async def stream(self, station: str | None, last_id: int | None) -> AsyncIterator[str]:
        sub = _Subscriber(asyncio.get_running_loop(), asyncio.Queue(SUBSCRIBER_QUEUE), station)
        with self._lock:
            missed = [e for e in self._recent if last_id is not None and e.id > last_id and e.for_station(station)]
            self._subscribers.append(sub)
        try:
            yield "retry: 2000\n\n"  # the browser reconnects after 2 s when the stream drops
            for event in missed:
                yield event.sse()
            while True:
                try:
                    event = await asyncio.wait_for(sub.queue.get(), HEARTBEAT_S)
                except TimeoutError:
                    yield ": alive\n\n"
                    continue
                yield event.sse()
        finally:
            with self._lock:
                self._subscribers.remove(sub)


def _offer(queue: asyncio.Queue[Event], event: Event) -> None:
    if not queue.full():
        queue.put_nowait(event)
