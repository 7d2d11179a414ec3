"""Who is asking, and may they: the session cookie or a Bearer token; CSRF for cookie requests that change state.

* No credentials: 401.  A role without the permission: 403.
* A browser signs in with a form and gets an HttpOnly, SameSite=Strict
  cookie; the page's own forms and fetches carry a CSRF token derived from
  that cookie (HMAC), which another site cannot read or compute.
* A script sends `Authorization: Bearer TOKEN` (`waybill users token`):
  browsers never attach it on their own, so it needs no CSRF token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from capture import accounts
from capture.accounts import Permission
from capture.api import users
from capture.api.users import Identity
from capture.settings import Settings

COOKIE = "waybill_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
CSRF_PURPOSE = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    identity: Identity
    cookie: str | None  # the session cookie, when signed in by one (None for a token)

    @property
    def csrf(self) -> str:
        return csrf_token(self.cookie) if self.cookie else ""


def csrf_token(cookie: str) -> str:
    return accounts.derived(cookie, CSRF_PURPOSE)


class NotSignedIn(HTTPException):
    def __init__(self) -> None:
        super().__init__(401, "sign in first, or send Authorization: Bearer TOKEN", {"WWW-Authenticate": "Bearer"})


async def caller(request: Request) -> Caller:
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = await run_in_threadpool(users.by_token, header[7:].strip(), settings)
        if found is None:
            raise NotSignedIn()
        return Caller(found, None)
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        raise NotSignedIn()
    identity = await run_in_threadpool(users.by_session, cookie, settings)
    if identity is None:
        raise NotSignedIn()
    if request.method not in SAFE_METHODS:
        await _check_csrf(request, cookie)
    return Caller(identity, cookie)


async def _check_csrf(request: Request, cookie: str) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = str((await request.form()).get(CSRF_FIELD, ""))
    if not sent or not accounts.same(sent, csrf_token(cookie)):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


def allowed(permission: Permission) -> Callable[[Request], Awaitable[Caller]]:
    """A dependency: the caller, if their role has `permission` (else 403)."""

    async def check(request: Request) -> Caller:
        who = await caller(request)
        if not who.identity.may(permission):
            raise HTTPException(403, f"{who.identity.role} may not do this")
        return who

    return check
