"""Packing videos: a made desk video with several parcels gives one H.264 clip per parcel, with its waybill burned in.

Real parts throughout: the sample labels' video (samples/videos.py) read by
`waybill camera`'s loop with recording on, clips written by PyAV's libx264,
read back by OpenCV, the burned-in band read back by the project's OCR
engine (rapidocr), the catalog in a real SQLite database.  The full-disk
test writes on a real 1.5 MB tmpfs (root may mount one; elsewhere it is skipped).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import cv2
import httpx
import pytest

from capture import api
from capture import settings as settings_mod
from capture.api import desk, users, video
from capture.api.sources import browser_camera
from capture.sources.camera import CameraEvent
from capture.sources.overlay import band_height
from tests.browser.desk_server import DeskServer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "samples"))
import videos  # noqa: E402  (samples/ is put on the path above)
from videos import Scene  # noqa: E402

PREROLL_S = 1.0
TRUTH = ROOT / "samples" / "truth.jsonl"


def desk_video(path: Path, labels: list[videos.Label]) -> None:
    scenes = [Scene("empty", None, 1.5)]
    for label in labels:
        scenes += [Scene("hold", label, 1.5, move_s=0.6), Scene("empty", None, 1.0)]
    videos.write_video(path, scenes)


def frame_count(path: Path) -> int:
    capture = cv2.VideoCapture(str(path))
    assert capture.isOpened(), f"OpenCV cannot open {path}"
    count = 0
    while capture.read()[0]:
        count += 1
    capture.release()
    return count


def band_text(path: Path, settings) -> str:
    """The burned-in band of the clip's middle frame, as the project's OCR engine reads it."""
    capture = cv2.VideoCapture(str(path))
    total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    capture.set(cv2.CAP_PROP_POS_FRAMES, total // 2)
    ok, frame = capture.read()
    capture.release()
    assert ok
    band = frame[: band_height(frame.shape[0])]
    return " ".join(line.text for line in api.engines(settings).ocr.read(band, upright=True))


@pytest.fixture
def settings(tmp_path):
    base = settings_mod.load(
        db_url=f"sqlite:///{tmp_path / 'waybill.db'}",
        env={},
        evidence_dir=str(tmp_path / "evidence"),
        video_record=True,
        video_preroll_s=PREROLL_S,
        desk_station="A",
    )
    api.import_orders(ROOT / "samples" / "orders.csv", base)
    return base


def test_each_parcel_gets_one_clip_from_its_pre_roll_to_the_next_label_with_its_waybill_burned_in(tmp_path, settings):
    labels = videos.labels()[:3]
    source = tmp_path / "desk.avi"
    desk_video(source, labels)
    events: list[CameraEvent] = []
    api.run_camera(str(source), settings, events.append)
    assert [e.number for e in events] == [label.number for label in labels]

    total = frame_count(source)
    starts = [e.first_seen_s for e in events]
    ends = [*starts[1:], None]
    for event, start, end in zip(events, starts, ends, strict=True):
        found = video.clips(event.number, settings)
        assert len(found) == 1, f"{event.number}: {len(found)} clips"
        clip = found[0]
        path = Path(clip.path)
        assert path.is_file() and path.suffix == ".mp4" and path.name.startswith(event.number)
        assert path.is_relative_to(Path(settings.evidence_dir))
        # Frames of the source from PREROLL_S before the label was first seen to the next label (or the end).
        first = max(0, round((start - PREROLL_S) * videos.FPS - 1e-6))
        last = total if end is None else round(end * videos.FPS - 1e-6)
        assert frame_count(path) == clip.frames == last - first
        order = event.result.outcome.order
        assert order is not None and clip.order_tid == order.tid and clip.station == "A"
        text = band_text(path, settings).replace(" ", "")
        assert event.number in text and order.tid in text, text
        # An order's clips are found by the order number too.
        assert [c.id for c in video.clips(order.tid, settings)] == [clip.id]
    assert not list(Path(settings.evidence_dir).rglob("*.part")), "a partial clip was left behind"


def test_recording_off_writes_no_clip(tmp_path, settings):
    source = tmp_path / "one.avi"
    desk_video(source, videos.labels()[:1])
    off = replace(settings, video_record=False)
    events: list[CameraEvent] = []
    api.run_camera(str(source), off, events.append)
    assert len(events) == 1 and video.clips(events[0].number, off) == []
    assert not (Path(settings.evidence_dir) / "video").exists()


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "--lazy", str(mount)], check=True)


def test_a_full_disk_drops_the_clips_and_capture_goes_on(tmp_path, settings, small_disk, caplog):
    labels = videos.labels()[:3]
    source = tmp_path / "desk.avi"
    desk_video(source, labels)
    # Fill the disk but for a sliver: the first clip's first few frames fit, nothing more.
    (small_disk / "filler").write_bytes(b"\0" * (1536 * 1024 - 48 * 1024))
    cramped = replace(settings, evidence_dir=str(small_disk / "evidence"))
    events: list[CameraEvent] = []
    with caplog.at_level(logging.WARNING):
        api.run_camera(str(source), cramped, events.append)
    # Every parcel was still decided, recorded and queued.
    assert [e.number for e in events] == [label.number for label in labels]
    assert all(e.result.outcome.status.value == "queued" and e.result.scan_id for e in events)
    assert all(video.clips(e.number, cramped) == [] for e in events)
    dropped = [r for r in caplog.records if "packing video of" in r.getMessage() and "dropped" in r.getMessage()]
    assert len(dropped) == len(labels), [r.getMessage() for r in caplog.records]
    assert not [p for p in (small_disk / "evidence").rglob("*") if p.suffix in (".part", ".mp4")]
    # No file of a dropped clip is held open (a deleted file held open keeps its disk space).
    held = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd") if _readable_link(fd)]
    assert not [h for h in held if h.startswith(str(small_disk))], held


def _readable_link(fd: str) -> bool:
    try:
        os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return False
    return True


def test_the_frames_a_desk_page_posts_are_recorded_too(tmp_path, settings):
    """The browser camera: JPEG frames as POST /api/frames hands them over, one clip per parcel at the station."""
    labels = videos.labels()[3:5]
    source = tmp_path / "page.avi"
    desk_video(source, labels)
    camera = browser_camera("B", settings)
    capture = cv2.VideoCapture(str(source))
    events, index = [], 0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
        events += desk.feed_camera_frame(camera, jpeg, index / videos.FPS, settings)
        index += 1
    camera.close()
    assert [e.number for e in events] == [label.number for label in labels]
    for event in events:
        (clip,) = video.clips(event.number, settings)
        assert clip.station == "B" and clip.frames == frame_count(Path(clip.path)) > videos.FPS
        assert event.number in band_text(Path(clip.path), settings).replace(" ", "")


def test_waybill_camera_record_then_waybill_video_and_history_find_the_clip(tmp_path, settings):
    source = tmp_path / "cli.avi"
    label = videos.labels()[5]
    desk_video(source, [label])
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "WAYBILL_DB_URL": settings.db_url,
        "WAYBILL_EVIDENCE_DIR": settings.evidence_dir,
    }
    waybill = [sys.executable, "-m", "capture.cli"]
    run = subprocess.run(
        [*waybill, "camera", str(source), "--record", "--json"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    shown = subprocess.run([*waybill, "video", label.number], env=env, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    (path,) = shown.stdout.split()
    assert Path(path).is_file() and frame_count(Path(path)) > videos.FPS
    history = subprocess.run([*waybill, "history", label.number], env=env, capture_output=True, text=True)
    assert history.returncode == 0 and "video 1: " in history.stdout and path in history.stdout, history.stdout


def order_of(waybill: str) -> str:
    """The sample set's own order for a label (samples/truth.jsonl): the pick list that goes with it."""
    for line in TRUTH.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["waybill"] == waybill:
            return str(row["order"])
    raise AssertionError(f"{waybill} is not in the sample truth")


