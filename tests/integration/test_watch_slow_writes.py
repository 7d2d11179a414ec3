"""A photo written slowly, or resumed, into the watched folder: waited for, never failed, never in two pieces.

A phone's sync client or an SMB copy that stalls for a few seconds mid-photo
leaves a file whose size and mtime hold still for longer than watch_stable_s,
yet whose image data is cut short.  Real files, real inotify events, a real
database.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from capture import api
from capture import settings as settings_mod
from tests.integration.test_watch import CLEAN_A, CLEAN_B, HUGE_LIMIT, ROOT, STABLE_S, by_name, sha, wait_for, watching

PAUSE_S = 3.0  # longer than STABLE_S several times over: the stall the tester made


@pytest.fixture
def settings(tmp_path):
    base = settings_mod.load(
        db_url=f"sqlite:///{tmp_path / 'waybill.db'}",
        env={},
        watch_stable_s=STABLE_S,
        watch_rescan_s=30.0,
        max_image_pixels=HUGE_LIMIT,
    )
    api.import_orders(ROOT / "samples" / "orders.csv", base)
    api.engines(base)  # loaded before the watcher starts, so its first seconds are not spent loading them
    return base


def photos_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".json") if folder.is_dir() else []


def test_a_half_written_jpeg_held_open_through_a_pause_is_waited_for(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = CLEAN_A.read_bytes()
    with watching(inbox, settings) as handled:
        with (inbox / "held.jpg").open("wb") as f:
            f.write(data[: len(data) // 2])
            f.flush()
            time.sleep(PAUSE_S)
            assert handled == [], "a photo cut short was taken while its writer paused"
            f.write(data[len(data) // 2 :])
        wait_for(lambda: "held.jpg" in by_name(handled), "the completed photo")
    assert handled[0].result.outcome.status.value == "queued"
    assert [sha(p) for p in photos_in(inbox / "processed")] == [sha(CLEAN_A)]
    assert photos_in(inbox / "failed") == []


def test_a_write_resumed_by_reopening_the_file_leaves_one_whole_photo(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = CLEAN_B.read_bytes()
    with watching(inbox, settings) as handled:
        (inbox / "resumed.jpg").write_bytes(data[: len(data) // 3])
        time.sleep(PAUSE_S)
        with (inbox / "resumed.jpg").open("ab") as f:  # the sync client starts again, by name
            f.write(data[len(data) // 3 :])
        wait_for(lambda: handled, "the resumed photo")
        time.sleep(3 * STABLE_S)  # a second fragment, if there were one, would be filed by now
    assert [h.dropped.name for h in handled] == ["resumed.jpg"]
    assert [sha(p) for p in photos_in(inbox / "processed")] == [sha(CLEAN_B)]
    assert photos_in(inbox / "failed") == [] and photos_in(inbox) == []


def test_a_failed_photo_that_keeps_growing_is_taken_again(tmp_path, settings):
    """Past the wait, a cut-short photo goes to failed/; if its writer then finishes it, it is read again."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = replace(settings, watch_unfinished_wait_s=1.0)
    data = CLEAN_A.read_bytes()
    with watching(inbox, settings) as handled:
        with (inbox / "late.jpg").open("wb") as f:
            f.write(data[: len(data) // 2])
            f.flush()
            wait_for(lambda: (inbox / "failed" / "late.jpg").exists(), "the cut-short photo to be failed")
            f.write(data[len(data) // 2 :])  # the same open file, now in failed/
        wait_for(lambda: (inbox / "processed" / "late.jpg.json").exists(), "the finished photo to be read again")
    statuses = [(h.dropped.name, h.result.outcome.status.value) for h in handled]
    assert statuses == [("late.jpg", "error"), ("late.jpg", "queued")]
    assert [sha(p) for p in photos_in(inbox / "processed")] == [sha(CLEAN_A)]
    assert photos_in(inbox / "failed") == [] and not (inbox / "failed" / "late.jpg.json").exists()
    sidecar = json.loads((inbox / "processed" / "late.jpg.json").read_text())
    assert sidecar["sha256"] == sha(CLEAN_A)


def test_an_old_cut_short_photo_is_failed_with_its_reason(tmp_path, settings):
    """Not everything cut short is still being written: past the wait it is failed, as before."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = replace(settings, watch_unfinished_wait_s=0.5)
    data = CLEAN_A.read_bytes()
    with watching(inbox, settings) as handled:
        (inbox / "cut.jpg").write_bytes(data[: len(data) // 2])
        wait_for(lambda: handled, "the cut-short photo")
    assert handled[0].filed == inbox / "failed" / "cut.jpg"
    why = json.loads(handled[0].sidecar.read_text())["why"]
    assert "truncated" in why or "damaged" in why, why
