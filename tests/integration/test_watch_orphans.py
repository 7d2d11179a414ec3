"""`kill -9` of `waybill watch --workers 2` takes its worker processes and the resource tracker with it.

They outlived it before, about 300 MB each, for good.  Real processes: the
watcher, its spawned workers and multiprocessing's resource tracker, found
through /proc and watched until they are gone.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from capture import api
from capture import settings as settings_mod
from tests.integration.test_watch import CLEAN_A, ROOT, STABLE_S, wait_for

GONE_WITHIN_S = 15.0


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait() is missing


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG are Linux's")
def test_killing_the_watcher_kills_its_workers_and_the_resource_tracker(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'waybill.db'}"
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=db_url, env={}))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    env = {**os.environ, "WAYBILL_WATCH_STABLE_S": str(STABLE_S), "WAYBILL_DB_URL": db_url}
    watcher = subprocess.Popen(
        [sys.executable, "-m", "capture.cli", "watch", str(inbox), "--workers", "2", "--json"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # as under systemd or a terminal that is closed: no group kill helps
    )
    family: set[int] = set()
    try:
        wait_for(lambda: (inbox / "in-progress").is_dir(), "the watcher to start")
        shutil.copy(CLEAN_A, inbox / "one.jpg")
        wait_for(lambda: (inbox / "processed" / "one.jpg.json").exists(), "a photo read by a worker", timeout=120)
        # one worker spawned for the one photo (the pool spawns on demand) and the resource tracker
        wait_for(lambda: len(children(watcher.pid)) >= 2, "its children")
        family = children(watcher.pid)
        watcher.send_signal(signal.SIGKILL)
        watcher.wait(30)
        wait_for(lambda: not any(alive(pid) for pid in family), "the workers and the tracker to die", GONE_WITHIN_S)
    finally:
        if watcher.poll() is None:
            watcher.kill()
        for pid in family:  # a failed run must not leave them behind either
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
