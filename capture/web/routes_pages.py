"""The pages: sign in and out, the packer's desk page, the supervisor's page, and the desk's sounds."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from capture.accounts import Permission
from capture.api import users
from capture.web import words
from capture.web.auth import COOKIE, Caller, allowed, caller
from capture.web.i18n import TEXT, lang_of
from capture.web.routes_desk import station_of

router = APIRouter()
COOKIE_MAX_AGE_S = int(users.SESSION_LIFETIME_S)


def _render(request: Request, name: str, lang: str, status: int = 200, **context: Any) -> Response:
    templates = request.app.state.templates
    context |= {"t": TEXT[lang], "lang": lang, "other_lang": "en" if lang == "zh" else "zh"}
    return templates.TemplateResponse(request, name, context, status_code=status)


def _safe_next(target: str) -> str:
    # Only a path on this server: a login link must not send the packer elsewhere.
    return target if target.startswith("/") and not target.startswith("//") else "/desk"


async def _page_caller(request: Request, permission: Permission, lang: str) -> Caller | Response:
    try:
        return await allowed(permission)(request)
    except HTTPException as exc:
        if exc.status_code == 401:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return _render(request, "login.html", lang, 401, next=target, error="")
        return _render(request, "forbidden.html", lang, exc.status_code)


@router.get("/login")
async def login_page(request: Request, next: str = "/desk", lang: str | None = None) -> Response:
    return _render(request, "login.html", lang_of(lang), next=_safe_next(next), error="")


@router.post("/login")
async def login(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/desk",
    lang: Annotated[str, Form()] = "zh",
) -> Response:
    cookie = await run_in_threadpool(users.sign_in, name, password, request.app.state.settings)
    if cookie is None:
        return _render(
            request, "login.html", lang_of(lang), 401, next=_safe_next(next), error=TEXT[lang_of(lang)]["bad_login"]
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https",
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    who = await caller(request)  # a signed-in cookie and its CSRF token: no cross-site sign-out
    if who.cookie:
        await run_in_threadpool(users.sign_out, who.cookie, request.app.state.settings)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/")
async def index() -> Response:
    return RedirectResponse("/desk", status_code=303)


@router.get("/desk")
async def desk_page(
    request: Request, station: Annotated[str, Query()] = "A", lang: Annotated[str | None, Query()] = None
) -> Response:
    chosen = lang_of(lang)
    who = await _page_caller(request, Permission.SCAN, chosen)
    if not isinstance(who, Caller):
        return who
    where = station_of(station) or "A"
    config = {
        "station": where,
        "lang": chosen,
        "csrf": who.csrf,
        "user": who.identity.name,
        "timezone": request.app.state.settings.desk_timezone,
        "voices": sorted(request.app.state.sounds.voices),
        "text": TEXT[chosen],
    }
    return _render(
        request,
        "desk.html",
        chosen,
        config=json.dumps(config, ensure_ascii=False),
        station=where,
        who=who,
        voices=config["voices"],
    )


@router.get("/review")
async def review_page(request: Request, lang: Annotated[str | None, Query()] = None) -> Response:
    chosen = lang_of(lang)
    who = await _page_caller(request, Permission.REVIEW, chosen)
    if not isinstance(who, Caller):
        return who
    config = {
        "lang": chosen,
        "csrf": who.csrf,
        "user": who.identity.name,
        "timezone": request.app.state.settings.desk_timezone,
        "text": TEXT[chosen],
        "reasons": {k: {"zh": v[0], "en": v[1]} for k, v in words.REASON_WORDS.items()},
    }
    return _render(request, "review.html", chosen, config=json.dumps(config, ensure_ascii=False), who=who)


@router.get("/audio/{kind}/{name}.wav")
async def sound(kind: str, name: str, request: Request) -> Response:
    await allowed(Permission.SCAN)(request)
    sounds = request.app.state.sounds
    clips = sounds.tones if kind == "tone" else sounds.voices if kind == "voice" else {}
    if name not in clips:
        raise HTTPException(404, f"no sound {kind}/{quote(name)}")
    return Response(clips[name], media_type="audio/wav", headers={"Cache-Control": "private, max-age=86400"})
