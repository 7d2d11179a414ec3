"""An order export as rows of text cells, whatever file the back office or Excel made.

CSV comes as UTF-8 (with or without BOM), GBK, or UTF-16 (Excel's "Unicode
Text", tab separated); workbooks as .xlsx or .xls, read by calamine, which
returns the values cells hold and never runs a formula.  The kind is told
from the bytes, not the file name: Qianniu names some CSV downloads .xls.
Line numbers are what the user finds the row by: physical lines of a CSV
(a quoted address may span several), row numbers of a sheet.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import python_calamine

from capture.errors import InputFileError

EXPORT_HINT = "export the order list from the seller back office (订单导出) and import that file (CSV or Excel)"

# Tried in this order.  UTF-8 first and strictly: GB18030 decodes almost any
# byte string, so it can only be the fallback.  GB18030 is a superset of GBK.
ENCODINGS = ("utf-8-sig", "gb18030")
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "gb18030": "GBK"}
UTF16_SAMPLE_BYTES = 4096

XLSX_MAGIC = b"PK\x03\x04"  # a zip: .xlsx
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # an OLE compound file: .xls

# Floats hold integers exactly up to 2**53; an order number (19 digits) stored
# as a number cell is past that and was rounded when the cell was written.
EXACT_FLOAT_LIMIT = 2**53


@dataclass(frozen=True)
class Record:
    line: int  # 1-based line (CSV) or row (sheet) where the row starts
    cells: list[str]


def read_records(path: Path) -> Iterator[Record]:
    """Every row of the export, in order.  Raises InputFileError for a file that is not one."""
    data = _read_bytes(path)
    if data.startswith((XLSX_MAGIC, XLS_MAGIC)):
        return _sheet_records(data, path)
    return _csv_records(_decode(data, path), path)


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputFileError(f"order export not found: {path}", "check the path; " + EXPORT_HINT)
    if path.is_dir():
        raise InputFileError(f"{path} is a folder, not an order export", "give the export file itself")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror}", "check that you may read the file") from exc


# --- workbooks ----------------------------------------------------------------


def _sheet_records(data: bytes, path: Path) -> Iterator[Record]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_index(0).iter_rows()
    except python_calamine.PasswordError as exc:
        raise InputFileError(f"{path.name} is a password-protected workbook", "save it without a password") from exc
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        raise InputFileError(
            f"{path.name} is not a readable Excel workbook ({exc})",
            "open and save it again in Excel, or " + EXPORT_HINT,
        ) from exc
    return (Record(number, [sheet_cell_text(cell) for cell in row]) for number, row in enumerate(rows, start=1))


def sheet_cell_text(value: object) -> str:
    """A workbook cell as the text the export meant.

    A whole number cell is written without ".0"; one too large to be exact
    (an order number typed as a number) comes back in E notation, which the
    order-number check reports as rounded by Excel instead of importing a
    wrong number.
    """
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value)) if abs(value) < EXACT_FLOAT_LIMIT else f"{value:.14E}"
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return "" if value is None else str(value)


# --- CSV ----------------------------------------------------------------------


def _decode(data: bytes, path: Path) -> str:
    utf16 = _utf16_codec(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count("\n".encode(utf16.replace("-sig", ""))) + 1
            raise InputFileError(f"{path.name}, line {line}: broken UTF-16 text", EXPORT_HINT) from exc
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


def _utf16_codec(data: bytes) -> str | None:
    """The codec of UTF-16 text (Excel's "Unicode Text"), with or without its BOM; None for other text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:UTF16_SAMPLE_BYTES]
    if len(sample) < 2:
        return None
    # ASCII-heavy UTF-16 has a NUL in every other byte: odd bytes for little endian.
    if sample[1::2].count(0) > len(sample) // 4:
        return "utf-16-le"
    if sample[0::2].count(0) > len(sample) // 4:
        return "utf-16-be"
    return None


def _delimiter(text: str) -> str:
    # "Unicode Text" and some ERP exports separate by tabs; the back office by commas.
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


# A line and its end as io.StringIO(newline="") splits them: \n, \r\n or a lone \r
# (str.splitlines also splits at \x0b, \x85, \u2028 and others, which may be inside a cell).
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    # One line at a time: io.StringIO copies the whole text into 4 bytes a
    # character (75 MB more for a 200,000-row GBK export).
    return (match.group() for match in LINE.finditer(text))


def _csv_records(text: str, path: Path) -> Iterator[Record]:
    reader = csv.reader(_lines(text), delimiter=_delimiter(text))
    lines_read = 0
    try:
        for cells in reader:
            yield Record(lines_read + 1, cells)
            lines_read = reader.line_num
    except csv.Error as exc:
        raise InputFileError(f"{path.name} line {lines_read + 1} is not valid CSV: {exc}", EXPORT_HINT) from exc
