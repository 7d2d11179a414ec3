"""Results as the JSON contracts in ARCHITECTURE.md."""

from __future__ import annotations

from typing import Any

from capture.types import Decoded, ScanResult

CONFIDENCE_DIGITS = 4
MS_DIGITS = 1


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
        "shop": outcome.order.shop if outcome.order else None,  # which of the seller's shops the order is in
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


def _box(box: tuple) -> list[list[float]]:
    return [[round(x, 1), round(y, 1)] for x, y in box]
