"""Reading what a label says from engine output: numbers, order numbers, people."""

from capture.pipeline.extract import extract, ocr_numbers
from capture.types import BarcodeRead, Conflict, ConflictKind, Decoded, TextLine, Via

BOX = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))


def line(text: str, y: float, score: float = 0.99, x: float = 30) -> TextLine:
    return TextLine(text=text, score=score, box=((x, y), (x + 100, y), (x + 100, y + 10), (x, y + 10)))


def barcode(text: str, fmt: str = "Code128") -> BarcodeRead:
    return BarcodeRead(text=text, format=fmt, engine="zxing", box=BOX)


LABEL_LINES = [
    line("中通快递 571-D01 02", 0),
    line("73100012345678", 20),
    line("收件人：张三138****5678", 40),
    line("浙江省杭州市西湖区文三路123号", 60),
    line("寄件人：某某旗舰店0571-88886666", 80),
    line("浙江省杭州市余杭区五常街道100号", 100),
    line("订单号:2751925651837878487", 120),
    line("2026-11-20 14:32重量:1.25kg", 140),
    line("运单号:73100012345678", 160),
]


def test_barcode_and_ocr_of_one_number_fuse_into_one_candidate():
    facts = extract(Decoded((barcode("73100012345678"),), tuple(LABEL_LINES)), min_ocr_score=0.8)
    assert [c.number for c in facts.candidates] == ["73100012345678"]
    assert facts.candidates[0].via is Via.BOTH
    assert facts.candidates[0].carrier == "ZTO"


def test_decoys_on_a_label_never_become_candidates():
    facts = extract(
        Decoded(
            (barcode("https://example.com/t?no=2751925651837878487", "QRCode"),),
            tuple(LABEL_LINES[:1] + LABEL_LINES[2:8]),
        ),
        0.8,
    )
    assert facts.candidates == ()
    assert facts.order_numbers == ("2751925651837878487",)


def test_recipient_and_sender_are_read_with_their_phone_tails_and_addresses():
    facts = extract(Decoded((), tuple(LABEL_LINES)), 0.8)
    recipient, sender = facts.people
    assert (recipient.name, recipient.phone_tail) == ("张三", "5678")
    assert recipient.address == "浙江省杭州市西湖区文三路123号"
    assert (sender.name, sender.phone_tail) == ("某某旗舰店", "6666")
    assert "订单" not in sender.address


def test_ocr_only_number_read_twice_is_confident_once_is_not():
    twice = extract(Decoded((), tuple(LABEL_LINES)), 0.8).candidates[0]
    once = extract(Decoded((), tuple(LABEL_LINES[:8])), 0.8).candidates[0]
    assert twice.via is Via.OCR and twice.ocr_reads == 2
    assert twice.confidence >= 0.85 > once.confidence


def test_grouped_print_is_read_as_one_number():
    assert [r.number for r in ocr_numbers("运单号: SF 1234 5678 9012 3")] == ["SF1234567890123"]
    assert [r.number for r in ocr_numbers("运单号: SF1234-5678-9012-3")] == ["SF1234567890123"]


def test_ocr_misread_of_a_barcoded_number_is_a_disagreement_not_a_second_parcel():
    lines = (line("73100012345679", 20),)  # last digit misread
    facts = extract(Decoded((barcode("73100012345678"),), lines), 0.8)
    assert [c.number for c in facts.candidates] == ["73100012345678"]
    assert facts.conflicts == (
        Conflict(ConflictKind.BARCODE_OCR_DISAGREE, barcode="73100012345678", ocr="73100012345679"),
    )


def test_low_score_ocr_lines_are_not_evidence():
    facts = extract(Decoded((), (line("73100012345678", 20, score=0.5),)), 0.8)
    assert facts.candidates == ()


def test_a_big_block_marker_between_name_and_address_lines_is_skipped():
    big_marker = TextLine("收", 0.99, ((0, 40), (20, 40), (20, 65), (0, 65)))  # spans two rows, left of them
    lines = (
        big_marker,
        line("侯雪华 136****4609", 40),
        line("广东省广州市天河区滨江大道253号华润幸", 55),
        line("福里 20 幢 1702 室", 70),
        line("寄", 85),
    )
    (person,) = extract(Decoded((), lines), 0.8).people
    assert person.address == "广东省广州市天河区滨江大道253号华润幸福里20幢1702室"


def _turned_90_clockwise(box, height=1000.0):
    # A point (x, y) of an upright label photo lands at (height - y, x) when the photo is turned 90 degrees clockwise.
    return tuple((height - y, x) for x, y in box)


