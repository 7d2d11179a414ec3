"""Results as the JSON contracts in ARCHITECTURE.md, and as evidence for the scan record."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from capture.types import Decoded, LabelFacts, Outcome, ScanResult

CONFIDENCE_DIGITS = 4
MS_DIGITS = 1
# A full mobile number in OCR text: only its last four digits are kept in records.
FULL_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{5}(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    return FULL_MOBILE.sub(lambda m: "*******" + m.group(1), text)


def scan_contract(result: ScanResult) -> dict[str, Any]:
    """One `waybill scan --json` object."""
    outcome = result.outcome
    candidate = outcome.candidate
    return {
        "path": result.path,
        "status": outcome.status.value,
        "waybill": candidate.number if candidate else None,
        "carrier": candidate.carrier if candidate else None,
        "via": candidate.via.value if candidate else None,
        "confidence": round(outcome.confidence, CONFIDENCE_DIGITS),
        "order": outcome.order.tid if outcome.order else None,
        "reasons": [str(r) for r in outcome.reasons],
        "ms": round(result.ms, MS_DIGITS),
        # Added keys (the contract allows additions):
        "detail": outcome.detail,
        "candidates": [c.number for c in outcome.candidates],
        "scan_id": result.scan_id,
        "orders": [o.tid for o in outcome.orders],  # more than one: a merged shipment
    }


def decode_contract(path: str, decoded: Decoded) -> dict[str, Any]:
    """One `waybill decode --json` object."""
    return {
        "path": path,
        "barcodes": [
            {"text": b.text, "format": b.format, "engine": b.engine, "box": _box(b.box)} for b in decoded.barcodes
        ],
        "ocr": [
            {"text": ln.text, "score": round(ln.score, CONFIDENCE_DIGITS), "box": _box(ln.box)} for ln in decoded.lines
        ],
    }


def evidence(decoded: Decoded | None, facts: LabelFacts | None, outcome: Outcome) -> dict[str, Any]:
    """What the decision was based on, for the scan record (no full phone numbers exist to leak)."""
    out: dict[str, Any] = {"detail": outcome.detail, "match_via": outcome.match_via}
    if decoded is not None:
        out["barcodes"] = [{"text": b.text, "format": b.format, "engine": b.engine} for b in decoded.barcodes]
        out["ocr"] = [
            {"text": mask_phones(ln.text), "score": round(ln.score, CONFIDENCE_DIGITS)} for ln in decoded.lines
        ]
        out["ocr_lines_unread"] = decoded.unread_lines
    if facts is not None:
        out["candidates"] = [{**asdict(c), "via": c.via.value} for c in facts.candidates]
        out["order_numbers"] = list(facts.order_numbers)
        out["people"] = [asdict(p) for p in facts.people]
        out["conflicts"] = list(facts.conflicts)
    out["orders_considered"] = [o.tid for o in outcome.orders_considered]
    # Recipient scores, best first: the runners-up a person weighs in review.
    out["scores"] = [asdict(s) for s in outcome.scores]
    out["also_orders"] = [o.tid for o in outcome.also_orders]
    return out


def _box(box: tuple) -> list[list[float]]:
    return [[round(x, 1), round(y, 1)] for x, y in box]
