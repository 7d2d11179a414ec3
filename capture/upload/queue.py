"""The outbox as a worker uses it: claim a job, then record what its send came to.

State machine (JobStatus; the SQL is in store/jobs.py):

    pending --claim--> sending --Delivered-------------------> sent
       ^                  |  \\--Refused----------------------> review
       |                  |   \\-Retry, attempts left---------> pending (next_attempt_at = now + backoff)
       |                  |    \\-Retry, attempts used up----> dead
       |                  \\--lease ran out (worker died)----> claimed again (sending)
       \\---------------- queue retry <---- review | dead | exported
    pending --queue export--> exported;  pending | review | dead | exported --queue cancel--> cancelled

Why no job is sent twice:

* claim-but-not-sent (the worker dies before its request): the lease runs
  out, another worker claims the job and sends it; the platform saw nothing.
* sent-but-not-acknowledged (the worker dies, or the reply or the database
  is lost, after the platform applied it): the job comes back with
  attempts > 1, and the worker first asks the platform what the order has
  (Connector.check).  Our number there means sent, without a second send.
* two holders at once: a claim is one UPDATE that only takes a row that is
  due (pending and due, or sending with its lease run out), under FOR UPDATE
  SKIP LOCKED on PostgreSQL; recording is fenced on (sending, claimed_by =
  us), and a lease covers several HTTP timeouts (settings).  Should a worker
  stall past its lease anyway, the platform itself refuses to ship an order
  twice (B04), which check turns into "sent" or "review".

Backoff: upload_backoff_s * 2^(attempt-1), capped at upload_backoff_max_s,
with "equal jitter" (half fixed, half random) so workers that failed together
do not retry together; a wait the platform states (a ban) is a floor.
Rate limits do not count as attempts: a long ban must not kill jobs.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from capture.settings import Settings
from capture.store import job_views, jobs
from capture.store.db import session_scope
from capture.store.order_refunds import StoredRefund, stored_refund
from capture.store.tables import JobStatus
from capture.upload.connector import (
    Delivered,
    Misconfigured,
    Refused,
    Retry,
    SendOutcome,
)
from capture.upload.taobao_orders import SOURCE as PULL_SOURCE

log = logging.getLogger(__name__)

# Even a stated wait of 0 ("ban will last for 0 more seconds") waits this long.
MIN_STATED_WAIT_S = 0.5
JITTER_FIXED_SHARE = 0.5


@dataclass(frozen=True)
class Recorded:
    """Where a job went after an attempt (None status: our lease was lost, nothing written)."""

    status: str | None
    delay_s: float = 0.0


def backoff_s(attempts: int, settings: Settings, rng: random.Random) -> float:
    ceiling = min(settings.upload_backoff_max_s, settings.upload_backoff_s * 2 ** max(0, attempts - 1))
    return ceiling * (JITTER_FIXED_SHARE + (1 - JITTER_FIXED_SHARE) * rng.random())


def retry_delay_s(outcome: Retry, attempts: int, settings: Settings, rng: random.Random) -> float:
    delay = backoff_s(attempts, settings, rng) if outcome.counted else 0.0
    if outcome.wait_s is not None:
        delay = max(delay, outcome.wait_s, MIN_STATED_WAIT_S)
    return delay


class Outbox:
    """One worker's view of the queue."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        worker_id: str,
        connector: str | Callable[[str], str],
        rng: random.Random | None = None,
        shops: tuple[str, ...] = (),
    ) -> None:
        self._engine = engine
        self._settings = settings
        self.worker_id = worker_id
        # What the sent job's `connector` column says: one name, or the shop's marketplace.
        self._connector_of: Callable[[str], str] = connector if callable(connector) else (lambda _shop: connector)
        self._rng = rng or random.Random()
        self.shops = shops  # empty: every shop's jobs

    def claim(self, skip_shops: tuple[str, ...] = ()) -> jobs.ClaimedJob | None:
        with session_scope(self._engine) as session:
            return jobs.claim(session, self.worker_id, self._settings.upload_lease_s, self.shops, skip_shops)

    def extend_lease(self, job: jobs.ClaimedJob) -> bool:
        with session_scope(self._engine) as session:
            return jobs.extend_lease(session, job.id, self.worker_id, self._settings.upload_lease_s)

    def stored_refund(self, tid: str) -> StoredRefund:
        with session_scope(self._engine) as session:
            return stored_refund(session, tid, PULL_SOURCE)

    def work_left(self) -> jobs.WorkLeft:
        with session_scope(self._engine) as session:
            return jobs.work_left(session, self.shops)

    def record(self, job: jobs.ClaimedJob, outcome: SendOutcome) -> Recorded:
        """Write what the attempt came to, if we still hold the job."""
        with session_scope(self._engine) as session:
            recorded = self._write(session, job, outcome)
        if recorded.status is None:
            log.warning(
                "job %d: lease lost before its result was recorded; its next holder checks the order first", job.id
            )
        return recorded

    def _write(self, session: Session, job: jobs.ClaimedJob, outcome: SendOutcome) -> Recorded:
        me = self.worker_id
        if isinstance(outcome, Delivered):
            connector = self._connector_of(job.shop)
            done = jobs.mark_sent(session, job.id, me, connector, outcome.response_id, outcome.note)
            return Recorded(JobStatus.SENT.value if done else None)
        if isinstance(outcome, Refused):
            done = jobs.mark_review(session, job.id, me, outcome.reason)
            return Recorded(JobStatus.REVIEW.value if done else None)
        if isinstance(outcome, Misconfigured):
            done = jobs.release(session, job.id, me, outcome.reason)
            return Recorded(JobStatus.PENDING.value if done else None)
        if outcome.counted and job.attempts >= self._settings.upload_max_attempts:
            reason = f"gave up after {job.attempts} attempts: {outcome.reason}"
            done = jobs.mark_dead(session, job.id, me, reason)
            return Recorded(JobStatus.DEAD.value if done else None)
        delay = retry_delay_s(outcome, job.attempts, self._settings, self._rng)
        done = jobs.mark_retry(session, job.id, me, delay, outcome.reason, counted=outcome.counted)
        return Recorded(JobStatus.PENDING.value if done else None, delay)


