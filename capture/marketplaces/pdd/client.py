"""Pinduoduo open platform calls: signed form POSTs to the router, JSON replies.

As the open platform documents it (and as public clients do it: e.g. the
Python examples in github.com/differentname123/Shop-Fusion, get_pid.py, and
the method descriptions of github.com/lywzx/pdd-node-sdk):

* system parameters: type (the method, "pdd.logistics.online.send"),
  client_id, access_token (the shop's authorisation), timestamp (Unix
  seconds), data_type=JSON, and sign;
* sign = MD5(client_secret + name1value1name2value2... + client_secret) in
  upper-case hex, the parameters (all but sign) sorted by name;
* a reply is {"<x>_response": {...}} or {"error_response": {"error_code",
  "error_msg", "sub_code", "sub_msg", "request_id"}}.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from capture.marketplaces.pdd.credentials import PddCredentials
from capture.upload.http import HttpReply, Unreachable, post

log = logging.getLogger(__name__)

DATA_TYPE = "JSON"
ERROR_KEY = "error_response"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=utf-8"
BODY_EXCERPT_CHARS = 200


def signing_string(params: Mapping[str, str]) -> str:
    return "".join(name + params[name] for name in sorted(params) if name != "sign")


def sign(params: Mapping[str, str], client_secret: str) -> str:
    text = client_secret + signing_string(params) + client_secret
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


@dataclass(frozen=True)
class PddReply:
    method: str
    body: Mapping[str, Any] = field(repr=False)  # the object under "<x>_response"
    request_id: str


@dataclass(frozen=True)
class PddError:
    """The platform's error_response."""

    code: int
    msg: str
    sub_code: str = ""
    sub_msg: str = ""
    request_id: str = ""

    def describe(self) -> str:
        head = f"{self.sub_code} (error {self.code})" if self.sub_code else f"error {self.code}"
        return f"{head}: {self.sub_msg or self.msg}"


@dataclass(frozen=True)
class PddBadReply:
    """Not the platform's JSON: a gateway's page, a 5xx, a cut body."""

    reason: str
    http_status: int


PddResult = PddReply | PddError | PddBadReply | Unreachable


def describe(result: PddError | PddBadReply | Unreachable) -> str:
    return result.describe() if isinstance(result, PddError) else result.reason


def _as_error(data: Mapping[str, Any]) -> PddError:
    try:
        code = int(data.get("error_code", 0))
    except (TypeError, ValueError):
        code = 0
    return PddError(
        code=code,
        msg=str(data.get("error_msg", "")),
        sub_code=str(data.get("sub_code", "")),
        sub_msg=str(data.get("sub_msg", "")),
        request_id=str(data.get("request_id", "")),
    )


def parse_reply(method: str, reply: HttpReply, response_key: str) -> PddReply | PddError | PddBadReply:
    try:
        data = json.loads(reply.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        excerpt = reply.body[:BODY_EXCERPT_CHARS].decode("utf-8", "replace")
        return PddBadReply(f"HTTP {reply.status}, not JSON: {excerpt!r}", reply.status)
    if not isinstance(data, dict):
        return PddBadReply(f"HTTP {reply.status}, a JSON {type(data).__name__} instead of an object", reply.status)
    if isinstance(data.get(ERROR_KEY), dict):
        return _as_error(data[ERROR_KEY])
    body = data.get(response_key)
    if reply.server_error or not isinstance(body, dict):
        return PddBadReply(f"HTTP {reply.status} without {response_key}", reply.status)
    return PddReply(method=method, body=body, request_id=str(body.get("request_id", "")))


class PddClient:
    """Calls Pinduoduo methods with one shop's credentials."""

    def __init__(self, credentials: PddCredentials, timeout_s: float) -> None:
        self._credentials = credentials
        self._timeout_s = timeout_s

    def __repr__(self) -> str:
        return "PddClient()"

    def redact(self, text: str) -> str:
        return self._credentials.redact(text)

    def signed_params(self, method: str, params: Mapping[str, str], now: float | None = None) -> dict[str, str]:
        creds = self._credentials
        signed = {
            "type": method,
            "client_id": creds.client_id.reveal(),
            "access_token": creds.access_token.reveal(),
            "timestamp": str(int(now if now is not None else time.time())),
            "data_type": DATA_TYPE,
            **params,
        }
        signed["sign"] = sign(signed, creds.client_secret.reveal())
        return signed

    def call(self, method: str, params: Mapping[str, str], response_key: str) -> PddResult:
        body = urlencode(self.signed_params(method, params)).encode("ascii")
        reply = post(self._credentials.endpoint, body, {"Content-Type": FORM_CONTENT_TYPE}, self._timeout_s)
        if isinstance(reply, Unreachable):
            log.info("pdd %s: %s", method, reply.reason)
            return reply
        result = parse_reply(method, reply, response_key)
        if not isinstance(result, PddReply):
            log.info("pdd %s failed: %s", method, self.redact(describe(result)))
        return result
