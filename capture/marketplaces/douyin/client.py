"""Douyin shop (抖店) open platform calls: signed form POSTs, JSON replies.

As public doudian clients implement the platform's signing page (e.g. the
doudianSign / sign() functions found through the search tool's code corpus,
file ids 61758049675 and 66945851778):

* the method's path on the gateway: order.logisticsAdd -> /order/logisticsAdd;
* system parameters: method, app_key, access_token, param_json (the
  business parameters as compact JSON, keys sorted), timestamp
  ("yyyy-MM-dd HH:mm:ss", Beijing time), v=2, sign_method, sign;
* sign_str = app_secret + "app_key"+app_key + "method"+method +
  "param_json"+param_json + "timestamp"+timestamp + "v"+v + app_secret;
  md5: MD5(sign_str); hmac-sha256: HMAC-SHA256(key=app_secret, sign_str);
  lower-case hex;
* a reply is {"code": 10000, "msg": "success", "data": {...}, "log_id"}, or
  another code with msg / sub_code / sub_msg.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from capture.marketplaces.douyin.credentials import DouyinCredentials
from capture.upload.http import Unreachable, post
from capture.upload.top_client import GMT8, TIMESTAMP_FORMAT

log = logging.getLogger(__name__)

API_VERSION = "2"
SUCCESS = 10000
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=utf-8"
BODY_EXCERPT_CHARS = 200
SIGNED_NAMES = ("app_key", "method", "param_json", "timestamp", "v")


def param_json(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign(system: Mapping[str, str], app_secret: str, method: str) -> str:
    text = app_secret + "".join(name + system[name] for name in SIGNED_NAMES) + app_secret
    if method == "hmac-sha256":
        return hmac.new(app_secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()
    return hashlib.md5(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DouyinReply:
    method: str
    data: Any = field(repr=False)
    log_id: str


@dataclass(frozen=True)
class DouyinError:
    code: int
    msg: str
    sub_code: str = ""
    sub_msg: str = ""
    log_id: str = ""

    def describe(self) -> str:
        head = f"{self.sub_code} (code {self.code})" if self.sub_code else f"code {self.code}"
        return f"{head}: {self.sub_msg or self.msg}"


@dataclass(frozen=True)
class DouyinBadReply:
    reason: str
    http_status: int


DouyinResult = DouyinReply | DouyinError | DouyinBadReply | Unreachable


def describe(result: DouyinError | DouyinBadReply | Unreachable) -> str:
    return result.describe() if isinstance(result, DouyinError) else result.reason


def _parse(method: str, status: int, body: bytes) -> DouyinReply | DouyinError | DouyinBadReply:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return DouyinBadReply(
            f"HTTP {status}, not JSON: {body[:BODY_EXCERPT_CHARS].decode('utf-8', 'replace')!r}", status
        )
    if not isinstance(data, dict) or "code" not in data:
        return DouyinBadReply(f"HTTP {status} without a code", status)
    try:
        code = int(data["code"])
    except (TypeError, ValueError):
        return DouyinBadReply(f"HTTP {status}, code {data['code']!r} is not a number", status)
    log_id = str(data.get("log_id", ""))
    if code != SUCCESS:
        return DouyinError(
            code, str(data.get("msg", "")), str(data.get("sub_code", "")), str(data.get("sub_msg", "")), log_id
        )
    return DouyinReply(method=method, data=data.get("data"), log_id=log_id)


class DouyinClient:
    """Calls Douyin shop methods with one shop's credentials."""

    def __init__(self, credentials: DouyinCredentials, timeout_s: float) -> None:
        self._credentials = credentials
        self._timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"DouyinClient(sign_method={self._credentials.sign_method!r})"

    def redact(self, text: str) -> str:
        return self._credentials.redact(text)

    def signed_params(self, method: str, params: Mapping[str, Any], now: datetime | None = None) -> dict[str, str]:
        creds = self._credentials
        system = {
            "app_key": creds.app_key.reveal(),
            "method": method,
            "param_json": param_json(params),
            "timestamp": (now or datetime.now(UTC)).astimezone(GMT8).strftime(TIMESTAMP_FORMAT),
            "v": API_VERSION,
        }
        return {
            **system,
            "access_token": creds.access_token.reveal(),
            "sign_method": creds.sign_method,
            "sign": sign(system, creds.app_secret.reveal(), creds.sign_method),
        }

    def call(self, method: str, params: Mapping[str, Any]) -> DouyinResult:
        url = self._credentials.endpoint.rstrip("/") + "/" + method.replace(".", "/")
        body = urlencode(self.signed_params(method, params)).encode("ascii")
        reply = post(url, body, {"Content-Type": FORM_CONTENT_TYPE}, self._timeout_s)
        if isinstance(reply, Unreachable):
            log.info("douyin %s: %s", method, reply.reason)
            return reply
        result = _parse(method, reply.status, reply.body)
        if reply.server_error and isinstance(result, DouyinReply):
            return DouyinBadReply(f"HTTP {reply.status}", reply.status)
        if not isinstance(result, DouyinReply):
            log.info("douyin %s failed: %s", method, self.redact(describe(result)))
        return result
