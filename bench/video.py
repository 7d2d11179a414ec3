"""What packing videos cost: disk per recorded minute at 720p, CPU per recorded hour, and the camera with and without them.

    python bench/video.py [--parcels 6] [--out bench/out]

One 1280x720 15 fps desk video of parcels held under the camera
(samples/videos.py, the committed sample labels), then, in the same run:

1. recording alone: every frame through sources.clip_recorder (ring,
   burned-in band, libx264) with no capture, one clip per parcel: MB per
   recorded minute and CPU seconds per recorded hour;
2. `waybill camera` on the file frame by frame, recording off, then on:
   frames processed per second and CPU ms per frame (the issue's >= 15 fps);
3. played in real time, recording off, then on, dropping frames like a
   live camera: from the first frame a label is wholly in view to its
   event, median and p95 (target <= 300 ms median).

On a shared machine compare the on/off pair of one run, not runs of different days.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))

import cv2
import videos

from capture import api
from capture import settings as settings_mod
from capture.api import video as video_api
from capture.sources.camera import CameraEvent
from capture.sources.clip_recorder import ClipRecorder, FinishedClip, ParcelMark

FPS = 15.0
HOLD_S, MOVE_S, GAP_S = 4.0, 0.6, 1.0  # a parcel held under the camera while it is packed
DEFAULT_PARCELS = 6
TARGET_FPS, TARGET_MEDIAN_MS = 15.0, 300.0
HOUR_S, MINUTE_S, MB = 3600.0, 60.0, 1_000_000


@dataclass
class Collected:
    """A catalog that keeps the finished clips in memory (recording measured alone, no database)."""

    clips: list[FinishedClip]

    def add(self, clip: FinishedClip) -> None:
        self.clips.append(clip)


def desk_video(out: Path, parcels: int) -> tuple[Path, list[videos.Parcel]]:
    scenes = [videos.Scene("empty", None, GAP_S)]
    for label in videos.labels()[:parcels]:
        scenes += [videos.Scene("hold", label, HOLD_S, move_s=MOVE_S), videos.Scene("empty", None, GAP_S)]
    path = out / f"video-desk-{parcels}.avi"
    return path, videos.write_video(path, scenes, fps=FPS)


def recording_alone(out: Path, source: Path, truth: list[videos.Parcel]) -> tuple[float, float, int]:
    """(MB per recorded minute, CPU s per recorded hour, clips) for recording without capture."""
    settings = settings_mod.load(env={}, evidence_dir=str(out / "video-alone"), video_record=True)
    catalog = Collected([])
    recorder = ClipRecorder(settings, "bench", out / "video-alone", catalog, live=False).start()
    starts = {round(p.first_full_frame): p for p in truth if p.first_full_frame >= 0}
    capture = cv2.VideoCapture(str(source))
    cpu_before, index = time.process_time(), 0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        parcel = starts.get(index)
        if parcel is not None:  # marked when its label is in view, as a decision would
            recorder.parcel(ParcelMark(parcel.number, None, None, index / FPS))
        recorder.offer(image, index / FPS)
        index += 1
    recorder.close(timeout=600)
    cpu_s = time.process_time() - cpu_before - _decode_cpu_s(source)  # reading the file is not recording
    recorded_s = sum((c.ended_at - c.started_at).total_seconds() + 1 / FPS for c in catalog.clips)
    size = sum(c.bytes for c in catalog.clips)
    return size / MB / (recorded_s / MINUTE_S), cpu_s / recorded_s * HOUR_S, len(catalog.clips)


def _decode_cpu_s(source: Path) -> float:
    capture = cv2.VideoCapture(str(source))
    before = time.process_time()
    while capture.read()[0]:
        pass
    return time.process_time() - before


@dataclass(frozen=True)
class CameraRun:
    fps: float
    cpu_ms_per_frame: float
    events: int
    clips: int
    latency_ms: list[float]


def camera(out: Path, source: Path, truth: list[videos.Parcel], record: bool, realtime: bool) -> CameraRun:
    work = out / f"video-camera-{'rec' if record else 'plain'}-{'rt' if realtime else 'ff'}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    settings = settings_mod.load(
        env={},
        db_url=f"sqlite:///{work / 'waybill.db'}",
        evidence_dir=str(work / "evidence"),
        video_record=record,
        bell_on_red=False,
    )
    api.import_orders(ROOT / "samples" / "orders.csv", settings)
    api.engines(settings)  # loaded before the clock starts
    events: list[CameraEvent] = []
    cpu_before = time.process_time()
    summary = api.run_camera(str(source), settings, events.append, realtime=realtime)
    cpu_ms = 1000 * (time.process_time() - cpu_before) / max(1, summary.frames_processed)
    first_full = {p.number: p.first_full_frame / FPS for p in truth}
    latency = [1000 * (e.stream_s - first_full[e.number] + e.lag_s) for e in events if e.number in first_full]
    clips = sum(len(video_api.clips(e.number, settings)) for e in events)
    return CameraRun(summary.fps, cpu_ms, len(events), clips, latency)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--parcels", type=int, default=DEFAULT_PARCELS, help="labels in the desk video (at most 14)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    source, truth = desk_video(args.out, args.parcels)

    mb_per_min, cpu_per_hour, clips = recording_alone(args.out, source, truth)
    plain = camera(args.out, source, truth, record=False, realtime=False)
    recorded = camera(args.out, source, truth, record=True, realtime=False)
    live_plain = camera(args.out, source, truth, record=False, realtime=True)
    live = camera(args.out, source, truth, record=True, realtime=True)

    print(f"| measure ({args.parcels} parcels, 1280x720 at {FPS:g} fps) | result | target |")
    print("|---|---|---|")
    print(f"| disk per recorded minute (H.264, 720p) | {mb_per_min:.2f} MB ({clips} clips) | |")
    print(
        f"| CPU per recorded hour (recording alone) | {cpu_per_hour / 60:.1f} CPU minutes ({cpu_per_hour / HOUR_S:.1%} of a core) | |"
    )
    print(
        f"| camera, recording off | {plain.fps:.1f} fps, {plain.cpu_ms_per_frame:.0f} CPU ms/frame, {plain.events} events | >= {TARGET_FPS:g} fps |"
    )
    print(
        f"| camera, recording on | {recorded.fps:.1f} fps, {recorded.cpu_ms_per_frame:.0f} CPU ms/frame, "
        f"{recorded.events} events, {recorded.clips} clips | >= {TARGET_FPS:g} fps |"
    )
    print(
        f"| on / off, same run | {recorded.fps / plain.fps:.2f}x fps, {recorded.cpu_ms_per_frame / plain.cpu_ms_per_frame:.2f}x CPU | |"
    )
    for name, run in (("off", live_plain), ("on", live)):
        print(
            f"| real time, recording {name}: first full frame to event | {_median(run.latency_ms):.0f} ms median, "
            f"{_p95(run.latency_ms):.0f} ms p95, {run.events} events, {run.clips} clips | <= {TARGET_MEDIAN_MS:g} ms median |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
