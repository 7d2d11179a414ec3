"""Tell the shop's own system: a signed JSON POST per shipment.

Request:

    POST <WAYBILL_WEBHOOK_URL>
    Content-Type: application/json
    Idempotency-Key: wb-<sha256(order + ":" + waybill), 32 hex>
    X-Waybill-Timestamp: <unix seconds>
    X-Waybill-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>

    {"order": "...", "waybill": "...", "carrier": "SF", "carrier_name": "顺丰速运",
     "job_id": 12, "queued_at": "2026-01-02T03:04:05+00:00"}

The receiver checks the signature (and that the timestamp is recent, so a
captured request cannot be replayed later) and keeps the idempotency keys it
has seen: a retry after a lost reply carries the same key and must not ship
twice.  The key depends only on the order and the number, so it is the same
for every attempt of a job.

Replies: 2xx delivered (a JSON "id", if any, is kept as the response id);
401/403 our secret is wrong (the worker stops); 408, 425, 429 and 5xx are
retried (Retry-After honoured); 409 and other 4xx go to review with the
receiver's message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from capture.pipeline.carriers import BY_CODE
from capture.types import RefundState
from capture.upload.connector import (
    CheckOutcome,
    Delivered,
    Misconfigured,
    NotShipped,
    Refused,
    Retry,
    SendOutcome,
    Shipment,
)
from capture.upload.credentials import WebhookCredentials
from capture.upload.http import Unreachable, post

SIGNATURE_HEADER = "X-Waybill-Signature"
TIMESTAMP_HEADER = "X-Waybill-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SIGNATURE_PREFIX = "sha256="
KEY_PREFIX = "wb-"
KEY_HEX_CHARS = 32
AUTH_REFUSED = (401, 403)
TRY_AGAIN = (408, 425, 429)
HTTP_OK_RANGE = range(200, 300)
HTTP_SERVER_ERROR = 500
# How much of the receiver's reply is kept as the review message.
MESSAGE_CHARS = 300


def idempotency_key(order_tid: str, waybill: str) -> str:
    return KEY_PREFIX + hashlib.sha256(f"{order_tid}:{waybill}".encode()).hexdigest()[:KEY_HEX_CHARS]


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def payload(shipment: Shipment) -> bytes:
    carrier = BY_CODE.get(shipment.carrier)
    body = {
        "order": shipment.order_tid,
        "waybill": shipment.waybill,
        "carrier": shipment.carrier,
        "carrier_name": carrier.name if carrier else shipment.carrier,
        "job_id": shipment.job_id,
        "queued_at": shipment.queued_at.isoformat(),
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _message(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
        if isinstance(data, dict):
            text = str(data.get("error") or data.get("message") or text)
    except json.JSONDecodeError:
        pass
    return text[:MESSAGE_CHARS]


class WebhookConnector:
    name = "webhook"

    def __init__(self, credentials: WebhookCredentials, timeout_s: float) -> None:
        self._credentials = credentials
        self._timeout_s = timeout_s

    def __repr__(self) -> str:
        return "WebhookConnector()"

    def redact(self, text: str) -> str:
        return self._credentials.redact(text)

    def send(self, shipment: Shipment) -> SendOutcome:
        body = payload(shipment)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            IDEMPOTENCY_HEADER: idempotency_key(shipment.order_tid, shipment.waybill),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(self._credentials.secret.reveal(), timestamp, body),
        }
        reply = post(self._credentials.url.reveal(), body, headers, self._timeout_s)
        if isinstance(reply, Unreachable):
            return Retry(self.redact(f"webhook: {reply.reason}"))
        message = self.redact(_message(reply.body))
        if reply.status in HTTP_OK_RANGE:
            try:
                data = json.loads(reply.body or b"{}")
            except json.JSONDecodeError:
                data = {}
            response_id = str(data.get("id", "")) if isinstance(data, dict) else ""
            return Delivered(response_id=response_id or reply.headers.get("x-request-id", ""))
        if reply.status in AUTH_REFUSED:
            return Misconfigured(
                f"the webhook refused our signature (HTTP {reply.status}): {message}",
                "check WAYBILL_WEBHOOK_SECRET against the receiving system's",
            )
        if reply.status in TRY_AGAIN or reply.status >= HTTP_SERVER_ERROR:
            return Retry(
                f"webhook: HTTP {reply.status}: {message}", wait_s=_retry_after(reply.headers.get("retry-after"))
            )
        return Refused(f"webhook: HTTP {reply.status}: {message}")

    def refund_state(self, shipment: Shipment) -> RefundState | Retry:
        # The receiving system is told of shipments only; it has no refund to report.
        return RefundState.UNKNOWN

    def check(self, shipment: Shipment) -> CheckOutcome:
        # Nothing to ask: a second send carries the same idempotency key, and
        # the receiver answers it without shipping twice.
        return NotShipped()
