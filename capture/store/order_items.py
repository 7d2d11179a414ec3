"""What goes in each order's box: its item lines, stored and read back.

Two reports say it.  The item report (宝贝报表) lists every line; its rows
are `itemised` and replace whatever the order had.  The order report only
has 宝贝标题 and 宝贝总数量, kept as one summary line while no item report
has been imported for that order.  Titles and notes arrive with phone
numbers masked; they are masked again here, so no source can store one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice

from sqlmodel import Session, col, delete, select

from capture.evidence import mask_phones
from capture.store.bulk_insert import insert_rows
from capture.store.tables import Order, OrderItem

# Orders looked up per query: well under SQLite's bound-parameter limit.
BATCH_SIZE = 500
SOURCE_CHARS = 256


@dataclass(frozen=True, slots=True)  # slots: an order report import holds one per order
class ItemLine:
    """One item line of an order, as a report gave it."""

    title: str
    quantity: int | None
    properties: str = ""
    outer_id: str = ""
    note: str = ""


def _batches(tids: Iterable[str]) -> Iterable[list[str]]:
    it = iter(tids)
    while batch := list(islice(it, BATCH_SIZE)):
        yield batch


def _row(tid: str, position: int, line: ItemLine, itemised: bool, source: str) -> dict[str, object]:
    # A plain row for one executemany: an ORM object per line cost 2 ms each (bench/orders_import.py).
    return {
        "order_tid": tid,
        "position": position,
        "title": mask_phones(line.title),
        "properties": mask_phones(line.properties),
        "outer_id": line.outer_id[:128],
        "quantity": line.quantity,
        "note": mask_phones(line.note),
        "itemised": itemised,
        "source": source[-SOURCE_CHARS:],
    }


def store_item_lines(session: Session, lines: Mapping[str, Sequence[ItemLine]], itemised: bool, source: str) -> int:
    """Store each order's item lines; the number of orders whose lines were written.

    Itemised lines replace all of an order's lines.  A summary (itemised
    False) is written only where the order has no itemised lines, and
    replaces an earlier summary.  Flushes; the caller commits.
    """
    written = 0
    for batch in _batches(lines):
        if itemised:
            targets = batch
        else:
            has_items = select(OrderItem.order_tid).where(col(OrderItem.order_tid).in_(batch), col(OrderItem.itemised))
            detailed = set(session.exec(has_items))
            targets = [tid for tid in batch if tid not in detailed]
        if not targets:
            continue
        session.exec(delete(OrderItem).where(col(OrderItem.order_tid).in_(targets)))
        new_rows = [_row(tid, n, line, itemised, source) for tid in targets for n, line in enumerate(lines[tid])]
        if new_rows:
            insert_rows(session.connection(), OrderItem, new_rows)
        written += len(targets)
        session.flush()
    return written


def item_lines(session: Session, tids: Sequence[str]) -> dict[str, list[ItemLine]]:
    """The stored item lines of these orders, in report order; an order without any is left out."""
    found: dict[str, list[ItemLine]] = {}
    for batch in _batches(tids):
        query = select(OrderItem).where(col(OrderItem.order_tid).in_(batch)).order_by(col(OrderItem.position))
        for item in session.exec(query):
            found.setdefault(item.order_tid, []).append(
                ItemLine(item.title, item.quantity, item.properties, item.outer_id, item.note)
            )
    return found


@dataclass(frozen=True)
class PackingNotes:
    """What a person checks before sealing an order's box: its items, the buyer's message, the seller's note."""

    items: tuple[ItemLine, ...] = ()
    buyer_message: str = ""
    seller_note: str = ""


def packing_notes(session: Session, tids: Sequence[str]) -> dict[str, PackingNotes]:
    """The packing notes of these orders (every tid asked for is in the answer; unknown ones are empty)."""
    lines = item_lines(session, tids)
    notes = {tid: PackingNotes(items=tuple(lines.get(tid, ()))) for tid in tids}
    for batch in _batches(tids):
        query = select(Order.tid, Order.buyer_message, Order.seller_note).where(col(Order.tid).in_(batch))
        for tid, message, note in session.exec(query):
            notes[tid] = PackingNotes(notes[tid].items, message, note)
    return notes
