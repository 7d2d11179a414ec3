"""The camera on video files the tests make: one event per parcel, with the right number.

Videos are 1280x720 MJPG at 12 fps, made from the committed sample set's
own labels (samples/videos.py), so each label's order is in
samples/orders.csv and a capture can be queued.  Read frame by frame
(no drops), so every run sees the same frames.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from capture import api
from capture import settings as settings_mod
from capture.sources.camera import CameraEvent

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "samples"))
import videos
from videos import Scene

COOLDOWN_S = 10.0
WAIT_S = 300


@pytest.fixture(scope="module")
def labels() -> list[videos.Label]:
    return videos.labels()[:5]


@pytest.fixture
def settings(tmp_path):
    base = settings_mod.load(
        db_url=f"sqlite:///{tmp_path / 'waybill.db'}",
        env={},
        evidence_dir=str(tmp_path / "evidence"),
        camera_cooldown_s=COOLDOWN_S,
    )
    api.import_orders(ROOT / "samples" / "orders.csv", base)
    return base


def run(video: Path, settings) -> list[CameraEvent]:
    events: list[CameraEvent] = []
    api.run_camera(str(video), settings, events.append)
    return events


def scan_rows(settings) -> list[tuple[str, str, str]]:
    with sqlite3.connect(settings.db_url.removeprefix("sqlite:///")) as conn:
        return conn.execute("SELECT path, status, waybill FROM scans ORDER BY id").fetchall()


def test_a_label_sliding_through_is_one_capture(tmp_path, settings, labels):
    label = labels[0]
    video = tmp_path / "slide.avi"
    videos.write_video(video, [Scene("empty", None, 0.5), Scene("slide", label, 3.0), Scene("empty", None, 0.5)])
    events = run(video, settings)
    assert [e.number for e in events] == [label.number]
    event = events[0]
    # The deciding frame showed the whole label: the recipient or order number was read and matched.
    assert event.result.outcome.status.value == "queued" and event.result.outcome.order is not None
    assert event.evidence.is_file() and event.evidence.suffix == ".jpg"
    assert scan_rows(settings) == [(str(event.evidence), "queued", label.number)]  # evidence beside the record


def test_a_parcel_held_still_and_brought_back_within_the_cool_down_is_one_capture(tmp_path, settings, labels):
    label = labels[1]
    video = tmp_path / "hold.avi"
    truth = videos.write_video(video, [Scene("hold", label, 3.0), Scene("empty", None, 1.0), Scene("hold", label, 1.0)])
    events = run(video, settings)
    assert [e.number for e in events] == [label.number]
    first_full_s = truth[0].first_full_frame / videos.FPS
    assert events[0].stream_s >= first_full_s, "decided before the label was all in view"
    assert events[0].result.outcome.status.value == "queued"
    # Queued at the first look, as the label came to rest: not three frames later, once the picture was steady.
    assert events[0].first_look and events[0].stream_s < first_full_s + 0.5


def test_two_parcels_in_a_row_through_the_real_command(tmp_path, settings, labels):
    first, second = labels[2], labels[3]
    video = tmp_path / "two.avi"
    videos.write_video(video, [Scene("hold", first, 1.0, move_s=0.7), Scene("hold", second, 1.0, move_s=0.7)])
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "capture.cli",
            "camera",
            str(video),
            "--json",
            "--db",
            settings.db_url,
            "--evidence-dir",
            settings.evidence_dir,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=WAIT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert [(r["waybill"], r["status"]) for r in lines] == [(first.number, "queued"), (second.number, "queued")]
    keys = {"path", "status", "waybill", "carrier", "via", "confidence", "order", "reasons", "ms", "evidence"}
    assert all(keys <= set(r) and Path(r["evidence"]).is_file() for r in lines)
    assert "parcels 2" in done.stderr


def test_blurred_passes_a_smeared_one_is_read_once_an_unfocused_one_not_at_all(tmp_path, settings, labels):
    # Smeared along its travel, the bars (lying along it) still read: one
    # capture, right number; the small print may not read, so review is fine.
    # Out of focus, nothing survives: the right answer is no capture, never a guess.
    smeared, unfocused = labels[4], labels[0]
    video = tmp_path / "blur.avi"
    videos.write_video(
        video,
        [
            Scene("smear", smeared, 1.5),
            Scene("empty", None, 0.5),
            Scene("blur", unfocused, 1.5),
            Scene("empty", None, 0.5),
        ],
    )
    events = run(video, settings)
    assert [e.number for e in events] == [smeared.number]
    assert events[0].result.outcome.status.value in ("queued", "review")
    assert [waybill for _path, _status, waybill in scan_rows(settings)] == [smeared.number]


def test_a_label_without_readable_barcodes_is_captured_by_ocr_seen_in_two_frames(tmp_path, settings):
    # Tape glare over both barcodes: only OCR can read the number, and only a
    # label held still is read that way (OCR is too slow for every frame).
    label = videos.labels(hide_barcodes=True)[0]
    video = tmp_path / "ocr.avi"
    videos.write_video(video, [Scene("hold", label, 1.5, move_s=0.5)])
    events = run(video, settings)
    assert [e.number for e in events] == [label.number]
    candidate = events[0].result.outcome.candidate
    assert events[0].frames >= 2 and candidate is not None and candidate.via.value == "ocr"
