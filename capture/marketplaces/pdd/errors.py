"""What a Pinduoduo error means for a job: try again, give it to a person, or stop.

The router's error_response carries error_code and error_msg (and for
business errors sub_code / sub_msg).  The codes below are the platform's
common ones as public clients handle them; anything not listed is permanent
for the job and goes to review with the platform's own message, which is
the safe default (a person looks, nothing is sent twice).

* rate limit: 70031 (调用过于频繁) and 70032 (接口被限流); the wait is the
  seconds the message states, else the limiter's window (10 s);
* transient: HTTP 5xx / gateway pages (not errors at all), 50000-50099
  (系统繁忙 / 服务异常);
* our credentials or clock: 10016 (client_id), 10019 (access_token expired),
  10020 (access_token invalid), 20004 (sign), 20005 (timestamp): every job
  would fail alike, so the worker stops and says what to fix.

An order that is not awaiting shipment any more is not recognised by code:
the connector asks pdd.order.information.get after any permanent refusal
and decides from the order itself (our number there: sent).
"""

from __future__ import annotations

import re

from capture.marketplaces.outcome_kinds import Classified, Meaning
from capture.marketplaces.pdd.client import PddError

RATE_LIMIT_CODES = frozenset({70031, 70032})
RATE_LIMIT_WINDOW_S = 10.0
TRANSIENT_CODES = range(50000, 50100)
CLIENT_ID_CODE = 10016
TOKEN_CODES = frozenset({10019, 10020})
SIGN_CODE = 20004
TIMESTAMP_CODE = 20005
CREDENTIAL_CODES = frozenset({CLIENT_ID_CODE, *TOKEN_CODES, SIGN_CODE, TIMESTAMP_CODE})
STATED_SECONDS = re.compile(r"(\d+)\s*(?:秒|s\b|seconds)", re.IGNORECASE)


def classify(error: PddError) -> Classified:
    if error.code in RATE_LIMIT_CODES:
        stated = STATED_SECONDS.search(f"{error.sub_msg} {error.msg}")
        return Classified(Meaning.RATE_LIMITED, float(stated.group(1)) if stated else RATE_LIMIT_WINDOW_S)
    if error.code in CREDENTIAL_CODES:
        return Classified(Meaning.CREDENTIALS)
    if error.code in TRANSIENT_CODES:
        return Classified(Meaning.TRANSIENT)
    return Classified(Meaning.PERMANENT)


def credentials_hint(error: PddError, shop: str) -> str:
    prefix = f"WAYBILL_SHOP_{shop.upper()}_"
    if error.code in TOKEN_CODES:
        return f"the shop's access_token is expired or wrong: authorise the app again and set {prefix}ACCESS_TOKEN"
    if error.code == TIMESTAMP_CODE:
        return "this computer's clock is off: set it right (NTP)"
    return f"check {prefix}CLIENT_ID / {prefix}CLIENT_SECRET and the app's API permissions"
