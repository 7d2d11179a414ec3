"""Fault injection with a real OCR engine plugin (tests/faults/plugins/ocr_faults.py), real `waybill watch` processes.

A worker process SIGKILLed mid-photo, as the out-of-memory killer does, and
an engine that raises: nothing lost, nothing recorded twice, a line that says
what happened, and the watcher goes on.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

from capture import api
from capture import settings as settings_mod
from tests.faults.plugins.ocr_faults import FAULT_ENV
from tests.integration.test_watch import CLEAN_A, CLEAN_B, CLEAN_C, NO_LABEL, ROOT, sha

PHOTOS = (CLEAN_A, CLEAN_B, CLEAN_C, NO_LABEL)
WAIT_S = 240.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_watch(tmp_path: Path, fault: str, port: int, **settings: str) -> tuple[subprocess.Popen, Path, str]:
    db = f"sqlite:///{tmp_path / 'waybill.db'}"
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=db, env={}))
    api.close()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    env = {
        **os.environ,
        "WAYBILL_OCR_PLUGIN": "tests.faults.plugins.ocr_faults",
        FAULT_ENV: fault,
        "WAYBILL_WATCH_STABLE_S": "0.3",
        **{f"WAYBILL_{name.upper()}": value for name, value in settings.items()},
    }
    args = ["watch", str(inbox), "--db", db, "--json", "--workers", "2", "--metrics-port", str(port)]
    watch = subprocess.Popen(
        [sys.executable, "-m", "capture.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return watch, inbox, db


def stop(watch: subprocess.Popen) -> str:
    watch.send_signal(signal.SIGTERM)
    _out, err = watch.communicate(timeout=120)
    assert watch.returncode == 0, err
    return err


def lines(watch: subprocess.Popen, count: int) -> list[dict]:
    """The watcher's next `count` JSON lines, failing when they do not come within WAIT_S."""
    assert watch.stdout is not None
    got: list[dict] = []
    until = time.monotonic() + WAIT_S
    with selectors.DefaultSelector() as selector:
        selector.register(watch.stdout, selectors.EVENT_READ)
        while len(got) < count:
            left = until - time.monotonic()
            assert left > 0 and selector.select(left), f"the watcher answered for {len(got)} of {count} photos"
            got.append(json.loads(watch.stdout.readline()))
    return got


def scans_by_sha(db_file: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)) as conn:
        return dict(conn.execute("SELECT sha256, count(*) FROM scans GROUP BY sha256").fetchall())


def healthz(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_worker_killed_mid_photo_loses_nothing_and_reads_each_photo_once(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    port = free_port()
    watch, inbox, _db = start_watch(tmp_path, f"kill-once:{markers}", port)
    try:
        for photo in PHOTOS:
            shutil.copy(photo, inbox / photo.name)
        handled = lines(watch, len(PHOTOS))
    finally:
        err = stop(watch)
    assert (markers / "killed-once").exists()  # a worker really was SIGKILLed
    assert "a worker process died (killed, perhaps by the out-of-memory killer)" in err
    assert "it is read again" in err
    assert all(h["status"] != "error" for h in handled), handled
    assert sorted(Path(h["path"]).name for h in handled) == sorted(p.name for p in PHOTOS)
    assert scans_by_sha(tmp_path / "waybill.db") == {sha(p): 1 for p in PHOTOS}  # once each, none lost
    assert sorted(p.name for p in (inbox / "processed").iterdir() if p.suffix == ".jpg") == sorted(
        p.name for p in PHOTOS
    )
    assert not any((inbox / "in-progress").iterdir()) if (inbox / "in-progress").exists() else True


def test_an_engine_killed_on_every_photo_files_them_in_failed_and_health_says_so(tmp_path: Path) -> None:
    port = free_port()
    watch, inbox, _db = start_watch(tmp_path, "kill", port)
    try:
        for photo in (CLEAN_A, CLEAN_B, NO_LABEL):
            shutil.copy(photo, inbox / photo.name)
        handled = lines(watch, 3)
        deadline = time.monotonic() + WAIT_S
        code, body = healthz(port)
        while code != 503 and time.monotonic() < deadline:
            time.sleep(0.2)
            code, body = healthz(port)
        assert watch.poll() is None  # the watcher itself lives on
    finally:
        err = stop(watch)
    assert code == 503 and body["engines"]["ok"] is False and "crashed the reader" in body["engines"]["detail"], body
    assert all(h["status"] == "error" for h in handled), handled
    for h in handled:
        sidecar = json.loads((inbox / "failed" / (Path(h["path"]).name + ".json")).read_text())
        assert "a worker process died reading this photo" in json.dumps(sidecar, ensure_ascii=False)
    failed = sorted(p.name for p in (inbox / "failed").iterdir() if p.suffix == ".jpg")
    assert failed == sorted(p.name for p in (CLEAN_A, CLEAN_B, NO_LABEL))  # every photo kept, none lost
    assert "goes to failed/" in err


def test_an_engine_that_raises_fails_the_photo_with_its_reason_and_the_watcher_goes_on(tmp_path: Path) -> None:
    port = free_port()
    watch, inbox, _db = start_watch(tmp_path, "raise", port)
    try:
        shutil.copy(NO_LABEL, inbox / NO_LABEL.name)
        (handled,) = lines(watch, 1)
        assert watch.poll() is None
    finally:
        stop(watch)
    assert handled["status"] == "error"
    sidecar = (inbox / "failed" / (NO_LABEL.name + ".json")).read_text()
    assert "the test OCR engine failed on purpose" in sidecar
    assert (inbox / "failed" / NO_LABEL.name).read_bytes() == NO_LABEL.read_bytes()
