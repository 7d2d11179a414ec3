"""The Pinduoduo orders pull: full (list + information) or incremental by update time (see orders.py)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

from capture.errors import CredentialsError, MarketplaceError
from capture.marketplaces.outcome_kinds import Meaning
from capture.marketplaces.pdd.client import PddClient, PddError, PddReply, describe
from capture.marketplaces.pdd.errors import classify, credentials_hint
from capture.marketplaces.pdd.orders import order_to_row
from capture.store.order_source import InvalidOrderRow, OrderRow

log = logging.getLogger(__name__)

LIST_METHOD = "pdd.order.number.list.get"
LIST_KEY = "order_sn_list_get_response"
INFO_METHOD = "pdd.order.information.get"
INFO_KEY = "order_info_get_response"
INCREMENT_METHOD = "pdd.order.number.list.increment.get"
INCREMENT_KEY = "order_sn_increment_get_response"
AWAITING_SHIPMENT = "1"
EVERY_STATUS = "5"
EVERY_REFUND_STATUS = "5"
EVERY_ORDER = "0"  # is_lucky_flag: lottery orders and others
PAGE_SIZE = 100  # the platform's maximum
MAX_PAGES = 1000
WINDOW_S = 30 * 60  # the platform's limit on end_updated_at - start_updated_at
OVERLAP_S = 180  # the platform's advice: stay 3 minutes behind its clock
MAX_INCREMENT_S = 24 * 3600  # past this a full pull is cheaper than 48 windows
CALL_ATTEMPTS = 3
RETRY_WAIT_S = 1.0
MAX_BAN_WAIT_S = 60.0


def _raise(client: PddClient, shop: str, result: object) -> NoReturn:
    text = client.redact(describe(result))  # type: ignore[arg-type]
    if isinstance(result, PddError) and classify(result).meaning is Meaning.CREDENTIALS:
        raise CredentialsError(f"Pinduoduo refused shop {shop}'s credentials: {text}", credentials_hint(result, shop))
    raise MarketplaceError(
        f"pulling orders of shop {shop} from Pinduoduo failed: {text}", "try again later; nothing was changed"
    )


def _wait_before_retry(result: object, attempt: int) -> float | None:
    if not isinstance(result, PddError):
        return RETRY_WAIT_S * attempt
    meaning = classify(result)
    if meaning.meaning is Meaning.RATE_LIMITED:
        return min(meaning.ban_s or RETRY_WAIT_S, MAX_BAN_WAIT_S)
    if meaning.meaning is Meaning.TRANSIENT:
        return RETRY_WAIT_S * attempt
    return None


def call(client: PddClient, shop: str, method: str, params: Mapping[str, str], key: str) -> PddReply:
    """One call through timeouts, outages and short bans; raises when it cannot be had."""
    for attempt in range(1, CALL_ATTEMPTS + 1):
        result = client.call(method, params, key)
        if isinstance(result, PddReply):
            return result
        wait_s = _wait_before_retry(result, attempt)
        if wait_s is None or attempt == CALL_ATTEMPTS:
            _raise(client, shop, result)
        log.info("pdd pull: %s failed, again in %.0fs", method, wait_s)
        time.sleep(wait_s)
    raise AssertionError("unreachable")


def _rows(orders: list[Any]) -> tuple[list[OrderRow], int]:
    rows: list[OrderRow] = []
    skipped = 0
    for order in orders:
        try:
            rows.append(order_to_row(order))
        except (InvalidOrderRow, AttributeError) as exc:
            skipped += 1
            log.warning("skipping a Pinduoduo order that cannot be stored: %s", exc)
    return rows, skipped


def _order_numbers(client: PddClient, shop: str) -> Iterator[list[str]]:
    for page in range(1, MAX_PAGES + 1):
        params = {"order_status": AWAITING_SHIPMENT, "page": str(page), "page_size": str(PAGE_SIZE)}
        body = call(client, shop, LIST_METHOD, params, LIST_KEY).body
        numbers = [str(o.get("order_sn")) for o in body.get("order_sn_list") or [] if isinstance(o, dict)]
        yield numbers
        if len(numbers) < PAGE_SIZE or page * PAGE_SIZE >= int(body.get("total_count") or 0):
            return


def full_pull(client: PddClient, shop: str) -> tuple[list[OrderRow], int, int]:
    """(rows, pages, skipped): every order awaiting shipment, with its details (one call per order)."""
    orders: list[Any] = []
    pages = 0
    for numbers in _order_numbers(client, shop):
        pages += 1
        for order_sn in numbers:
            info = call(client, shop, INFO_METHOD, {"order_sn": order_sn}, INFO_KEY).body.get("order_info")
            orders.append(info if isinstance(info, dict) else {"order_sn": order_sn})
    rows, skipped = _rows(orders)
    return rows, pages, skipped


def _window(client: PddClient, shop: str, start: int, end: int) -> tuple[list[Any], int]:
    base = {
        "is_lucky_flag": EVERY_ORDER,
        "order_status": EVERY_STATUS,
        "refund_status": EVERY_REFUND_STATUS,
        "start_updated_at": str(start),
        "end_updated_at": str(end),
        "page_size": str(PAGE_SIZE),
    }
    first = call(client, shop, INCREMENT_METHOD, {**base, "page": "1"}, INCREMENT_KEY).body
    last_page = min(MAX_PAGES, max(1, -(-int(first.get("total_count") or 0) // PAGE_SIZE)))
    orders: list[Any] = []
    for page in range(last_page, 1, -1):  # last to first, as the platform advises
        reply = call(client, shop, INCREMENT_METHOD, {**base, "page": str(page)}, INCREMENT_KEY)
        orders += reply.body.get("order_sn_list") or []
    orders += first.get("order_sn_list") or []
    return orders, last_page


def increment_pull(client: PddClient, shop: str, since: int, until: int) -> tuple[list[OrderRow], int, int]:
    """(rows, pages, skipped): every order changed since `since`, whatever its status now."""
    orders: list[Any] = []
    calls = 0
    start = since - OVERLAP_S
    while start < until:
        end = min(start + WINDOW_S, until)
        found, made = _window(client, shop, start, end)
        orders += found
        calls += made
        start = end
    rows, skipped = _rows(orders)
    return rows, calls, skipped


# --- when the shop was last pulled -------------------------------------------


def watermark_path(cache_dir: Path, shop: str) -> Path:
    return cache_dir / f"pdd-pulled-{shop}.json"


def read_watermark(path: Path) -> int | None:
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["pulled_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_watermark(path: Path, pulled_at: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"pulled_at": pulled_at}, out)
    os.replace(tmp, path)
