"""The evidence kept with a scan: what a person settling it later sees, as it was when it was decided."""

from __future__ import annotations

import json

from capture.evidence import ScanEvidence
from capture.types import (
    BarcodeRead,
    Candidate,
    Conflict,
    ConflictKind,
    Decoded,
    LabelFacts,
    MatchVia,
    OrderRef,
    OrderScore,
    Outcome,
    Person,
    Reason,
    Role,
    Status,
    TextLine,
    Via,
)

BOX = ((0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 5.0))
NUMBER = "SF1234567890123"


def _decided() -> tuple[Decoded, LabelFacts, Outcome]:
    decoded = Decoded(
        (BarcodeRead(NUMBER, "Code128", "zxing", BOX),),
        (TextLine("收件人 张三 13812345678", 0.97, BOX), TextLine(NUMBER, 0.99, BOX)),
    )
    facts = LabelFacts(
        (Candidate(NUMBER, "SF", Via.BOTH, 0.99, ocr_reads=1, barcode_reads=1),),
        ("2200000000000000001",),
        (Person("张三", "5678", "浙江省杭州市西湖区文三路1号", Role.RECIPIENT),),
        (Conflict(ConflictKind.OCR_MISREAD, barcode=NUMBER, ocr="SF1234567890128"),),
    )
    order = OrderRef("2200000000000000001", "awaiting_shipment", "张三", "5678", "浙江省杭州市西湖区文三路1号", None)
    outcome = Outcome(
        Status.REVIEW,
        (Reason.AMBIGUOUS_ORDER,),
        candidate=facts.candidates[0],
        orders_considered=(order,),
        detail="two orders",
        match_via=MatchVia.RECIPIENT,
        scores=(OrderScore(order.tid, order.status, 1.0, 1.0, 1.0, 1.0),),
    )
    return decoded, facts, outcome


def test_evidence_comes_back_from_the_database_as_it_was_stored() -> None:
    decoded, facts, outcome = _decided()
    stored = json.dumps(ScanEvidence.of(decoded, facts, outcome).to_json(), ensure_ascii=False)
    back = ScanEvidence.from_json(json.loads(stored))
    assert back.label == facts
    assert back.match_via is MatchVia.RECIPIENT and back.detail == "two orders"
    assert back.scores == outcome.scores and back.orders_considered == ("2200000000000000001",)


def test_no_full_mobile_number_is_kept_from_the_ocr_text() -> None:
    decoded, facts, outcome = _decided()
    stored = json.dumps(ScanEvidence.of(decoded, facts, outcome).to_json(), ensure_ascii=False)
    assert "13812345678" not in stored and "*******5678" in stored


def test_evidence_release_166f131_stored_is_read_with_its_conflicts() -> None:
    # As that release wrote it: conflicts were sentences, roles and match_via plain strings.
    old = {
        "detail": "",
        "match_via": "",
        "candidates": [{"number": NUMBER, "carrier": "SF", "via": "barcode", "confidence": 0.99}],
        "order_numbers": [],
        "people": [{"name": "张三", "phone_tail": "5678", "address": "杭州", "role": "sender"}],
        "conflicts": [
            f"ocr misread SF1234567890128 of barcode {NUMBER}; barcode and other OCR reads agree",
            f"barcode_ocr_disagree: barcode {NUMBER} vs OCR SF1234567890129",
        ],
        "scores": [],
    }
    facts = ScanEvidence.from_json(old).label
    assert facts.conflicts == (
        Conflict(ConflictKind.OCR_MISREAD, barcode=NUMBER, ocr="SF1234567890128"),
        Conflict(ConflictKind.BARCODE_OCR_DISAGREE, barcode=NUMBER, ocr="SF1234567890129"),
    )
    assert [str(c) for c in facts.conflicts] == old["conflicts"]  # shown to a person as before
    assert facts.people[0].role is Role.SENDER and ScanEvidence.from_json(old).match_via is None


def test_a_photo_never_decoded_keeps_no_engine_output() -> None:
    failed = ScanEvidence.of(None, None, Outcome(Status.ERROR, (Reason.UNREADABLE_IMAGE,), detail="not an image"))
    assert "barcodes" not in failed.to_json() and "candidates" not in failed.to_json()
    assert ScanEvidence.from_json(failed.to_json()) == failed
