"""A photo the drop folder is reading, and the deadline on a reader that hangs.

A reader can hang (a native library stuck in a loop or a lock, a
pathological image): with nothing to stop it, the photo stays in
in-progress/ for ever and its worker reads nothing more.  A worker process
can be stopped from outside; a thread cannot, so the deadline is enforced
only with `watch_workers` of 2 or more and said once otherwise.
"""

from __future__ import annotations

import contextlib
import logging
import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.queues import SimpleQueue
from pathlib import Path

from capture.sources.folder_worker import ScanJob

log = logging.getLogger(__name__)


@dataclass
class FolderJob:
    dropped: Path
    work: Path  # in-progress/NAME
    scan: ScanJob
    taken: os.stat_result  # the file as it was taken: a failed photo that changes after is taken again
    future: Future | None = None
    pool: Executor | None = None  # the pool it was last given to
    started_at: float = 0.0  # monotonic, when its worker said it began; 0: not yet
    retry_at: float = 0.0
    crashes: int = 0  # its worker died, or was stopped because this photo overran the deadline
    overdue: bool = False  # this photo overran the deadline in its current try
    interrupted: bool = False  # its worker was stopped for another photo: it may have been recorded already
    said_hung: bool = False


class Deadline:
    """The deadline on a photo's read, and the pools it broke (their other photos are not to blame)."""

    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self._broken: list[Executor] = []  # latest last
        # One queue per pool: a worker killed while putting may leave a queue's lock held.
        self._started: SimpleQueue | None = None

    def new_queue(self) -> SimpleQueue:
        """The queue the next pool's workers say on which photo they start."""
        self._started = get_context("spawn").SimpleQueue()
        return self._started

    def _note_starts(self, jobs: list[FolderJob], now: float) -> None:
        by_path = {str(job.work): job for job in jobs}
        while self._started is not None and not self._started.empty():
            job = by_path.get(self._started.get())
            if job is not None and job.future is not None and not job.started_at:
                job.started_at = now

    def broke(self, pool: Executor | None) -> bool:
        return pool is not None and pool in self._broken

    def enforce(self, jobs: list[FolderJob], pool: Executor | None, now: float) -> None:
        """Stop the workers of `pool` when one of its photos overran the deadline."""
        self._note_starts(jobs, now)
        hung = [job for job in overdue_jobs(jobs, now, self.limit_s) if not job.overdue]
        if not hung or pool is None or self.broke(pool):
            return
        if not isinstance(pool, ProcessPoolExecutor):
            for job in (j for j in hung if not j.said_hung):
                job.said_hung = True
                log.warning(
                    "%s has been read for more than %.0f s; one reader in the watcher's own process cannot be "
                    "stopped: run `watch --workers 2` so a hung reader is stopped and the photo read again",
                    job.work.name,
                    self.limit_s,
                )
            return
        for job in hung:
            job.overdue = True
            log.warning(
                "%s has been read for more than %.0f s: its worker process is stopped", job.work.name, self.limit_s
            )
        self._broken = [*self._broken[-3:], pool]
        stop_workers(pool)

    def what_failed(self, job: FolderJob) -> str:
        """Why a photo goes to failed/ after its tries, for its sidecar."""
        if job.overdue:
            return f"reading this photo took more than {self.limit_s:.0f} s"
        return "a worker process died reading this photo"


def count_crash(job: FolderJob, pool_stopped_by_deadline: bool, max_crashes: int) -> None:
    """Count a broken pool against the photo that broke it (never one stopped beside a hung photo), and say so."""
    job.interrupted = True
    if pool_stopped_by_deadline and not job.overdue:
        log.warning("%s was being read beside a hung photo whose worker was stopped; it is read again", job.work.name)
        return
    job.crashes += 1
    how = "took too long (a hung reader)" if job.overdue else "died (killed, perhaps by the out-of-memory killer)"
    then = "it is read again" if job.crashes < max_crashes else "it goes to failed/"
    log.warning("a worker process %s while %s was being read; %s", how, job.work.name, then)


def overdue_jobs(jobs: list[FolderJob], now: float, deadline_s: float) -> list[FolderJob]:
    """The photos still being read `deadline_s` after their worker began them (0: no deadline)."""
    if deadline_s <= 0:
        return []
    return [
        job
        for job in jobs
        if job.future is not None and not job.future.done() and job.started_at and now - job.started_at > deadline_s
    ]


def stop_workers(pool: Executor) -> bool:
    """SIGKILL every worker process of `pool`, which breaks it: each photo it held comes back as
    BrokenProcessPool, the path a worker the OOM killer took goes.  False for a thread pool."""
    if not isinstance(pool, ProcessPoolExecutor):
        return False
    # ProcessPoolExecutor offers no public way to stop a running call; its
    # `_processes` (pid -> Process) has been there since Python 3.2.
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    return bool(processes)
