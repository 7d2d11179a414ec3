"""The app factory: `create_app(settings)` wires the routes, the event hub, the sounds and the error handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from capture import __version__
from capture.accounts import Permission
from capture.api.monitoring import engines_built, health, read_stats
from capture.settings import Settings
from capture.web import errors, routes_camera, routes_clips, routes_desk, routes_pages, routes_review
from capture.web.audio import make_sounds
from capture.web.auth import allowed
from capture.web.events import EventHub
from capture.web.metrics import Metrics
from capture.web.pg_events import PgRelay, is_postgres

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # The camera for this origin only; nothing else may be framed or loaded from elsewhere.
    "Permissions-Policy": "camera=(self)",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
    "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
}


@asynccontextmanager
async def _relay_events(app: FastAPI) -> AsyncIterator[None]:
    """With PostgreSQL, live events go through LISTEN/NOTIFY while the app serves (capture.web.pg_events)."""
    settings: Settings = app.state.settings
    if not is_postgres(settings.db_url):
        yield
        return
    relay = await run_in_threadpool(PgRelay(settings.db_url, app.state.events.deliver).start)
    app.state.events.relay = relay
    try:
        yield
    finally:
        app.state.events.relay = None
        await run_in_threadpool(relay.stop)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    try:
        async with _relay_events(app):
            yield
    finally:
        await run_in_threadpool(app.state.cameras.close_all)  # the desk cameras' open packing videos are finished


def create_app(settings: Settings, with_voice: bool = True) -> FastAPI:
    app = FastAPI(
        title="waybill capture desk",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.events = EventHub()
    app.state.metrics = Metrics(lambda: read_stats(settings))
    app.state.answered_reads = routes_desk.AnsweredReads()
    app.state.sounds = make_sounds(with_voice)
    app.state.cameras = routes_camera.Cameras(settings)
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    errors.install(app)
    app.include_router(routes_desk.router)
    app.include_router(routes_review.router)
    app.include_router(routes_camera.router)
    app.include_router(routes_clips.router)
    app.include_router(routes_pages.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await app.state.metrics.timed(request, call_next)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        ok, body = await run_in_threadpool(health, settings, lambda: engines_built(settings))
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics", dependencies=[Depends(allowed(Permission.SCAN))])
    async def metrics() -> Response:
        return app.state.metrics.text()

    return app
