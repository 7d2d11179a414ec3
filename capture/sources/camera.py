"""The packing-desk camera: `waybill camera SOURCE`.

Each frame is looked at by sources.looker (cheapest first: a grey
thumbnail for motion and "same picture as the last read", barcodes at
preview scale, a full read only of a steady frame without one).
The tracker merges the frames' readings into one capture per parcel; each
capture is decided on its best frame, which is saved as evidence and goes
through the same match and recording as `waybill scan` (the Recorder it is given).
A label still moving in gets one first look, kept only if it queues the
parcel (Recorder.record_if_queued; see sources.tracker).
Decisions run on this thread: while one is made a live reader keeps
only the newest frames, so the next look is at the desk as it is now.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from capture.errors import SourceUnavailable
from capture.settings import Settings
from capture.sources import evidence
from capture.sources.backoff import Backoff
from capture.sources.clip_recorder import ClipRecorder, ParcelMark
from capture.sources.looker import Looker
from capture.sources.recorder import Recorder, RecorderFactory
from capture.sources.stream import (
    STALL_S,
    Capture,
    EndOfStream,
    FrameReader,
    NewestFrames,
    Source,
    open_capture,
    parse_source,
)
from capture.sources.tracker import ParcelCapture, ParcelTracker
from capture.types import BarcodeRead, Frame, ScanResult

log = logging.getLogger(__name__)

GET_TIMEOUT_S = 0.5  # how long the loop waits for a frame before checking the reader
# The reader is replaced when it has given nothing for this many stall periods:
# a driver that ignores OpenCV's read timeout stays blocked for good.
REPLACE_AFTER_STALLS = 2
# A decision whose recording meets a locked database is tried this often.
DB_ATTEMPTS = 3
DB_RETRY_FIRST_S = 0.2
DB_RETRY_CAP_S = 2.0


@dataclass(frozen=True)
class CameraEvent:
    """One parcel captured: the recorded scan and how the camera came to it."""

    result: ScanResult
    number: str  # the number the tracker followed
    evidence: Path  # the saved frame (also the scan record's path)
    frames: int  # frames the number was read in
    stream_s: float  # the deciding frame's time in the stream
    first_seen_s: float
    lag_s: float  # from the deciding frame's arrival to the recorded result
    first_look: bool = False  # decided on the label still moving in (see sources.tracker)


@dataclass(frozen=True)
class CameraSummary:
    frames_read: int
    frames_processed: int
    frames_dropped: int
    events: int
    reopens: int
    seconds: float

    @property
    def fps(self) -> float:
        return self.frames_processed / self.seconds if self.seconds > 0 else 0.0


class CameraRun:
    """The loop: frames in, one event per parcel out."""

    def __init__(
        self,
        source: Source,
        settings: Settings,
        on_event: Callable[[CameraEvent], None],
        stop: threading.Event,
        realtime: bool,
        recorder: Recorder,
        clips: ClipRecorder | None = None,
    ) -> None:
        self.source = source
        self.clips = clips.start() if clips is not None else None  # packing videos, on their own thread
        self.settings = settings
        self.on_event = on_event
        self.stop = stop
        self.realtime = realtime
        self.recorder = recorder
        # A live camera reads steady frames fully beside its frames; a file read whole waits (repeatable runs).
        self.looker = Looker(recorder.engines, settings, background=source.live or realtime)
        self.evidence_root = evidence.evidence_root(settings.evidence_dir)
        self.tracker = ParcelTracker(cooldown_s=settings.camera_cooldown_s, first_looks=not settings.desk_station)
        self.frames = NewestFrames(drop=source.live or realtime)
        self.processed = 0
        self.events = 0
        self.opens_before = 0  # opens and frames of readers that were replaced
        self.frames_before = 0

    def run(self, first: Capture) -> CameraSummary:
        reader = FrameReader(self.source, self.frames, first, realtime=self.realtime).start()
        began = time.monotonic()
        try:
            while not self.stop.is_set():
                item = self.frames.get(GET_TIMEOUT_S)
                if item is None:
                    reader = self._supervise(reader)
                    continue
                if isinstance(item, EndOfStream):
                    break
                self.processed += 1
                if self.clips is not None:
                    self.clips.offer(item.image, item.stream_s)
                for decision in self.tracker.update(self.looker.look(item)):
                    if self._capture(decision):
                        self.looker.decided()
            for decision in self.tracker.flush():  # the file ended with a parcel in view
                self._capture(decision)
        finally:
            reader.stop()
            reader.join(GET_TIMEOUT_S)
            self.looker.close()
            if self.clips is not None:
                self.clips.close()
        return CameraSummary(
            frames_read=self.frames_before + reader.frames_read,
            frames_processed=self.processed,
            frames_dropped=self.frames.dropped,
            events=self.events,
            reopens=max(0, self.opens_before + reader.opens - 1),
            seconds=time.monotonic() - began,
        )

    def _supervise(self, reader: FrameReader) -> FrameReader:
        """Replace a reader that died or is stuck in a read its driver never returns from."""
        if not self.source.live:
            return reader
        stuck = time.monotonic() - reader.last_frame_at > REPLACE_AFTER_STALLS * STALL_S
        if reader.alive and not stuck:
            return reader
        log.warning("camera %s reader %s; starting a new one", self.source.raw, "stuck" if reader.alive else "died")
        reader.stop()
        self.opens_before += reader.opens
        self.frames_before += reader.frames_read
        return FrameReader(self.source, self.frames, None, realtime=self.realtime).start()

    def _capture(self, decision: ParcelCapture) -> bool:
        """Decide and record one parcel; False when nothing was recorded."""
        sighting = decision.sighting
        started = time.perf_counter()
        try:
            path, sha256 = evidence.save_frame(
                sighting.frame.image, self.evidence_root, self.source.slug, decision.number, datetime.now()
            )
        except OSError as exc:
            # A full disk must not stop the desk: the parcel is decided and recorded without its picture.
            log.warning("evidence frame of %s not saved (%s); the scan is recorded without it", decision.number, exc)
            path, sha256 = Path(f"{self.source.slug}:{decision.number}"), ""
        frame = Frame(sighting.frame.image, str(path), sha256)
        result = self._record(frame, started, first_look=decision.first_look, barcodes=sighting.barcodes)
        if result is None:
            if decision.first_look:
                # Not queued at first look: no record points at this frame, and
                # the steady frame will be saved with the decision it makes.
                path.unlink(missing_ok=True)
            return False
        if decision.first_look:
            self.tracker.taken(decision)
        covered = {c.number for c in result.outcome.candidates} | (
            {result.outcome.candidate.number} if result.outcome.candidate else set()
        )
        self.tracker.keep_quiet(covered - {decision.number}, sighting.frame.stream_s)
        self.events += 1
        if self.clips is not None:
            order = result.outcome.order.tid if result.outcome.order else None
            self.clips.parcel(ParcelMark(decision.number, order, result.scan_id, decision.first_seen_s))
        self.on_event(
            CameraEvent(
                result=result,
                number=decision.number,
                evidence=path,
                frames=decision.frames,
                stream_s=sighting.frame.stream_s,
                first_seen_s=decision.first_seen_s,
                lag_s=time.monotonic() - sighting.frame.received_at,
                first_look=decision.first_look,
            )
        )
        return True

    def _record(
        self, frame: Frame, started: float, first_look: bool = False, barcodes: tuple[BarcodeRead, ...] = ()
    ) -> ScanResult | None:
        backoff = Backoff(DB_RETRY_FIRST_S, DB_RETRY_CAP_S)
        for attempt in range(1, DB_ATTEMPTS + 1):
            try:
                # The same read, match and recording as `waybill scan`, desk pairing
                # included.  An OCR-confirmed frame is read once more here: rare
                # (no barcode decoded at all), and one path is worth that.
                if first_look:
                    # The preview's barcodes, not a second read at full size:
                    # this look is about time, and the steady frame reads fully.
                    return self.recorder.record_if_queued(frame, started, barcodes)
                return self.recorder.record(frame, started)
            except DBAPIError as exc:
                log.warning(
                    "database busy recording %s (attempt %d of %d): %s", frame.source, attempt, DB_ATTEMPTS, exc
                )
                self.stop.wait(backoff.next_delay())
        log.error("capture not recorded: the database stayed busy; the frame is kept at %s", frame.source)
        return None


def watch_camera(
    raw: str,
    settings: Settings,
    on_event: Callable[[CameraEvent], None],
    stop: threading.Event | None,
    make_recorder: RecorderFactory,
    realtime: bool = False,
    make_clips: Callable[[Source], ClipRecorder | None] | None = None,
) -> CameraSummary:
    source = parse_source(raw)
    first = open_capture(source)
    if not first.isOpened():
        first.release()
        raise SourceUnavailable(
            f"cannot open camera {raw}", "check the device index or URL, and that no other program holds the camera"
        )
    # Engines and database after the camera: a wrong index fails at once, not after loading models.
    clips = make_clips(source) if make_clips is not None else None
    run = CameraRun(source, settings, on_event, stop or threading.Event(), realtime, make_recorder(settings), clips)
    return run.run(first)
