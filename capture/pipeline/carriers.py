"""The carrier table: which strings are waybill numbers, and whose.

A number is accepted only when it matches exactly one carrier's pattern in
full (and that carrier's check digit, where it has one).  Patterns are kept
narrow on purpose: every label also carries phone numbers (11 digits),
marketplace order numbers (16-20 digits), sorting codes, dates and weights,
and none of those may pass for a waybill.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# UPU S10 (EMS / China Post international and registered mail): two letters,
# eight serial digits, a check digit, two-letter country code.
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
S10_PATTERN = re.compile(r"^[A-Z]{2}(\d{8})(\d)[A-Z]{2}$")

# JD prints a package suffix after the waybill: JDVA00012345678-1-1-
JD_PACKAGE_SUFFIX = re.compile(r"^(JD[0-9A-Z]{2}\d{11})-\d+-\d+-?$")


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an 8-digit serial (S10 standard, section 5.3)."""
    total = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return 0
    if check == 11:
        return 5
    return check


def s10_valid(number: str) -> bool:
    m = S10_PATTERN.match(number)
    return m is not None and s10_check_digit(m.group(1)) == int(m.group(2))


@dataclass(frozen=True)
class Carrier:
    code: str  # our stable code, used in the DB and the JSON contract
    name: str  # the name shops and exports use
    aliases: tuple[str, ...]  # other names seen in order exports and on labels
    pattern: re.Pattern[str]
    check: Callable[[str], bool] | None = None  # check-digit rule, if the carrier has one

    def accepts(self, number: str) -> bool:
        if not self.pattern.fullmatch(number):
            return False
        return self.check(number) if self.check else True

    @property
    def has_check_digit(self) -> bool:
        return self.check is not None


CARRIERS: tuple[Carrier, ...] = (
    Carrier("SF", "顺丰速运", ("顺丰", "SF Express"), re.compile(r"SF\d{13}")),
    Carrier("ZTO", "中通快递", ("中通", "ZTO Express"), re.compile(r"7[3-9]\d{12}")),
    Carrier("YTO", "圆通速递", ("圆通", "YTO Express"), re.compile(r"YT\d{13}")),
    Carrier("STO", "申通快递", ("申通", "STO Express"), re.compile(r"77\d{13}")),
    Carrier("YUNDA", "韵达快递", ("韵达", "Yunda"), re.compile(r"(31|43|46)\d{11}")),
    Carrier("JT", "极兔速递", ("极兔", "J&T Express", "J&T"), re.compile(r"JT\d{13}")),
    Carrier("JD", "京东快递", ("京东", "京东物流", "JD Logistics"), re.compile(r"JD[0-9A-Z]{2}\d{11}")),
    Carrier(
        "EMS",
        "EMS",
        ("中国邮政", "邮政快递包裹", "中国邮政速递物流", "China Post", "EMS经济快递"),
        re.compile(r"(10|11|50|51|95|97|98|99)\d{11}|[A-Z]{2}\d{9}[A-Z]{2}"),
        check=lambda n: s10_valid(n) if n[0].isalpha() else True,
    ),
    Carrier("DEPPON", "德邦快递", ("德邦", "德邦物流", "Deppon"), re.compile(r"DPK\d{12}")),
    Carrier("CAINIAO", "菜鸟速递", ("菜鸟", "菜鸟裹裹", "Cainiao"), re.compile(r"CN\d{13}")),
)

BY_CODE: dict[str, Carrier] = {c.code: c for c in CARRIERS}


def canonical(text: str) -> str:
    """Strip what a barcode or a print run puts around a number, nothing more.

    Upper-cases, drops spaces and the JD package suffix.  It does not guess at
    OCR confusions (O/0, I/1): that would turn near-misses into numbers.
    """
    s = re.sub(r"\s+", "", text).upper()
    m = JD_PACKAGE_SUFFIX.match(s)
    return m.group(1) if m else s


def identify(text: str) -> Carrier | None:
    """The one carrier whose format `text` fits, or None (also when several fit)."""
    number = canonical(text)
    fits = [c for c in CARRIERS if c.accepts(number)]
    return fits[0] if len(fits) == 1 else None


def by_name(name: str) -> Carrier | None:
    """Find a carrier from the name an order export or a marketplace uses."""
    wanted = name.strip().upper()
    if not wanted:
        return None
    for c in CARRIERS:
        names = (c.code, c.name, *c.aliases)
        if any(wanted == n.upper() for n in names):
            return c
    for c in CARRIERS:
        if any(n.upper() in wanted for n in (c.name, *c.aliases) if len(n) >= 2):
            return c
    return None