def test_people_are_read_in_label_order_when_the_photo_is_turned():
    upright_barcode = BarcodeRead("73100012345678", "Code128", "zxing", ((0, 5), (100, 5), (100, 15), (0, 15)))
    turned_barcode = BarcodeRead(upright_barcode.text, "Code128", "zxing", _turned_90_clockwise(upright_barcode.box))
    turned_lines = tuple(TextLine(ln.text, ln.score, _turned_90_clockwise(ln.box)) for ln in LABEL_LINES)
    upright = extract(Decoded((upright_barcode,), tuple(LABEL_LINES)), 0.8)
    turned = extract(Decoded((turned_barcode,), turned_lines), 0.8)
    assert turned.people == upright.people
    assert turned.people[0].address == "浙江省杭州市西湖区文三路123号"


def test_a_row_split_at_a_wide_gap_keeps_name_and_phone_together():
    lines = (line("收件人：蒋志勇", 40), line("166****7084", 40, x=200), line("广东省深圳市南山区文三路853号", 55))
    (person,) = extract(Decoded((), lines), 0.8).people
    assert (person.name, person.phone_tail, person.address) == ("蒋志勇", "7084", "广东省深圳市南山区文三路853号")


def test_a_big_marker_centred_between_two_rows_joins_neither():
    big_marker = TextLine("收", 0.99, ((0, 38), (20, 38), (20, 66), (0, 66)))  # centre 52: between the rows
    lines = (line("韦芬艳199****4945", 40), big_marker, line("四川省成都市武侯区解放大道137号", 56))
    (person,) = extract(Decoded((), lines), 0.8).people
    assert (person.name, person.address) == ("韦芬艳", "四川省成都市武侯区解放大道137号")


def test_lookalike_characters_are_corrected_only_where_the_carrier_format_decides():
    (fixed,) = ocr_numbers("运单号: SF12345678O0123")  # O read for 0
    assert (fixed.number, fixed.corrected) == ("SF1234567800123", True)
    (prefix,) = ocr_numbers("5F1234567890123")  # S read as 5 in the prefix
    assert prefix.number == "SF1234567890123"
    (two,) = ocr_numbers("73I0001234567B")  # two swaps, one ZTO number fits
    assert two.number == "73100012345678"
    assert ocr_numbers("SF1234567B90I23Z") == []  # one character too many: no variant fits
    assert ocr_numbers("重量 0.85KG 2O26-11-20") == []  # words and dates are never corrected into numbers
    assert ocr_numbers("订单号: 27519256518378784B7") == []  # an order number is never turned into a waybill


def test_a_corrected_ocr_read_alone_is_not_confident_enough_to_queue():
    lines = (line("SF12345678O0123", 20), line("运单号:SF12345678O0123", 160))
    (cand,) = extract(Decoded((), lines), 0.8).candidates
    assert cand.number == "SF1234567800123" and cand.confidence < 0.85
    agreeing = extract(Decoded((barcode("SF1234567800123"),), lines), 0.8).candidates
    assert [(c.number, c.via) for c in agreeing] == [("SF1234567800123", Via.BOTH)]


def test_a_number_inside_a_longer_grouped_number_is_not_a_second_candidate():
    assert [r.number for r in ocr_numbers("JT 9973 9035 0726 2")] == ["JT9973903507262"]


def test_rows_on_a_tilted_label_keep_wrapped_address_lines_apart():
    tilt = 0.12  # radians: lines slope down to the right

    def sloped(text, x, y, width):
        import math

        dx, dy = width * math.cos(tilt), width * math.sin(tilt)
        h = 10 * math.cos(tilt)
        return TextLine(
            text,
            0.99,
            ((x, y), (x + dx, y + dy), (x + dx - 10 * math.sin(tilt), y + dy + h), (x - 10 * math.sin(tilt), y + h)),
        )

    lines = (
        sloped("收件人: 贾红 186****4644", 0, 0, 200),
        sloped("湖南省长沙市岳麓区中山北路815号华润幸福里2", 0, 14, 420),
        sloped("2幢1802室", 0, 28, 60),
    )
    (person,) = extract(Decoded((), lines), 0.8).people
    assert person.address == "湖南省长沙市岳麓区中山北路815号华润幸福里22幢1802室"


def test_print_dates_and_times_never_join_into_a_number():
    assert ocr_numbers("2026-10-14 02:26 2026-10-14 0") == []
    assert [r.number for r in ocr_numbers("2026-11-20 SF 1234 5678 9012 3")] == ["SF1234567890123"]
