"""Douyin (抖店) orders: the order-number rule, the export's status wording, an order as a row.

Douyin order ids are digits (19 of them today).  order.searchList gives
order_status 1 (待支付), 105 (已支付), 2 (备货中: awaiting shipment), 101
(部分发货), 3 (已发货), 4 (已取消), 5 (已完成).  Receivers come masked or
encrypted (post_receiver, post_tel): an encrypted value is unknown, a masked
phone keeps no tail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from capture.store.order_source import Dialect, InvalidOrderRow, OrderNumberRule, OrderRow, mask_phone, status_key
from capture.types import OrderStatus

DOUYIN_ORDER_NUMBER = OrderNumberRule(re.compile(r"[0-9]{16,20}"), "a Douyin order number (16-20 digits)")
EXPORT_STATUSES = {
    status_key(text): status
    for text, status in (
        ("待发货", OrderStatus.AWAITING_SHIPMENT),
        ("备货中", OrderStatus.AWAITING_SHIPMENT),
        ("已发货", OrderStatus.SHIPPED),
        ("已完成", OrderStatus.COMPLETED),
        ("已关闭", OrderStatus.CLOSED),
        ("已取消", OrderStatus.CLOSED),
        ("待支付", OrderStatus.AWAITING_PAYMENT),
    )
}
DOUYIN_DIALECT = Dialect(order_number=DOUYIN_ORDER_NUMBER, statuses=EXPORT_STATUSES)

API_STATUS = {
    "1": OrderStatus.AWAITING_PAYMENT,
    "105": OrderStatus.AWAITING_PAYMENT,  # paid, still in the platform's risk check: not yet to ship
    "2": OrderStatus.AWAITING_SHIPMENT,
    "101": OrderStatus.AWAITING_SHIPMENT,  # partly shipped: a parcel is still expected
    "3": OrderStatus.SHIPPED,
    "4": OrderStatus.CLOSED,
    "5": OrderStatus.COMPLETED,
}
ENCRYPTED = re.compile(r"^[#$~].*[#$~]$", re.DOTALL)


def _text(order: Mapping[str, Any], name: str) -> str:
    value = order.get(name)
    text = "" if value is None else str(value).strip()
    return "" if ENCRYPTED.match(text) else text


def _address(post_addr: object) -> str:
    """post_addr: {"province": {"name"}, "city": {"name"}, "town": {"name"}, "street": {"name"}, "detail"}."""
    if not isinstance(post_addr, Mapping):
        return ""
    parts = [
        _text(post_addr[p], "name")
        for p in ("province", "city", "town", "street")
        if isinstance(post_addr.get(p), Mapping)
    ]
    return " ".join(p for p in (*parts, _text(post_addr, "detail")) if p)


def order_to_row(order: Mapping[str, Any]) -> OrderRow:
    tid = _text(order, "order_id")
    if not DOUYIN_ORDER_NUMBER.accepts(tid):
        raise InvalidOrderRow("tid", f"{tid!r} is not {DOUYIN_ORDER_NUMBER.description}")
    raw = _text(order, "order_status")
    masked, tail = mask_phone(_text(order, "post_tel"))
    address = _address(order.get("post_addr"))
    return OrderRow(
        tid=tid,
        status=API_STATUS.get(raw, OrderStatus.UNKNOWN),
        status_raw=f"order_status={raw}",
        buyer="",
        receiver_name=_text(order, "post_receiver"),
        receiver_phone_masked=masked,
        phone_tail=tail,
        receiver_address=address,
        waybill=None,
        carrier_name="",
    )
