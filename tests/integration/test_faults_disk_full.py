"""The disk filling up under `waybill watch`: a small real tmpfs (mount works as root here), a real watcher.

The database and the drop folder share the tmpfs; it is filled to the last
byte with a filler file, then a photo arrives by rename (which needs no
space).  The watcher must keep the photo, say the disk is full, and when
space comes back record it once and file it.  Without root (or where mount
is refused) the test is skipped: it needs a filesystem that can really fill.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from capture import api
from capture import settings as settings_mod
from tests.integration.test_watch import CLEAN_A, NO_LABEL, ROOT, sha

TMPFS_SIZE = "24m"
FULL_FOR_S = 6.0  # the watcher meets the full disk this long before space comes back
WAIT_S = 180.0
FULL_LINE = "is full ("


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()}): run as root to fill a real disk")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path) -> Path:
    """Write a filler until the filesystem says ENOSPC."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    with pytest.raises(OSError) as full:
        (disk / "probe").write_bytes(b"x" * 4096)
    assert full.value.errno == errno.ENOSPC
    return filler


def test_a_full_disk_keeps_the_photo_says_so_and_records_it_once_when_space_returns(small_disk: Path) -> None:
    db_file = small_disk / "waybill.db"
    db = f"sqlite:///{db_file}"
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=db, env={}))
    api.close()
    inbox, staging = small_disk / "inbox", small_disk / "staging"
    inbox.mkdir()
    staging.mkdir()
    photos = [CLEAN_A, NO_LABEL]
    for photo in photos:
        shutil.copy(photo, staging / photo.name)
    env = {**os.environ, "WAYBILL_WATCH_STABLE_S": "0.3"}
    watch = subprocess.Popen(
        [sys.executable, "-m", "capture.cli", "watch", str(inbox), "--db", db, "--json", "--no-bell"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    said: list[str] = []
    assert watch.stderr is not None
    reader = threading.Thread(target=lambda: said.extend(iter(watch.stderr.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        time.sleep(3.0)  # the watcher has opened the database and made its folders
        filler = fill(small_disk)
        for photo in photos:
            os.rename(staging / photo.name, inbox / photo.name)  # a rename needs no free space
        # Full until the watcher has said so (or for long enough to have read both photos).
        deadline = time.monotonic() + WAIT_S
        while not any(FULL_LINE in line for line in said) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(FULL_FOR_S)  # it keeps meeting the full disk a while
        assert watch.poll() is None, "".join(said)
        filler.unlink()  # space comes back
        assert watch.stdout is not None
        handled = [json.loads(watch.stdout.readline()) for _ in photos]
    finally:
        watch.send_signal(signal.SIGTERM)
        watch.wait(timeout=120)
        reader.join(10)
    err = "".join(said)
    assert FULL_LINE in err and "free some space; nothing is lost" in err, err  # a line that says what happened
    assert "database busy" not in err  # not a lock the shop would look for in vain
    assert "Traceback" not in err, err
    assert {Path(h["path"]).name for h in handled} == {p.name for p in photos}
    with closing(sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        recorded = dict(conn.execute("SELECT sha256, count(*) FROM scans GROUP BY sha256").fetchall())
    assert recorded == {sha(p): 1 for p in photos}
    filed = {p.name: p.read_bytes() for d in ("processed", "failed") for p in (inbox / d).glob("*.jpg")}
    assert {name: sha_bytes for name, sha_bytes in filed.items()} and set(filed) == {p.name for p in photos}
    assert all(filed[p.name] == p.read_bytes() for p in photos)  # whole, nothing lost
