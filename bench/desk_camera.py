"""The desk page's camera through the HTTP API: 720p frames handled per second, and a steady label's time to its outcome.

    python bench/desk_camera.py [--parcels 6]

A real `waybill serve` app (uvicorn on loopback, as tests/browser start it)
on a fresh SQLite file with the sample orders.  A made 1280x720 desk video
(samples/videos.py: the committed sample labels held under the camera) is
sent the way the page sends its camera (capture/web/static/camera.js): each
frame a JPEG at quality 85, one POST /api/frames in flight at a time.

* frame by frame: every frame posted as soon as the last one is answered,
  so the server's pace is the frame rate: frames handled per second
  (issue 13's target: >= 15 fps at 720p).
* real time: frames offered at the video's pace; a frame whose moment passed
  while the server was busy is skipped, as the page grabs whatever the camera
  shows now.  The time from the moment the frame in which a label came to
  rest was shown to the answer that carries its outcome (target: <= 300 ms).

Baseline, in the same run: `waybill camera` reading the same video file
frame by frame in this process (api.run_camera), so the ratio is what the
page's path (JPEG, HTTP, the app) costs over the camera's own.

What the browser itself adds (the canvas grab, its JPEG encoding, painting
the answer) is not in these figures: `bench/desk.py` measures painting
(tens of ms in chromium).  Both runs share one process with the server.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

import videos

from capture import api
from capture.api import users
from tests.browser.desk_server import DeskServer, desk_settings, prepared_database

VIDEO_FPS = 15.0
HOLD_S, MOVE_S, GAP_S = 1.5, 0.5, 0.5  # as bench/sources.py holds them under `waybill camera`
JPEG_QUALITY = 85  # camera.js: canvas.toBlob(..., "image/jpeg", 0.85)
TARGET_FPS, TARGET_MEDIAN_MS = 15.0, 300.0
P95 = 0.95


@dataclass
class CameraPass:
    frames_sent: int = 0
    seconds: float = 0.0
    events: list[str] = field(default_factory=list)  # the waybill of each outcome
    # waybill -> ms from its resting frame's moment to the answer that carried it
    from_rest_ms: dict[str, float] = field(default_factory=dict)


def made_video(folder: Path, parcels: int) -> tuple[Path, list[np.ndarray], list[videos.Parcel]]:
    labels = [label for label in videos.labels() if label.number][:parcels]
    scenes = []
    for label in labels:
        scenes += [videos.Scene("hold", label, HOLD_S, move_s=MOVE_S), videos.Scene("empty", None, GAP_S)]
    path = folder / "desk.avi"
    truth = videos.write_video(path, scenes, fps=VIDEO_FPS)
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return path, frames, truth


def jpeg(frame: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError("OpenCV could not encode a frame as JPEG")
    return data.tobytes()


def send(client: httpx.Client, station: str, data: bytes, t: float) -> list[str]:
    answer = client.post("/api/frames", data={"station": station, "t": f"{t:.3f}"}, files={"frame": ("f.jpg", data)})
    answer.raise_for_status()
    # The second pass sees the first pass's parcels again: already queued is its outcome, and counts as one.
    return [event["waybill"] for event in answer.json()["events"] if event.get("waybill")]


def frame_by_frame(client: httpx.Client, frames: list[bytes]) -> CameraPass:
    run = CameraPass()
    started = time.perf_counter()
    for n, data in enumerate(frames):
        run.events += send(client, "FF", data, n / VIDEO_FPS)
        run.frames_sent += 1
    run.seconds = time.perf_counter() - started
    return run


def real_time(client: httpx.Client, frames: list[bytes], truth: list[videos.Parcel]) -> CameraPass:
    at_rest = {p.number: p.first_still_frame / VIDEO_FPS for p in truth if p.first_still_frame >= 0}
    run = CameraPass()
    started = time.perf_counter()
    while (now := time.perf_counter() - started) < len(frames) / VIDEO_FPS:
        n = int(now * VIDEO_FPS)  # the picture the camera shows at this moment
        numbers = send(client, "RT", frames[n], n / VIDEO_FPS)
        answered = time.perf_counter() - started
        run.frames_sent += 1
        for number in numbers:
            run.events.append(number)
            if number in at_rest:
                run.from_rest_ms[number] = 1000 * (answered - at_rest[number])
        # the next grab happens at once, as the page's loop does
    run.seconds = time.perf_counter() - started
    return run


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(P95 * (len(ordered) - 1)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=6, help="labels in the made video (at most 14)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        video, images, truth = made_video(folder, args.parcels)
        frames = [jpeg(image) for image in images]
        settings = desk_settings(folder)
        prepared_database(settings)
        token = users.issue_token("packer", settings)
        desk = DeskServer(settings).start()
        try:
            with httpx.Client(base_url=desk.url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
                send(client, "FF", frames[0], 0.0)  # engines load on a station's first frame: not timed
                send(client, "RT", frames[0], 0.0)
                ff = frame_by_frame(client, frames[1:])
                rt = real_time(client, frames, truth)
        finally:
            desk.stop()
        baseline = api.run_camera(str(video), settings, lambda _e: None)  # the same parcels again: already queued
    kb = statistics.median(len(f) for f in frames) / 1024
    numbers = {p.number for p in truth}
    fps = ff.frames_sent / ff.seconds
    print(
        f"desk page camera, 1280x720 JPEG q{JPEG_QUALITY} (median {kb:.0f} KB), {len(truth)} parcels, {len(frames)} frames"
    )
    print(
        f"  frame by frame: {fps:.1f} frames/s handled (target >= {TARGET_FPS:g}); "
        f"decided {len(set(ff.events) & numbers)}/{len(numbers)} parcels in {len(ff.events)} events"
    )
    print(
        f"  baseline, `waybill camera` on the same video file: {baseline.fps:.1f} frames/s; page path / camera: {fps / baseline.fps:.2f}x"
    )
    waits = list(rt.from_rest_ms.values())
    median = statistics.median(waits) if waits else float("nan")
    print(
        f"  real time {VIDEO_FPS:g} fps: {rt.frames_sent / rt.seconds:.1f} frames/s sent; "
        f"label at rest to its outcome: median {median:.0f} ms, p95 {_p95(waits):.0f} ms (target <= {TARGET_MEDIAN_MS:g}); "
        f"decided {len(set(rt.events) & numbers)}/{len(numbers)} parcels in {len(rt.events)} events"
    )


if __name__ == "__main__":
    main()
