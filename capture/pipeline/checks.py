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

    def queued_waybills(self, tid: str) -> list[str]:
        """Every waybill queued or sent for this order (its parcels), first parcel first."""
        ...

    def item_quantity(self, tid: str) -> int | None:
        """How many pieces the order holds; None when unknown."""
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


def orders_open(
    orders: tuple[OrderRef, ...],
    number: str = "",
    another_parcel: bool = False,
    lookup: QueueLookup | None = None,
) -> Refusal | None:
    """Every order awaits shipment: not closed, refunded, unpaid or already shipped.

    An order shipped with another number may be getting a further parcel:
    that is a person's call (review), or their say-so (`another_parcel`).
    A number that is already one of its parcels is a repeat scan: refused.
    """
    for order in orders:
        if order.status == OrderStatus.AWAITING_SHIPMENT:
            continue
        parcels = {order.waybill, *(lookup.queued_waybills(order.tid) if lookup else ())}
        shipped_other = order.status == OrderStatus.SHIPPED and bool(order.waybill) and number not in parcels
        if shipped_other and another_parcel:
            continue
        if shipped_other:
            return Refusal(
                Status.REVIEW, Reason.ORDER_HAS_OTHER_WAYBILL, _other_number_detail(order.tid, order.waybill)
            )
        detail = f"order {order.tid} is {order.status}"
        if order.waybill:
            detail += f" with waybill {order.waybill}"
        return Refusal(Status.REJECTED, Reason.ORDER_NOT_AWAITING_SHIPMENT, detail)
    return None


def _other_number_detail(tid: str, held: str | None) -> str:
    return (
        f"order {tid} already ships with {held}: if this is a further parcel of it, accept it as another parcel (--another-parcel); "
        "if that number was wrong, change it with `waybill queue resend`"
    )


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


def not_queued_yet(
    number: str, orders: tuple[OrderRef, ...], lookup: QueueLookup, another_parcel: bool = False
) -> Refusal | None:
    """No order holds another number; the same number for all of them is a repeat scan.

    With `another_parcel` (a person said so) an order that holds other
    numbers takes this one as a further parcel, while it has pieces left
    for one: an order of 2 pieces leaves in at most 2 parcels.
    """
    queued = {order.tid: lookup.queued_waybills(order.tid) for order in orders}
    same = [tid for tid, held in queued.items() if number in held]
    other = {tid: held for tid, held in queued.items() if held and number not in held}
    if other and not another_parcel:
        # A second label for one order: a further parcel or a re-label; a person says which.
        return Refusal(
            Status.REVIEW,
            Reason.ORDER_HAS_OTHER_WAYBILL,
            "; ".join(_other_number_detail(t, h[0]) for t, h in other.items()),
        )
    if other:
        full = parcels_full(orders, lookup)
        if full is not None:
            return full
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


def parcels_full(orders: tuple[OrderRef, ...], lookup: QueueLookup) -> Refusal | None:
    """A further parcel for an order whose pieces are all in parcels already is a re-label, not a parcel."""
    for order in orders:
        held = set(lookup.queued_waybills(order.tid)) | ({order.waybill} if order.waybill else set())
        pieces = lookup.item_quantity(order.tid)
        if pieces is not None and len(held) >= pieces:
            return Refusal(
                Status.REVIEW,
                Reason.ORDER_HAS_OTHER_WAYBILL,
                f"order {order.tid} has {pieces} piece(s) and already {len(held)} parcel(s) ({', '.join(sorted(held))}): "
                "not another parcel; if a number was wrong, change it with `waybill queue resend`",
            )
    return None


def before_queueing(
    number: str,
    carrier: str,
    orders: tuple[OrderRef, ...],
    lookup: QueueLookup,
    shop_carriers: frozenset[str],
    carriers_by_shop: Mapping[str, frozenset[str]] | None = None,
    another_parcel: bool = False,
) -> Refusal | None:
    """All checks, in the order a person would want to hear them; None when it may be queued.

    `another_parcel`: the person says this number is a further parcel of
    orders that already have one (split shipment, 拆单发货).
    """
    tids = tuple(o.tid for o in orders)
    return (
        waybill_elsewhere(number, tids, lookup)
        or carrier_fits(carrier, orders, shop_carriers, carriers_by_shop or {})
        or orders_open(orders, number, another_parcel, lookup)
        or no_refund_asked(orders)
        or not_queued_yet(number, orders, lookup, another_parcel)
    )
