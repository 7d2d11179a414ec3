"""No traceback reaches a user: every failure is a JSON error with a message (or a plain page for a browser)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from capture.errors import (
    AccountError,
    BadArguments,
    CaptureError,
    DatabaseError,
    QueueActionError,
    ReviewError,
    UnknownOrder,
    UnreadableImage,
)

log = logging.getLogger(__name__)

STATUS_OF: tuple[tuple[type[CaptureError], int], ...] = (
    (UnknownOrder, 404),
    (ReviewError, 409),
    (QueueActionError, 409),
    (BadArguments, 400),
    (AccountError, 400),
    (UnreadableImage, 400),
    (DatabaseError, 503),
)


def error_json(status: int, message: str, hint: str = "", headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "hint": hint}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(CaptureError)
    async def capture_error(_request: Request, exc: CaptureError) -> Response:
        status = next((code for kind, code in STATUS_OF if isinstance(exc, kind)), 400)
        return error_json(status, exc.message, exc.hint)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> Response:
        return error_json(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return error_json(422, f"bad request: {problems}", "see the API in ARCHITECTURE.md")

    @app.exception_handler(Exception)
    async def fault(request: Request, exc: Exception) -> Response:
        log.exception("unexpected fault serving %s %s", request.method, request.url.path)
        return error_json(
            500, "internal error: the server log has the details", "try again; tell the admin if it stays"
        )
