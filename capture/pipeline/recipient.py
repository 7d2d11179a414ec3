"""Recipient scoring: how well a person read off a label fits an order's receiver.

Pure functions, no I/O.  Three parts, each 0-1:

* name: edit distance, so one wrong, missing or extra character (OCR) costs
  a share, not everything; a masked character (张*, 隐私面单) counts half;
* phone: labels print a mask (138****1234), the last four alone or the full
  number, and orders keep only the last four, so the tail is compared; one
  wrong digit (OCR) counts half;
* address: how many of the label's character pairs the order's address
  has, after both drop what labels and exports write or leave out at will
  (省/市, spaces, postcodes, full-width forms), with house numbers weighed
  on their own.

The weighted sum over the parts the label shows is the score: a part not
read at all (the name under a hand, the address line lost to blur) says
nothing either way, so it neither counts for the order nor against it; a
part read and wrong counts against it.  At least two parts must be read.
The thresholds below were set on the
generated sample sets and the traps in tests/unit/test_recipient.py; they
lean to review: one wrong order uploaded costs more than ten reviews.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from capture.types import OrderRef, OrderScore, Person

# --- weights and thresholds ----------------------------------------------------

# Name and phone say who, the address where.  Any two perfect parts
# (0.65-0.70) stay under ACCEPT_MIN_SCORE: all three must speak for an order.
NAME_WEIGHT = 0.35
PHONE_WEIGHT = 0.35
ADDRESS_WEIGHT = 0.30
# An order is taken only at this score or above.  Examples that pass: one
# wrong name character in a three-character name (0.88); one wrong phone
# digit with name and address right (0.83); a fully masked name with phone
# and address right (0.83).  Two flaws at once (a wrong name character and a
# wrong phone digit: 0.71) do not pass: that photo goes to review.
ACCEPT_MIN_SCORE = 0.80
# The winner must lead every other open order (of another buyer) by this
# much.  The same name and phone tail at another address (the buyer's office)
# scores about 0.35 + 0.35 + 0.3 * 0.3 = 0.79; against the right order (1.0)
# that is a gap of 0.21, so the right order still wins; a near namesake at a
# similar address does not.
CLEAR_MARGIN = 0.15
# Each part must also reach its floor on its own: name and phone right but a
# different address (0.84) is a parcel for another address (the buyer moved,
# or the seller changed the order's address after printing): review.
NAME_FLOOR = 0.5
PHONE_FLOOR = 0.5
ADDRESS_FLOOR = 0.6
# Two orders are one buyer's (one parcel may ship both, 合并发货) only with
# the same name and phone tail and nearly the same address.
SAME_ADDRESS_MIN = 0.9

# A masked name character (张*) is known to exist but not which it is.
MASKED_CHAR_CREDIT = 0.5
NAME_MASKS = frozenset("*＊×xX")
# One wrong digit in the tail: OCR misread or another phone; half the weight.
PHONE_ONE_DIGIT_OFF = 0.5
# An order is judged on at least this many parts read off the label.
MIN_PARTS_READ = 2
# With one part unread the other two carry the decision alone, so each must
# be nearly certain: a phone tail one digit off, or an address that is only
# like the order's, is review.
PHONE_FLOOR_ALONE = 1.0
ADDRESS_FLOOR_ALONE = 0.85
NAME_FLOOR_ALONE = 0.99

# Share of the address score from "how much of the label's address is in the
# order's" (labels leave out province or city, or get cut at the line end);
# the rest from "how much of the order's address the label shows".
LABEL_COVERAGE_SHARE = 0.75
# House, building and room numbers tell neighbours apart.  Each digit run of
# the label missing from the order costs a share of (1 - DIGITS_FLOOR).
DIGITS_FLOOR = 0.7
# Fewer characters than this (after normalising) say too little to count in full.
MIN_ADDRESS_CHARS = 8
# Fewer than this is no address read at all (a line end: 02室).
ADDRESS_READ_MIN_CHARS = 4
# A digit run of the label one digit off the order's (OCR: 290 for 296) is
# half a match, not none.
DIGITS_ONE_OFF_CREDIT = 0.5
# The order's whole address inside the label's text (a neighbouring line,
# often the sender's, joined on by OCR): as good as this.
CONTAINED_CREDIT = 0.95
CONTAINED_MIN_COMPLETENESS = 0.85

# --- normalising ---------------------------------------------------------------

# What exports and labels write or leave out at will: administrative suffixes
# (浙江省 / 浙江, 杭州市 / 杭州), ethnic words of autonomous regions.
ADMIN_WORDS = re.compile(r"特别行政区|自治区|自治州|壮族|回族|维吾尔|省|市")
# Punctuation and spaces, written or not (文三路 123 号 / 文三路123号).
ADDRESS_PUNCTUATION = re.compile(r"[\s,，。.、·:：;；\-—_#/\\()（）【】\[\]]")
# The export ends the address with its postcode: 文三路1号(310012).
POSTCODE = re.compile(r"[(（]\d{6}[)）]")
# Municipalities are their own province: exports write 上海 上海市 浦东新区.
REPEATED_MUNICIPALITY = re.compile(r"^(北京|上海|天津|重庆)\1")
DIGIT_RUN = re.compile(r"\d+")
NAME_SEPARATORS = re.compile(r"[\s·•・.。]")


def normalize_name(name: str) -> str:
    return NAME_SEPARATORS.sub("", unicodedata.normalize("NFKC", name))


# A label's boxed 收 marker read as the address's first character.
ADDRESS_MARKER = re.compile(r"^(收件人|收货人|收)")


def normalize_address(address: str) -> str:
    text = ADDRESS_MARKER.sub("", unicodedata.normalize("NFKC", address).strip())
    text = POSTCODE.sub("", text)
    text = ADDRESS_PUNCTUATION.sub("", text)
    text = ADMIN_WORDS.sub("", text)
    return REPEATED_MUNICIPALITY.sub(r"\1", text)


def is_masked(name: str) -> bool:
    return any(ch in NAME_MASKS for ch in name)


# --- parts -----------------------------------------------------------------------


def name_similarity(label_name: str, order_name: str) -> float:
    """1.0 for the same name; one edit in a three-character name leaves 0.67."""
    a, b = normalize_name(label_name), normalize_name(order_name)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    distance = _edit_distance(a, b)
    similarity = max(0.0, 1.0 - distance / max(len(a), len(b)))
    masked = sum(ch in NAME_MASKS for ch in a)
    if masked:
        # A mask matches any character, but says less than the character would.
        similarity *= 1.0 - (1.0 - MASKED_CHAR_CREDIT) * masked / len(a)
    return round(similarity, 3)


def _edit_distance(label: str, order: str) -> int:
    """Levenshtein distance; a mask character on the label matches any character."""
    previous = list(range(len(order) + 1))
    for i, x in enumerate(label, 1):
        current = [i]
        for j, y in enumerate(order, 1):
            same = x == y or x in NAME_MASKS
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (0 if same else 1)))
        previous = current
    return previous[-1]


def phone_similarity(label_tail: str, order_tail: str) -> float:
    if len(label_tail) != 4 or len(order_tail) != 4:
        return 0.0
    differing = sum(x != y for x, y in zip(label_tail, order_tail, strict=True))
    if differing == 0:
        return 1.0
    return PHONE_ONE_DIGIT_OFF if differing == 1 else 0.0


def address_similarity(label_address: str, order_address: str) -> float:
    """How well the label's address fits the order's: 1.0 when they say the same."""
    a, b = normalize_address(label_address), normalize_address(order_address)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    label_pairs, order_pairs = _pairs(a), _pairs(b)
    if not label_pairs or not order_pairs:
        return 0.0
    matched = sum((label_pairs & order_pairs).values())
    coverage = matched / sum(label_pairs.values())
    completeness = matched / sum(order_pairs.values())
    score = LABEL_COVERAGE_SHARE * coverage + (1.0 - LABEL_COVERAGE_SHARE) * completeness
    score *= _digits_agreement(a, b)
    if completeness >= CONTAINED_MIN_COMPLETENESS:
        # Every number of the order's address must then be on the label too.
        score = max(score, CONTAINED_CREDIT * completeness * _digits_agreement(b, a))
    score *= min(1.0, len(a) / MIN_ADDRESS_CHARS)
    return round(score, 3)


def _pairs(text: str) -> Counter[str]:
    """Adjacent character pairs, counted.

    Pairs rather than one alignment of the two strings: a label's wrapped
    lines can come back from OCR in the wrong order (国际7幢901室 河南省郑州市
    ...), which breaks an alignment in two but costs pairs only at the seam.
    """
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def _digits_agreement(label: str, order: str) -> float:
    label_runs = [(m.group(), m.end() == len(label)) for m in DIGIT_RUN.finditer(label)]
    if not label_runs:
        return 1.0
    order_runs = DIGIT_RUN.findall(order)
    found = 0.0
    for run, at_end in label_runs:
        # A run at the very end of the label's address may be cut off with
        # the line (...20幢2 for 20幢201室): a prefix of the order's run is enough.
        match = next((r for r in order_runs if r == run or (at_end and r.startswith(run))), None)
        credit = 1.0
        if match is None:
            match = next((r for r in order_runs if _one_digit_off(r, run)), None)
            credit = DIGITS_ONE_OFF_CREDIT
        if match is not None:
            order_runs.remove(match)
            found += credit
    return DIGITS_FLOOR + (1.0 - DIGITS_FLOOR) * found / len(label_runs)


def _one_digit_off(a: str, b: str) -> bool:
    return len(a) == len(b) > 1 and sum(x != y for x, y in zip(a, b, strict=True)) == 1


# --- orders ------------------------------------------------------------------------


# With name and phone this far off, even a perfect address leaves the order
# unable to fit (ACCEPT_MIN_SCORE) or to rival one that does (it would need
# more than ACCEPT_MIN_SCORE - CLEAR_MARGIN): its address is not compared.
# Comparing addresses is most of the cost of scoring, and most orders that
# share a phone tail belong to strangers.
IRRELEVANT_BELOW = ACCEPT_MIN_SCORE - CLEAR_MARGIN


def unread_parts(person: Person, order: OrderRef) -> tuple[str, ...]:
    """The parts the label did not show for this order: never read, or read only in part.

    A name read as a piece of the order's (帅 of 李帅, the rest under a
    hand) is not a different name, and a name printed as masks alone (*)
    is no name: neither is counted either way.
    """
    name = normalize_name(person.name)
    order_name = normalize_name(order.receiver_name)
    unread = []
    # Only masks (*, the whole name hidden on a privacy label) say no more than a blank.
    wholly_masked = all(ch in NAME_MASKS for ch in name)
    if wholly_masked or (not is_masked(name) and len(name) < len(order_name) and name in order_name):
        unread.append("name")
    if len(person.phone_tail) != 4:
        unread.append("phone")
    if len(normalize_address(person.address)) < ADDRESS_READ_MIN_CHARS:
        unread.append("address")
    return tuple(unread)


def score(person: Person, order: OrderRef) -> OrderScore:
    """The order's score against one person, over the parts read; `address` is 0.0 when name and phone rule it out."""
    unread = unread_parts(person, order)
    name = name_similarity(person.name, order.receiver_name)
    phone = phone_similarity(person.phone_tail, order.phone_tail)
    weights = {
        part: weight
        for part, weight in (("name", NAME_WEIGHT), ("phone", PHONE_WEIGHT), ("address", ADDRESS_WEIGHT))
        if part not in unread
    }
    read_weight = sum(weights.values())
    if len(weights) < MIN_PARTS_READ or read_weight == 0:
        return OrderScore(order.tid, order.status, 0.0, name, phone, 0.0, unread)
    who = weights.get("name", 0.0) * name + weights.get("phone", 0.0) * phone
    reachable = (who + weights.get("address", 0.0)) / read_weight
    address = (
        address_similarity(person.address, order.address)
        if "address" in weights and reachable > IRRELEVANT_BELOW
        else 0.0
    )
    total = (who + weights.get("address", 0.0) * address) / read_weight
    return OrderScore(order.tid, order.status, round(total, 3), name, phone, address, unread)


