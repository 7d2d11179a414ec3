"""The evidence stored with a scan: what its decision was based on, typed, and its JSON form.

Written once per scan (decisions.commit_scan) and read back wherever a
person or the desk settles that scan later (review, desk pairing).  This
module is the only place that knows the JSON keys.  It reads what release
166f131 stored too, where conflicts were sentences.

No full phone number is stored: OCR text has every mobile and landline
number (the shop's own, printed as the sender, too) masked to its last four
digits before it is kept; people are kept with their phone's tail only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from capture.types import (
    Candidate,
    Conflict,
    ConflictKind,
    Decoded,
    LabelFacts,
    MatchVia,
    OrderScore,
    Outcome,
    Person,
    Role,
    Via,
)

SCORE_DIGITS = 4
# A full phone number in OCR text: only its last four digits are kept in records.
# Mobiles with or without +86 and spaces or hyphens (138 1234 5678), and
# landlines with their area code (0755-86012345, 021 1234 5678): the
# shop's own number printed as the sender is a number too.
FULL_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?(\d{4})(?!\d)")
FULL_LANDLINE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?\(?0\d{2,3}\)?[- ]?\d{3,4}[- ]?(\d{4})(?!\d)")
MASKED = "*******"
# Every match of either pattern holds three digits, maybe a space or hyphen,
# then four digits.  Text without that (most free text, and addresses such
# as 文123路45号) is returned as it is without running the two substitutions.
PHONE_HINT = re.compile(r"\d{3}[- ]?\d{4}")
# How release 166f131 wrote each conflict kind, to read its evidence back.
OLD_CONFLICT_SENTENCES = (
    (ConflictKind.OCR_MISREAD, re.compile(r"ocr misread (?P<ocr>\S+) of barcode (?P<barcode>\S+?);")),
    (
        ConflictKind.BARCODE_OCR_DISAGREE,
        re.compile(r"barcode_ocr_disagree: barcode (?P<barcode>\S+) vs OCR (?P<ocr>\S+)"),
    ),
)


def mask_phones(text: str) -> str:
    if not PHONE_HINT.search(text):
        return text
    for phone in (FULL_MOBILE, FULL_LANDLINE):
        text = phone.sub(lambda m: MASKED + m.group(1), text)
    return text


@dataclass(frozen=True)
class BarcodeSeen:
    text: str
    format: str
    engine: str


@dataclass(frozen=True)
class LineSeen:
    text: str  # phone numbers masked
    score: float


@dataclass(frozen=True)
class ScanEvidence:
    detail: str = ""
    match_via: MatchVia | None = None
    # None: the photo was never decoded (unreadable); () : decoded, nothing found.
    barcodes: tuple[BarcodeSeen, ...] | None = None
    ocr: tuple[LineSeen, ...] = ()
    ocr_lines_unread: int = 0
    facts: LabelFacts | None = None  # None: nothing was read off a label
    orders_considered: tuple[str, ...] = ()
    # Recipient scores, best first: the runners-up a person weighs in review.
    scores: tuple[OrderScore, ...] = ()
    also_orders: tuple[str, ...] = ()

    @classmethod
    def of(cls, decoded: Decoded | None, facts: LabelFacts | None, outcome: Outcome) -> ScanEvidence:
        return cls(
            detail=outcome.detail,
            match_via=outcome.match_via,
            barcodes=None
            if decoded is None
            else tuple(BarcodeSeen(b.text, b.format, b.engine) for b in decoded.barcodes),
            ocr=() if decoded is None else tuple(LineSeen(mask_phones(ln.text), ln.score) for ln in decoded.lines),
            ocr_lines_unread=decoded.unread_lines if decoded is not None else 0,
            facts=facts,
            orders_considered=tuple(o.tid for o in outcome.orders_considered),
            scores=outcome.scores,
            also_orders=tuple(o.tid for o in outcome.also_orders),
        )

    @property
    def label(self) -> LabelFacts:
        """The label's facts, empty when none were read."""
        return self.facts if self.facts is not None else LabelFacts((), (), ())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"detail": self.detail, "match_via": self.match_via.value if self.match_via else ""}
        if self.barcodes is not None:
            out["barcodes"] = [asdict(b) for b in self.barcodes]
            out["ocr"] = [{"text": ln.text, "score": round(ln.score, SCORE_DIGITS)} for ln in self.ocr]
            out["ocr_lines_unread"] = self.ocr_lines_unread
        if self.facts is not None:
            out |= facts_to_json(self.facts)
        out["orders_considered"] = list(self.orders_considered)
        out["scores"] = [asdict(s) for s in self.scores]
        out["also_orders"] = list(self.also_orders)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScanEvidence:
        decoded = "barcodes" in data
        return cls(
            detail=data.get("detail", ""),
            match_via=MatchVia(data["match_via"]) if data.get("match_via") else None,
            barcodes=tuple(BarcodeSeen(**b) for b in data["barcodes"]) if decoded else None,
            ocr=tuple(LineSeen(ln["text"], ln["score"]) for ln in data.get("ocr", [])),
            ocr_lines_unread=data.get("ocr_lines_unread", 0),
            facts=facts_from_json(data) if "candidates" in data else None,
            orders_considered=tuple(data.get("orders_considered", [])),
            scores=tuple(OrderScore(**{**s, "unread": tuple(s.get("unread", ()))}) for s in data.get("scores", [])),
            also_orders=tuple(data.get("also_orders", [])),
        )


def facts_to_json(facts: LabelFacts) -> dict[str, Any]:
    return {
        "candidates": [{**asdict(c), "via": c.via.value} for c in facts.candidates],
        "order_numbers": list(facts.order_numbers),
        "people": [{**asdict(p), "role": p.role.value} for p in facts.people],
        "conflicts": [{"kind": c.kind.value, "barcode": c.barcode, "ocr": c.ocr} for c in facts.conflicts],
    }


def facts_from_json(data: Mapping[str, Any]) -> LabelFacts:
    candidates = tuple(
        Candidate(
            number=c["number"],
            carrier=c["carrier"],
            via=Via(c["via"]),
            confidence=c["confidence"],
            ocr_reads=c.get("ocr_reads", 0),
            barcode_reads=c.get("barcode_reads", 0),
        )
        for c in data.get("candidates", [])
    )
    people = tuple(
        Person(p["name"], p["phone_tail"], p["address"], Role(p.get("role", ""))) for p in data.get("people", [])
    )
    conflicts = tuple(c for c in map(_conflict, data.get("conflicts", [])) if c is not None)
    return LabelFacts(candidates, tuple(data.get("order_numbers", [])), people, conflicts)


def _conflict(stored: Mapping[str, str] | str) -> Conflict | None:
    if not isinstance(stored, str):
        return Conflict(ConflictKind(stored["kind"]), stored["barcode"], stored["ocr"])
    for kind, sentence in OLD_CONFLICT_SENTENCES:
        found = sentence.search(stored)
        if found:
            return Conflict(kind, barcode=found["barcode"], ocr=found["ocr"])
    return None
