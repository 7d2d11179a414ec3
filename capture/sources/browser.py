"""The desk camera in the browser: frames a page posts, with the same one-event-per-parcel rules as `waybill camera`.

The page grabs frames from getUserMedia and posts them one at a time; each
is looked at and tracked exactly as a camera's frame is (camera.Looker,
tracker.ParcelTracker, camera.CameraRun's capture and recording): this is
CameraRun with the browser as its reader instead of OpenCV.  One per
station, kept by the web app; frames of one station are handled in order.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np

from capture.settings import Settings
from capture.sources.camera import CameraEvent, CameraRun
from capture.sources.clip_recorder import ClipRecorder
from capture.sources.recorder import Recorder
from capture.sources.stream import Source, SourceKind, StreamFrame


class BrowserCamera(CameraRun):
    def __init__(self, station: str, settings: Settings, recorder: Recorder, clips: ClipRecorder | None = None) -> None:
        self._events: list[CameraEvent] = []
        self._lock = threading.Lock()
        self._frames = 0
        super().__init__(
            Source(f"browser-{station}", SourceKind.STREAM),
            # Desk pairing at this station, as the page's gun reads have.
            replace(settings, desk_station=station),
            self._events.append,
            threading.Event(),
            realtime=False,
            recorder=recorder,
            clips=clips,
        )

    def feed(self, image: np.ndarray, stream_s: float) -> list[CameraEvent]:
        """One frame at `stream_s` on the page's camera clock; the parcels it completed (usually none)."""
        with self._lock:
            frame = StreamFrame(image, self._frames, stream_s, time.monotonic())
            self._frames += 1
            self.processed += 1
            if self.clips is not None:  # the frames the server receives are the packing video
                self.clips.offer(image, stream_s)
            for decision in self.tracker.update(self.looker.look(frame)):
                if self._capture(decision):
                    self.looker.decided()
            done, self._events[:] = list(self._events), []
            return done

    def close(self) -> None:
        """The server stops: finish the open packing video."""
        if self.clips is not None:
            self.clips.close()
