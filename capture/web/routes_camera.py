"""POST /api/frames: the desk page's camera, frame by frame; the server tracks parcels and decides (scan role)."""

from __future__ import annotations

import math
from threading import Lock
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from capture.accounts import Permission
from capture.api import desk
from capture.api.sources import browser_camera
from capture.errors import BadArguments
from capture.settings import Settings
from capture.sources.browser import BrowserCamera
from capture.web import shapes
from capture.web.auth import Caller, allowed
from capture.web.routes_desk import station_of

MAX_FRAME_BYTES = 4 * 1024 * 1024  # a 1080p JPEG is well under this

router = APIRouter()
Scanner = Annotated[Caller, Depends(allowed(Permission.SCAN))]


class Cameras:
    """One tracker per station, made on its first frame (engines load then, once per process)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = Lock()
        self._by_station: dict[str, BrowserCamera] = {}

    def of(self, station: str) -> BrowserCamera:
        with self._lock:
            camera = self._by_station.get(station)
            if camera is None:
                camera = self._by_station[station] = browser_camera(station, self._settings)
            return camera

    def pick_list(self, station: str, order: str) -> None:
        """A pick list scanned at `station`: its camera, if the page has one running, starts the parcel's clip."""
        with self._lock:
            camera = self._by_station.get(station)
        if camera is not None:
            camera.pick_list(order)

    def close_all(self) -> None:
        with self._lock:
            cameras = list(self._by_station.values())
        for camera in cameras:
            camera.close()


@router.post("/api/frames")
async def camera_frame(
    request: Request,
    _who: Scanner,
    frame: Annotated[UploadFile, File()],
    station: Annotated[str, Form()],
    t: Annotated[float, Form()],  # seconds on the page's camera clock
) -> dict[str, Any]:
    where = station_of(station)
    if where is None or not math.isfinite(t) or t < 0:
        raise BadArguments("a camera frame needs its station and a time t >= 0", "send the page's camera clock")
    data = await frame.read(MAX_FRAME_BYTES + 1)
    if len(data) > MAX_FRAME_BYTES:
        raise BadArguments("camera frame too large", "send 720p JPEG frames")
    settings = request.app.state.settings
    camera = await run_in_threadpool(request.app.state.cameras.of, where)
    events = await run_in_threadpool(desk.feed_camera_frame, camera, data, t, settings)
    bodies = []
    for event in events:
        body = shapes.scan_body(event.result, where) | {"camera": {"number": event.number, "frames": event.frames}}
        request.app.state.metrics.outcome("camera", body)
        request.app.state.events.publish("outcome", where, body)
        bodies.append(body)
    return {"events": bodies}
