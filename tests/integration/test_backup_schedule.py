"""Scheduled backups with rotation, beside a real `waybill watch` process, at a real 1-second interval.

Each copy passes integrity_check, only the newest `backup_keep` stay, and a
shop's own files in the folder are never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from capture import api
from capture import settings as settings_mod
from capture.api.backups import BACKUP_NAME
from tests.integration.test_watch import CLEAN_A, CLEAN_B, ROOT

KEEP = 2
MADE_AT_LEAST = 4  # distinct backups seen: more than KEEP, so rotation has run
WAIT_S = 120.0


def ours(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if BACKUP_NAME.match(p.name)} if folder.exists() else set()


def scans_in(copy: Path) -> int:
    with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(conn.execute("SELECT count(*) FROM scans").fetchone()[0])


def test_watch_makes_a_backup_every_interval_and_keeps_the_newest_n(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'waybill.db'}"
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=db, env={}))
    api.close()
    backups, inbox = tmp_path / "backups", tmp_path / "inbox"
    inbox.mkdir()
    backups.mkdir()
    (backups / "notes.txt").write_text("the shop's own file")
    (backups / "waybill-manual.db").write_text("a copy someone made by hand")
    env = {
        **os.environ,
        "WAYBILL_BACKUP_DIR": str(backups),
        "WAYBILL_BACKUP_INTERVAL_S": "1",
        "WAYBILL_BACKUP_KEEP": str(KEEP),
        "WAYBILL_WATCH_STABLE_S": "0.3",
    }
    watch = subprocess.Popen(
        [sys.executable, "-m", "capture.cli", "watch", str(inbox), "--db", db, "--json", "--no-bell"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert watch.stdout is not None
    seen: set[str] = set()
    most_at_once = 0
    try:
        shutil.copy(CLEAN_A, inbox / "a.jpg")
        shutil.copy(CLEAN_B, inbox / "b.jpg")
        handled = [watch.stdout.readline(), watch.stdout.readline()]
        assert all('"status"' in line for line in handled), handled
        done_at = time.monotonic()
        deadline = done_at + WAIT_S
        while (len(seen) < MADE_AT_LEAST or time.monotonic() < done_at + 2.5) and time.monotonic() < deadline:
            now = ours(backups)
            seen |= now
            most_at_once = max(most_at_once, len(now))
            time.sleep(0.05)
    finally:
        watch.send_signal(signal.SIGTERM)
        _out, err = watch.communicate(timeout=60)
    assert watch.returncode == 0, err
    assert len(seen) >= MADE_AT_LEAST, seen
    kept = sorted(ours(backups))
    assert len(kept) == KEEP and kept == sorted(seen)[-KEEP:]
    assert most_at_once <= KEEP + 1  # the new one is written before the oldest goes
    assert (backups / "notes.txt").exists() and (backups / "waybill-manual.db").exists()
    # The newest copies were taken after both photos were recorded.
    assert scans_in(backups / kept[-1]) == 2
    assert all((backups / name).stat().st_mode & 0o777 == 0o600 for name in kept)
