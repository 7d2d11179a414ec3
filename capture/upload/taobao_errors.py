"""What a Taobao error means for the job: try again, give it to a person, or stop.

Sorted from the platform's error codes (code / sub_code):

* rate limits: code 7 "App Call Limited" with sub_code accesscontrol.limited-*
  (or the older isv.access-limited-*) and sub_msg "This ban will last for N
  more seconds": wait N seconds, for every job, not just this one;
* transient: code 10 (service unavailable), every isp.* sub_code (the
  platform's own faults: isp.top-remote-connection-timeout,
  isp.top-remote-service-unavailable, isp.remote-service-timeout, ...),
  and the logistics service's "try again later" codes (B150, S01);
* already shipped: isv.logistics-offline-service-error:B04 (the order is not
  awaiting shipment: shipped, or closed) - checked against the order;
* our credentials or clock: codes 11-13 (permissions), 24-29 (signature,
  session, app key), 30-31 (timestamp): every job would fail the same way,
  so the worker stops and says what to fix;
* everything else is permanent for this job (B60 number invalid or used,
  B01 no such order, P38 split order, invalid parameters, ...): review, with
  the platform's message.
"""

from __future__ import annotations

import re

from capture.marketplaces.outcome_kinds import Classified, Meaning
from capture.upload.top_client import TopError

__all__ = ["Classified", "Meaning", "ban_seconds", "classify", "credentials_hint"]


APP_CALL_LIMITED = 7
SERVICE_UNAVAILABLE = 10
RATE_LIMIT_SUB_PREFIXES = ("accesscontrol.limited", "isv.access-limited")
PLATFORM_FAULT_SUB_PREFIX = "isp."
TRY_AGAIN_SUB_CODES = frozenset(
    {
        "isv.logistics-offline-service-error:B150",  # 发货异常，请稍等后重试
        "isv.logistics-offline-service-error:S01",  # 数据异常，稍后请重试
        "isv.trade-service-rejection",  # too many slow queries, try in a few minutes
    }
)
ALREADY_SHIPPED_SUB_CODES = frozenset({"isv.logistics-offline-service-error:B04"})
# Insufficient ISV/user/partner permissions; missing or invalid signature,
# session, app key; missing or invalid timestamp.
CREDENTIAL_CODES = frozenset({11, 12, 13, 24, 25, 26, 27, 28, 29, 30, 31})
SESSION_CODES = frozenset({26, 27})
TIMESTAMP_CODES = frozenset({30, 31})
BAN_SECONDS = re.compile(r"ban will last for\s+(\d+)\s+more seconds", re.IGNORECASE)


def ban_seconds(error: TopError) -> float | None:
    for text in (error.sub_msg, error.msg):
        found = BAN_SECONDS.search(text)
        if found:
            return float(found.group(1))
    return None


def classify(error: TopError) -> Classified:
    sub = error.sub_code
    if error.code == APP_CALL_LIMITED or sub.startswith(RATE_LIMIT_SUB_PREFIXES):
        return Classified(Meaning.RATE_LIMITED, ban_seconds(error))
    if sub in ALREADY_SHIPPED_SUB_CODES:
        return Classified(Meaning.ALREADY_SHIPPED)
    if error.code in CREDENTIAL_CODES:
        return Classified(Meaning.CREDENTIALS)
    if error.code == SERVICE_UNAVAILABLE or sub.startswith(PLATFORM_FAULT_SUB_PREFIX) or sub in TRY_AGAIN_SUB_CODES:
        return Classified(Meaning.TRANSIENT)
    return Classified(Meaning.PERMANENT)


def credentials_hint(error: TopError) -> str:
    if error.code in SESSION_CODES:
        return "the shop's session key is missing or expired: authorise the app again and set WAYBILL_TAOBAO_SESSION"
    if error.code in TIMESTAMP_CODES:
        return "this computer's clock is off by more than the platform allows (10 minutes): set it right (NTP)"
    return "check WAYBILL_TAOBAO_APP_KEY / _APP_SECRET / _SIGN_METHOD and the app's API permissions"
