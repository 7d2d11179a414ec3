"""What a Douyin error means for a job.

The reply's code is 10000 on success.  Sorted here, as far as public
clients and the platform's error pages let us tell (the fake speaks these;
check them against the platform before going live):

* rate limit: sub_code containing "flow-limit" or "qps" (the gateway's
  流控); the wait is the seconds the message states, else LIMIT_WINDOW_S;
* transient: code 20000 (服务暂不可用), 50000-59999, and isp.* sub codes;
* credentials or clock: 30001 (access_token invalid), 30002 (expired),
  40004 (sign), 40005 (timestamp), 40003 (app_key): the worker stops;
* everything else is permanent for the job; the connector then reads the
  order itself (order.orderDetail) before sending it to review.
"""

from __future__ import annotations

import re

from capture.marketplaces.douyin.client import DouyinError
from capture.marketplaces.outcome_kinds import Classified, Meaning

LIMIT_MARKERS = ("flow-limit", "qps")
LIMIT_WINDOW_S = 1.0
UNAVAILABLE = 20000
TRANSIENT_CODES = range(50000, 60000)
TOKEN_CODES = frozenset({30001, 30002})
SIGN_CODE, TIMESTAMP_CODE, APP_KEY_CODE = 40004, 40005, 40003
CREDENTIAL_CODES = frozenset({*TOKEN_CODES, SIGN_CODE, TIMESTAMP_CODE, APP_KEY_CODE})
STATED_SECONDS = re.compile(r"(\d+)\s*(?:秒|s\b|seconds)", re.IGNORECASE)


def classify(error: DouyinError) -> Classified:
    if any(marker in error.sub_code.lower() for marker in LIMIT_MARKERS):
        stated = STATED_SECONDS.search(f"{error.sub_msg} {error.msg}")
        return Classified(Meaning.RATE_LIMITED, float(stated.group(1)) if stated else LIMIT_WINDOW_S)
    if error.code in CREDENTIAL_CODES:
        return Classified(Meaning.CREDENTIALS)
    if error.code == UNAVAILABLE or error.code in TRANSIENT_CODES or error.sub_code.startswith("isp."):
        return Classified(Meaning.TRANSIENT)
    return Classified(Meaning.PERMANENT)


def credentials_hint(error: DouyinError, shop: str) -> str:
    prefix = f"WAYBILL_SHOP_{shop.upper()}_"
    if error.code in TOKEN_CODES:
        return f"the shop's access_token is expired or wrong: authorise the app again and set {prefix}ACCESS_TOKEN"
    if error.code == TIMESTAMP_CODE:
        return "this computer's clock is off: set it right (NTP)"
    return f"check {prefix}APP_KEY / {prefix}APP_SECRET / {prefix}SIGN_METHOD"
