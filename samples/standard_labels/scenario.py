"""What each photo shows and what the product must decide: the plan of a set, made from the split's seed."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from standard_labels.carriers import CARRIER_WEIGHTS, CARRIERS, jd_suffixed, new_waybill
from standard_labels.orders import AWAITING, CLOSED, GOODS, SHIPPED, SUCCESS, UNPAID, Order, new_order
from standard_labels.people import Person, Shop, housemate, mask_phone, namesake, new_person, new_shop

# The split chooses the seed; tune and holdout never share one, so their people, numbers and photos differ.
# "tune2" is more tuning data from the same family (another seed); the holdout
# stays the only split never looked at photo by photo.
SPLIT_SEEDS: dict[str, int] = {"tune": 101, "tune2": 202, "holdout": 9001}

# Photo kinds per 120 photos; every label kind below "far" is one matching open order -> queued.
QUEUED_KINDS: dict[str, int] = {
    "clean": 10,
    "jpeg": 9,
    "low_light": 7,
    "glare": 7,
    "perspective": 7,
    "rotated": 9,
    "wrinkled": 7,
    "shadow_band": 5,
    "tape_band": 5,
    "occluded": 7,
    "motion_blur": 6,
    "defocus": 6,
    "far": 8,
}
OTHER_KINDS: dict[str, int] = {
    "second_label": 6,
    "no_label": 3,
    "packing_slip": 3,
    "illegible": 3,
    "no_order": 4,
    "ambiguous": 4,
    "closed_order": 2,
    "shipped_order": 2,
}
KIND_COUNTS = QUEUED_KINDS | OTHER_KINDS

TEMPLATES: dict[str, tuple[tuple[str, float], ...]] = {
    "SF": (("sf_100x150", 1.0),),
    "JD": (("jd_100x113", 1.0),),
    "EMS": (("ems_100x150", 0.7), ("cainiao_76x130", 0.3)),
    "JT": (("jt_76x130", 0.7), ("cainiao_76x130", 0.3)),
    "DEPPON": (("deppon_100x150", 0.8), ("cainiao_100x180", 0.2)),
}
DEFAULT_TEMPLATES = (("cainiao_76x130", 0.6), ("cainiao_100x180", 0.4))


@dataclass
class LabelSpec:
    template: str
    carrier: str | None
    waybill: str | None
    barcode_text: str | None
    recipient: Person
    phone_display: str
    shop: Shop
    order_no: str | None  # the marketplace order number printed on the label, if any
    items: str
    qty: int
    price: float
    buyer: str
    print_time: datetime
    weight: float
    seed: int
    aged: bool = False


@dataclass
class PhotoPlan:
    index: int
    kind: str
    file: str
    seed: int
    label: LabelSpec | None
    old_label: LabelSpec | None
    truth: dict[str, Any]


@dataclass
class SetPlan:
    split: str
    seed: int
    shop: Shop
    photos: list[PhotoPlan] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)


def stratified(weights: Mapping[str, float], count: int, rng: random.Random) -> list[str]:
    """count items in the proportions of weights (largest remainder), shuffled."""
    total = sum(weights.values())
    exact = {k: v * count / total for k, v in weights.items()}
    counts = {k: int(x) for k, x in exact.items()}
    for k in sorted(exact, key=lambda k: (counts[k] - exact[k], k))[: count - sum(counts.values())]:
        counts[k] += 1
    items = [k for k in weights for _ in range(counts[k])]
    rng.shuffle(items)
    return items


def kind_list(count: int, rng: random.Random) -> list[str]:
    return stratified(KIND_COUNTS, count, rng)


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...] | Mapping[str, float]) -> str:
    pairs = list(options.items()) if isinstance(options, Mapping) else list(options)
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class Planner:
    """Draws people, orders and labels for one split, keeping names, numbers and orders unique."""

    def __init__(self, split: str) -> None:
        self.seed = SPLIT_SEEDS[split]
        self.rng = random.Random(self.seed)
        self.shop = new_shop(self.rng)
        self.plan = SetPlan(split, self.seed, self.shop)
        self.names: set[str] = set()
        self.order_nos: set[str] = set()
        self.waybills: set[str] = set()
        self.start = datetime(2026, 11, 26, 9, 0) + timedelta(days=self.rng.randint(0, 6))
        self.carriers: list[str] = []  # the new labels' carriers, in the CARRIER_WEIGHTS proportions

    def waybill(self, carrier: str) -> str:
        while True:
            number = new_waybill(carrier, self.rng, s10=carrier == "EMS" and self.rng.random() < 0.4)
            if number not in self.waybills:
                self.waybills.add(number)
                return number

    def order(self, person: Person, status: str, days_back: float, buyer: tuple[str, str] | None = None) -> Order:
        created = self.start - timedelta(hours=days_back * 24 + self.rng.uniform(0.5, 20))
        order = new_order(self.rng, self.order_nos, person, status, created.replace(microsecond=0), buyer)
        if status in (SHIPPED, SUCCESS):
            carrier = _weighted(self.rng, CARRIER_WEIGHTS)
            order.waybill, order.carrier_name = self.waybill(carrier), CARRIERS[carrier].export_name
        self.plan.orders.append(order)
        return order

    def label(self, person: Person, order: Order | None, print_no: bool, index: int, carrier: str = "") -> LabelSpec:
        carrier = carrier or (self.carriers.pop() if self.carriers else _weighted(self.rng, CARRIER_WEIGHTS))
        number = self.waybill(carrier)
        barcode = jd_suffixed(number) if carrier == "JD" and self.rng.random() < 0.5 else number
        title, price = (order.title, order.price) if order else self.rng.choice(GOODS)
        show_full = self.rng.random() < 0.3
        return LabelSpec(
            template=_weighted(self.rng, TEMPLATES.get(carrier, DEFAULT_TEMPLATES)),
            carrier=carrier,
            waybill=number,
            barcode_text=barcode,
            recipient=person,
            phone_display=person.mobile if show_full else mask_phone(person.mobile),
            shop=self.shop,
            order_no=order.order_no if (order and print_no) else None,
            items=title,
            qty=order.qty if order else 1,
            price=price,
            buyer=order.buyer if order else "",
            print_time=self.start
            + timedelta(minutes=index * 3 + self.rng.randint(0, 2), seconds=self.rng.randint(0, 59)),
            weight=round(self.rng.uniform(0.1, 4.5), 2),
            seed=self.rng.randrange(1 << 30),
        )

    def decoys(self, person: Person, main: Order) -> None:
        """Orders that a careless matcher would pick: namesake, older shipped order, unpaid copy, housemate."""
        rng = self.rng
        if rng.random() < 0.35:
            self.order(namesake(rng, person), AWAITING, rng.uniform(0, 3))
        if rng.random() < 0.3:
            self.order(person, rng.choice((SHIPPED, SUCCESS)), rng.uniform(6, 40), (main.buyer, main.alipay))
        if rng.random() < 0.12:
            self.order(person, UNPAID, rng.uniform(0, 1), (main.buyer, main.alipay))
        if rng.random() < 0.1:
            self.order(housemate(rng, person, self.names), AWAITING, rng.uniform(0, 3))


def _truth(kind: str, spec: LabelSpec | None, status: str, reason: str | None, order: str | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "carrier": spec.carrier if spec else None,
        "waybill": spec.waybill if spec else None,
        "order": order,
        "expect_status": status,
        "expect_reason": reason,
        "legible": bool(spec and spec.waybill) and kind != "illegible",
        "old_waybill": None,
    }


Planned = tuple[LabelSpec | None, LabelSpec | None, dict[str, Any]]
SUPPLIERS = ("义乌小商品源头仓", "1688源头工厂店", "广州白云仓配中心", "晋江鞋服供应链")


def _plan_queued(p: Planner, kind: str, index: int) -> Planned:
    person = new_person(p.rng, p.names)
    main = p.order(person, AWAITING, p.rng.uniform(0, 3))
    p.decoys(person, main)
    spec = p.label(person, main, p.rng.random() < 1 / 3, index)
    if kind == "illegible":
        return spec, None, _truth(kind, spec, "no_waybill", None, None)
    return spec, None, _truth(kind, spec, "queued", None, main.order_no)


def _plan_second_label(p: Planner, kind: str, index: int) -> Planned:
    """A reused box: the shop once received it from a supplier, so the old label is addressed to the shop."""
    person = new_person(p.rng, p.names)
    main = p.order(person, AWAITING, p.rng.uniform(0, 3))
    spec = p.label(person, main, p.rng.random() < 1 / 3, index)
    receiver = new_person(p.rng, p.names, p.shop.region)
    receiver = Person(receiver.name, receiver.mobile, p.shop.region, p.shop.detail)
    other = [c for c in CARRIERS if c != spec.carrier]
    old = p.label(receiver, None, False, index, carrier=p.rng.choice(other))
    old.shop = Shop(p.rng.choice(SUPPLIERS), "发货组", old.shop.phone, old.shop.region, old.shop.detail)
    old.print_time -= timedelta(days=p.rng.randint(5, 60), hours=p.rng.randint(0, 12))
    old.aged = True
    truth = _truth(kind, spec, "review", "multiple_labels", None)
    truth["old_waybill"] = old.waybill
    return spec, old, truth


def _plan_no_label(p: Planner, kind: str, index: int) -> Planned:
    return None, None, _truth(kind, None, "no_waybill", None, None)


def _plan_packing_slip(p: Planner, kind: str, index: int) -> Planned:
    person = new_person(p.rng, p.names)
    main = p.order(person, AWAITING, p.rng.uniform(0, 2))
    spec = p.label(person, main, True, index)
    spec.template, spec.carrier, spec.waybill = "packing_slip", None, None
    spec.barcode_text = main.order_no if p.rng.random() < 0.6 else None
    return spec, None, _truth(kind, spec, "no_waybill", None, None)


def _plan_no_order(p: Planner, kind: str, index: int) -> Planned:
    person = new_person(p.rng, p.names)
    if p.rng.random() < 0.5:
        p.order(namesake(p.rng, person), AWAITING, p.rng.uniform(0, 3))
    spec = p.label(person, None, False, index)
    return spec, None, _truth(kind, spec, "review", "no_matching_order", None)


def _plan_ambiguous(p: Planner, kind: str, index: int) -> Planned:
    person = new_person(p.rng, p.names)
    first = p.order(person, AWAITING, p.rng.uniform(0.5, 3))
    p.order(person, AWAITING, p.rng.uniform(0, 0.5), (first.buyer, first.alipay))
    spec = p.label(person, first, False, index)
    return spec, None, _truth(kind, spec, "review", "ambiguous_order", None)


def _plan_not_awaiting(p: Planner, kind: str, index: int) -> Planned:
    person = new_person(p.rng, p.names)
    status = CLOSED if kind == "closed_order" else SHIPPED
    order = p.order(person, status, p.rng.uniform(0.5, 4))
    spec = p.label(person, order, p.rng.random() < 1 / 3, index)
    return spec, None, _truth(kind, spec, "rejected", "order_not_awaiting_shipment", None)


PLANNERS = {k: _plan_queued for k in (*QUEUED_KINDS, "illegible")} | {
    "second_label": _plan_second_label,
    "no_label": _plan_no_label,
    "packing_slip": _plan_packing_slip,
    "no_order": _plan_no_order,
    "ambiguous": _plan_ambiguous,
    "closed_order": _plan_not_awaiting,
    "shipped_order": _plan_not_awaiting,
}
FILLER_STATUSES = {AWAITING: 30, SHIPPED: 25, SUCCESS: 25, CLOSED: 10, UNPAID: 10}


def plan_set(split: str, count: int) -> SetPlan:
    """Everything about the set except pixels: deterministic in (split, count)."""
    p = Planner(split)
    kinds = kind_list(count, p.rng)
    p.carriers = stratified(CARRIER_WEIGHTS, sum(k not in ("no_label", "packing_slip") for k in kinds), p.rng)
    for index, kind in enumerate(kinds, 1):
        spec, old, truth = PLANNERS[kind](p, kind, index)
        ext = ".png" if p.rng.random() < 0.07 and kind not in ("far", "illegible") else ".jpg"
        file = f"photos/{index:03d}_{kind}{ext}"
        truth = {"file": file, **truth, "template": spec.template if spec else "none", "effects": []}
        p.plan.photos.append(PhotoPlan(index, kind, file, p.rng.randrange(1 << 30), spec, old, truth))
    for _ in range(max(4, count // 2)):
        p.order(new_person(p.rng, p.names), _weighted(p.rng, FILLER_STATUSES), p.rng.uniform(0, 20))
    return p.plan
