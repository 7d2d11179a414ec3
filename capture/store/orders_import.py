"""Import the order export (订单导出) of a Taobao / Qianniu seller back office.

The file is whatever the back office, or Excel after it, wrote: GBK or UTF-8
with or without BOM, headers with stray spaces, numbers dressed up as
="2751925651837878487" or '2751925651837878487 so Excel keeps their digits.
Reading it is forgiving about all of that and strict about the one thing
that matters: an order number is all digits, or the row is reported.

A row that cannot be read is reported with its line in the file and the rest
are imported; only a file that is not an order export at all raises.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from capture.errors import InputFileError
from capture.pipeline.carriers import by_name, canonical
from capture.shops import DEFAULT_SHOP
from capture.store.order_source import (
    ALL_DIGITS,
    TAOBAO_DIALECT,
    Dialect,
    InvalidOrderRow,
    OrderNumberRule,
    OrderRow,
    mask_phone,
    parse_order_status,
    upsert_orders,
)

log = logging.getLogger(__name__)

EXPORT_HINT = "export the order list from the seller back office (订单导出) as CSV and import that file"

# Tried in this order.  UTF-8 first and strictly: GB18030 decodes almost any
# byte string, so it can only be the fallback.  GB18030 is a superset of GBK.
ENCODINGS = ("utf-8-sig", "gb18030")
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "gb18030": "GBK"}
UTF16_SAMPLE_BYTES = 4096

# What an Excel workbook starts with; people pick the .xlsx by mistake.
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"

BOM = "\ufeff"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060"

# ="2751925651837878487": the export's way of keeping a long number as text.
EXCEL_TEXT_FORMULA = re.compile(r'=\s*"(.*)"', re.DOTALL)
# 2.75193E+18: Excel opened the file and rounded the order number away.
SCIENTIFIC_NUMBER = re.compile(r"\d+(\.\d+)?E\+?\d+", re.IGNORECASE)

# The export writes one of these when an order has no waybill (compared upper case).
NO_WAYBILL = frozenset({"", "NO", "NONE", "无", "-"})
# Several waybills in one cell (split parcels).  The table keeps one, the first:
# it is the parcel shipped first, the one the order's label scan will show.
WAYBILL_SEPARATOR = re.compile(r"[,;、\n]")

# Found-column lists longer than this are cut in the error message.
MAX_COLUMNS_LISTED = 30


@dataclass(frozen=True)
class Column:
    """One field we read, and the header names exports use for it."""

    field: str
    names: tuple[str, ...]  # the back office's own name first, then variants
    required: bool = False

    @property
    def label(self) -> str:
        return self.names[0]


TID = Column("tid", ("订单编号", "订单号", "主订单编号"), required=True)
# Required so that re-importing a file without statuses cannot turn known
# orders into "unknown".
STATUS = Column("status", ("订单状态", "交易状态"), required=True)
BUYER = Column("buyer", ("买家会员名", "买家昵称", "买家账号"))
RECEIVER_NAME = Column("receiver_name", ("收货人姓名", "收货人", "收件人", "收件人姓名"))
ADDRESS = Column("receiver_address", ("收货地址", "收件地址", "收货人地址"))
MOBILE = Column("mobile", ("联系手机", "收货人手机", "手机号", "手机", "收件人手机", "收货人手机号"))
LANDLINE = Column("landline", ("联系电话", "收货人电话", "电话", "收件人电话"))
WAYBILL = Column("waybill", ("物流单号", "运单号", "快递单号"))
CARRIER = Column("carrier", ("物流公司", "快递公司"))
COLUMNS = (TID, STATUS, BUYER, RECEIVER_NAME, ADDRESS, MOBILE, LANDLINE, WAYBILL, CARRIER)

# OrderRow field -> the header it came from, to name it in a row's problem.
LABEL_OF_FIELD = {column.field: column.label for column in COLUMNS} | {
    "receiver_phone_masked": MOBILE.label,
    "phone_tail": MOBILE.label,
    "status_raw": STATUS.label,
    "carrier_name": CARRIER.label,
}


@dataclass(frozen=True)
class RowProblem:
    line: int  # 1-based line in the file where the row starts
    reason: str


@dataclass(frozen=True)
class ParsedExport:
    rows: list[OrderRow]
    problems: list[RowProblem]


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int
    problems: list[RowProblem]


class RowRejected(Exception):
    """This row cannot be imported; the message says why, for the user."""


# --- the file ---------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputFileError(f"order export not found: {path}", "check the path; " + EXPORT_HINT)
    if path.is_dir():
        raise InputFileError(f"{path} is a folder, not an order export", "give the CSV file itself")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror}", "check that you may read the file") from exc


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((XLSX_MAGIC, XLS_MAGIC)):
        raise InputFileError(
            f"{path.name} is an Excel workbook, not a CSV file", "in Excel use Save As > CSV, or " + EXPORT_HINT
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        raise InputFileError(
            f"{path.name}, line 1: the file is UTF-16 text (Excel's 'Unicode Text'), not a CSV export",
            "in Excel use Save As > CSV UTF-8 (or CSV), or " + EXPORT_HINT,
        )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputFileError(f"{path.name}, line {line}: a NUL byte; this is not a text file", EXPORT_HINT)
    failures = {}
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            failures[encoding] = data[: exc.start].count(b"\n") + 1
    # The encoding that fits the most lines is the file's; its first misfit is where a second one begins.
    encoding, line = max(failures.items(), key=lambda item: item[1])
    raise InputFileError(
        f"{path.name}, line {line}: neither UTF-8 nor GBK text"
        + (f" (the lines before it are {ENCODING_NAMES[encoding]}: the file mixes encodings)" if line > 1 else ""),
        "re-export the whole list in one go, or " + EXPORT_HINT,
    )


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: ASCII text with a NUL in every other byte."""
    sample = data[:UTF16_SAMPLE_BYTES]
    return len(sample) >= 2 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4)


