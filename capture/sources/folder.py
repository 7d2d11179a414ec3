"""The drop folder: `waybill watch DIR`.

Photos dropped into DIR (by a phone's sync client, a scanner, a share) are
read, recorded and queued like `waybill scan` does, then filed into
processed/ or failed/ with a sidecar (layout in filing.py).  The rules, and
the problem each one fixes:

- Files already there at start are taken, then new ones: watchdog events,
  plus a full listing every `watch_rescan_s` because SMB/NFS shares and
  some sync clients lose events (paperless-ngx polls for the same reason);
  `watch_polling` swaps inotify for polling on network drives, where
  inotify sees nothing at all.
- A file is taken only once its size and mtime have stopped changing
  (stability.py), and never by its junk name: `.part`, `.crdownload`,
  `~$x`, dot files (files.is_junk); any other file is read, and one
  that is not an image is filed in failed/ with its reason.  A JPEG or PNG cut short and
  written to lately waits longer (unfinished.py), and one failed whose
  writer then finishes it is taken again (late_writes.py).
- One file is in `_pending`/`_running` once, whatever mix of events and
  rescans announced it (paperless's `queued` set).
- The same bytes are never handled twice: a photo whose SHA-256 is in the
  scans table is filed as a duplicate without being read; a twin of a photo
  being read waits for it to finish and then is the duplicate.
- Restart safety: a photo is renamed into in-progress/ before it is read
  and recorded, and filed after.  A crash leaves it in in-progress/; at
  start each one there is either already recorded (the crash came after the
  commit: its record names where it goes, it is just filed) or not (it is
  read again).  The record's path is the place it will be filed, reserved
  before reading, so the record always points at the photo.
- A symlink leading out of DIR is refused (moved, as a link, to failed/).
- Nothing stops the watcher but `stop`: a corrupt, truncated, huge or
  unreadable photo goes to failed/ with its reason; a locked database puts
  the photo back for a retry with backoff; a folder that disappears is
  waited for and watched again when it comes back.  A reader that hangs
  is stopped at a deadline, and treated as one that died (folder_jobs.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from capture.errors import CaptureError, DatabaseError, SourceUnavailable
from capture.settings import Settings
from capture.sources import filing
from capture.sources.backoff import Backoff
from capture.sources.disk_space import why_waiting
from capture.sources.files import is_junk, sha256_of
from capture.sources.folder_events import FolderEvents, FolderState
from capture.sources.folder_filing import Filer
from capture.sources.folder_jobs import Deadline, FolderJob, count_crash
from capture.sources.folder_worker import DatabaseBusy, ScanJob, new_pool, scan_job, worker_settings
from capture.sources.handled import Handled
from capture.sources.late_writes import LateWrites
from capture.sources.recorder import RecorderFactory
from capture.sources.stability import SettleWatch
from capture.sources.unfinished import still_being_written
from capture.types import ScanSummary

log = logging.getLogger(__name__)

# The loop wakes at least this often to look at settling files and the folder.
TICK_S = 0.2
# A locked or unreachable database: first retry after this, doubling up to the cap.
DB_RETRY_FIRST_S = 0.5
DB_RETRY_CAP_S = 30.0
# A photo that crashes its worker process twice is filed in failed/ instead
# of taking the pool down a third time.
MAX_WORKER_CRASHES = 2


class FolderWatcher:
    """The watcher's loop and all its state; one thread (the caller's) runs it."""

    def __init__(
        self,
        layout: filing.Layout,
        settings: Settings,
        on_result: Callable[[Handled], None],
        stop: threading.Event,
        make_recorder: RecorderFactory,
    ) -> None:
        self.layout = layout
        self.settings = settings
        self.on_result = on_result
        self.stop = stop
        self._events: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self._wake = threading.Event()  # set by events and finished reads: look now, not at the next tick
        self._settle = SettleWatch(settings.watch_stable_s)
        self._pending: deque[Path] = deque()  # settled, waiting for a free worker
        self._running: dict[Path, FolderJob] = {}  # by in-progress path
        self._unrecovered: list[Path] = []  # in-progress/ files to check after a (re)start
        self._reserved: set[Path] = set()  # filing names promised to running jobs
        self._filer = Filer(layout, self._reserved, on_result)
        self._late = LateWrites(layout.inbox, settings.watch_unfinished_wait_s)
        self._db_backoff = Backoff(DB_RETRY_FIRST_S, DB_RETRY_CAP_S)
        self._folder = FolderState()
        self._make_recorder = make_recorder
        self._recorder = make_recorder(settings)  # this process's: duplicates, and the one-worker thread
        self._observer: BaseObserver = (
            PollingObserver(timeout=settings.watch_poll_interval_s) if settings.watch_polling else Observer()
        )
        self._pool: Executor | None = None
        self._deadline = Deadline(settings.watch_photo_deadline_s)

    # --- the loop ---------------------------------------------------------------

    def run(self) -> None:
        if not self.layout.inbox.is_dir():
            raise SourceUnavailable(
                f"{self.layout.inbox} is not a folder", "create it, or check the path given to `waybill watch`"
            )
        self._pool = new_pool(self.settings, self._recorder, self._make_recorder, self._deadline.new_queue())
        self._observer.start()
        try:
            self._check_folder(time.monotonic())
            while not self.stop.is_set():
                self._tick(time.monotonic())
                self._wake.wait(TICK_S)
                self._wake.clear()
            self._finish_running()
        finally:
            self._observer.stop()
            self._observer.join()
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)

    def _tick(self, now: float) -> None:
        self._check_folder(now)
        self._deadline.enforce(list(self._running.values()), self._pool, now)
        self._collect_finished()
        if self._folder.identity is None:
            return
        self._drain_events()
        if now >= self._folder.next_rescan:
            self._rescan(now)
        self._recover()
        for path in self._late.take_back(now):
            self._settle.note(path)
        self._pending.extend(self._settle.settled(now))
        self._dispatch(now)

    def _finish_running(self) -> None:
        """On stop: let the photos being read finish and file them; the rest wait in DIR."""
        while running := [job.future for job in self._running.values() if job.future is not None]:
            wait(running, timeout=TICK_S)  # their errors are reported by _collect_finished
            self._deadline.enforce(
                list(self._running.values()), self._pool, time.monotonic()
            )  # a hung reader must not hold the stop for ever
            self._collect_finished()

    # --- the folder and its events ----------------------------------------------

    def _check_folder(self, now: float) -> None:
        """Notice the folder vanishing, and watch it again (and rescan) when it is back."""
        try:
            st = os.stat(self.layout.inbox)
            identity = (st.st_dev, st.st_ino) if os.path.isdir(self.layout.inbox) else None
        except OSError:
            identity = None
        if identity == self._folder.identity:
            return
        self._unwatch()
        self._folder.identity = identity
        if identity is None:
            if not self._folder.said_missing:
                log.warning("drop folder %s is gone; waiting for it to come back", self.layout.inbox)
                self._folder.said_missing = True
            return
        if self._folder.said_missing:
            log.warning("drop folder %s is back", self.layout.inbox)
        self._folder.said_missing = False
        try:
            self.layout.make()
            self._folder.watch = self._observer.schedule(
                FolderEvents(self._events, self._wake), str(self.layout.inbox), recursive=False
            )
        except OSError as exc:  # vanished again between the stat and now
            log.warning("cannot watch %s yet: %s", self.layout.inbox, exc)
            self._folder.identity = None
            return
        self._unrecovered = sorted(p for p in self.layout.in_progress.iterdir() if p.is_file())
        self._folder.next_rescan = now  # whatever arrived while it was away

    def _unwatch(self) -> None:
        if self._folder.watch is not None:
            # KeyError/OSError: the emitter already stopped itself when the folder was deleted
            with contextlib.suppress(KeyError, OSError):
                self._observer.unschedule(self._folder.watch)
            self._folder.watch = None

    def _drain_events(self) -> None:
        while True:
            try:
                self._offer(self._events.get_nowait())
            except queue.Empty:
                return

    def _rescan(self, now: float) -> None:
        self._folder.next_rescan = now + self.settings.watch_rescan_s
        try:
            with os.scandir(self.layout.inbox) as entries:
                for entry in entries:
                    if entry.is_symlink() or entry.is_file(follow_symlinks=False):
                        self._offer(Path(entry.path))
        except OSError as exc:
            log.warning("cannot list %s: %s", self.layout.inbox, exc)

    def _offer(self, path: Path) -> None:
        """A file may be new: watch it settle unless it is junk, not ours, or already on its way."""
        if path.parent != self.layout.inbox or is_junk(path):
            return
        if path in self._settle or path in self._pending:
            return
        self._settle.note(path)

    # --- taking a settled file ----------------------------------------------------

    def _dispatch(self, now: float) -> None:
        for job in list(self._running.values()):
            if job.future is None and job.retry_at <= now and not self._recorded_before_crash(job):
                self._submit(job)
        while self._pending and self._busy_workers() < self.settings.watch_workers and not self.stop.is_set():
            self._take(self._pending.popleft())

    def _busy_workers(self) -> int:
        return sum(1 for job in self._running.values() if job.future is not None)

    def _take(self, path: Path) -> None:
        if not os.path.lexists(path):
            return
        if filing.link_leaves(path, self.layout.inbox):
            self._filer.refuse_link(path)
            return
        if not path.is_file():
            return
        if still_being_written(path, self.settings.watch_unfinished_wait_s):
            log.info("%s is cut short and was written to lately; waiting for the rest", path.name)
            self._settle.note(path)
            return
        sha256 = sha256_of(path)
        if sha256 and any(job.scan.sha256 == sha256 for job in self._running.values()):
            self._settle.note(path)  # its twin is being read: look again when that is done
            return
        try:
            earlier = self._earlier_scan(sha256)
        except (DBAPIError, DatabaseError) as exc:
            log.warning("%s waits: %s", path.name, why_waiting(self.settings.db_url, self.layout.inbox, exc))
            self._settle.note(path)
            return
        if earlier is not None:
            self._filer.duplicate(path, earlier)
            return
        try:
            work = filing.move(path, filing.free_name(self.layout.in_progress, path.name))
        except FileNotFoundError:
            return  # taken away between the listing and now
        self._start(path, work, sha256)

    def _start(self, dropped: Path, work: Path, sha256: str) -> None:
        processed_as = filing.free_name(self.layout.processed, work.name, self._reserved)
        failed_as = filing.free_name(self.layout.failed, work.name, self._reserved)
        self._reserved |= {processed_as, failed_as}
        scan = ScanJob(str(work), str(processed_as), str(failed_as), sha256, self.settings)
        job = FolderJob(dropped=dropped, work=work, scan=scan, taken=os.lstat(work))
        self._running[work] = job
        self._submit(job)

    def _submit(self, job: FolderJob) -> None:
        assert self._pool is not None
        log.info("reading %s", job.work.name)
        job.pool = self._pool
        # a thread starts at once; a worker process says when it starts (folder_worker._started)
        job.started_at = 0.0 if isinstance(self._pool, ProcessPoolExecutor) else time.monotonic()
        job.overdue = False
        job.future = self._pool.submit(scan_job, job.scan)
        job.future.add_done_callback(lambda _f: self._wake.set())

    def _earlier_scan(self, sha256: str) -> ScanSummary | None:
        return self._recorder.earlier_scan(sha256) if sha256 else None

    # --- results --------------------------------------------------------------------

    def _collect_finished(self) -> None:
        for work, job in list(self._running.items()):
            if job.future is None or not job.future.done():
                continue
            future, job.future = job.future, None
            try:
                outcome = future.result()
            except BrokenProcessPool:
                if self.stop.is_set():  # Ctrl-C reached the workers too: the photo waits in in-progress/
                    del self._running[work]
                    continue
                self._worker_crashed(job)
                continue
            except CaptureError:
                raise  # engines or models missing: nothing can be read, stop and say so
            except Exception as exc:
                log.exception("reading %s failed", job.work)
                self._file_crashed(job, f"the reader failed on this photo: {exc!r}")
                continue
            if isinstance(outcome, DatabaseBusy):
                delay = self._db_backoff.next_delay()
                why = why_waiting(self.settings.db_url, self.layout.inbox, RuntimeError(outcome.message))
                log.warning("%s is read again in %.1fs: %s", job.work.name, delay, why)
                job.retry_at = time.monotonic() + delay
                continue
            self._db_backoff.reset()
            del self._running[work]
            filed = self._filer.result(job.dropped, job.work, job.scan, outcome)
            if filed is not None and filed.parent == self.layout.failed:
                self._late.note(filed, job.taken.st_size, job.taken.st_mtime_ns, time.monotonic())

    def _worker_crashed(self, job: FolderJob) -> None:
        """A worker died (out of memory, native crash) or overran the deadline: new pool, try again."""
        count_crash(job, self._deadline.broke(job.pool), MAX_WORKER_CRASHES)
        if job.pool is self._pool and isinstance(self._pool, ProcessPoolExecutor):  # once per broken pool
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = new_pool(self.settings, self._recorder, self._make_recorder, self._deadline.new_queue())
        if job.crashes >= MAX_WORKER_CRASHES:
            self._file_crashed(job, f"{self._deadline.what_failed(job)} {job.crashes} times")

    def _recorded_before_crash(self, job: FolderJob) -> bool:
        """Whether a photo a broken pool gave back must not be read now: it may have been recorded
        before the pool broke (the soak run found such photos recorded twice); filed by its record."""
        if not job.interrupted or not job.scan.sha256:
            return False
        try:
            earlier = self._earlier_scan(job.scan.sha256)
        except (DBAPIError, DatabaseError) as exc:  # cannot tell yet: ask again later, never read blind
            job.retry_at = time.monotonic() + self._db_backoff.next_delay()
            log.warning("%s waits: %s", job.work.name, why_waiting(self.settings.db_url, self.layout.inbox, exc))
            return True
        if earlier is None:
            return False
        del self._running[job.work]
        self._filer.recorded(job.dropped, job.work, earlier, job.scan.sha256)
        return True

    def _file_crashed(self, job: FolderJob, why: str) -> None:
        self._running.pop(job.work, None)
        self._filer.crashed(job.dropped, job.work, job.scan, why)

    # --- after a restart --------------------------------------------------------------

    def _recover(self) -> None:
        """Photos left in in-progress/: file those already recorded, read the others again."""
        while self._unrecovered:
            work = self._unrecovered[0]
            if not work.is_file():
                self._unrecovered.pop(0)
                continue
            sha256 = sha256_of(work)
            try:
                earlier = self._earlier_scan(sha256)
            except (DBAPIError, DatabaseError) as exc:
                log.warning("database busy; recovering %s later: %s", work.name, exc)
                return
            self._unrecovered.pop(0)
            dropped = self.layout.inbox / work.name
            if earlier is None:
                log.warning("%s was left half-done by a restart; reading it again", work.name)
                self._start(dropped, work, sha256)
                continue
            self._filer.recorded(dropped, work, earlier, sha256)


def watch_folder(
    folder: Path,
    settings: Settings,
    on_result: Callable[[Handled], None],
    stop: threading.Event | None,
    make_recorder: RecorderFactory,
) -> None:
    layout = filing.Layout.under(folder, settings.watch_processed_dir, settings.watch_failed_dir)
    FolderWatcher(layout, worker_settings(settings), on_result, stop or threading.Event(), make_recorder).run()