def test_a_pick_list_scanned_at_the_desk_starts_its_parcels_clip_there(tmp_path, settings):
    """Through `waybill serve`: the page's camera frames, the gun's pick list at 2 s, its label shown from ~9 s.

    The clip starts at the pick list's pre-roll, not the label's: the packing the buyer disputes began there.
    """
    label = videos.labels()[4]
    source = tmp_path / "desk.avi"
    scenes = [Scene("empty", None, 9.0), Scene("hold", label, 1.5, move_s=0.6), Scene("empty", None, 1.0)]
    (truth,) = videos.write_video(source, scenes)
    users.add_user("packer", "packer", "packer-pass-1", settings)
    token = users.issue_token("packer", settings)
    server = DeskServer(settings).start()
    pick_at = round(2.0 * videos.FPS)
    try:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
            capture, index, outcomes = cv2.VideoCapture(str(source)), 0, []
            while True:
                ok, image = capture.read()
                if not ok:
                    break
                if index == pick_at:
                    read = client.post("/api/code", json={"text": order_of(label.number), "station": "A"})
                    assert read.status_code == 200 and read.json()["pair"]["state"] == "waiting", read.text
                jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
                answer = client.post(
                    "/api/frames",
                    data={"station": "A", "t": f"{index / videos.FPS:.3f}"},
                    files={"frame": ("f.jpg", jpeg)},
                )
                assert answer.status_code == 200, answer.text
                outcomes += answer.json()["events"]
                index += 1
    finally:
        server.stop()  # finishes the station's open clip
    assert [(o["waybill"], o["status"]) for o in outcomes] == [(label.number, "queued")]
    (clip,) = video.clips(label.number, settings)
    seconds = (clip.ended_at - clip.started_at).total_seconds()
    from_pick_list = (index - 1) / videos.FPS - (pick_at - 1) / videos.FPS + PREROLL_S
    assert clip.station == "A" and clip.order_tid == order_of(label.number)
    assert truth.first_full_frame / videos.FPS > 2.0 + 5.0  # the label alone would start the clip at ~7 s
    assert abs(seconds - from_pick_list) < 0.5, (seconds, from_pick_list)
    assert label.number in band_text(Path(clip.path), settings).replace(" ", "")
