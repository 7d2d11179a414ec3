"""The desk camera in the browser: frames a page posts, with the same one-event-per-parcel rules as `waybill camera`.

The page grabs frames from getUserMedia and posts them one at a time as
JPEG; each is looked at and tracked exactly as a camera's frame is
(sources.looker, tracker.ParcelTracker, camera.CameraRun's capture and
recording): this is CameraRun with the browser as its reader instead of
OpenCV.  A frame that shows the same picture as the last one read is never
decoded whole (sources.camera_frames).  One per station, kept by the web
app; frames of one station are handled in order.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from capture.settings import Settings
from capture.sources import camera_frames
from capture.sources.camera import CameraEvent, CameraRun
from capture.sources.clip_recorder import ClipRecorder
from capture.sources.recorder import Recorder
from capture.sources.stillness import thumbnail
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

    def feed(self, jpeg: bytes, stream_s: float) -> list[CameraEvent]:
        """One JPEG frame at `stream_s` on the page's camera clock; the parcels it completed (usually none).

        Raises UnreadableImage for a frame that is not a whole image.
        """
        thumb = thumbnail(camera_frames.reduced(jpeg, self.settings.max_image_pixels))
        with self._lock:
            image = self.looker.unchanged(thumb)
            if image is None:
                image = camera_frames.full(jpeg)
            frame = StreamFrame(image, self._frames, stream_s, time.monotonic())
            self._frames += 1
            self.processed += 1
            if self.clips is not None:  # the frames the server receives are the packing video, kept as JPEG
                self.clips.offer(jpeg, stream_s)
            for decision in self.tracker.update(self.looker.look(frame, thumb)):
                if self._capture(decision):
                    self.looker.decided()
            done, self._events[:] = list(self._events), []
            return done

    def pick_list(self, order: str) -> None:
        """A pick list was scanned at this station: the packing video of its parcel starts now."""
        if self.clips is not None:
            self.clips.pick_list(order)

    def close(self) -> None:
        """The server stops: finish the open packing video."""
        self.looker.close()
        if self.clips is not None:
            self.clips.close()
