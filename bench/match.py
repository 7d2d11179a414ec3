"""Matching: right order, wrong-order queues, review rate and ms per match, at 2,000 and 50,000 open orders.

    python bench/match.py [--count 200] [--seed 4] [--open-orders 2000 50000] [--refresh]

1. A generated photo set (samples/generate.py) with its orders export and
   truth, under bench/out/set-<count>-<seed> (shared with bench/run.py's naming).
2. Each photo is read once (decode + extract, the real engines) and its
   LabelFacts are cached in that folder (facts.jsonl): matching is measured
   on what the engines really read, without paying OCR again on each run.
   --refresh reads the photos again (after a change to decode or extract).
3. The set's orders are imported with the product's importer, then filler
   orders are added through the one order-source interface (OrderRow,
   upsert_orders) up to N orders awaiting shipment, with traps: namesakes of
   the photos' recipients (same name, other phone and address), other people
   sharing their phone tails, family at their addresses (same address and
   tail, another name), and closed / shipped orders of the same recipients.
4. pipeline.match.decide runs per photo against the SQLite database (real
   indexed queries, SqlOrderLookup), timed per call.  Nothing is recorded, so
   each photo meets the orders as they were imported.
5. The same, once more, on facts with one OCR-like flaw per photo (a name
   character wrong, lost or masked, a phone digit wrong, the province left
   out, full-width digits): the right order must still win, or go to review.

Figures:
  right order   queued to the right order / photos whose number was read and whose order is unique
  wrong queues  queued with a wrong number or to a wrong order, or queued when it must not be (must be 0)
  review        photos sent to review / photos whose number was read
  ms            decide() per photo: median and p95
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from photo_set import ensure_set
from sqlmodel import Session, func, select

from capture import api
from capture import settings as settings_mod
from capture.errors import UnreadableImage
from capture.evidence import facts_from_json, facts_to_json
from capture.pipeline.match import MatchPolicy, decide
from capture.pipeline.run import read_label
from capture.sources.files import load_frame
from capture.store import repo
from capture.store.db import open_engine, session_scope
from capture.store.order_source import OrderRow, upsert_orders
from capture.store.orders_import import import_orders
from capture.store.tables import Order, OrderStatus
from capture.types import LabelFacts, Outcome, Person, Status

DEFAULT_COUNT = 200
DEFAULT_SEED = 4
DEFAULT_OPEN_ORDERS = (2_000, 50_000)
FILLER_SEED = 11
P95 = 0.95
# Traps per photo recipient, as shares of the recipients that get one.
NAMESAKE_SHARE = 0.5  # same name, another phone and address
FAMILY_SHARE = 0.3  # same address and phone tail, another name
OLD_ORDER_SHARE = 0.3  # the same recipient's shipped or closed order
# Filler beyond the open orders: a shop's export also holds shipped and closed ones.
NOT_OPEN_SHARE = 0.25
FACTS_FILE = "facts.jsonl"
TARGET_RIGHT = 0.97
TARGET_MS = 5.0


# --- the set and its facts --------------------------------------------------------------


def ensure_facts(set_dir: Path, truth: list[dict], refresh: bool) -> dict[str, LabelFacts | None]:
    """Each photo's LabelFacts, read once with the real engines and cached (None: unreadable)."""
    cache = set_dir / FACTS_FILE
    if cache.exists() and not refresh:
        rows = [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines() if line.strip()]
        cached = {r["file"]: (facts_from_json(r["facts"]) if r["facts"] is not None else None) for r in rows}
        if set(cached) == {t["file"] for t in truth}:
            return cached
    settings = settings_mod.load(env={})
    chosen = api.engines(settings)
    facts: dict[str, LabelFacts | None] = {}
    started = time.perf_counter()
    with cache.open("w", encoding="utf-8") as f:
        for i, t in enumerate(truth, 1):
            try:
                _decoded, read = read_label(
                    load_frame(set_dir / t["file"], settings.max_image_pixels), chosen, settings
                )
            except UnreadableImage:
                read = None
            facts[t["file"]] = read
            f.write(
                json.dumps({"file": t["file"], "facts": facts_to_json(read) if read else None}, ensure_ascii=False)
                + "\n"
            )
            if i % 20 == 0:
                print(f"read {i}/{len(truth)} photos ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return facts


# --- the orders ---------------------------------------------------------------------------


def build_orders(db_url: str, set_dir: Path, truth: list[dict], open_orders: int) -> int:
    """Import the set's export, add filler and traps up to `open_orders` awaiting shipment."""
    from generate import World

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        import_orders(session, set_dir / "orders.csv")
        recipients = [r for r in (_recipient(session, t["order"]) for t in truth if t.get("order")) if r is not None]
        have = session.exec(
            select(func.count()).select_from(Order).where(Order.status == OrderStatus.AWAITING_SHIPMENT.value)
        ).one()
    rng = random.Random(FILLER_SEED)
    world = World(rng)
    world.names.update(r.receiver_name for r in recipients)
    rows: list[OrderRow] = []
    for r in recipients:
        if rng.random() < NAMESAKE_SHARE:
            rows.append(_row(world, world.person(r.receiver_name), OrderStatus.AWAITING_SHIPMENT))
        if rng.random() < FAMILY_SHARE:
            family = world.person()
            rows.append(
                _row(
                    world,
                    family,
                    OrderStatus.AWAITING_SHIPMENT,
                    phone=f"138****{r.phone_tail}",
                    address=r.receiver_address,
                )
            )
        if rng.random() < OLD_ORDER_SHARE:
            status = rng.choice((OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.CLOSED))
            rows.append(
                _row(
                    world,
                    None,
                    status,
                    name=r.receiver_name,
                    phone=f"138****{r.phone_tail}",
                    address=r.receiver_address,
                )
            )
    open_rows = sum(1 for row in rows if row.status is OrderStatus.AWAITING_SHIPMENT)
    for _ in range(max(0, open_orders - have - open_rows)):
        rows.append(_row(world, world.person(), OrderStatus.AWAITING_SHIPMENT))
        if rng.random() < NOT_OPEN_SHARE:
            rows.append(
                _row(
                    world, world.person(), rng.choice((OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.CLOSED))
                )
            )
    with session_scope(engine) as session:
        upsert_orders(session, rows, "bench/match.py filler")
        return session.exec(
            select(func.count()).select_from(Order).where(Order.status == OrderStatus.AWAITING_SHIPMENT.value)
        ).one()


@dataclass(frozen=True)
class _Recipient:
    receiver_name: str
    phone_tail: str
    receiver_address: str


def _recipient(session: Session, tid: str) -> _Recipient | None:
    order = session.get(Order, tid)
    return _Recipient(order.receiver_name, order.phone_tail, order.receiver_address) if order else None


def _row(
    world, person, status: OrderStatus, name: str | None = None, phone: str | None = None, address: str | None = None
) -> OrderRow:
    rng = world.rng
    tid = world.unique(lambda: rng.choice("123") + "".join(rng.choice("0123456789") for _ in range(18)))
    phone = phone or person.masked
    return OrderRow(
        tid=tid,
        status=status,
        status_raw=str(status),
        buyer="bench",
        receiver_name=name or person.name,
        receiver_phone_masked=phone,
        phone_tail=phone[-4:],
        receiver_address=address or person.export_address(),
        waybill=None,
        carrier_name="",
    )


# --- flaws ------------------------------------------------------------------------------------

FLAWS = ("name_char_wrong", "name_char_lost", "name_masked", "phone_digit_wrong", "province_left_out", "full_width")
SIMILAR_CHARS = "薄蔣将张章王汪李季"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def with_flaw(facts: LabelFacts, flaw: str, rng: random.Random) -> LabelFacts:
    """The facts with one OCR-like flaw in the recipient (every person not named as the sender)."""
    return replace(facts, people=tuple(p if p.role == "sender" else _flawed(p, flaw, rng) for p in facts.people))


def _flawed(p: Person, flaw: str, rng: random.Random) -> Person:
    name = p.name
    if flaw == "name_char_wrong" and name:
        i = rng.randrange(len(name))
        return replace(p, name=name[:i] + rng.choice([c for c in SIMILAR_CHARS if c != name[i]]) + name[i + 1 :])
    if flaw == "name_char_lost" and len(name) >= 3:
        i = rng.randrange(1, len(name))
        return replace(p, name=name[:i] + name[i + 1 :])
    if flaw == "name_masked" and name:
        return replace(p, name=name[0] + "*" * (len(name) - 1))
    if flaw == "phone_digit_wrong" and len(p.phone_tail) == 4:
        i = rng.randrange(4)
        return replace(
            p,
            phone_tail=p.phone_tail[:i]
            + rng.choice([d for d in "0123456789" if d != p.phone_tail[i]])
            + p.phone_tail[i + 1 :],
        )
    if flaw == "province_left_out":
        cut = p.address.find("省")
        return replace(p, address=p.address[cut + 1 :] if cut >= 0 else p.address[2:])
    if flaw == "full_width":
        return replace(p, address=p.address.translate(FULL_WIDTH))
    return p


# --- running -------------------------------------------------------------------------------------


@dataclass
class Tally:
    photos: int = 0
    number_read: int = 0
    should_queue: int = 0
    right_order: int = 0
    wrong_queues: int = 0
    review: int = 0
    ms: list[float] = field(default_factory=list)
    missed: Counter[str] = field(default_factory=Counter)
    wrong_examples: list[str] = field(default_factory=list)

    def add(self, t: dict, facts: LabelFacts, outcome: Outcome, ms: float) -> None:
        self.photos += 1
        self.ms.append(ms)
        right_number = t.get("waybill")
        read = right_number is not None and right_number in {c.number for c in facts.candidates}
        if not read:
            return
        self.number_read += 1
        self.review += outcome.status is Status.REVIEW
        queued = outcome.status is Status.QUEUED
        number = outcome.candidate.number if outcome.candidate else None
        tids = [o.tid for o in outcome.orders]
        if t["expect_status"] == Status.QUEUED.value:
            self.should_queue += 1
            if queued and number == right_number and tids == [t["order"]]:
                self.right_order += 1
            else:
                self.missed[f"{t['kind']} -> {outcome.status.value} {','.join(str(r) for r in outcome.reasons)}"] += 1
        if queued and (t["expect_status"] != Status.QUEUED.value or number != right_number or tids != [t["order"]]):
            self.wrong_queues += 1
            self.wrong_examples.append(
                f"{t['file']}: queued {number} -> {tids}, truth {t['expect_status']} {right_number} -> {t.get('order')}"
            )


def run(db_url: str, truth: list[dict], facts: dict[str, LabelFacts | None], flaw_seed: int | None) -> Tally:
    rng = random.Random(flaw_seed)
    tally = Tally()
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        lookup = repo.SqlOrderLookup(session)
        for t in truth:
            read = facts.get(t["file"])
            if read is None:
                continue
            if flaw_seed is not None:
                read = with_flaw(read, FLAWS[rng.randrange(len(FLAWS))], rng)
            started = time.perf_counter()
            outcome = decide(read, lookup, MatchPolicy())
            tally.add(t, read, outcome, (time.perf_counter() - started) * 1000)
        session.rollback()
    return tally


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f}%" if b else "-"