def _records(text: str, path: Path) -> list[tuple[int, list[str]]]:
    """(first line, cells) of every CSV record.

    Line numbers are physical lines, not record numbers: a quoted address may
    span several lines, and the user looks the row up in the file.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    lines_read = 0
    try:
        for cells in reader:
            records.append((lines_read + 1, cells))
            lines_read = reader.line_num
    except csv.Error as exc:
        raise InputFileError(f"{path.name} line {lines_read + 1} is not valid CSV: {exc}", EXPORT_HINT) from exc
    return records


# --- headers ----------------------------------------------------------------


def _header_key(name: str) -> str:
    # NFKC turns U+3000 and other full-width spaces into plain ones; the BOM
    # and zero-width marks are not whitespace, so they go explicitly.
    text = unicodedata.normalize("NFKC", name)
    text = text.translate({ord(ch): None for ch in BOM + ZERO_WIDTH})
    return "".join(text.split())


def _is_blank(cells: list[str]) -> bool:
    return not any(clean_value(cell) for cell in cells)


def _column_positions(header: list[str], path: Path) -> dict[str, int]:
    """Index of each known field in the header; raise if a required one is missing."""
    keys = [_header_key(name) for name in header]
    positions: dict[str, int] = {}
    for column in COLUMNS:
        for name in column.names:
            if name in keys:
                positions[column.field] = keys.index(name)
                break
    missing = [column.label for column in COLUMNS if column.required and column.field not in positions]
    if missing:
        raise _not_an_order_export(path, missing, [key for key in keys if key])
    return positions


def _not_an_order_export(path: Path, missing: list[str], found: list[str]) -> InputFileError:
    shown = ", ".join(found[:MAX_COLUMNS_LISTED]) or "none"
    if len(found) > MAX_COLUMNS_LISTED:
        shown += f", ... ({len(found)} in all)"
    needed = ", ".join(column.label for column in COLUMNS if column.required)
    return InputFileError(
        f"{path.name} is not an order export: no column {', '.join(missing)} (found columns: {shown})",
        f"the file needs the columns {needed}; " + EXPORT_HINT,
    )


# --- values -----------------------------------------------------------------


def clean_value(raw: str) -> str:
    """A cell without what Excel-safe exports wrap around it.

    ="123" (a text formula), a leading ' (Excel's text marker), a leading tab
    (another export's trick) and surrounding spaces, full-width ones included.
    """
    value = raw.strip().strip(BOM).strip()
    formula = EXCEL_TEXT_FORMULA.fullmatch(value)
    if formula:
        value = formula.group(1).strip()
    if value.startswith("'"):
        value = value[1:].strip()
    return value


def _order_number(raw: str, rule: OrderNumberRule = ALL_DIGITS) -> str:
    tid = unicodedata.normalize("NFKC", raw)  # full-width digits -> ASCII
    if not tid:
        raise RowRejected(f"no order number ({TID.label} is empty)")
    if SCIENTIFIC_NUMBER.fullmatch(tid):
        raise RowRejected(
            f"order number {tid!r} was rounded by Excel; export again and import the file without opening it in Excel"
        )
    if not (tid.isascii() and rule.accepts(tid)):
        raise RowRejected(f"order number {tid!r} is not {rule.description}")
    return tid


def _waybill(raw: str) -> str | None:
    first = WAYBILL_SEPARATOR.split(unicodedata.normalize("NFKC", raw), maxsplit=1)[0]
    number = canonical(first)
    return None if number in NO_WAYBILL else number


def _carrier_name(raw: str) -> str:
    # The carrier's own name when we know it ("中通" and "ZTO" are one
    # carrier), otherwise the export's wording, so nothing is lost.
    carrier = by_name(raw)
    return carrier.name if carrier else raw


def _phone(mobile: str, landline: str) -> tuple[str, str]:
    masked, tail = mask_phone(mobile)
    return (masked, tail) if masked else mask_phone(landline)


# --- rows -------------------------------------------------------------------


def _cell(cells: list[str], positions: dict[str, int], field: str) -> str:
    index = positions.get(field)
    if index is None or index >= len(cells):
        return ""  # short rows: tools drop trailing empty cells
    return clean_value(cells[index])


def _check_width(cells: list[str], width: int) -> None:
    # Extra filled cells mean a value held an unquoted comma and every column
    # after it moved: importing would put the phone into the address.
    extra = [cell for cell in cells[width:] if clean_value(cell)]
    if extra:
        raise RowRejected(
            f"row has {len(cells)} cells but the header has {width}; a value probably contains an unquoted comma"
        )


def _order_row(
    cells: list[str], positions: dict[str, int], width: int, line: int, dialect: Dialect = TAOBAO_DIALECT
) -> OrderRow:
    _check_width(cells, width)
    value = {column.field: _cell(cells, positions, column.field) for column in COLUMNS}
    tid = _order_number(value[TID.field], dialect.order_number)
    masked, tail = _phone(value[MOBILE.field], value[LANDLINE.field])
    try:
        return OrderRow(
            tid=tid,
            status=parse_order_status(value[STATUS.field], dialect.statuses),
            status_raw=value[STATUS.field],
            buyer=value[BUYER.field],
            receiver_name=value[RECEIVER_NAME.field],
            receiver_phone_masked=masked,
            phone_tail=tail,
            receiver_address=value[ADDRESS.field],
            waybill=_waybill(value[WAYBILL.field]),
            carrier_name=_carrier_name(value[CARRIER.field]),
            line=line,
        )
    except InvalidOrderRow as exc:
        # OrderRow speaks of its fields; the user knows the export's headers.
        raise RowRejected(f"{LABEL_OF_FIELD.get(exc.field, exc.field)} {exc.reason}") from exc


def read_orders_export(path: Path, dialect: Dialect = TAOBAO_DIALECT) -> ParsedExport:
    """Parse an order export into rows and per-line problems.  No database.

    Raises InputFileError when the file is missing or is not an order export.
    An order number seen twice: the later line wins, the earlier is reported.
    """
    records = _records(_decode(_read_bytes(path), path), path)
    filled = [(line, cells) for line, cells in records if not _is_blank(cells)]
    if not filled:
        raise InputFileError(f"{path.name} is empty", EXPORT_HINT)
    (_, header), body = filled[0], filled[1:]
    positions = _column_positions(header, path)
    latest: dict[str, OrderRow] = {}
    problems: list[RowProblem] = []
    for line, cells in body:
        try:
            row = _order_row(cells, positions, len(header), line, dialect)
        except RowRejected as exc:
            problems.append(RowProblem(line, str(exc)))
            continue
        earlier = latest.get(row.tid)
        if earlier is not None:
            problems.append(
                RowProblem(earlier.line, f"order {row.tid} appears again on line {line}; that later line was imported")
            )
        latest[row.tid] = row
    rows = sorted(latest.values(), key=lambda row: row.line)
    return ParsedExport(rows=rows, problems=sorted(problems, key=lambda problem: problem.line))


def import_orders(
    session: Session, path: Path, shop: str = DEFAULT_SHOP, dialect: Dialect = TAOBAO_DIALECT
) -> ImportReport:
    """Read an order export and store its orders under `shop`.  The caller commits."""
    parsed = read_orders_export(path, dialect)
    counts = upsert_orders(session, parsed.rows, source=str(path.resolve()), shop=shop)
    taken = [
        RowProblem(row.line, f"order {row.tid} belongs to shop {other}; not imported into shop {shop}")
        for row, other in counts.elsewhere
    ]
    log.info(
        "imported %s: %d added, %d updated, %d unchanged, %d problems",
        path,
        counts.added,
        counts.updated,
        counts.unchanged,
        len(parsed.problems),
    )
    return ImportReport(
        added=counts.added,
        updated=counts.updated,
        unchanged=counts.unchanged,
        problems=sorted([*parsed.problems, *taken], key=lambda problem: problem.line),
    )
