"""The drop folder and the desk camera, run by the facade with a Recorder of its own.

The sources never import the facade or the store: they are handed
`recorder` (a module-level factory, so the drop folder's worker processes
can build their own) and call it for every frame and file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from capture.api import runtime
from capture.api.scanning import record_unreadable, scan_frame, scan_frame_if_queued
from capture.api.video import clip_recorder
from capture.errors import UnreadableImage
from capture.pipeline.run import Engines
from capture.settings import Settings
from capture.sources.browser import BrowserCamera
from capture.sources.camera import CameraEvent, CameraSummary, watch_camera
from capture.sources.clip_recorder import ClipRecorder
from capture.sources.folder import watch_folder
from capture.sources.handled import Handled
from capture.sources.stream import Source
from capture.store import repo
from capture.store.db import session_scope
from capture.types import BarcodeRead, Frame, ScanResult, ScanSummary


class FacadeRecorder:
    """The sources' Recorder: frames decided and recorded as `waybill scan` does.

    Engines and the database are taken on first use (through the process's
    runtime), so building one in a worker process cannot fail.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def engines(self) -> Engines:
        return runtime.engines(self._settings)

    def record(self, frame: Frame, started: float) -> ScanResult:
        return scan_frame(frame, self.engines, self._settings, runtime.database(self._settings), started)

    def record_if_queued(self, frame: Frame, started: float, barcodes: tuple[BarcodeRead, ...]) -> ScanResult | None:
        db = runtime.database(self._settings)
        return scan_frame_if_queued(frame, self.engines, self._settings, db, started, barcodes)

    def record_unreadable(self, source: str, sha256: str, error: UnreadableImage, started: float) -> ScanResult:
        return record_unreadable(source, sha256, error, self.engines, runtime.database(self._settings), started)

    def earlier_scan(self, sha256: str) -> ScanSummary | None:
        with session_scope(runtime.database(self._settings)) as session:
            return repo.scan_by_sha256(session, sha256)


def recorder(settings: Settings) -> FacadeRecorder:
    return FacadeRecorder(settings)


def run_folder(
    folder: str | Path, settings: Settings, on_result: Callable[[Handled], None], stop: threading.Event | None = None
) -> None:
    """Watch a drop folder until `stop` is set: each photo is read, recorded, queued if safe, and filed.

    `on_result(Handled)` is called for every file dealt with.  Raises
    SourceUnavailable when the folder does not exist at start.
    """
    watch_folder(Path(folder), settings, on_result, stop, recorder)


def run_camera(
    source: str,
    settings: Settings,
    on_event: Callable[[CameraEvent], None],
    stop: threading.Event | None = None,
    realtime: bool = False,
) -> CameraSummary:
    """Read a camera (device index, stream URL or video file) until it ends or `stop` is set.

    `on_event(CameraEvent)` is called once per parcel.  A video file is read
    frame by frame unless `realtime`, which plays it at its frame rate and
    drops frames the way a live camera does.  Returns a CameraSummary.
    Raises SourceUnavailable when the source cannot be opened at start.
    """

    def clips(chosen: Source) -> ClipRecorder | None:  # with `video_record`: a packing video per parcel
        return clip_recorder(settings, settings.desk_station or chosen.slug, live=chosen.live or realtime)

    return watch_camera(source, settings, on_event, stop, recorder, realtime=realtime, make_clips=clips)


def browser_camera(station: str, settings: Settings) -> BrowserCamera:
    """The tracker of one station's browser camera: feed it frames, get one CameraEvent per parcel."""
    return BrowserCamera(station, settings, recorder(settings), clip_recorder(settings, station, live=True))
