"""The outbox's SQL (capture/store/jobs.py) on SQLite and on real PostgreSQL.

Claims, lease expiry and fencing, written and read back through the store's
own functions.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from capture.store import job_views, jobs
from capture.store.db import open_engine, session_scope
from tests.integration.upload_helpers import queue_jobs, sf, tid

LEASE_S = 0.3


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgresql":
        yield request.getfixturevalue("pg_engine")
        return
    engine = open_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    yield engine
    engine.dispose()


def claim(engine: Engine, worker: str, lease_s: float = LEASE_S) -> jobs.ClaimedJob | None:
    with session_scope(engine) as session:
        return jobs.claim(session, worker, lease_s)


def views(engine: Engine) -> dict[str, job_views.JobView]:
    with session_scope(engine) as session:
        return {v.order_tid: v for v in job_views.list_jobs(session)}


def test_claims_take_due_jobs_oldest_first_one_holder_each(engine: Engine) -> None:
    queue_jobs(engine, [(tid(n), sf(n), "SF") for n in range(3)])
    a, b, c, d = (claim(engine, w) for w in ("A", "B", "C", "D"))
    assert [j.order_tid for j in (a, b, c) if j] == [tid(0), tid(1), tid(2)]
    assert d is None  # all held
    assert a is not None and a.attempts == 1 and not a.outcome_unknown
    held = views(engine)[tid(0)]
    assert (held.status, held.claimed_by) == ("sending", "A")
    with session_scope(engine) as session:
        left = jobs.work_left(session)
    assert (left.pending, left.sending) == (0, 3) and not left.empty
    assert left.wake_in_s is not None and left.wake_in_s <= LEASE_S


def test_an_expired_lease_is_claimed_again_and_the_old_holder_is_fenced_out(engine: Engine) -> None:
    queue_jobs(engine, [(tid(1), sf(1), "SF")])
    first = claim(engine, "A")
    assert first is not None
    with session_scope(engine) as session:
        assert jobs.extend_lease(session, first.id, "A", LEASE_S)  # the holder may extend
        assert not jobs.extend_lease(session, first.id, "B", LEASE_S)  # nobody else may
    assert claim(engine, "B") is None
    time.sleep(LEASE_S + 0.1)

    taken = claim(engine, "B")

    assert taken is not None and taken.id == first.id
    assert taken.attempts == 2 and taken.outcome_unknown  # B must check before sending
    with session_scope(engine) as session:
        assert not jobs.mark_sent(session, first.id, "A", "taobao", "late")  # A's late answer is not written
        assert not jobs.mark_retry(session, first.id, "A", 1.0, "late")
        assert jobs.mark_sent(session, taken.id, "B", "taobao", "r-1", "already on the order")
    job = views(engine)[tid(1)]
    assert (job.status, job.response_id, job.claimed_by, job.lease_until) == ("sent", "r-1", None, None)


def test_a_retry_waits_and_an_uncounted_one_gives_the_attempt_back(engine: Engine) -> None:
    queue_jobs(engine, [(tid(1), sf(1), "SF")])
    job = claim(engine, "A")
    assert job is not None
    with session_scope(engine) as session:
        assert jobs.mark_retry(session, job.id, "A", 60.0, "timed out")
    assert claim(engine, "A") is None  # not due for a minute
    with session_scope(engine) as session:
        left = jobs.work_left(session)
        assert left.pending == 1 and left.wake_in_s is not None and 50 < left.wake_in_s <= 60
        assert jobs.retry(session, [job.id], (jobs.PENDING,)) == [job.id]  # "now, please"
    again = claim(engine, "A")
    assert again is not None and again.attempts == 2
    with session_scope(engine) as session:
        assert jobs.mark_retry(session, again.id, "A", 0.0, "rate limited", counted=False)
    assert views(engine)[tid(1)].attempts == 1


def test_retry_and_cancel_respect_states(engine: Engine) -> None:
    queue_jobs(engine, [(tid(n), sf(n), "SF") for n in range(4)])
    held = [claim(engine, "A") for _ in range(3)]
    ids = [j.id for j in held if j]
    with session_scope(engine) as session:
        jobs.mark_review(session, ids[0], "A", "B60 运单号不符合规则")
        jobs.mark_dead(session, ids[1], "A", "gave up")
        # ids[2] stays sending; the fourth job is pending
    with session_scope(engine) as session:
        assert jobs.cancel(session, []) == []  # never "everything"
        assert jobs.cancel(session, [ids[2]]) == []  # being sent
        assert jobs.retry(session, [], jobs.NEEDS_PERSON) == sorted(ids[:2])
    state = views(engine)
    assert (state[tid(0)].status, state[tid(0)].attempts) == ("pending", 0)
    assert state[tid(0)].last_error == "B60 运单号不符合规则"  # kept for the person who looks next
    with session_scope(engine) as session:
        exported = jobs.take_for_export(session, "/tmp/x.csv")
    assert [e.order_tid for e in exported] == [tid(0), tid(1), tid(3)]
    assert views(engine)[tid(2)].status == "sending"  # a held job is never exported
