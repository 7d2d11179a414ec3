"""A reader that hangs mid-photo (tests/faults/plugins/ocr_faults.py `hang`), under real `waybill watch --workers 2`.

Without a deadline the photo sits in in-progress/ for ever and its worker
reads nothing more.  With `watch_photo_deadline_s` the worker is stopped,
the photo read again (or failed after two overruns), the photos read
beside it are read again without blame, and nothing is recorded twice.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.integration.test_faults_engine import PHOTOS, free_port, lines, scans_by_sha, start_watch, stop
from tests.integration.test_watch import CLEAN_A, sha

# Counted from when a worker begins the photo (not while a new worker loads its
# engines): well above a photo's read on a loaded 2-core machine, short for a test.
DEADLINE_S = "20"


def test_a_photo_whose_reader_hangs_is_read_again_by_a_new_worker_and_nothing_is_lost(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    watch, inbox, _db = start_watch(tmp_path, f"hang-once:{markers}", free_port(), watch_photo_deadline_s=DEADLINE_S)
    try:
        for photo in PHOTOS:
            shutil.copy(photo, inbox / photo.name)
        handled = lines(watch, len(PHOTOS))
    finally:
        err = stop(watch)
    assert (markers / "hung-once").exists()  # a reader really hung
    assert f"has been read for more than {DEADLINE_S} s: its worker process is stopped" in err
    assert "took too long (a hung reader)" in err and "it is read again" in err
    assert all(h["status"] != "error" for h in handled), handled
    assert scans_by_sha(tmp_path / "waybill.db") == {sha(p): 1 for p in PHOTOS}  # once each, none lost
    processed = sorted(p.name for p in (inbox / "processed").iterdir() if p.suffix == ".jpg")
    assert processed == sorted(p.name for p in PHOTOS)
    assert not list((inbox / "in-progress").iterdir())


def test_a_photo_that_hangs_every_reader_goes_to_failed_with_its_reason_and_the_watcher_stops_cleanly(
    tmp_path: Path,
) -> None:
    watch, inbox, _db = start_watch(tmp_path, "hang", free_port(), watch_photo_deadline_s=DEADLINE_S)
    try:
        shutil.copy(CLEAN_A, inbox / CLEAN_A.name)
        (handled,) = lines(watch, 1)
        assert watch.poll() is None  # the watcher itself lives on
    finally:
        err = stop(watch)  # returns: no hung reader holds the stop
    assert handled["status"] == "error"
    sidecar = json.loads((inbox / "failed" / (CLEAN_A.name + ".json")).read_text())
    assert f"reading this photo took more than {DEADLINE_S} s 2 times" in json.dumps(sidecar, ensure_ascii=False)
    assert (inbox / "failed" / CLEAN_A.name).read_bytes() == CLEAN_A.read_bytes()
    assert "it goes to failed/" in err
