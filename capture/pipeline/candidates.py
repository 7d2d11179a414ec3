"""Which orders are worth scoring against a label's recipient, found through indexes only.

The lookup is passed in (an `OrderLookup`, see store.repo), so this module
does no I/O of its own.  `candidate_orders` may yield a match; the wider
searches below run only when nothing fits, and what they find is evidence
for the person who reviews the photo, never a match (both parts wrong at
once cannot reach recipient.ACCEPT_MIN_SCORE).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from capture.pipeline import checks, recipient
from capture.types import OrderRef, Person

# Orders one name lookup may bring.  A phone tail is shared by about one
# order in 10,000; a name like 王伟 by many more in a big shop, and with a
# wrong phone digit the name is all there is to look up by.
NAME_LOOKUP_LIMIT = 50
# Shorter names (one character, or a lone surname left by OCR) are not looked up.
NAME_LOOKUP_MIN_CHARS = 2
# When nothing fits, orders one phone digit away are looked up too, for the
# person who reviews the photo: a misread digit and a misread name at once.
# They cannot be taken (see candidate_orders); this bounds the lookup.
NEAR_TAIL_LIMIT = 200
# ... and orders at the label's address: a misread name and a misread phone
# tail together must not hide the order from that person.  The address is
# looked up by its road or estate with a house or building number (文三路123号,
# 金地华府6幢), the parts exports and labels write alike; this bounds each lookup.
ADDRESS_LOOKUP_LIMIT = 20
# Three characters of the name before the number: what an export writes
# unbroken (西湖区 文三路123号 has a space before 文, never inside 文三路).
ADDRESS_FRAGMENT = re.compile(r"[^\d\s,，()（）]{3}\d+(?:号楼|号院|号|幢|栋|弄)")
ADDRESS_FRAGMENTS_TRIED = 2


class OrderLookup(checks.QueueLookup, Protocol):
    """What matching needs to know about orders and the queue (see store.repo)."""

    def by_tid(self, tid: str) -> OrderRef | None: ...

    def by_phone_tail(self, tail: str) -> list[OrderRef]: ...

    def by_name(self, name: str, limit: int) -> list[OrderRef]:
        """Orders whose receiver is called exactly `name` (normalised), at most `limit`."""
        ...

    def by_phone_tails(self, tails: list[str], limit: int, name_like: str = "") -> list[OrderRef]:
        """Orders with any of these phone tails whose name shares its first or last character with `name_like`."""
        ...

    def open_at_address(self, fragment: str, limit: int) -> list[OrderRef]:
        """Open orders whose address contains `fragment`, at most `limit`."""
        ...


def candidate_orders(people: tuple[Person, ...], lookup: OrderLookup) -> dict[str, OrderRef]:
    """Orders worth scoring, found through indexes only: same phone tail, or same name.

    The tail finds the order when the name is misread or masked; the name
    finds it when a phone digit is misread.  Both wrong at once could not be
    accepted anyway (see recipient.ACCEPT_MIN_SCORE), so nothing wider is searched.
    """
    pool: dict[str, OrderRef] = {}
    for person in people:
        found = list(lookup.by_phone_tail(person.phone_tail)) if person.phone_tail else []
        name = recipient.normalize_name(person.name)
        if len(name) >= NAME_LOOKUP_MIN_CHARS and not recipient.is_masked(name):
            found += lookup.by_name(name, NAME_LOOKUP_LIMIT)
        for order in found:
            pool.setdefault(order.tid, order)
    return pool


def near_misses(people: tuple[Person, ...], pool: dict[str, OrderRef], lookup: OrderLookup) -> dict[str, OrderRef]:
    """Orders one phone digit away whose name is close: evidence for review, never a match."""
    found: dict[str, OrderRef] = {}
    for person in people:
        if len(person.phone_tail) != 4 or not person.name:
            continue
        tails = [
            person.phone_tail[:i] + d + person.phone_tail[i + 1 :]
            for i in range(4)
            for d in "0123456789"
            if d != person.phone_tail[i]
        ]
        for order in lookup.by_phone_tails(tails, NEAR_TAIL_LIMIT, recipient.normalize_name(person.name)):
            if (
                order.tid not in pool
                and recipient.name_similarity(person.name, order.receiver_name) >= recipient.NAME_FLOOR
            ):
                found[order.tid] = order
    return found


def at_address(people: tuple[Person, ...], pool: dict[str, OrderRef], lookup: OrderLookup) -> dict[str, OrderRef]:
    """Open orders at the label's address whose name and phone were not found: evidence for review, never a match."""
    found: dict[str, OrderRef] = {}
    for person in people:
        address = unicodedata.normalize("NFKC", person.address)
        for fragment in ADDRESS_FRAGMENT.findall(address)[:ADDRESS_FRAGMENTS_TRIED]:
            for order in lookup.open_at_address(fragment, ADDRESS_LOOKUP_LIMIT):
                if order.tid not in pool:
                    found[order.tid] = order
    return found
