"""Import what a Taobao / Qianniu seller back office exports: the order report and the item report.

The file is whatever the back office, or Excel after it, wrote (capture.orders.files):
CSV in GBK, UTF-8 or UTF-16, or an .xlsx / .xls workbook; headers with stray
spaces; numbers dressed up as ="2751925651837878487" so Excel keeps their
digits.  Reading it is forgiving about all of that and strict about what
matters: an order number is all digits, a quantity is a plain number, a
field under two headers is refused, and no phone number is kept whole.

A row that cannot be read is reported with its line in the file and the rest
are imported; only a file that is not an export at all raises.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from capture.errors import InputFileError
from capture.orders import cells, columns
from capture.orders.columns import ReportKind
from capture.orders.files import EXPORT_HINT, Record, read_records
from capture.pipeline.match import ADDRESS_MASK
from capture.pipeline.recipient import is_masked
from capture.shops import DEFAULT_SHOP
from capture.store.order_items import ItemLine, store_item_lines
from capture.store.order_refunds import parse_refund_status
from capture.store.order_source import (
    TAOBAO_DIALECT,
    Dialect,
    InvalidOrderRow,
    OrderRow,
    StatusKept,
    mask_phone,
    parse_order_status,
)
from capture.store.order_source import upsert_orders as store_orders

log = logging.getLogger(__name__)

clean_value = cells.clean_value  # kept importable from here: other modules clean cells the same way

# OrderRow field -> the header it came from, to name it in a row's problem.
LABEL_OF_FIELD = {column.field: column.label for column in columns.ORDER_COLUMNS} | {
    "receiver_phone_masked": columns.MOBILE.label,
    "phone_tail": columns.MOBILE.label,
    "status_raw": columns.STATUS.label,
    "carrier_name": columns.CARRIER.label,
}


@dataclass(frozen=True)
class RowProblem:
    line: int  # 1-based line in the file where the row starts
    reason: str


@dataclass(frozen=True)
class ParsedExport:
    rows: list[OrderRow]
    problems: list[RowProblem]
    kind: ReportKind = ReportKind.ORDERS
    items: dict[str, list[ItemLine]] = field(default_factory=dict)  # order number -> its item lines


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int
    problems: list[RowProblem]
    kind: ReportKind = ReportKind.ORDERS
    item_orders: int = 0  # orders whose item lines were stored
    status_kept: tuple[StatusKept, ...] = ()  # rows whose status was behind the stored one
    masked_receivers: int = 0  # orders whose receiver the marketplace masked (张**): no recipient match for them


class RowRejected(Exception):
    """This row cannot be imported; the message says why, for the user."""


# --- rows -------------------------------------------------------------------


def _is_blank(cells_: list[str]) -> bool:
    # Most rows have a plain first cell (the order number): no need to clean every cell.
    return not any(cell.strip() and clean_value(cell) for cell in cells_)


def _values(record: Record, positions: dict[str, int], width: int) -> dict[str, str]:
    # Extra filled cells mean a value held an unquoted comma and every column
    # after it moved: importing would put the phone into the address.
    if any(clean_value(cell) for cell in record.cells[width:]):
        raise RowRejected(
            f"row has {len(record.cells)} cells but the header has {width}; a value probably contains an unquoted comma"
        )
    return {
        name: clean_value(record.cells[index])
        if index < len(record.cells)
        else ""  # short rows: trailing cells dropped
        for name, index in positions.items()
    }


def _phone(mobile: str, landline: str) -> tuple[str, str]:
    masked, tail = mask_phone(mobile)
    return (masked, tail) if masked else mask_phone(landline)


def _order_row(value: dict[str, str], line: int, dialect: Dialect) -> tuple[OrderRow, list[ItemLine]]:
    get = value.get
    tid = cells.order_number(get("tid", ""), columns.TID.label, dialect.order_number)
    masked, tail = _phone(get("mobile", ""), get("landline", ""))
    titles, total = cells.free_text(get("item_titles", "")), get("item_total", "")
    summary = [ItemLine(titles, cells.optional_quantity(total, columns.ITEM_TOTAL.label))] if titles or total else []
    try:
        row = OrderRow(
            tid=tid,
            status=parse_order_status(get("status", ""), dialect.statuses),
            status_raw=get("status", ""),
            buyer=cells.free_text(get("buyer", "")),
            receiver_name=cells.free_text(get("receiver_name", "")),
            receiver_phone_masked=masked,
            phone_tail=tail,
            receiver_address=cells.free_text(get("receiver_address", "")),
            waybill=next(iter(cells.waybills(get("waybill", ""))), None),
            carrier_name=cells.carrier_name(get("carrier", "")),
            line=line,
            buyer_message=cells.free_text(get("buyer_message", "")),
            seller_note=cells.free_text(get("seller_note", "")),
            refund_status=parse_refund_status(get("refund", "")),
        )
    except InvalidOrderRow as exc:
        # OrderRow speaks of its fields; the user knows the export's headers.
        raise RowRejected(f"{LABEL_OF_FIELD.get(exc.field, exc.field)} {exc.reason}") from exc
    return row, summary


def _item_line(value: dict[str, str], dialect: Dialect) -> tuple[str, ItemLine]:
    tid = cells.order_number(value["tid"], columns.ITEM_TID.label, dialect.order_number)
    package = cells.free_text(value.get("package", ""))
    properties = cells.free_text(value.get("properties", ""))
    return tid, ItemLine(
        title=cells.free_text(value["title"]),
        quantity=cells.quantity(value["quantity"], columns.ITEM_QUANTITY.label),
        properties="; ".join(part for part in (properties, package) if part),
        outer_id=value.get("outer_id", ""),
        note=cells.free_text(value.get("note", "")),
    )


# --- the file ---------------------------------------------------------------


def _header_and_body(path: Path) -> tuple[list[str], Iterator[Record]]:
    records = (record for record in read_records(path) if not _is_blank(record.cells))
    header = next(records, None)
    if header is None:
        raise InputFileError(f"{path.name} is empty", EXPORT_HINT)
    return header.cells, records


def _read_orders(body: Iterator[Record], positions: dict[str, int], width: int, dialect: Dialect) -> ParsedExport:
    latest: dict[str, tuple[OrderRow, list[ItemLine]]] = {}
    problems: list[RowProblem] = []
    for record in body:
        try:
            row, summary = _order_row(_values(record, positions, width), record.line, dialect)
        except (RowRejected, cells.CellRejected) as exc:
            problems.append(RowProblem(record.line, str(exc)))
            continue
        earlier = latest.get(row.tid)
        if earlier is not None:
            problems.append(
                RowProblem(
                    earlier[0].line,
                    f"order {row.tid} appears again on line {record.line}; that later line was imported",
                )
            )
        latest[row.tid] = (row, summary)
    rows = sorted((row for row, _ in latest.values()), key=lambda row: row.line)
    items = {tid: summary for tid, (_, summary) in latest.items() if summary}
    return ParsedExport(rows=rows, problems=sorted(problems, key=lambda p: p.line), items=items)


def _read_items(body: Iterator[Record], positions: dict[str, int], width: int, dialect: Dialect) -> ParsedExport:
    items: dict[str, list[ItemLine]] = {}
    problems: list[RowProblem] = []
    for record in body:
        try:
            tid, line = _item_line(_values(record, positions, width), dialect)
        except (RowRejected, cells.CellRejected) as exc:
            problems.append(RowProblem(record.line, str(exc)))
            continue
        items.setdefault(tid, []).append(line)
    return ParsedExport(rows=[], problems=problems, kind=ReportKind.ITEMS, items=items)


def read_orders_export(path: Path, dialect: Dialect = TAOBAO_DIALECT) -> ParsedExport:
    """Parse an order report or item report into rows and per-line problems.  No database.

    Raises InputFileError when the file is missing or is not an export.
    An order number seen twice in the order report: the later line wins, the
    earlier is reported.  The item report has one line per item.
    """
    header, body = _header_and_body(path)
    kind = columns.report_kind(header)
    positions = columns.column_positions(header, kind, path.name)
    read = _read_items if kind is ReportKind.ITEMS else _read_orders
    return read(body, positions, len(header), dialect)


def import_orders(
    session: Session, path: Path, shop: str = DEFAULT_SHOP, dialect: Dialect = TAOBAO_DIALECT
) -> ImportReport:
    """Read an export and store its orders (under `shop`) and item lines.  The caller commits."""
    parsed = read_orders_export(path, dialect)
    source = str(path.resolve())
    counts = store_orders(session, parsed.rows, source=source, shop=shop)
    taken = [
        RowProblem(row.line, f"order {row.tid} belongs to shop {other}; not imported into shop {shop}")
        for row, other in counts.elsewhere
    ]
    item_orders = store_item_lines(session, parsed.items, itemised=parsed.kind is ReportKind.ITEMS, source=source)
    log.info(
        "imported %s (%s): %d added, %d updated, %d unchanged, %d with items, %d statuses kept, %d problems",
        path,
        parsed.kind,
        counts.added,
        counts.updated,
        counts.unchanged,
        item_orders,
        len(counts.status_kept),
        len(parsed.problems),
    )
    return ImportReport(
        added=counts.added,
        updated=counts.updated,
        unchanged=counts.unchanged,
        problems=sorted([*parsed.problems, *taken], key=lambda problem: problem.line),
        kind=parsed.kind,
        item_orders=item_orders,
        status_kept=counts.status_kept,
        masked_receivers=sum(_receiver_masked(row) for row in parsed.rows),
    )


def _receiver_masked(row: OrderRow) -> bool:
    return is_masked(row.receiver_name) or ADDRESS_MASK in row.receiver_address