# --- what people do with the queue ------------------------------------------


@dataclass(frozen=True)
class QueueChange:
    changed: list[int]  # job ids moved
    refused: dict[int, str]  # job id -> its status, which does not allow the move
    unknown: list[int]  # ids with no job


def list_jobs(engine: Engine, statuses: tuple[str, ...] = ()) -> list[job_views.JobView]:
    with session_scope(engine) as session:
        return job_views.list_jobs(session, statuses)


def _change(engine: Engine, ids: list[int], move: Callable[[Session], list[int]]) -> QueueChange:
    with session_scope(engine) as session:
        changed = move(session)
        if not ids:
            return QueueChange(changed=changed, refused={}, unknown=[])
        found = job_views.statuses_of(session, ids)
    refused = {i: found[i] for i in ids if i in found and i not in changed}
    unknown = [i for i in ids if i not in found]
    return QueueChange(changed=changed, refused=refused, unknown=unknown)


def retry(engine: Engine, ids: list[int], statuses: tuple[str, ...] = ()) -> QueueChange:
    """Send jobs again now: the given ids, or every job in `statuses` (default: review and dead).

    Jobs a person held (review, dead, exported) start with fresh attempts;
    a pending job waiting for its next attempt is simply made due.
    """
    allowed = tuple(statuses) or (() if ids else jobs.NEEDS_PERSON)
    allowed = tuple(s for s in (allowed or jobs.RETRYABLE) if s in jobs.RETRYABLE)
    return _change(engine, ids, lambda session: jobs.retry(session, ids, allowed))


def cancel(engine: Engine, ids: list[int]) -> QueueChange:
    """Cancel the given jobs; never one being sent or sent.  Frees the order for another number."""
    return _change(engine, ids, lambda session: jobs.cancel(session, ids))
