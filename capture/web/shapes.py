"""The JSON the pages and scripts get: the scan contract object (capture.views) plus what the desk shows.

Keys added to the contract, as ARCHITECTURE.md allows: `station`, `at`,
`pair` (a gun read of a pick list), `parcel` (the order's receiver, the phone
masked), `carrier_name` and `display` (colour, tone, voice, words:
capture.web.words).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from capture import views
from capture.desk_pairing import PairResult
from capture.pipeline.carriers import BY_CODE
from capture.review import Resolved, ReviewEntry
from capture.types import OrderRef, ScanResult
from capture.web import words

MASK = "*******"


def carrier_name(code: str | None) -> str | None:
    return BY_CODE[code].name if code in BY_CODE else None


def masked_phone(tail: str) -> str:
    return f"{MASK}{tail}" if tail else ""


def parcel(order: OrderRef | None) -> dict[str, Any] | None:
    if order is None:
        return None
    return {
        "order": order.tid,
        "receiver": order.receiver_name,
        "phone": masked_phone(order.phone_tail),
        "address": order.address,
        "status": order.status,
        "shop": order.shop,
    }


def scan_body(result: ScanResult, station: str | None, pair: PairResult | None = None) -> dict[str, Any]:
    body = views.scan_json(result)
    body["station"] = station
    body["at"] = datetime.now(UTC).isoformat()
    body["pair"] = views.pair_json(pair) if pair else None
    carrier = body["carrier"]
    if pair and pair.outcome and pair.outcome.candidate:  # the held label the pick list settled
        carrier = body["pair"]["carrier"] = pair.outcome.candidate.carrier
    body["carrier_name"] = carrier_name(carrier)
    body["parcel"] = parcel(result.outcome.order)
    body["display"] = words.display(body)
    return body


def review_body(entry: ReviewEntry) -> dict[str, Any]:
    body = views.review_entry_json(entry)
    body.pop("path", None)  # a path on the server's disk means nothing in a browser: photo_url does
    body["photo_url"] = f"/api/scans/{entry.scan_id}/photo"
    body["reason_words"] = words.display({"status": "review", "reasons": entry.reasons})["reasons"]
    for order in body["orders"]:
        order["phone_masked"] = masked_phone(order.pop("phone_tail"))  # "phone" stays the phone score
    return body


def resolved_body(done: Resolved, scan_id: int | None, by: str) -> dict[str, Any]:
    refusal = done.refusal
    status = "queued" if done.orders and refusal is None else ("review" if refusal else "rejected")
    if refusal is not None:
        status = refusal.status.value
    reasons = [refusal.reason.value] if refusal else []
    body: dict[str, Any] = {
        "item": done.item_id,
        "scan_id": scan_id,
        "state": done.state.value,
        "status": status,
        "orders": list(done.orders),
        "order": done.orders[0] if done.orders else None,
        "waybill": done.waybill,
        "carrier": done.carrier,
        "carrier_name": carrier_name(done.carrier),
        "by": by,
        "reasons": reasons,
        "refusal": {"status": refusal.status.value, "reason": refusal.reason.value, "detail": refusal.detail}
        if refusal
        else None,
        "at": datetime.now(UTC).isoformat(),
    }
    body["display"] = words.display(body)
    return body


def paired_body(pair: PairResult, scan: dict[str, Any]) -> dict[str, Any]:
    """The held label's new outcome, as a `resolved` event, when a pick list settled it."""
    seen = scan["pair"] or {}
    body: dict[str, Any] = {
        "item": None,
        "scan_id": pair.label_scan_id,
        "state": "paired",
        "status": seen.get("status"),
        "orders": [pair.order_tid],
        "order": pair.order_tid,
        "waybill": seen.get("waybill"),
        "carrier": seen.get("carrier"),
        "carrier_name": scan.get("carrier_name"),
        "by": f"desk:{pair.station}",
        "reasons": seen.get("reasons") or [],
        "refusal": None,
        "at": scan["at"],
    }
    body["display"] = words.display(body)
    return body
