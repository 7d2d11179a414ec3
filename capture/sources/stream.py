"""Frames from a camera: a device, an RTSP/HTTP stream or a video file.

A reader thread pulls frames as fast as the source gives them and keeps
only the newest (Frigate does the same: its queue holds 2 frames and a full
queue drops).  Reading barcodes takes longer than a frame lasts now and
then; without dropping, the picture on which we decide would fall further
and further behind the parcel on the desk.

A live source that dies or stalls is reopened with backoff, forever: a
desk camera's Wi-Fi drops, an RTSP server restarts at night.  A video file
ends the run at its end, and unless played `realtime` it is read frame by
frame with none dropped (a recording replayed is read whole, and tests are
repeatable).
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from capture.errors import SourceUnavailable
from capture.sources.backoff import Backoff

log = logging.getLogger(__name__)

QUEUE_FRAMES = 2
# A live source that gives nothing for this long is stalled: reopen it.
# OpenCV's FFmpeg backend is told the same, so a blocked read returns.
STALL_S = 5.0
OPEN_TIMEOUT_MS = 5000
REOPEN_FIRST_S = 0.5
REOPEN_CAP_S = 15.0
FALLBACK_FPS = 15.0  # a file that does not say its frame rate
BLOCKING_PUT_POLL_S = 0.1  # how often a blocked put looks at the stop flag


class SourceKind(Enum):
    DEVICE = "device"
    STREAM = "stream"
    FILE = "file"


@dataclass(frozen=True)
class Source:
    raw: str
    kind: SourceKind

    @property
    def live(self) -> bool:
        return self.kind is not SourceKind.FILE

    @property
    def slug(self) -> str:
        """A short file-name-safe name for evidence files."""
        if self.kind is SourceKind.DEVICE:
            return f"cam{self.raw}"
        name = Path(self.raw).stem if self.kind is SourceKind.FILE else re.sub(r"^\w+://([^@/]*@)?", "", self.raw)
        return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")[:40] or "camera"


def parse_source(raw: str) -> Source:
    if raw.isdigit():
        return Source(raw, SourceKind.DEVICE)
    if "://" in raw:
        return Source(raw, SourceKind.STREAM)
    if not Path(raw).is_file():
        raise SourceUnavailable(
            f"{raw} is not a device index, a stream URL or a video file",
            "give 0 for the first camera, rtsp://... or a file",
        )
    return Source(raw, SourceKind.FILE)


class Capture(Protocol):
    """The slice of cv2.VideoCapture the reader uses (tests give it a stand-in)."""

    def isOpened(self) -> bool: ...

    def read(self) -> tuple[bool, np.ndarray | None]: ...

    def get(self, prop: int) -> float: ...

    def release(self) -> None: ...


def open_capture(source: Source) -> Capture:
    if source.kind is SourceKind.DEVICE:
        return cv2.VideoCapture(int(source.raw))
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, OPEN_TIMEOUT_MS, cv2.CAP_PROP_READ_TIMEOUT_MSEC, round(STALL_S * 1000)]
    return cv2.VideoCapture(source.raw, cv2.CAP_FFMPEG, params)


@dataclass(frozen=True, eq=False)
class StreamFrame:
    image: np.ndarray
    index: int  # frames read from the source before this one
    stream_s: float  # the video's own clock for a file; seconds since the first open for a live source
    received_at: float  # time.monotonic() when the reader got it


class EndOfStream:
    """Put in the queue after a file's last frame."""


class NewestFrames:
    """The reader's queue: a full queue drops its oldest frame, so the newest wins.

    With `drop=False` (a file read frame by frame) a full queue makes the
    reader wait instead.
    """

    def __init__(self, drop: bool, size: int = QUEUE_FRAMES) -> None:
        self._queue: queue.Queue[StreamFrame | EndOfStream] = queue.Queue(maxsize=size)
        self._drop = drop
        self.dropped = 0

    def put(self, item: StreamFrame | EndOfStream, stop: threading.Event) -> None:
        if isinstance(item, EndOfStream) or not self._drop:
            while not stop.is_set():
                try:
                    self._queue.put(item, timeout=BLOCKING_PUT_POLL_S)
                    return
                except queue.Full:
                    continue
            return
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass

    def get(self, timeout: float) -> StreamFrame | EndOfStream | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None


@dataclass
class FrameReader:
    """Reads one source in its own thread into a NewestFrames queue."""

    source: Source
    frames: NewestFrames
    first: Capture | None  # already opened by the caller (to fail fast at start)
    opener: Callable[[Source], Capture] = open_capture
    realtime: bool = False  # play a file at its frame rate
    started_at: float = field(default_factory=time.monotonic)
    frames_read: int = 0
    opens: int = 0
    last_frame_at: float = field(default_factory=time.monotonic)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> FrameReader:
        self._thread = threading.Thread(target=self._run, name=f"reader-{self.source.slug}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the thread to end; a read blocked in the driver ends it when it returns."""
        self._stop.set()

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stalled(self, now: float) -> bool:
        return self.source.live and now - self.last_frame_at > STALL_S

    def _run(self) -> None:
        try:
            if self.source.live:
                self._read_live()
            else:
                self._read_file()
        except Exception:
            log.exception("reader of %s failed", self.source.raw)

    def _read_file(self) -> None:
        capture = self.first or self.opener(self.source)
        self.opens += 1
        fps = capture.get(cv2.CAP_PROP_FPS) or FALLBACK_FPS
        began = time.monotonic()
        try:
            while not self._stop.is_set():
                ok, image = capture.read()
                if not ok or image is None:
                    break
                stream_s = self.frames_read / fps
                if self.realtime:  # the frame "arrives" when a camera would have sent it
                    self._stop.wait(max(0.0, began + stream_s - time.monotonic()))
                self._deliver(image, stream_s)
        finally:
            capture.release()
        self.frames.put(EndOfStream(), self._stop)

    def _read_live(self) -> None:
        backoff = Backoff(REOPEN_FIRST_S, REOPEN_CAP_S)
        capture, self.first = self.first, None
        while not self._stop.is_set():
            if capture is None:
                capture = self.opener(self.source)
            if capture.isOpened():
                self.opens += 1
                self._pump(capture, backoff)
            capture.release()
            capture = None
            if self._stop.is_set():
                return
            delay = backoff.next_delay()
            log.warning("camera %s gave no frame; reopening in %.1fs", self.source.raw, delay)
            self._stop.wait(delay)

    def _pump(self, capture: Capture, backoff: Backoff) -> None:
        while not self._stop.is_set():
            ok, image = capture.read()
            if not ok or image is None:
                return
            backoff.reset()
            self._deliver(image, time.monotonic() - self.started_at)

    def _deliver(self, image: np.ndarray, stream_s: float) -> None:
        if self._stop.is_set():
            return  # replaced by a new reader while blocked in a read: this frame is stale
        now = time.monotonic()
        self.last_frame_at = now
        self.frames.put(StreamFrame(image, self.frames_read, stream_s, now), self._stop)
        self.frames_read += 1
