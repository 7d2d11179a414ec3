"""File names a shop's PC really produces: bytes that are not UTF-8 (a GBK-named file off an old share),
and names at the filesystem's 255-byte limit.  Real `waybill scan` and `waybill watch` processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from capture import api
from capture import settings as settings_mod
from tests.integration.test_watch import CLEAN_A, CLEAN_B, ROOT, STABLE_S, wait_for

GBK_NAME = "面单".encode("gbk") + b".jpg"  # not valid UTF-8
LONG_NAME = "l" * 250 + ".jpg"  # 254 bytes: its sidecar's name would be 259
NAME_MAX = 255


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'waybill.db'}"
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=url, env={}))
    return url


def waybill(*args: str, db_url: str) -> list[str]:
    return [sys.executable, "-m", "capture.cli", *args, "--db", db_url]


def env() -> dict[str, str]:
    # A UTF-8 locale, as on a shop's desk PC: the names still cannot be encoded.
    return {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "", "WAYBILL_WATCH_STABLE_S": str(STABLE_S)}


def test_scan_reads_a_photo_whose_name_is_not_utf8_and_goes_on(tmp_path: Path, db_url: str) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    shutil.copy(CLEAN_A, photos / os.fsdecode(GBK_NAME))
    shutil.copy(CLEAN_B, photos / "after.jpg")
    for extra in ([], ["--json"]):
        done = subprocess.run(
            waybill("scan", str(photos), *extra, db_url=db_url), env=env(), capture_output=True, timeout=300
        )
        stderr = done.stderr.decode("utf-8", "replace")
        assert "Traceback" not in stderr, stderr
        out = done.stdout.decode("utf-8")  # everything printed is valid UTF-8
        assert "summary: photos 2" in out + stderr
        assert "after.jpg" in out and "\\xc3" in out, out  # the odd bytes shown escaped, never lost


def test_watch_files_a_photo_whose_name_is_not_utf8_and_one_at_the_length_limit(tmp_path: Path, db_url: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watcher = subprocess.Popen(
        waybill("watch", str(inbox), "--json", db_url=db_url),
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: (inbox / "in-progress").is_dir(), "the watcher to start")
        shutil.copy(CLEAN_A, inbox / os.fsdecode(GBK_NAME))
        shutil.copy(CLEAN_B, inbox / LONG_NAME)
        wait_for(lambda: len(list((inbox / "processed").glob("*.json"))) == 2, "both photos to be filed")
        assert watcher.poll() is None, "the watcher died"
    finally:
        watcher.send_signal(signal.SIGTERM)
        out, err = watcher.communicate(timeout=120)
    assert "Traceback" not in err.decode("utf-8", "replace"), err
    lines = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    assert sorted(line["status"] for line in lines) == ["queued", "queued"]
    filed = sorted(p for p in (inbox / "processed").iterdir() if p.suffix != ".json")
    assert sorted(p.read_bytes() for p in filed) == sorted([CLEAN_A.read_bytes(), CLEAN_B.read_bytes()])
    for photo in filed:
        assert len(os.fsencode(photo.name + ".json")) <= NAME_MAX and photo.name.isprintable()
        sidecar = json.loads(Path(str(photo) + ".json").read_text(encoding="utf-8"))
        assert sidecar["scan"]["path"] == str(photo)
    dropped_as = {json.loads(p.read_text(encoding="utf-8"))["dropped_as"] for p in (inbox / "processed").glob("*.json")}
    assert str(inbox / LONG_NAME) in dropped_as
    assert not list(inbox.rglob(".*.tmp")), "a half-written sidecar was left behind"
    assert [p for p in inbox.iterdir() if p.is_file()] == []
