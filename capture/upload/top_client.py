"""Taobao Open Platform (TOP) calls: signed form POSTs to the router, JSON replies.

Signing, as the platform specifies it:

1. every request parameter except `sign`, and except those with an empty
   value, sorted by name (byte order);
2. concatenated as name1value1name2value2...;
3. md5:          MD5(secret + s + secret)
   hmac-sha256:  HMAC-SHA256(key=secret, message=s)
4. the digest in upper-case hex is `sign`.

System parameters: method, app_key, session, timestamp ("yyyy-MM-dd
HH:mm:ss" in GMT+8, the platform refuses clocks more than ten minutes out),
v=2.0, format=json, sign_method.  A reply is {"<method>_response": {...}}
(method without "taobao.", dots as underscores) or
{"error_response": {"code", "msg", "sub_code", "sub_msg", "request_id"}}.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from capture.upload.credentials import TaobaoCredentials
from capture.upload.http import HttpReply, Unreachable, post

log = logging.getLogger(__name__)

API_VERSION = "2.0"
REPLY_FORMAT = "json"
# China Standard Time has no daylight saving: a fixed offset needs no tz database.
GMT8 = timezone(timedelta(hours=8), "GMT+8")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
METHOD_PREFIX = "taobao."
REPLY_SUFFIX = "_response"
ERROR_KEY = "error_response"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=utf-8"
# How much of an unexpected reply body is quoted in an error message.
BODY_EXCERPT_CHARS = 200


def top_timestamp(now: datetime | None = None) -> str:
    """The `timestamp` parameter: wall-clock time in GMT+8, to the second."""
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no known time zone")
    return moment.astimezone(GMT8).strftime(TIMESTAMP_FORMAT)


def signing_string(params: Mapping[str, str]) -> str:
    return "".join(name + params[name] for name in sorted(params) if name != "sign" and params[name] != "")


def sign(params: Mapping[str, str], secret: str, method: str) -> str:
    """The `sign` parameter for `params` (see the module docstring)."""
    text = signing_string(params)
    if method == "md5":
        digest = hashlib.md5((secret + text + secret).encode("utf-8")).hexdigest()
    elif method == "hmac-sha256":
        digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()
    else:
        raise ValueError(f"unknown sign method {method!r}")
    return digest.upper()


def reply_key(method: str) -> str:
    name = method[len(METHOD_PREFIX) :] if method.startswith(METHOD_PREFIX) else method
    return name.replace(".", "_") + REPLY_SUFFIX


@dataclass(frozen=True)
class TopReply:
    """A successful call: the object under "<method>_response"."""

    method: str
    body: Mapping[str, Any] = field(repr=False)
    request_id: str


@dataclass(frozen=True)
class TopError:
    """The platform's error_response."""

    code: int
    msg: str
    sub_code: str = ""
    sub_msg: str = ""
    request_id: str = ""

    def describe(self) -> str:
        head = f"{self.sub_code} (code {self.code})" if self.sub_code else f"code {self.code}"
        return f"{head}: {self.sub_msg or self.msg}"


@dataclass(frozen=True)
class BadReply:
    """A reply that is not the platform's JSON: a gateway's error page, a 5xx, a cut body."""

    reason: str
    http_status: int


TopResult = TopReply | TopError | BadReply | Unreachable


def _as_error(data: Mapping[str, Any]) -> TopError:
    try:
        code = int(data.get("code", 0))
    except (TypeError, ValueError):
        code = 0
    return TopError(
        code=code,
        msg=str(data.get("msg", "")),
        sub_code=str(data.get("sub_code", "")),
        sub_msg=str(data.get("sub_msg", "")),
        request_id=str(data.get("request_id", "")),
    )


def parse_reply(method: str, reply: HttpReply) -> TopReply | TopError | BadReply:
    try:
        data = json.loads(reply.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        excerpt = reply.body[:BODY_EXCERPT_CHARS].decode("utf-8", "replace")
        return BadReply(f"HTTP {reply.status}, not JSON: {excerpt!r}", reply.status)
    if not isinstance(data, dict):
        return BadReply(f"HTTP {reply.status}, a JSON {type(data).__name__} instead of an object", reply.status)
    if isinstance(data.get(ERROR_KEY), dict):
        return _as_error(data[ERROR_KEY])
    body = data.get(reply_key(method))
    if reply.server_error or not isinstance(body, dict):
        return BadReply(f"HTTP {reply.status} without {reply_key(method)}", reply.status)
    return TopReply(method=method, body=body, request_id=str(body.get("request_id", "")))


class TopClient:
    """Calls TOP methods with one shop's credentials."""

    def __init__(self, credentials: TaobaoCredentials, timeout_s: float) -> None:
        self._credentials = credentials
        self._timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"TopClient(sign_method={self._credentials.sign_method!r})"

    def redact(self, text: str) -> str:
        return self._credentials.redact(text)

    def signed_params(self, method: str, params: Mapping[str, str], now: datetime | None = None) -> dict[str, str]:
        creds = self._credentials
        signed = {
            "method": method,
            "app_key": creds.app_key.reveal(),
            "session": creds.session.reveal(),
            "timestamp": top_timestamp(now),
            "v": API_VERSION,
            "format": REPLY_FORMAT,
            "sign_method": creds.sign_method,
            **params,
        }
        signed["sign"] = sign(signed, creds.app_secret.reveal(), creds.sign_method)
        return signed

    def call(self, method: str, params: Mapping[str, str]) -> TopResult:
        body = urlencode(self.signed_params(method, params)).encode("ascii")
        reply = post(self._credentials.endpoint, body, {"Content-Type": FORM_CONTENT_TYPE}, self._timeout_s)
        if isinstance(reply, Unreachable):
            log.info("taobao %s: %s", method, reply.reason)
            return reply
        result = parse_reply(method, reply)
        if not isinstance(result, TopReply):
            log.info("taobao %s failed: %s", method, self.redact(describe(result)))
        return result


def describe(result: TopError | BadReply | Unreachable) -> str:
    if isinstance(result, TopError):
        return result.describe()
    return result.reason
