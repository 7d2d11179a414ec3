"""One cell's value, as the export meant it.

Exports dress values up so Excel keeps them: ="2751925651837878487", a
leading ' or tab.  Those wrappers come off.  Anything else that starts like
a formula (= + - @) is text and stays exactly as written: it is never
evaluated, never unwrapped further, and never read as a number, so
"=1+1", "+3" or "-2" in a quantity is a problem on that line, not 2 or 3.
Free text (buyer message, seller note, titles, address) has every phone
number masked to its last four digits before it goes anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from capture.evidence import mask_phones
from capture.pipeline.carriers import by_name, canonical

if TYPE_CHECKING:
    from capture.store.order_source import OrderNumberRule

BOM = "\ufeff"

# ="2751925651837878487": the export's way of keeping a long number as text.
# One quoted string and nothing else: ="a"&"b" is a formula, kept as written.
EXCEL_TEXT_FORMULA = re.compile(r'=\s*"([^"]*)"')
# 2.75193E+18: Excel opened the file and rounded the order number away.
SCIENTIFIC_NUMBER = re.compile(r"\d+(\.\d+)?E\+?\d+", re.IGNORECASE)
FORMULA_STARTS = ("=", "+", "-", "@")
# First characters of a cell that clean_value may have to take off or unwrap.
WRAPPER_STARTS = frozenset(("=", "'", BOM))

# The export writes one of these when an order has no waybill (compared upper case).
NO_WAYBILL = frozenset({"", "NO", "NONE", "无", "-"})
# Several waybills in one cell (split parcels), in the order they were shipped.
WAYBILL_SEPARATOR = re.compile(r"[,;、\n]")

# More than this many items of one line is a typo or a formula's result, not a parcel.
MAX_QUANTITY = 100_000


class CellRejected(ValueError):
    """This cell cannot be read as what its column holds; the message says why, for the user."""


def clean_value(raw: str) -> str:
    """A cell without what Excel-safe exports wrap around it.

    ="123" (a text formula), a leading ' (Excel's text marker), a leading tab
    (another export's trick) and surrounding spaces, full-width ones included.
    """
    if not raw:
        return raw
    first, last = raw[0], raw[-1]
    # Most cells are plain: nothing to strip at either end and no wrapper to take off.
    if first not in WRAPPER_STARTS and not first.isspace() and not last.isspace() and last != BOM:
        return raw
    value = raw.strip().strip(BOM).strip()
    formula = EXCEL_TEXT_FORMULA.fullmatch(value)
    if formula:
        value = formula.group(1).strip()
    if value.startswith("'"):
        value = value[1:].strip()
    return value


def free_text(value: str) -> str:
    """Text a person wrote (message, note, title, address), already cleaned: kept as written, phones masked."""
    return mask_phones(value) if value else value


def order_number(value: str, label: str, rule: OrderNumberRule | None = None) -> str:
    """The order number in a cell; `rule`: the shop's marketplace's shape of one (default: all digits, Taobao's)."""
    tid = unicodedata.normalize("NFKC", value)  # full-width digits -> ASCII
    if not tid:
        raise CellRejected(f"no order number ({label} is empty)")
    if SCIENTIFIC_NUMBER.fullmatch(tid):
        raise CellRejected(
            f"order number {tid!r} was rounded by Excel; export again and import the file without opening it in Excel"
        )
    if rule is not None:
        if not (tid.isascii() and rule.accepts(tid)):
            raise CellRejected(f"order number {tid!r} is not {rule.description}")
    elif not (tid.isascii() and tid.isdigit()):
        raise CellRejected(f"order number {tid!r} is not all digits")
    return tid


def quantity(value: str, label: str) -> int:
    """A count of items: plain digits only.  "+2", "=1+1" and "-1" are refused, never computed."""
    text = unicodedata.normalize("NFKC", value)
    if text.startswith(FORMULA_STARTS):
        raise CellRejected(f"{label} {value!r} starts like a formula; only a plain number of items is read")
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_QUANTITY:
        raise CellRejected(f"{label} {value!r} is not a number of items (1 to {MAX_QUANTITY:,})")
    return int(text)


def optional_quantity(value: str, label: str) -> int | None:
    return quantity(value, label) if value else None


def waybills(raw: str) -> tuple[str, ...]:
    """Every waybill number in the cell, first shipped first; () when the order has none."""
    if not raw:
        return ()
    numbers = (canonical(part) for part in WAYBILL_SEPARATOR.split(unicodedata.normalize("NFKC", raw)))
    return tuple(dict.fromkeys(n for n in numbers if n.upper() not in NO_WAYBILL))


# An export names a handful of carriers over and over.
@lru_cache(maxsize=256)
def carrier_name(raw: str) -> str:
    # The carrier's own name when we know it ("中通" and "ZTO" are one
    # carrier), otherwise the export's wording, so nothing is lost.
    carrier = by_name(raw)
    return carrier.name if carrier else raw
