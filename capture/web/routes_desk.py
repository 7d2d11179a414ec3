"""The desk's API: a gun read, a photo, live events (every signed-in role may scan)."""

from __future__ import annotations

import re
from collections import OrderedDict
from threading import Lock
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from capture.accounts import Permission
from capture.api import desk, gun
from capture.desk_pairing import PairState
from capture.errors import BadArguments
from capture.settings import Settings
from capture.web import shapes
from capture.web.auth import Caller, allowed
from capture.web.events import EventHub
from capture.web.metrics import Metrics

STATION = re.compile(r"^[\w-]{1,64}$")
MAX_PHOTO_BYTES = 25 * 1024 * 1024
READS_REMEMBERED = 2000  # gun reads whose answer is kept, so a page's resend is not scanned twice

router = APIRouter()
Scanner = Annotated[Caller, Depends(allowed(Permission.SCAN))]


class CodeRead(BaseModel):
    text: str = Field(max_length=gun.MAX_READ_CHARS * 2)
    station: str | None = None
    # The page's own id for this read: a read sent again after a dropped
    # connection gets the first answer instead of being scanned twice.
    read_id: str | None = Field(default=None, max_length=64)


class AnsweredReads:
    """The answers to the last gun reads by read_id (this process only; a restart forgets them)."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._answers: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def get(self, read_id: str | None) -> dict[str, Any] | None:
        with self._lock:
            return self._answers.get(read_id) if read_id else None

    def keep(self, read_id: str | None, answer: dict[str, Any]) -> None:
        if not read_id:
            return
        with self._lock:
            self._answers[read_id] = answer
            while len(self._answers) > READS_REMEMBERED:
                self._answers.popitem(last=False)


def station_of(raw: str | None) -> str | None:
    if raw is None or raw == "":
        return None
    if not STATION.match(raw):
        raise BadArguments(f"station {raw!r} is not a station name", "use letters, digits, - or _, e.g. A or desk-2")
    return raw


def _deps(request: Request) -> tuple[Settings, EventHub, Metrics]:
    state = request.app.state
    return state.settings, state.events, state.metrics


@router.post("/api/code")
async def read_code(read: CodeRead, request: Request, _who: Scanner) -> dict[str, Any]:
    settings, events, metrics = _deps(request)
    answered: AnsweredReads = request.app.state.answered_reads
    earlier = answered.get(read.read_id)
    if earlier is not None:
        return earlier
    station = station_of(read.station)
    done = await run_in_threadpool(gun.read_code, read.text, station, settings)
    if station is not None and done.pair is not None and done.pair.state is PairState.WAITING:
        # The packer starts on this order: its packing video begins here, not when the label shows.
        request.app.state.cameras.pick_list(station, done.pair.order_tid)
    body = shapes.scan_body(done.result, station, done.pair)
    answered.keep(read.read_id, body)
    metrics.outcome("gun", body)
    events.publish("outcome", station, body)
    if done.pair is not None and done.pair.label_scan_id is not None:
        # The pick list settled a label held at the desk: its earlier yellow line turns to what it came to.
        events.publish("resolved", station, shapes.paired_body(done.pair, body))
    return body


@router.post("/api/scan")
async def scan_photo(
    request: Request,
    _who: Scanner,
    photo: Annotated[UploadFile, File()],
    station: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    settings, events, metrics = _deps(request)
    where = station_of(station)
    data = await photo.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise BadArguments(f"photo over {MAX_PHOTO_BYTES // (1024 * 1024)} MB", "send a normal camera photo")
    result = await run_in_threadpool(desk.scan_photo, data, photo.filename or "photo", where, settings)
    body = shapes.scan_body(result, where)
    metrics.outcome("photo", body)
    events.publish("outcome", where, body)
    return body


@router.get("/api/events")
async def live_events(
    request: Request,
    _who: Scanner,
    station: Annotated[str | None, Query()] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    _settings, events, _metrics = _deps(request)
    last = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
    return StreamingResponse(
        events.stream(station_of(station), last),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},  # nginx: do not buffer the stream
    )


@router.get("/api/me")
async def me(who: Scanner) -> dict[str, Any]:
    return {"name": who.identity.name, "role": who.identity.role, "csrf": who.csrf}
