"""Where the recorder's frames go: pre-roll, the next parcel's label, the maximum length (real clips, small frames)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from capture import settings as settings_mod
from capture.sources.clip_recorder import ClipRecorder, FinishedClip, ParcelMark

FPS = 10


@dataclass
class Collected:
    clips: list[FinishedClip] = field(default_factory=list)

    def add(self, clip: FinishedClip) -> None:
        self.clips.append(clip)


def record(tmp_path: Path, seconds: float, marks: dict[int, str], max_s: float = 300.0) -> list[FinishedClip]:
    """Frames at FPS for `seconds`; a parcel marked (label first seen) at each frame index of `marks`."""
    settings = settings_mod.load(env={}, video_fps=FPS, video_preroll_s=0.5, video_max_s=max_s)
    catalog = Collected()
    recorder = ClipRecorder(settings, "T", tmp_path, catalog, live=False).start()
    for index in range(round(seconds * FPS)):
        if index in marks:
            recorder.parcel(ParcelMark(marks[index], None, None, index / FPS))
        recorder.offer(np.full((240, 320, 3), index % 250, np.uint8), index / FPS)
    recorder.close()
    return catalog.clips


def frames_in(path: Path) -> list[int]:
    """Each frame's grey level below the band: which source frame it was."""
    capture = cv2.VideoCapture(str(path))
    levels: list[int] = []
    while True:
        ok, image = capture.read()
        if not ok:
            return levels
        levels.append(round(float(image[200:, :].mean())))


def test_a_clip_runs_from_its_pre_roll_to_the_next_label_and_clips_overlap_by_the_pre_roll(tmp_path):
    clips = record(tmp_path, 5.0, {10: "SF1000000000001", 30: "SF1000000000002"})
    assert [c.waybill for c in clips] == ["SF1000000000001", "SF1000000000002"]
    first, second = (frames_in(c.path) for c in clips)
    assert [c.frames for c in clips] == [len(first), len(second)] == [25, 25]  # frames 5-29, then 25-49
    assert abs(first[0] - 5) <= 2 and abs(first[-1] - 29) <= 2
    assert abs(second[0] - 25) <= 2 and abs(second[-1] - 49) <= 2
    assert all(c.path.name.startswith(c.waybill) and c.path.suffix == ".mp4" for c in clips)


def test_a_clip_stops_at_its_maximum_length(tmp_path):
    (clip,) = record(tmp_path, 5.0, {10: "SF1000000000003"}, max_s=1.0)
    assert clip.frames == len(frames_in(clip.path)) == 10  # 0.5 s to 1.5 s, at 10 frames a second


def test_frames_above_video_fps_are_not_recorded(tmp_path):
    settings = settings_mod.load(env={}, video_fps=5, video_preroll_s=0.5)
    catalog = Collected()
    recorder = ClipRecorder(settings, "T", tmp_path, catalog, live=False).start()
    recorder.parcel(ParcelMark("SF1000000000004", None, None, 0.0))
    for index in range(30):  # 3 s at 10 frames a second
        recorder.offer(np.full((240, 320, 3), 100, np.uint8), index / 10)
    recorder.close()
    assert [c.frames for c in catalog.clips] == [15]


def test_a_pick_list_starts_its_parcels_clip_and_holds_the_frames_until_the_label_comes(tmp_path):
    """Pick list at 1 s, label first seen at 9 s (later than the ring alone keeps): the clip starts at the pick list."""
    settings = settings_mod.load(env={}, video_fps=FPS, video_preroll_s=0.5)
    catalog = Collected()
    recorder = ClipRecorder(settings, "T", tmp_path, catalog, live=False).start()
    for index in range(12 * FPS):
        if index == 2:
            recorder.parcel(ParcelMark("SF1000000000005", "1001", None, 0.2))  # the parcel before
        if index == 11:
            recorder.pick_list("1002")  # scanned while frame 10 is the newest
        if index == 95:  # decided half a second after its label was first seen
            recorder.parcel(ParcelMark("SF1000000000006", "1002", None, 9.0))
        recorder.offer(np.full((240, 320, 3), index * 2 % 250, np.uint8), index / FPS)
    recorder.close()
    before, packed = catalog.clips
    assert before.waybill == "SF1000000000005" and before.frames == len(frames_in(before.path)) == 10  # 0.0-0.9 s
    levels = frames_in(packed.path)
    assert packed.waybill == "SF1000000000006" and packed.frames == len(levels) == 12 * FPS - 5  # from 0.5 s on
    assert abs(levels[0] - 10) <= 2  # frame 5, the pick list's pre-roll


def test_a_pick_list_whose_label_never_comes_keeps_nothing_and_another_orders_label_starts_at_its_own(tmp_path):
    settings = settings_mod.load(env={}, video_fps=FPS, video_preroll_s=0.5)
    catalog = Collected()
    recorder = ClipRecorder(settings, "T", tmp_path, catalog, live=False).start()
    for index in range(20 * FPS):
        if index == 11:
            recorder.pick_list("1003")
        if index == 185:  # 17.5 s: the hold (12 s) has long passed, and this is another order's label
            recorder.parcel(ParcelMark("SF1000000000007", "1004", None, 17.0))
        recorder.offer(np.full((240, 320, 3), 100, np.uint8), index / FPS)
    recorder.close()
    (clip,) = catalog.clips
    assert clip.frames == len(frames_in(clip.path)) == 35  # 16.5 s to the end