def best_score(people: tuple[Person, ...], order: OrderRef) -> OrderScore:
    """The order's score against the person on the label who fits it best."""
    scores = [score(p, order) for p in people]
    return max(scores, key=lambda s: s.score) if scores else OrderScore(order.tid, order.status, 0.0, 0.0, 0.0, 0.0)


def fits(s: OrderScore) -> bool:
    """Score and every part read high enough for this order to be taken.

    With a part unread, the two read must each be all but certain.
    """
    if s.score < ACCEPT_MIN_SCORE or len(s.unread) > 3 - MIN_PARTS_READ:
        return False
    alone = bool(s.unread)
    floors = {
        "name": (s.name, NAME_FLOOR_ALONE if alone else NAME_FLOOR),
        "phone": (s.phone, PHONE_FLOOR_ALONE if alone else PHONE_FLOOR),
        "address": (s.address, ADDRESS_FLOOR_ALONE if alone else ADDRESS_FLOOR),
    }
    return all(value >= floor for part, (value, floor) in floors.items() if part not in s.unread)


def contradicts(s: OrderScore) -> bool:
    """Neither the name nor the phone of any person on the label is this order's.

    Used for desk pairing, where the packer names the order: the pair is
    trusted unless the label says plainly that it is someone else's parcel.
    """
    return s.name < NAME_FLOOR and s.phone < PHONE_FLOOR


def same_recipient(a: OrderRef, b: OrderRef) -> bool:
    """Two orders of one buyer to one address (one parcel can ship both)."""
    return (
        normalize_name(a.receiver_name) == normalize_name(b.receiver_name)
        and a.phone_tail == b.phone_tail
        and min(address_similarity(a.address, b.address), address_similarity(b.address, a.address)) >= SAME_ADDRESS_MIN
    )