def _row_text(label: str, open_orders: int, t: Tally) -> str:
    median = statistics.median(t.ms)
    p95 = sorted(t.ms)[max(0, round(P95 * len(t.ms)) - 1)]
    return (
        f"| {label} | {open_orders:,} | {t.photos} | {t.right_order}/{t.should_queue} ({_pct(t.right_order, t.should_queue)}) "
        f"| {t.wrong_queues} | {t.review}/{t.number_read} ({_pct(t.review, t.number_read)}) | {median:.2f} | {p95:.2f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--open-orders", type=int, nargs="+", default=list(DEFAULT_OPEN_ORDERS))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--refresh", action="store_true", help="read the photos again instead of using cached facts")
    parser.add_argument("--examples", action="store_true", help="list the photos not queued to their order")
    args = parser.parse_args()

    set_dir, truth = ensure_set(args.out, args.count, args.seed)
    facts = ensure_facts(set_dir, truth, args.refresh)
    results: list[tuple[str, int, Tally]] = []
    for n in args.open_orders:
        db_file = args.out / f"match-{args.count}-{args.seed}-{n}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        open_count = build_orders(f"sqlite:///{db_file}", set_dir, truth, n)
        print(f"{open_count:,} open orders in {db_file.name} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
        results.append(("as read", open_count, run(f"sqlite:///{db_file}", truth, facts, None)))
        results.append(("one flaw each", open_count, run(f"sqlite:///{db_file}", truth, facts, args.seed)))

    print(
        f"\n{len(truth)} generated photos ({set_dir.name}), facts read once by the real engines; decide() on SQLite, one process\n"
    )
    print(
        "| facts | open orders | photos | right order (number read, order unique) | wrong-order queues | review | median ms | p95 ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, n, tally in results:
        print(_row_text(label, n, tally))
    failed = False
    for label, n, tally in results:
        for example in tally.wrong_examples:
            print(f"  WRONG ({label}, {n:,}): {example}")
        if args.examples:
            for what, k in tally.missed.most_common():
                print(f"  not right ({label}, {n:,}): {what}: {k}")
        rate = tally.right_order / tally.should_queue if tally.should_queue else 1.0
        p95 = sorted(tally.ms)[max(0, round(P95 * len(tally.ms)) - 1)]
        failed |= (
            tally.wrong_queues > 0
            or (label == "as read" and rate < TARGET_RIGHT)
            or statistics.median(tally.ms) >= TARGET_MS
        )
        if p95 >= TARGET_MS:
            print(f"  note: p95 {p95:.2f} ms at {n:,} open orders ({label})")
    print(
        f"\ntargets: right order >= {TARGET_RIGHT:.0%} (as read), 0 wrong-order queues, median < {TARGET_MS:g} ms: {'MISSED' if failed else 'met'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
