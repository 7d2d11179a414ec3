"""An order's refund: what marketplaces and exports call each state, and what the database last heard.

A refund in progress stops the parcel (pipeline.checks.no_refund_asked at
scan time, upload.refund_guard right before the send).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sqlmodel import Session

from capture.store.tables import Order
from capture.types import RefundState

# Taobao refund states (taobao.trade.fullinfo.get orders.order.refund_status,
# taobao.refund.get status) and the back office's wording of them.
REFUND_BY_TEXT: dict[str, RefundState] = {
    "WAIT_SELLER_AGREE": RefundState.IN_PROGRESS,  # 买家已经申请退款，等待卖家同意
    "WAIT_BUYER_RETURN_GOODS": RefundState.IN_PROGRESS,  # 卖家已经同意退款，等待买家退货
    "WAIT_SELLER_CONFIRM_GOODS": RefundState.IN_PROGRESS,  # 买家已经退货，等待卖家确认收货
    "SELLER_REFUSE_BUYER": RefundState.NONE,  # 卖家拒绝退款
    "CLOSED": RefundState.NONE,  # 退款关闭 (withdrawn)
    "NO_REFUND": RefundState.NONE,
    "SUCCESS": RefundState.REFUNDED,
    "退款中": RefundState.IN_PROGRESS,
    "买家已经申请退款,等待卖家同意": RefundState.IN_PROGRESS,
    "卖家已经同意退款,等待买家退货": RefundState.IN_PROGRESS,
    "买家已经退货,等待卖家确认收货": RefundState.IN_PROGRESS,
    "卖家拒绝退款": RefundState.NONE,
    "退款关闭": RefundState.NONE,
    "没有申请退款": RefundState.NONE,
    "无退款": RefundState.NONE,
    "退款成功": RefundState.REFUNDED,
}


def parse_refund_status(raw: str) -> RefundState:
    """The RefundState of a refund status as an export or the API writes it; unknown wording is UNKNOWN."""
    return REFUND_BY_TEXT.get(_status_key(raw), RefundState.UNKNOWN)


def order_refund(states: Iterable[RefundState]) -> RefundState:
    """One order's refund state from its item lines' (sub-orders'): any line in progress stops the parcel."""
    known = {state for state in states if state is not RefundState.UNKNOWN}
    for state in (RefundState.IN_PROGRESS, RefundState.REFUNDED, RefundState.NONE):
        if state in known:
            return state
    return RefundState.UNKNOWN


@lru_cache(maxsize=256)  # an export repeats a few refund wordings on every line
def _status_key(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    return "".join(text.split()).upper()


@dataclass(frozen=True)
class StoredRefund:
    """What the database knows of an order's refund, and whether the marketplace API can be asked afresh."""

    state: RefundState
    pulled: bool  # the order came from the marketplace API (orders pull), not a file


def stored_refund(session: Session, tid: str, pulled_source_prefix: str) -> StoredRefund:
    order = session.get(Order, tid)
    if order is None:
        return StoredRefund(RefundState.UNKNOWN, pulled=False)
    return StoredRefund(RefundState(order.refund_status), pulled=order.source.startswith(pulled_source_prefix))
