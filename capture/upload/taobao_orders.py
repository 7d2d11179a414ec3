"""Pull the shop's orders awaiting shipment: taobao.trades.sold.get, page by page.

Each trade becomes an `OrderRow` and all of them go through
store.order_source.upsert_orders, like an imported export: the phone is
masked there too, and pulling again updates rather than duplicates.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from capture.errors import CredentialsError, MarketplaceError
from capture.store.order_refunds import order_refund, parse_refund_status
from capture.store.order_source import (
    InvalidOrderRow,
    OrderRow,
    mask_phone,
    parse_order_status,
)
from capture.types import RefundState
from capture.upload.taobao_errors import Meaning, classify, credentials_hint
from capture.upload.top_client import TopClient, TopError, TopReply, describe

log = logging.getLogger(__name__)

TRADES_METHOD = "taobao.trades.sold.get"
AWAITING_SHIPMENT = "WAIT_SELLER_SEND_GOODS"
TRADE_FIELDS = ",".join(
    (
        "tid",
        "tid_str",
        "status",
        "buyer_nick",
        "receiver_name",
        "receiver_mobile",
        "receiver_phone",
        "receiver_state",
        "receiver_city",
        "receiver_district",
        "receiver_town",
        "receiver_address",
        "orders.refund_status",
    )
)
ADDRESS_PARTS = ("receiver_state", "receiver_city", "receiver_district", "receiver_town", "receiver_address")
# A shop with more open orders than this is not a packing desk's problem; the
# bound keeps a platform that always says has_next from looping forever.
MAX_PAGES = 1000
SOURCE = "taobao:trades.sold.get"
PAGE_ATTEMPTS = 3  # per page, through timeouts and short bans
PAGE_RETRY_WAIT_S = 1.0
MAX_PAGE_BAN_WAIT_S = 60.0  # a longer ban fails the pull; run it again later


@dataclass(frozen=True)
class PulledPage:
    rows: list[OrderRow]
    skipped: int  # trades that could not become rows
    has_next: bool


def _text(trade: Mapping[str, Any], name: str) -> str:
    value = trade.get(name)
    return "" if value is None else str(value).strip()


def trade_to_row(trade: Mapping[str, Any]) -> OrderRow:
    # tid_str where given: a 19-digit tid survives JSON parsers that use doubles.
    tid = _text(trade, "tid_str") or _text(trade, "tid")
    status_raw = _text(trade, "status")
    masked, tail = mask_phone(_text(trade, "receiver_mobile") or _text(trade, "receiver_phone"))
    address = " ".join(part for part in (_text(trade, name) for name in ADDRESS_PARTS) if part)
    return OrderRow(
        tid=tid,
        status=parse_order_status(status_raw),
        status_raw=status_raw,
        buyer=_text(trade, "buyer_nick"),
        receiver_name=_text(trade, "receiver_name"),
        receiver_phone_masked=masked,
        phone_tail=tail,
        receiver_address=address,
        waybill=None,
        carrier_name="",
        refund_status=trade_refund(trade),
    )


def trade_refund(trade: Mapping[str, Any]) -> RefundState:
    """The trade's refund state from its sub-orders (orders.order[].refund_status)."""
    holder = trade.get("orders") or {}
    lines = holder.get("order") if isinstance(holder, dict) else None
    return order_refund(
        parse_refund_status(str(line.get("refund_status") or "")) for line in lines or [] if isinstance(line, dict)
    )


def _page(reply: TopReply) -> PulledPage:
    holder = reply.body.get("trades") or {}
    trades = holder.get("trade") if isinstance(holder, dict) else None
    rows: list[OrderRow] = []
    skipped = 0
    for trade in trades or []:
        try:
            rows.append(trade_to_row(trade))
        except (InvalidOrderRow, AttributeError) as exc:
            skipped += 1
            log.warning("skipping a trade that cannot be stored: %s", exc)
    has_next = reply.body.get("has_next") in (True, "true")
    return PulledPage(rows=rows, skipped=skipped, has_next=has_next)


def _raise(client: TopClient, result: object) -> NoReturn:
    text = client.redact(describe(result))  # type: ignore[arg-type]
    if isinstance(result, TopError) and classify(result).meaning is Meaning.CREDENTIALS:
        raise CredentialsError(f"Taobao refused our credentials: {text}", credentials_hint(result))
    raise MarketplaceError(f"pulling orders from Taobao failed: {text}", "try again later; nothing was changed")


def _wait_before_retry(result: object, attempt: int) -> float | None:
    """Seconds to wait before asking for the page again, None when asking again is pointless."""
    if not isinstance(result, TopError):
        return PAGE_RETRY_WAIT_S * attempt  # timeout, outage, a gateway's error page
    meaning = classify(result)
    if meaning.meaning is Meaning.RATE_LIMITED:
        return min(meaning.ban_s or PAGE_RETRY_WAIT_S, MAX_PAGE_BAN_WAIT_S)
    if meaning.meaning is Meaning.TRANSIENT:
        return PAGE_RETRY_WAIT_S * attempt
    return None


def fetch_page(client: TopClient, method: str, query: Mapping[str, str], page_no: int, page_size: int) -> TopReply:
    """One page of trades from `method` (trades.sold.get, trades.sold.increment.get), through short failures."""
    params = {
        **query,
        "fields": TRADE_FIELDS,
        "page_no": str(page_no),
        "page_size": str(page_size),
        "use_has_next": "true",  # the platform skips counting all results
    }
    for attempt in range(1, PAGE_ATTEMPTS + 1):
        result = client.call(method, params)
        if isinstance(result, TopReply):
            return result
        wait_s = _wait_before_retry(result, attempt)
        if wait_s is None or attempt == PAGE_ATTEMPTS:
            _raise(client, result)
        log.info("orders pull: page %d failed, again in %.0fs", page_no, wait_s)
        time.sleep(wait_s)
    raise AssertionError("unreachable")


def pull_pages(
    client: TopClient,
    page_size: int,
    method: str = TRADES_METHOD,
    query: Mapping[str, str] | None = None,
) -> Iterator[PulledPage]:
    """Every page of trades (by default: all awaiting shipment); raises if a page cannot be had."""
    query = {"status": AWAITING_SHIPMENT} if query is None else query
    for page_no in range(1, MAX_PAGES + 1):
        page = _page(fetch_page(client, method, query, page_no, page_size))
        yield page
        if not page.has_next or (not page.rows and not page.skipped):
            return
