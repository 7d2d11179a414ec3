"""The people a label names: recipient and sender blocks, each a name, a phone tail and an address.

Part of the extract stage (pipeline.extract calls `read_people` on the label's
rows, merged and in reading order).  Only the last four digits of a phone
are kept: orders keep no more, so matching needs no more.
"""

from __future__ import annotations

import re

from capture.pipeline.ocr_text import normalize
from capture.types import Person, Role, TextLine

# Mobile numbers as labels print them (138****5678, 138 **** 5678, full) and landlines.
MOBILE = re.compile(r"(?<!\d)1[3-9]\d[\d*]{4}(\d{4})(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{3,4}(\d{4})(?!\d)")
ADDRESS_MARKERS = re.compile(r"[省市区县镇乡路街道号村弄巷栋幢室]")
# Lines that carry address characters (号) but are something else.
NOT_ADDRESS = re.compile(r"订单|运单|单号|重量|\d{10,}")
# Words printed before a name: 收件人, 收, 寄件人, 姓名, and the colon after them.
NAME_LABELS = re.compile(r"(收件人|收货人|寄件人|发件人|姓名|收|寄|[:：])")
CJK_NAME = re.compile(r"[\u4e00-\u9fff·*]{1,6}")
ADDRESS_LABELS = re.compile(r"^(收件地址|收货地址|寄件地址|地址)[:：]?")
BLOCK_MARKERS = frozenset({"收", "寄", "收件", "寄件"})
# Address lines below a phone line that still belong to that person.
MAX_ADDRESS_LINES = 2
# Phones as labels print them besides MOBILE and LANDLINE: masked with other
# characters (138xxxx5678, 138••••5678; text is upper-cased) and the last four
# alone (****5678, 尾号5678).  Orders keep only the last four, so that is all
# matching needs.
MASKED_MOBILE = re.compile(r"(?<!\d)1[3-9]\d[\d*X•●·]{4}(\d{4})(?!\d)")
TAIL_ONLY = re.compile(r"(?:(?<![\dA-Z])[*X•●]{3,} ?|尾号[:：]? ?)(\d{4})(?!\d)")
PHONE_FORMS = (MOBILE, MASKED_MOBILE, LANDLINE, TAIL_ONLY)
# Words that say whose block it is.  Only what the label says: a block with no
# word (a big boxed 收 the OCR missed) has no role, and matching tries it.
SENDER_WORDS = re.compile(r"寄件人|发件人|寄件|寄方|^寄")
RECIPIENT_WORDS = re.compile(r"收件人|收货人|收件|收方|^收")
# A row holding only a labelled name ("收件人: 蒋志勇"), for a phone printed on the row below.
NAME_ROW = re.compile(r"^(?:收件人|收货人|寄件人|发件人|姓名)[:：]? ?([\u4e00-\u9fff·*]{1,6})$")


def _phone(text: str) -> re.Match[str] | None:
    for form in PHONE_FORMS:
        found = form.search(text)
        if found:
            return found
    return None


def _role(*texts: str) -> Role:
    for text in texts:
        if SENDER_WORDS.search(text):
            return Role.SENDER
        if RECIPIENT_WORDS.search(text):
            return Role.RECIPIENT
    return Role.UNKNOWN


def read_people(lines: list[TextLine], direction: tuple[float, float]) -> list[Person]:
    """Name, phone tail and address groups: a phone line, its name, the address lines under it."""
    ux, uy = direction
    # "Down" on the label is the reading direction turned 90 degrees clockwise (image y grows downward).
    dx, dy = -uy, ux

    def reading_order(ln: TextLine) -> tuple[float, float]:
        # Rows are ordered where they start, at their left edge: under a
        # camera's tilt a long row rises or falls along its length, and its
        # centre can pass above the shorter row printed over it (an address
        # after its name and phone row).
        (x0, y0), (x3, y3) = ln.box[0], ln.box[3]
        sx, sy = (x0 + x3) / 2, (y0 + y3) / 2
        return (sx * dx + sy * dy, sx * ux + sy * uy)

    texts = [normalize(ln.text) for ln in sorted(lines, key=reading_order)]
    people = []
    for i, text in enumerate(texts):
        phone = _phone(text)
        if not phone:
            continue
        before = text[: phone.start()]
        above = texts[i - 1] if i else ""
        name = _name_before(before)
        name_row = NAME_ROW.match(above.replace(" ", "")) if not name and not _phone(above) else None
        if name_row:
            name = name_row.group(1)
        address_parts = [_strip_address_label(text[phone.end() :])]
        # A big 收/寄 marker printed beside the block sorts between its lines.
        below_lines = [t for t in texts[i + 1 :] if t not in BLOCK_MARKERS]
        for below_text in below_lines[:MAX_ADDRESS_LINES]:
            if not _is_address_line(below_text):
                break
            address_parts.append(_strip_address_label(below_text))
        role = _role(before, above if (name_row or above in BLOCK_MARKERS) else "")
        address = "".join(address_parts).replace(" ", "")
        people.append(Person(name=name, phone_tail=phone.group(1), address=address, role=role))
    return people


def _is_address_line(text: str) -> bool:
    if _phone(text) or NOT_ADDRESS.search(text.replace(" ", "")):
        return False
    return bool(ADDRESS_MARKERS.search(text))


def _name_before(text: str) -> str:
    cleaned = NAME_LABELS.sub(" ", text).strip()
    names = CJK_NAME.findall(cleaned)
    return names[-1] if names else ""


def _strip_address_label(text: str) -> str:
    return ADDRESS_LABELS.sub("", text.strip()).strip()
