"""The upload worker: claim a job, send it, record the outcome or back off; repeat.

It keeps going through the marketplace's outages (the job backs off) and
the database's (the worker waits and reconnects; a send already made is
recorded as soon as the database is back).  A rate limit with a stated ban
pauses the whole worker for the ban: every other job would hit it too.

Stopping: SIGTERM or SIGINT sets the stop flag; the job in hand is
finished and recorded, then the worker returns (a second signal stops it
at once, and the job's lease runs out and is picked up again).  With
`until_empty` it also returns when no job is pending, waiting to retry, or
held by a worker.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from capture.errors import CredentialsError
from capture.settings import Settings
from capture.store.jobs import ClaimedJob
from capture.store.tables import JobStatus
from capture.upload.connector import (
    Connector,
    Delivered,
    Misconfigured,
    NotShipped,
    Retry,
    SendOutcome,
    Shipment,
)
from capture.upload.queue import MIN_STATED_WAIT_S, Outbox, Recorded
from capture.upload.refund_guard import refund_stop

log = logging.getLogger(__name__)

T = TypeVar("T")

DB_RETRY_FIRST_S = 0.2
DB_RETRY_MAX_S = 5.0
# After a stop, how long to keep trying to record a send already made.
# Past it the lease runs out and the next holder checks the order instead.
RECORD_GRACE_S = 30.0
# Renew the lease before a send when fewer HTTP timeouts than this remain.
LEASE_MARGIN_TIMEOUTS = 2
# An idle worker never polls faster than this, even when a retry is due now
# (another worker may hold the row it cannot claim).
MIN_IDLE_WAIT_S = 0.05
WORKER_ID_RANDOM_BYTES = 4
WORKER_ID_MAX_CHARS = 128


class _Stopped:
    """Marker: the stop flag was set while the database was away."""


STOPPED = _Stopped()


@dataclass(frozen=True)
class JobResult:
    """One attempt, as the CLI reports it."""

    job_id: int
    order_tid: str
    waybill: str
    attempts: int
    status: str | None  # None: our lease was lost, nothing recorded
    message: str
    retry_in_s: float | None = None


@dataclass
class WorkerReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, status: str | None) -> None:
        key = status or "lease_lost"
        self.counts[key] = self.counts.get(key, 0) + 1

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


def new_worker_id() -> str:
    """host:pid:random - unique per process, and says where a held job is."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(WORKER_ID_RANDOM_BYTES)}"[:WORKER_ID_MAX_CHARS]


def _db_outage(exc: DBAPIError) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError)) or bool(exc.connection_invalidated)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _message(outcome: SendOutcome) -> str:
    if isinstance(outcome, Delivered):
        return outcome.note
    return outcome.reason


