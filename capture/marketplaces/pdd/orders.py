"""Pinduoduo orders: the order-number rule, the status map, and the pull.

Order numbers are a date, a dash and digits: 230530-531418387930174 (the
platform's own example in its API descriptions is 20150909-452750051).

The pull (method shapes as github.com/lywzx/pdd-node-sdk describes them,
dingDan/PddOrderNumberListIncrementGet.ts and PddOrderInformationGet.ts):

* the first pull of a shop, or one more than MAX_INCREMENT_S after the
  last: pdd.order.number.list.get (order_status=1, awaiting shipment) page
  by page for the order numbers, then pdd.order.information.get for each;
* later pulls: pdd.order.number.list.increment.get (order_status=5, every
  status) for what changed since the last pull, in windows of at most 30
  minutes as the platform requires, pages read last to first (the
  platform's advice against missing orders), each window overlapping the
  previous pull by OVERLAP_S.  Orders shipped or refunded meanwhile come
  back too and update ours.

Receivers: the platform masks (1387677****, 张**) or encrypts (~...~) them
outside awaiting shipment and for apps without decryption rights.  A masked
phone keeps no tail and is stored as unknown; an encrypted value is unknown
too, so an earlier import's plain value is not overwritten by it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from capture.store.order_source import Dialect, InvalidOrderRow, OrderNumberRule, OrderRow, mask_phone, status_key
from capture.types import OrderStatus

PDD_ORDER_NUMBER = OrderNumberRule(
    re.compile(r"[0-9]{6,8}-[0-9]{6,20}"),
    "a Pinduoduo order number (a date, a dash and digits, e.g. 230530-531418387930174)",
)
# The merchant back office export's 订单状态 / 售后状态 wording; found in a
# public script that reads that export (search code corpus: PDD_COL_ORDER_STATUS,
# columns 订单号, 订单状态, 售后状态, 快递单号, 快递公司, 商品, 商品规格, ...).
EXPORT_STATUSES = {
    status_key(text): status
    for text, status in (
        ("待发货", OrderStatus.AWAITING_SHIPMENT),
        ("已发货，待签收", OrderStatus.SHIPPED),
        ("已发货，待收货", OrderStatus.SHIPPED),
        ("已签收", OrderStatus.SHIPPED),
        ("待支付", OrderStatus.AWAITING_PAYMENT),
        ("待成团", OrderStatus.AWAITING_PAYMENT),  # a group buy not yet complete: not to ship
        ("已取消", OrderStatus.CLOSED),
        ("未发货，退款成功", OrderStatus.CLOSED),
        ("已发货，退款成功", OrderStatus.CLOSED),
        ("退款成功", OrderStatus.CLOSED),
    )
}
PDD_DIALECT = Dialect(order_number=PDD_ORDER_NUMBER, statuses=EXPORT_STATUSES)

# API codes: order_status 1 awaiting shipment, 2 shipped, 3 signed for;
# refund_status 1 none (or closed), 2 after-sale in progress, 3 refunding, 4 refunded.
ORDER_STATUS = {"1": OrderStatus.AWAITING_SHIPMENT, "2": OrderStatus.SHIPPED, "3": OrderStatus.SHIPPED}
NO_REFUND = "1"
REFUNDED = "4"
ENCRYPTED = re.compile(r"^~.*~$|^\$.*\$$", re.DOTALL)
ADDRESS_PARTS = ("province", "city", "town", "address")


def _text(order: Mapping[str, Any], name: str) -> str:
    value = order.get(name)
    if value is None:
        return ""
    text = str(value).strip()
    return "" if ENCRYPTED.match(text) else text


def api_status(order: Mapping[str, Any]) -> tuple[OrderStatus, str]:
    shipping, refund = _text(order, "order_status"), _text(order, "refund_status") or NO_REFUND
    raw = f"order_status={shipping},refund_status={refund}"
    if refund == REFUNDED:
        return OrderStatus.CLOSED, raw
    if refund != NO_REFUND:
        # A refund under way: shipping now may be shipping goods the buyer will not pay for.
        return OrderStatus.UNKNOWN, raw
    return ORDER_STATUS.get(shipping, OrderStatus.UNKNOWN), raw


def order_to_row(order: Mapping[str, Any]) -> OrderRow:
    status, raw = api_status(order)
    masked, tail = mask_phone(_text(order, "receiver_phone"))
    address = _text(order, "address") or " ".join(p for p in (_text(order, n) for n in ADDRESS_PARTS) if p)
    tid = _text(order, "order_sn")
    if not PDD_ORDER_NUMBER.accepts(tid):
        raise InvalidOrderRow("tid", f"{tid!r} is not {PDD_ORDER_NUMBER.description}")
    return OrderRow(
        tid=tid,
        status=status,
        status_raw=raw,
        buyer="",
        receiver_name=_text(order, "receiver_name"),
        receiver_phone_masked=masked,
        phone_tail=tail,
        receiver_address=address,
        waybill=_text(order, "tracking_number") or None,
        carrier_name="",
    )


def now_s() -> int:
    return int(time.time())
