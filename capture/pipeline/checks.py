"""Checks before queueing: what must hold for a number to be sent for an order.

The same checks run for the pipeline's own decisions and for a person's
(`waybill review accept|correct`, desk pairing), so nothing reaches the
queue by a side door.  Each failure is a reason code with a detail for
people.  The lookup is passed in; no I/O of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from capture.types import OrderRef, OrderStatus, Reason, Status


class QueueLookup(Protocol):
    """What the checks need to know about orders and the queue (see store.repo)."""

    def orders_with_waybill(self, waybill: str) -> list[str]:
        """tids of orders that carry or are queued with this waybill."""
        ...

    def queued_waybill(self, tid: str) -> str | None:
        """The waybill already queued for this order, if any."""
        ...

    def shipment_siblings(self, waybill: str, tid: str) -> list[str]:
        """Orders queued with this waybill in one parcel with `tid` (a merged shipment)."""
        ...


@dataclass(frozen=True)
class Refusal:
    status: Status  # REJECTED (must not be sent as read) or REVIEW (a person decides)
    reason: Reason
    detail: str


def waybill_elsewhere(number: str, tids: tuple[str, ...], lookup: QueueLookup) -> Refusal | None:
    """The number is on, or queued for, an order outside this shipment: reused or fake."""
    ours = set(tids)
    for tid in tids:
        ours.update(lookup.shipment_siblings(number, tid))
    others = [tid for tid in lookup.orders_with_waybill(number) if tid not in ours]
    if others:
        return Refusal(
            Status.REJECTED, Reason.WAYBILL_ON_OTHER_ORDER, f"{number} is already on order {', '.join(others)}"
        )
    return None


def carrier_used(carrier: str, shop_carriers: frozenset[str], shop: str | None = None) -> Refusal | None:
    """The carrier is one the shop ships with (empty setting: any)."""
    if shop_carriers and carrier not in shop_carriers:
        where = f"shop {shop}" if shop else "the shop"
        setting = f"[shops.{shop}] shop_carriers" if shop else "shop_carriers"
        return Refusal(
            Status.REJECTED,
            Reason.CARRIER_NOT_USED,
            f"{where} does not ship with {carrier} ({setting}: {', '.join(sorted(shop_carriers))}); "
            "if it does now, add it to the setting",
        )
    return None


def carrier_fits(
    carrier: str,
    orders: tuple[OrderRef, ...],
    shop_carriers: frozenset[str],
    carriers_by_shop: Mapping[str, frozenset[str]],
) -> Refusal | None:
    """The carrier is one every order's shop ships with (a shop's own list, else the global one)."""
    if not orders or not carriers_by_shop:
        return carrier_used(carrier, shop_carriers)
    for order in orders:
        own = carriers_by_shop.get(order.shop)
        refusal = carrier_used(carrier, own, order.shop) if own else carrier_used(carrier, shop_carriers)
        if refusal is not None:
            return refusal
    return None


def orders_open(orders: tuple[OrderRef, ...]) -> Refusal | None:
    """Every order awaits shipment: not closed, refunded, unpaid or already shipped."""
    for order in orders:
        if order.status != OrderStatus.AWAITING_SHIPMENT:
            detail = f"order {order.tid} is {order.status}"
            if order.waybill:
                detail += f" with waybill {order.waybill}"
            return Refusal(Status.REJECTED, Reason.ORDER_NOT_AWAITING_SHIPMENT, detail)
    return None


def no_refund_asked(orders: tuple[OrderRef, ...]) -> Refusal | None:
    """No order has a refund in progress.  Review, not reject: the seller may refuse it and ship."""
    asking = [order.tid for order in orders if order.refund_in_progress]
    if asking:
        return Refusal(
            Status.REVIEW,
            Reason.REFUND_IN_PROGRESS,
            f"the buyer asked for a refund of order {', '.join(asking)}: ship only once it is refused or withdrawn",
        )
    return None


def not_queued_yet(number: str, orders: tuple[OrderRef, ...], lookup: QueueLookup) -> Refusal | None:
    """No order holds another number; the same number for all of them is a repeat scan."""
    queued = {order.tid: lookup.queued_waybill(order.tid) for order in orders}
    other = {tid: w for tid, w in queued.items() if w and w != number}
    if other:
        # A second label for one order: maybe a re-label, which needs a change
        # of the sent number, never a second send.
        held = ", ".join(f"order {tid} is already queued with {w}" for tid, w in other.items())
        return Refusal(Status.REVIEW, Reason.ORDER_HAS_OTHER_WAYBILL, held)
    same = [tid for tid, w in queued.items() if w == number]
    if same and len(same) == len(orders):
        return Refusal(
            Status.REJECTED, Reason.ALREADY_QUEUED, f"{number} is already queued for order {', '.join(same)}"
        )
    if same:
        rest = [o.tid for o in orders if o.tid not in same]
        return Refusal(
            Status.REVIEW,
            Reason.AMBIGUOUS_ORDER,
            f"{number} is queued for order {', '.join(same)} but not for {', '.join(rest)}: one parcel or two?",
        )
    return None


def before_queueing(
    number: str,
    carrier: str,
    orders: tuple[OrderRef, ...],
    lookup: QueueLookup,
    shop_carriers: frozenset[str],
    carriers_by_shop: Mapping[str, frozenset[str]] | None = None,
) -> Refusal | None:
    """All checks, in the order a person would want to hear them; None when it may be queued."""
    tids = tuple(o.tid for o in orders)
    return (
        waybill_elsewhere(number, tids, lookup)
        or carrier_fits(carrier, orders, shop_carriers, carriers_by_shop or {})
        or orders_open(orders)
        or no_refund_asked(orders)
        or not_queued_yet(number, orders, lookup)
    )
