"""Packing videos: the camera's frames in a short ring, one H.264 clip per parcel.

A clip runs from `video_preroll_s` before its label was first seen until the
next parcel's label was first seen (or `video_max_s`), and every frame of it
carries the parcel's waybill, order, station and local time (sources.overlay).
The waybill is known only once the parcel is decided, a second or two
after its label appeared, so frames wait in a ring of RING_EXTRA_S past the
pre-roll, and are written when they leave it: by then the parcel they belong
to is known.  At a parcel, frames still in the ring before its label go to
the clip that ends; those from its pre-roll on go to its own.

A pick list scanned at the desk (the gun, before the label) starts its
parcel's packing: the clip that was open ends there, and the ring holds the
frames from the pick list's pre-roll on, for up to PICK_LIST_HOLD_S, for
the label that pairs with it.  When it comes, the parcel's clip starts at
the pick list instead of the label; when it does not, the held frames are
let go (there is no waybill to burn into them).

Frames a page posted as JPEG wait in the ring as JPEG (a tenth of the raw
frame's memory, which the pick-list hold makes worth it) and are decoded
when they are written.

Recording runs on its own thread beside capture and never holds it up: the
camera hands over a frame in a queue that, for a live camera, drops when full
(the clip loses a frame, capture loses nothing).  A clip that cannot be
written (disk full) is dropped with a warning and the scan still counts.
A finished clip is handed to the `ClipCatalog` the facade gives (its
database row, retention); this module imports neither the facade nor the store.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import cv2
import numpy as np

from capture.settings import Settings
from capture.sources.clip_encoder import ClipEncoder, ClipWriteFailed
from capture.sources.overlay import Band, BandText

log = logging.getLogger(__name__)

RING_EXTRA_S = 4.0  # beyond the pre-roll: how late a parcel may be decided after its label was first seen
QUEUE_S = 2.0  # frames waiting for the recording thread, in seconds of video
IDLE_CLOSE_S = 5.0  # no frame for this long (the page's camera stopped): the open clip is finished
VIDEO_FOLDER = "video"
# How long a pick list scanned at the desk holds its frames for its label: the packer
# lays the pick list down, takes the parcel, turns it label up (a few seconds; 12 at most).
PICK_LIST_HOLD_S = 12.0


@dataclass(frozen=True)
class ParcelMark:
    """A parcel decided: its clip starts `preroll` before `first_seen_s` (the camera's stream clock)."""

    waybill: str
    order: str | None
    scan_id: int | None
    first_seen_s: float


@dataclass(frozen=True)
class FinishedClip:
    path: Path
    waybill: str
    order: str | None
    station: str
    scan_id: int | None
    started_at: datetime
    ended_at: datetime
    frames: int
    bytes: int


class ClipCatalog(Protocol):
    def add(self, clip: FinishedClip) -> None:
        """Record a finished clip (and keep the disk within its quota)."""
        ...


@dataclass(frozen=True)
class _PickList:
    """A pick list scanned at the desk; `scan_s` on the camera's stream clock (None: no frame yet)."""

    order: str
    scan_s: float | None


@dataclass(frozen=True, eq=False)
class _Frame:
    picture: np.ndarray | bytes  # I420 (see _to_i420), or the JPEG a page posted, decoded when written
    stream_s: float
    at: datetime  # local time, burned in


@dataclass
class _OpenClip:
    mark: ParcelMark
    start_s: float
    band: Band | None = None
    encoder: ClipEncoder | None = None
    first: _Frame | None = None
    last: _Frame | None = None


_STOP = object()


@dataclass
class ClipRecorder:
    settings: Settings
    station: str
    root: Path  # the evidence folder; clips go under root/video/YYYY-MM-DD/
    catalog: ClipCatalog
    # A live camera: frames the recording cannot keep up with are dropped, and a
    # camera silent for IDLE_CLOSE_S ends the clip.  A file: every frame, however slow.
    live: bool
    frames_dropped: int = 0
    clips_dropped: int = 0
    _queue: queue.Queue[object] = field(init=False)
    _ring: deque[_Frame] = field(default_factory=deque)
    _clip: _OpenClip | None = None
    _anchor: tuple[float, datetime] | None = None  # (stream_s, local time) of the first frame
    _last_offered_s: float | None = None
    _held: _PickList | None = None  # a pick list whose label has not come yet
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self._queue = queue.Queue(maxsize=max(2, round(QUEUE_S * self.settings.video_fps)))
        self._zone = ZoneInfo(self.settings.desk_timezone)

    def start(self) -> ClipRecorder:
        self._thread = threading.Thread(target=self._run, name=f"clips-{self.station}", daemon=True)
        self._thread.start()
        return self

    def offer(self, image: np.ndarray | bytes, stream_s: float) -> None:
        """A camera frame (not copied: the camera never writes into a frame it has read).

        Or the frame still as the JPEG a page posted: decoded here, on the
        recording thread, so capture never decodes a frame only to record it.
        """
        if self._last_offered_s is not None and stream_s - self._last_offered_s < 0.95 / self.settings.video_fps:
            return  # above video_fps: not recorded
        self._last_offered_s = stream_s
        if self._anchor is None:
            self._anchor = (stream_s, datetime.now(self._zone))
        at = self._anchor[1] + timedelta(seconds=stream_s - self._anchor[0])
        self._put((image, stream_s, at))

    def parcel(self, mark: ParcelMark) -> None:
        self._put(mark, wait=True)  # a parcel is never dropped: it decides where frames go

    def pick_list(self, order: str) -> None:
        """A pick list for `order` was scanned at this desk now: its parcel's clip starts here."""
        self._put(_PickList(order, self._last_offered_s), wait=True)

    def close(self, timeout: float = 30.0) -> None:
        """Finish the open clip with what the ring holds; wait for the thread."""
        if self._thread is None:
            return
        self._put(_STOP, wait=True)
        self._thread.join(timeout)
        self._thread = None

    def _put(self, item: object, wait: bool = False) -> None:
        if wait or not self.live:
            self._queue.put(item)
            return
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.frames_dropped += 1

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=IDLE_CLOSE_S if self.live else None)
            except queue.Empty:
                item = None  # the camera went quiet: the clip ends with what it has
            try:
                if item is None or item is _STOP:
                    self._drain()
                elif isinstance(item, ParcelMark):
                    self._start_parcel(item)
                elif isinstance(item, _PickList):
                    self._hold(item)
                else:
                    self._take(*item)  # type: ignore[misc]
            except Exception:
                # Recording must never stop capture, nor itself: drop this clip, go on.
                log.exception("packing video: recording failed; the clip of this parcel is dropped")
                self._drop_clip("recording failed")
            if item is _STOP:
                return

    def _take(self, image: np.ndarray | bytes, stream_s: float, at: datetime) -> None:
        picture = image if isinstance(image, bytes) else _to_i420(image, self.settings.video_height)
        self._ring.append(_Frame(picture, stream_s, at))
        keep_from = stream_s - self.settings.video_preroll_s - RING_EXTRA_S
        held = self._held
        if held is not None and held.scan_s is not None:
            if stream_s - held.scan_s > PICK_LIST_HOLD_S:
                log.info(
                    "pick list %s: no label within %.0f s; its frames are not recorded", held.order, PICK_LIST_HOLD_S
                )
                self._held = None
            else:
                keep_from = min(keep_from, held.scan_s - self.settings.video_preroll_s)
        while self._ring and self._ring[0].stream_s < keep_from:
            self._write(self._ring.popleft())

    def _hold(self, pick_list: _PickList) -> None:
        scan_s = pick_list.scan_s
        if scan_s is None:
            return  # the camera has sent no frame yet: nothing to hold
        self._end_clip_before(scan_s)  # the packer has moved on to this order
        self._held = pick_list

    def _start_parcel(self, mark: ParcelMark) -> None:
        start_s = mark.first_seen_s
        held, self._held = self._held, None
        if held is not None and held.scan_s is not None and held.order == mark.order:
            start_s = min(start_s, held.scan_s)  # its packing began with the pick list
        self._end_clip_before(mark.first_seen_s)
        self._clip = _OpenClip(mark, start_s=start_s - self.settings.video_preroll_s)

    def _end_clip_before(self, stream_s: float) -> None:
        if self._clip is None:
            return
        for frame in [f for f in self._ring if f.stream_s < stream_s]:
            self._write(frame)  # they stay in the ring: the next parcel's pre-roll may want them
        self._finish()

    def _drain(self) -> None:
        while self._ring:
            self._write(self._ring.popleft())
        self._finish()

    def _write(self, frame: _Frame) -> None:
        clip = self._clip
        if clip is None or frame.stream_s < clip.start_s:
            return
        if clip.first is not None and frame.stream_s - clip.first.stream_s >= self.settings.video_max_s:
            self._finish()  # long enough: the rest of this parcel's packing goes unrecorded
            return
        i420 = self._i420_of(frame)
        if i420 is None:
            return
        if clip.encoder is None:
            height, width = i420.shape[0] * 2 // 3, i420.shape[1]
            path = self._clip_path(clip.mark.waybill, frame.at)
            text = BandText(clip.mark.waybill, clip.mark.order, self.station)
            clip.band, clip.first = Band(text, width, height), frame
            try:
                clip.encoder = ClipEncoder(path, width, height, self.settings.video_fps)
            except ClipWriteFailed as exc:
                self._drop_clip(str(exc))
                return
        assert clip.band is not None and clip.first is not None
        # The ring's frame may go into the next clip too, with its own band; a frame decoded just now is ours.
        out = i420.copy() if i420 is frame.picture else i420
        clip.band.burn(out, frame.at.strftime("%Y-%m-%d %H:%M:%S"))
        try:
            clip.encoder.write(out, round((frame.stream_s - clip.first.stream_s) * 1000))
        except ClipWriteFailed as exc:
            self._drop_clip(str(exc))
            return
        clip.last = frame

    def _i420_of(self, frame: _Frame) -> np.ndarray | None:
        if not isinstance(frame.picture, bytes):
            return frame.picture
        image = cv2.imdecode(np.frombuffer(frame.picture, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            self.frames_dropped += 1  # capture read this frame already: only the clip loses it
            return None
        return _to_i420(image, self.settings.video_height)

    def _finish(self) -> None:
        clip, self._clip = self._clip, None
        if clip is None or clip.encoder is None or clip.first is None or clip.last is None:
            return
        try:
            size = clip.encoder.finish()
        except ClipWriteFailed as exc:
            self._clip = clip
            self._drop_clip(str(exc))
            return
        finished = FinishedClip(
            path=clip.encoder.path,
            waybill=clip.mark.waybill,
            order=clip.mark.order,
            station=self.station,
            scan_id=clip.mark.scan_id,
            started_at=clip.first.at,
            ended_at=clip.last.at,
            frames=clip.encoder.frames,
            bytes=size,
        )
        try:
            self.catalog.add(finished)
        except Exception:
            # The file is whole; only its row is missing (a locked or lost database): say where it is.
            log.exception("packing video of %s kept at %s but not catalogued", finished.waybill, finished.path)

    def _drop_clip(self, why: str) -> None:
        clip, self._clip = self._clip, None
        if clip is None:
            return
        if clip.encoder is not None:
            clip.encoder.abort()
        self.clips_dropped += 1
        log.warning("packing video of %s dropped (%s); the scan is recorded all the same", clip.mark.waybill, why)

    def _clip_path(self, waybill: str, at: datetime) -> Path:
        safe = "".join(ch for ch in waybill if ch.isalnum()) or "parcel"
        station = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in self.station)
        folder = self.root / VIDEO_FOLDER / at.strftime("%Y-%m-%d")
        path = folder / f"{safe}_{at.strftime('%Y%m%d-%H%M%S')}_{station}.mp4"
        n = 2
        while path.exists():  # the same parcel recorded again within the second
            path = folder / f"{safe}_{at.strftime('%Y%m%d-%H%M%S')}_{station}-{n}.mp4"
            n += 1
        return path


def _to_i420(image: np.ndarray, max_height: int) -> np.ndarray:
    """The frame as I420, no taller than max_height, both sides a multiple of 4 (the band's chroma rows)."""
    height, width = image.shape[:2]
    scale = min(1.0, max_height / height)
    size = (int(width * scale) // 4 * 4, int(height * scale) // 4 * 4)
    if size != (width, height):
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420)
