"""The drop folder on a real folder: real inotify (or polling) events, real photos, a real database.

The watcher runs in a thread through api.run_folder (engines load once for
the module), except for the restart test, which kills the real
`waybill watch` process mid-photo.  Every wait polls with a deadline.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from capture import api
from capture import settings as settings_mod
from capture.sources.folder import Handled
from capture.store import repo
from capture.store.db import session_scope
from capture.types import Outcome
from tests.scan_rows import record_scan

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ROOT / "samples" / "photos"
CLEAN_A, CLEAN_B, CLEAN_C = PHOTOS / "005_clean.jpg", PHOTOS / "010_clean.jpg", PHOTOS / "013_clean.jpg"
CORRUPT = PHOTOS / "016_corrupt.jpg"
NO_LABEL = PHOTOS / "002_no_label.jpg"  # no barcode: the whole photo is read, the slowest kind
STABLE_S = 0.4
WAIT_S = 60.0  # generous: CI shares its cores
CHUNKS, CHUNK_GAP_S = 8, 0.15  # a slow copy: 1.2 s in all, each gap shorter than STABLE_S
JUNK = (".DS_Store", "Thumbs.db", "~$label.jpg", ".hidden.jpg", "photo.jpg.crdownload", "label.tmp")
HUGE_LIMIT = 4_000_000  # pixels; the huge photo below has 6 million
# The corrupt sample is a truncated JPEG: dropped fresh, it is waited for this long before it is failed.
UNFINISHED_WAIT_S = 2.0


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wait_for(check: Callable[[], object], what: str, timeout: float = WAIT_S) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def settings(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'waybill.db'}"
    base = settings_mod.load(
        db_url=db_url,
        env={},
        watch_stable_s=STABLE_S,
        watch_rescan_s=30.0,
        max_image_pixels=HUGE_LIMIT,
        watch_unfinished_wait_s=UNFINISHED_WAIT_S,
    )
    api.import_orders(ROOT / "samples" / "orders.csv", base)
    return base


@contextmanager
def watching(folder: Path, settings) -> Iterator[list[Handled]]:
    handled: list[Handled] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            api.run_folder(folder, settings, handled.append, stop)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield handled
    finally:
        stop.set()
        thread.join(WAIT_S)
    assert not thread.is_alive(), "the watcher did not stop"
    assert not errors, errors


def by_name(handled: list[Handled]) -> dict[str, Handled]:
    return {h.dropped.name: h for h in handled}


def number_of(outcome: Outcome) -> str:
    assert outcome.candidate is not None, outcome
    return outcome.candidate.number


def scans_with(settings, digest: str) -> int:
    with sqlite3.connect(settings.db_url.removeprefix("sqlite:///")) as conn:
        return conn.execute("SELECT count(*) FROM scans WHERE sha256 = ?", (digest,)).fetchone()[0]


def write_slowly(src: Path, dest: Path) -> None:
    data = src.read_bytes()
    step = len(data) // CHUNKS + 1
    with dest.open("wb") as f:
        for i in range(0, len(data), step):
            f.write(data[i : i + step])
            f.flush()
            time.sleep(CHUNK_GAP_S)


def test_a_busy_drop_folder(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    outside = tmp_path / "elsewhere.jpg"
    shutil.copy(CLEAN_C, outside)
    shutil.copy(CLEAN_A, inbox / "already-there.jpg")  # before the watcher starts
    for name in JUNK:
        (inbox / name).write_bytes(b"junk")
    dropped = {
        "already-there.jpg": sha(CLEAN_A),
        "slow.jpg": sha(CLEAN_B),
        "renamed.jpg": sha(CLEAN_C),
        "corrupt.jpg": sha(CORRUPT),
        "copy-of-a.jpg": sha(CLEAN_A),
    }

    with watching(inbox, settings) as handled:
        wait_for(lambda: "already-there.jpg" in by_name(handled), "the photo that was there at start")
        write_slowly(CLEAN_B, inbox / "slow.jpg")
        (inbox / "renamed.jpg.part").write_bytes(CLEAN_C.read_bytes())
        os.rename(inbox / "renamed.jpg.part", inbox / "renamed.jpg")
        shutil.copy(CORRUPT, inbox / "corrupt.jpg")
        os.symlink(outside, inbox / "link-out.jpg")
        Image.new("RGB", (3000, 2000), "white").save(inbox / "huge.png")
        wait_for(
            lambda: {"slow.jpg", "renamed.jpg", "corrupt.jpg", "link-out.jpg", "huge.png"} <= set(by_name(handled)),
            "the dropped files",
        )
        shutil.copy(CLEAN_A, inbox / "copy-of-a.jpg")  # the same bytes as a photo already recorded
        wait_for(lambda: "copy-of-a.jpg" in by_name(handled), "the duplicate")

    results = by_name(handled)
    status = {name: h.result.outcome.status.value for name, h in results.items()}
    assert status["already-there.jpg"] == "queued"
    # Taken only when complete: a half-written JPEG would have been an error.
    assert (
        status["slow.jpg"] == "queued"
        and json.loads(results["slow.jpg"].sidecar.read_text())["sha256"] == dropped["slow.jpg"]
    )
    assert status["renamed.jpg"] == "queued"
    for name in ("already-there.jpg", "slow.jpg", "renamed.jpg", "copy-of-a.jpg"):
        assert results[name].filed.parent == inbox / "processed"
    for name in ("corrupt.jpg", "huge.png", "link-out.jpg"):
        assert results[name].filed.parent == inbox / "failed"

    corrupt = json.loads(results["corrupt.jpg"].sidecar.read_text())
    assert corrupt["scan"]["status"] == "error" and corrupt["scan"]["reasons"] == ["unreadable_image"]
    assert "damaged" in corrupt["why"]
    assert "over the limit" in json.loads(results["huge.png"].sidecar.read_text())["why"]
    link = results["link-out.jpg"]
    assert link.filed.is_symlink() and link.result.outcome.reasons == ("link_outside_folder",)
    assert outside.read_bytes() == CLEAN_C.read_bytes(), "the link's target is left alone"

    copy = results["copy-of-a.jpg"]
    assert (
        copy.result.outcome.reasons == ("duplicate_photo",)
        and copy.duplicate_of == results["already-there.jpg"].result.scan_id
    )
    assert scans_with(settings, dropped["already-there.jpg"]) == 1, "the same photo was read twice"
    queued = api.list_jobs(settings)
    assert sorted(e.waybill for e in queued) == sorted(
        {number_of(h.result.outcome) for h in results.values() if h.result.outcome.status.value == "queued"}
    )

    # Nothing deleted: every photo's bytes are filed; junk is where it was.
    filed = {sha(p) for p in (inbox / "processed").iterdir() if p.suffix != ".json"}
    filed |= {sha(p) for p in (inbox / "failed").iterdir() if p.suffix != ".json" and not p.is_symlink()}
    assert set(dropped.values()) <= filed
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == sorted(JUNK)
    assert not any((inbox / "in-progress").iterdir())
    # Each scan record points at its photo where it was filed.
    with session_scope(api.database(settings)) as session:
        record = repo.scan_by_sha256(session, dropped["slow.jpg"])
    assert record is not None and Path(record.path) == results["slow.jpg"].filed and Path(record.path).is_file()


def test_the_folder_removed_and_made_again_with_two_worker_processes(tmp_path, settings):
    inbox, elsewhere = tmp_path / "inbox", tmp_path / "filed"
    inbox.mkdir()
    settings = replace(
        settings, watch_workers=2, watch_processed_dir=str(elsewhere / "ok"), watch_failed_dir=str(elsewhere / "bad")
    )
    with watching(inbox, settings) as handled:
        shutil.copy(CLEAN_A, inbox / "first.jpg")
        wait_for(lambda: len(handled) == 1, "the first photo")
        shutil.rmtree(inbox)
        time.sleep(3 * STABLE_S)  # the watcher notices; nothing observable to poll for
        inbox.mkdir()
        shutil.copy(CLEAN_B, inbox / "second.jpg")
        wait_for(lambda: len(handled) == 2, "a photo in the folder made again")
    assert [h.filed for h in handled] == [elsewhere / "ok" / "first.jpg", elsewhere / "ok" / "second.jpg"]
    assert all(h.filed.is_file() for h in handled)


def test_polling_for_network_drives_and_a_briefly_locked_database(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = replace(settings, watch_polling=True, watch_poll_interval_s=0.2, watch_rescan_s=30.0)
    with watching(inbox, settings) as handled:
        lock = sqlite3.connect(settings.db_url.removeprefix("sqlite:///"), timeout=5)
        lock.execute("BEGIN EXCLUSIVE")  # another program holds the database
        try:
            shutil.copy(CLEAN_A, inbox / "while-locked.jpg")
            wait_for(lambda: (inbox / "in-progress" / "while-locked.jpg").exists(), "the photo to be taken")
            time.sleep(1.0)  # the recording waits on the lock meanwhile
            assert handled == []
        finally:
            lock.rollback()
            lock.close()
        wait_for(lambda: len(handled) == 1, "the photo once the lock is gone")
    assert handled[0].result.outcome.status.value == "queued"


def test_a_photo_recorded_before_a_crash_is_filed_not_read_again(tmp_path, settings):
    inbox = tmp_path / "inbox"
    (inbox / "in-progress").mkdir(parents=True)
    left = inbox / "in-progress" / "left.jpg"
    shutil.copy(CLEAN_A, left)
    recorded_as = inbox / "processed" / "left.jpg"
    with session_scope(api.database(settings)) as session:  # the commit happened; the move did not
        scan_id = record_scan(
            session,
            repo.ScanRecord(
                path=str(recorded_as),
                sha256=sha(left),
                status="review",
                waybill="75462889751402",
                carrier="ZTO",
                via="barcode",
                confidence=0.93,
                order_tid=None,
                reasons=["no_matching_order"],
                evidence={},
                engines="zxing+rapidocr",
                ms=1.0,
            ),
            queue=False,
        )
    with watching(inbox, settings) as handled:
        wait_for(lambda: handled, "the left-over photo")
    assert handled[0].recovered and handled[0].filed == recorded_as and recorded_as.is_file()
    assert handled[0].result.scan_id == scan_id and scans_with(settings, sha(CLEAN_A)) == 1


def test_killed_in_the_middle_of_a_photo_the_restart_takes_it_again(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    env = {**os.environ, "WAYBILL_WATCH_STABLE_S": str(STABLE_S), "WAYBILL_DB_URL": settings.db_url}
    command = [sys.executable, "-m", "capture.cli", "watch", str(inbox), "--json"]

    first = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: (inbox / "in-progress").is_dir(), "the watcher to start")
        shutil.copy(NO_LABEL, inbox / "mid.jpg")
        wait_for(lambda: (inbox / "in-progress" / "mid.jpg").exists(), "the photo to be taken")
        first.send_signal(signal.SIGKILL)  # a power cut, the OOM killer
        first.wait(WAIT_S)
    finally:
        if first.poll() is None:
            first.kill()
    assert (inbox / "in-progress" / "mid.jpg").exists() or (inbox / "processed" / "mid.jpg").exists()

    second = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: (inbox / "processed" / "mid.jpg.json").exists(), "the restart to file the photo")
    finally:
        second.send_signal(signal.SIGTERM)
        out, err = second.communicate(timeout=WAIT_S)
    assert second.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [(r["filed_as"], r["status"]) for r in lines] == [(str(inbox / "processed" / "mid.jpg"), "no_waybill")]
    assert scans_with(settings, sha(NO_LABEL)) == 1, "recorded twice across the restart"
    assert not any((inbox / "in-progress").iterdir())
