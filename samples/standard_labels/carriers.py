"""Carrier codes, their public waybill-number formats, and how each prints its number."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str  # the name printed in the logo area
    export_name: str  # 物流公司 as the Taobao order export writes it
    latin: str  # the latin part of the logo
    hotline: str
    pattern: str  # the full-match regular expression of its waybill number


CARRIERS: dict[str, Carrier] = {
    c.code: c
    for c in (
        Carrier("SF", "顺丰速运", "顺丰速运", "SF EXPRESS", "95338", r"SF\d{13}"),
        Carrier("ZTO", "中通快递", "中通快递", "ZTO EXPRESS", "95311", r"7[3-9]\d{12}"),
        Carrier("YTO", "圆通速递", "圆通速递", "YTO EXPRESS", "95554", r"YT\d{13}"),
        Carrier("STO", "申通快递", "申通快递", "STO EXPRESS", "95543", r"77\d{13}"),
        Carrier("YUNDA", "韵达快递", "韵达快递", "YUNDA", "95546", r"(31|43|46)\d{11}"),
        Carrier("JT", "极兔速递", "极兔速递", "J&T EXPRESS", "956025", r"JT\d{13}"),
        Carrier("JD", "京东快递", "京东快递", "JD", "950616", r"JD[0-9A-Z]{2}\d{11}"),
        Carrier("EMS", "中国邮政", "EMS", "EMS", "11183", r"(10|11|50|51|95|97|98|99)\d{11}|[A-Z]{2}\d{9}CN"),
        Carrier("DEPPON", "德邦快递", "德邦快递", "DEPPON", "95353", r"DPK\d{12}"),
        Carrier("CAINIAO", "菜鸟速递", "菜鸟速递", "CAINIAO", "9518899", r"CN\d{13}"),
    )
}

# How often each carrier appears on the shop's labels (a Taobao shop ships mostly with the 通达 group).
CARRIER_WEIGHTS: dict[str, float] = {
    "ZTO": 17,
    "YTO": 13,
    "YUNDA": 11,
    "STO": 10,
    "JT": 10,
    "SF": 11,
    "JD": 8,
    "EMS": 9,
    "CAINIAO": 5,
    "DEPPON": 6,
}

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
S10_SERVICES = ("EA", "EB", "EE", "EF", "EJ", "EM", "LB", "LE", "LK", "RB", "RR", "CP", "CY")
EMS_DOMESTIC_PREFIXES = ("10", "11", "50", "51", "95", "97", "98", "99")


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an 8-digit serial: weights 8,6,4,2,3,5,9,7; 11 - sum % 11; 10 -> 0, 11 -> 5."""
    total = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def new_waybill(code: str, rng: random.Random, s10: bool = False) -> str:
    """A fresh number in the carrier's public format."""
    if code == "SF":
        return "SF" + rng.choice("1234") + _digits(rng, 12)
    if code == "ZTO":
        return "7" + rng.choice("35689") + _digits(rng, 12)
    if code == "YTO":
        return "YT" + rng.choice("2345678") + _digits(rng, 12)
    if code == "STO":
        return "77" + rng.choice("0123456") + _digits(rng, 12)
    if code == "YUNDA":
        return rng.choice(("31", "43", "46")) + _digits(rng, 11)
    if code == "JT":
        return "JT" + rng.choice("0123456") + _digits(rng, 12)
    if code == "JD":
        pair = rng.choice(("VA", "VB", "VC", "VD", "VE", "VF", "X0", "AZ"))
        return "JD" + pair + _digits(rng, 11)
    if code == "EMS":
        if s10:
            serial = _digits(rng, 8)
            return rng.choice(S10_SERVICES) + serial + str(s10_check_digit(serial)) + "CN"
        return rng.choice(EMS_DOMESTIC_PREFIXES) + _digits(rng, 11)
    if code == "DEPPON":
        return "DPK" + rng.choice("3456") + _digits(rng, 11)
    if code == "CAINIAO":
        return "CN" + rng.choice("0123") + _digits(rng, 12)
    raise ValueError(f"unknown carrier {code}")


def is_valid_waybill(code: str, number: str) -> bool:
    """True when number is in the carrier's format (and, for an S10 number, its check digit is right)."""
    carrier = CARRIERS.get(code)
    if carrier is None or not re.fullmatch(carrier.pattern, number):
        return False
    if code == "EMS" and number.endswith("CN") and number[:2].isalpha():
        return int(number[10]) == s10_check_digit(number[2:10])
    return True


def jd_suffixed(number: str, package: int = 1, total: int = 1) -> str:
    """JD prints (and often encodes) the package suffix: JDVA12345678901-1-1-."""
    return f"{number}-{package}-{total}-"


def grouped(number: str, rng: random.Random) -> str:
    """The number as printed under the bars: plain, or spaced in groups like real labels."""
    style = rng.random()
    if number.endswith("CN") and number[:2].isalpha():  # S10 is printed "EA 123 456 785 CN"
        return f"{number[:2]} {number[2:5]} {number[5:8]} {number[8:11]} {number[11:]}" if style < 0.7 else number
    if style < 0.55:
        return number
    head = number[:2] if number[:2].isalpha() else ""
    if number.startswith("DPK"):
        head = "DPK"
    body = number[len(head) :]
    size = 4 if style < 0.85 else 3
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return " ".join(([head] if head else []) + parts)