class Worker:
    def __init__(
        self,
        outbox: Outbox,
        connector: Connector,
        settings: Settings,
        until_empty: bool = False,
        stop: threading.Event | None = None,
        on_result: Callable[[JobResult], None] | None = None,
    ) -> None:
        self._outbox = outbox
        self._connector = connector
        self._settings = settings
        self._until_empty = until_empty
        self._stop = stop or threading.Event()
        self._on_result = on_result
        self._paused_until = 0.0
        # A connector that sends each shop with its own credentials (ShopRouter)
        # is paused per shop: one shop's ban says nothing of the others'.
        self._per_shop = bool(getattr(connector, "routes_by_shop", False))
        self._shop_paused_until: dict[str, float] = {}

    def _paused_shops(self) -> tuple[str, ...]:
        now = time.monotonic()
        return tuple(shop for shop, until in self._shop_paused_until.items() if until > now)

    def run(self) -> WorkerReport:
        report = WorkerReport()
        log.info("upload worker %s started (%s)", self._outbox.worker_id, self._connector.name)
        while not self._stop.is_set():
            pause = self._paused_until - time.monotonic()
            if pause > 0:
                self._stop.wait(pause)
                continue
            job = self._with_db(partial(self._outbox.claim, self._paused_shops()))
            if isinstance(job, _Stopped):
                break
            if job is None:
                if not self._idle():
                    break
                continue
            self._work_on(job, report)
        log.info("upload worker %s stopped: %s", self._outbox.worker_id, report.counts)
        return report

    def _idle(self) -> bool:
        """Wait for work; False when the worker should return."""
        left = self._with_db(self._outbox.work_left)
        if isinstance(left, _Stopped):
            return False
        if self._until_empty and left.empty:
            return False
        wait = self._settings.upload_idle_poll_s
        if left.wake_in_s is not None:
            wait = min(wait, left.wake_in_s)
        self._stop.wait(max(MIN_IDLE_WAIT_S, wait))
        return True

    def _work_on(self, job: ClaimedJob, report: WorkerReport) -> None:
        outcome = self._attempt(job)
        if outcome is None:
            report.add(None)
            return
        recorded = self._record(job, outcome)
        report.add(recorded.status)
        message = _message(outcome)
        log.info(
            "job %d order %s %s: %s %s", job.id, job.order_tid, job.waybill, recorded.status or "lease lost", message
        )
        if self._on_result:
            retry_in = recorded.delay_s if recorded.status == JobStatus.PENDING.value else None
            self._on_result(
                JobResult(job.id, job.order_tid, job.waybill, job.attempts, recorded.status, message, retry_in)
            )
        if isinstance(outcome, Misconfigured):
            raise CredentialsError(outcome.reason, outcome.hint)
        if isinstance(outcome, Retry) and outcome.pause_all:
            pause = max(outcome.wait_s or 0.0, MIN_STATED_WAIT_S)
            if self._per_shop:
                log.warning("shop %s: pausing its sends for %.0fs", job.shop, pause)
                self._shop_paused_until[job.shop] = time.monotonic() + pause
            else:
                log.warning("%s: pausing all sends for %.0fs", self._connector.name, pause)
                self._paused_until = time.monotonic() + pause

    def _attempt(self, job: ClaimedJob) -> SendOutcome | None:
        """Check (if an earlier attempt may have gone through) and send; None if the lease was lost."""
        lease_end = time.monotonic() + self._settings.upload_lease_s
        shipment = Shipment(job.id, job.order_tid, job.waybill, job.carrier, job.created_at, job.shop, job.parcel)
        try:
            if job.outcome_unknown:
                checked = self._connector.check(shipment)
                if not isinstance(checked, NotShipped):
                    return checked
                if job.attempts > self._settings.upload_max_attempts:
                    return Retry("no attempts left; the order is still not shipped on the marketplace")
            stored = self._with_db(lambda: self._outbox.stored_refund(job.order_tid))
            if isinstance(stored, _Stopped):
                return None
            stop = refund_stop(shipment, stored, self._connector)
            if stop is not None:
                return stop
            if not self._keep_lease(job, lease_end):
                log.warning("job %d: lease lost before sending; left to its new holder", job.id)
                return None
            return self._connector.send(shipment)
        except Exception as exc:
            details = self._connector.redact("".join(traceback.format_exception(exc)))
            log.error("job %d: unexpected error in the %s connector:\n%s", job.id, self._connector.name, details)
            return Retry(f"unexpected error: {type(exc).__name__}: {self._connector.redact(str(exc))}")

    def _keep_lease(self, job: ClaimedJob, lease_end: float) -> bool:
        """Renew the lease if the send could outlast it; False if another worker has the job now."""
        if lease_end - time.monotonic() >= LEASE_MARGIN_TIMEOUTS * self._settings.upload_timeout_s:
            return True
        return self._with_db(lambda: self._outbox.extend_lease(job)) is True

    def _record(self, job: ClaimedJob, outcome: SendOutcome) -> Recorded:
        recorded = self._with_db(lambda: self._outbox.record(job, outcome), keep_trying_s=RECORD_GRACE_S)
        if isinstance(recorded, _Stopped):
            log.warning(
                "job %d: stopped before its result could be recorded; the next attempt checks the order first", job.id
            )
            return Recorded(None)
        return recorded

    def _with_db(self, action: Callable[[], T], keep_trying_s: float = 0.0) -> T | _Stopped:
        """Run a database action, waiting out outages; STOPPED once stopping and past `keep_trying_s`."""
        delay = DB_RETRY_FIRST_S
        give_up_at: float | None = None
        while True:
            try:
                return action()
            except DBAPIError as exc:
                if not _db_outage(exc):
                    raise
                reason = _first_line(exc)
            if self._stop.is_set():
                give_up_at = give_up_at if give_up_at is not None else time.monotonic() + keep_trying_s
                if time.monotonic() >= give_up_at:
                    return STOPPED
            log.warning("database unavailable (%s); trying again in %.1fs", reason, delay)
            if self._stop.is_set():
                time.sleep(delay)
            else:
                self._stop.wait(delay)
            delay = min(delay * 2, DB_RETRY_MAX_S)


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM/SIGINT set `stop` once; the next one acts as it would have without us."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    watched = (signal.SIGTERM, signal.SIGINT)
    previous = {sig: signal.getsignal(sig) for sig in watched}

    def handle(signum: int, _frame: object) -> None:
        log.warning("%s: finishing the current job, then stopping (again to stop at once)", signal.Signals(signum).name)
        stop.set()
        for sig in watched:
            signal.signal(sig, previous[sig])

    for sig in watched:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig in watched:
            signal.signal(sig, previous[sig])
