"""Douyin (抖店) orders: the order-number rule and the export's status wording.

Only what `orders import --shop` needs for a Douyin shop's export; the
connector (order.logisticsAdd) is not built yet (see the registry).
Douyin order ids are digits (19 of them today).
"""

from __future__ import annotations

import re

from capture.store.order_source import Dialect, OrderNumberRule, status_key
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
