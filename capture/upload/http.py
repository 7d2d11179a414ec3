"""One HTTP POST with a timeout, standard library only (urllib.request).

Why urllib and not requests/httpx: a POST of a small form or JSON body and
a JSON reply is all the connectors need; urllib does TLS with the system's
certificates, honours the usual proxy variables, and adds no dependency to a
product installed on packing-desk PCs.  It opens a connection per request;
at the marketplace's own rate limits (tens of calls a second per app) that
costs nothing that matters.

Every failure to get a reply becomes an `Unreachable` value whose text names
neither the URL nor the body: URLs may carry tokens (webhooks) and bodies
carry the session key.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class HttpReply:
    status: int
    body: bytes
    headers: Mapping[str, str]  # lower-case names

    @property
    def server_error(self) -> bool:
        return self.status >= HTTP_SERVER_ERROR


@dataclass(frozen=True)
class Unreachable:
    """No reply: the request may or may not have reached the other side."""

    reason: str


HTTP_SERVER_ERROR = 500


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc.reason, str):
        exc = exc.reason
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out waiting for the reply"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (ConnectionResetError, http.client.RemoteDisconnected)):
        return "the connection was dropped before the reply"
    if isinstance(exc, socket.gaierror):
        return "the host name did not resolve"
    return f"{type(exc).__name__}: {getattr(exc, 'reason', None) or getattr(exc, 'strerror', None) or 'network error'}"


def post(url: str, body: bytes, headers: Mapping[str, str], timeout_s: float) -> HttpReply | Unreachable:
    """POST `body`; any HTTP status is a reply, a network failure is Unreachable."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return HttpReply(response.status, response.read(), {k.lower(): v for k, v in response.getheaders()})
    except urllib.error.HTTPError as exc:
        try:
            payload = exc.read()
        except (OSError, http.client.HTTPException):
            payload = b""
        return HttpReply(exc.code, payload, {k.lower(): v for k, v in (exc.headers or {}).items()})
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        # ValueError: a malformed URL; OSError covers timeouts and resets while reading.
        return Unreachable(_describe(exc))
