"""Small parts of the sources: settling files, the newest-frame queue, the reader's reopen, backoff."""

from __future__ import annotations

import io
import threading
import time

import numpy as np
import pytest

from capture.cli.render import BELL, GREEN, RED, YELLOW, LiveLines
from capture.errors import SourceUnavailable
from capture.sources.backoff import Backoff
from capture.sources.stability import SettleWatch
from capture.sources.stream import (
    EndOfStream,
    FrameReader,
    NewestFrames,
    SourceKind,
    StreamFrame,
    parse_source,
)
from capture.types import Candidate, Outcome, ScanResult, Status, Via

IMAGE = np.zeros((4, 4, 3), np.uint8)
DEADLINE_S = 10.0


def test_a_file_settles_only_after_it_stopped_changing(tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"x" * 10)
    watch = SettleWatch(delay_s=1.0)
    watch.note(photo)
    assert watch.settled(now=0.0) == []  # first look: remembered
    assert watch.settled(now=0.9) == []
    with photo.open("ab") as f:
        f.write(b"more")  # still being written
    assert watch.settled(now=1.5) == []  # changed: the clock starts again
    assert watch.settled(now=2.4) == []
    assert watch.settled(now=2.6) == [photo]
    assert photo not in watch


def test_a_file_that_vanishes_while_settling_is_forgotten(tmp_path):
    part = tmp_path / "a.jpg"
    part.write_bytes(b"x")
    watch = SettleWatch(delay_s=0.5)
    watch.note(part)
    part.unlink()
    assert watch.settled(now=1.0) == [] and len(watch) == 0


def frame_index(item: StreamFrame | EndOfStream | None) -> int:
    assert isinstance(item, StreamFrame), item
    return item.index


def test_newest_frames_drops_the_oldest_when_full():
    frames = NewestFrames(drop=True, size=2)
    stop = threading.Event()
    for i in range(5):
        frames.put(StreamFrame(IMAGE, i, i, 0.0), stop)
    got = [frame_index(frames.get(0.01)) for _ in range(2)]
    assert got == [3, 4] and frames.dropped == 3 and frames.get(0.01) is None


def test_backoff_doubles_up_to_the_cap_and_resets():
    backoff = Backoff(0.5, 3.0)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_sources_are_told_apart(tmp_path):
    video = tmp_path / "desk.avi"
    video.write_bytes(b"")
    assert parse_source("0").kind is SourceKind.DEVICE
    assert parse_source("rtsp://user:pw@10.0.0.5/live").kind is SourceKind.STREAM
    assert parse_source("rtsp://user:pw@10.0.0.5/live").slug == "10.0.0.5-live"
    assert parse_source(str(video)).kind is SourceKind.FILE
    with pytest.raises(SourceUnavailable):
        parse_source(str(tmp_path / "missing.avi"))


class DyingCamera:
    """A stand-in camera that gives a few frames and then dies, like a Wi-Fi camera dropping off."""

    def __init__(self, frames: int, opens: list[int]) -> None:
        self._left = frames
        opens.append(1)

    def isOpened(self) -> bool:
        return True

    def read(self):
        if self._left == 0:
            return False, None
        self._left -= 1
        return True, IMAGE

    def get(self, prop: int) -> float:
        return 0.0

    def release(self) -> None:
        pass


def test_a_live_stream_that_dies_is_reopened_with_backoff():
    opens: list[int] = []
    frames = NewestFrames(drop=True, size=2)
    source = parse_source("rtsp://camera.local/stream")
    reader = FrameReader(source, frames, None, opener=lambda _s: DyingCamera(3, opens)).start()
    deadline = time.monotonic() + DEADLINE_S
    while len(opens) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    reader.stop()
    reader.join(DEADLINE_S)
    assert len(opens) >= 3, "the reader did not reopen the dead stream"
    assert reader.frames_read >= 6 and not reader.alive


def test_a_video_file_ends_the_stream(tmp_path):
    video = tmp_path / "short.avi"
    video.write_bytes(b"")
    opens: list[int] = []
    frames = NewestFrames(drop=False, size=2)
    FrameReader(parse_source(str(video)), frames, DyingCamera(4, opens)).start()
    got = [frames.get(DEADLINE_S) for _ in range(5)]
    assert [type(g) for g in got] == [StreamFrame] * 4 + [EndOfStream]  # none dropped, then the end
    assert len(opens) == 1


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def result(status: Status) -> ScanResult:
    candidate = Candidate("SF1234567890123", "SF", Via.BARCODE, 0.93)
    return ScanResult(path="p.jpg", outcome=Outcome(status, candidate=candidate), decoded=None, ms=1.0)


def test_live_lines_colour_and_ring_only_on_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    tty = LiveLines(Terminal(), as_json=False, bell=True)
    assert tty.line(result(Status.QUEUED), "p.jpg").startswith(GREEN)
    assert tty.line(result(Status.REVIEW), "p.jpg").startswith(YELLOW)
    red = tty.line(result(Status.REJECTED), "p.jpg")
    assert red.startswith(RED) and red.endswith(BELL) and "SF1234567890123" in red
    piped = LiveLines(io.StringIO(), as_json=False, bell=True).line(result(Status.ERROR), "p.jpg")
    assert "\033[" not in piped and BELL not in piped
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in LiveLines(Terminal(), as_json=False, bell=False).line(result(Status.QUEUED), "p.jpg")
