"""Matching a read label to one open order, with real SQLite behind the lookup."""

import pytest

from capture.pipeline.match import address_similarity, decide
from capture.store import repo
from capture.store.db import open_engine, session_scope
from capture.store.tables import Order
from capture.types import Candidate, LabelFacts, Person, Reason, Status, Via

WAYBILL = "SF1234567890123"
ADDR = "浙江省杭州市西湖区文三路123号5幢302室"


def order(tid, name="张三", tail="5678", address=ADDR, status="awaiting_shipment", waybill=None):
    return Order(tid=tid, status=status, receiver_name=name, phone_tail=tail, receiver_phone_masked="*******" + tail, receiver_address=address, waybill=waybill)


@pytest.fixture
def db(tmp_path):
    engine = open_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with session_scope(engine) as s:
        s.add_all(
            [
                order("1000000000000000001"),
                order("1000000000000000002", name="李四", tail="1111", address="上海市浦东新区世纪大道100号"),
                # namesakes: same name, other phone and address
                order("1000000000000000003", name="王芳", tail="2222", address="北京市朝阳区建国路88号"),
                order("1000000000000000004", name="王芳", tail="3333", address="广东省广州市天河区体育西路1号"),
                # one buyer, two open orders, same address
                order("1000000000000000005", name="赵敏", tail="4444", address="江苏省南京市鼓楼区中山路1号"),
                order("1000000000000000006", name="赵敏", tail="4444", address="江苏省南京市鼓楼区中山路1号"),
                order("1000000000000000007", status="closed"),
                order("1000000000000000008", name="钱七", tail="9999", status="shipped", waybill="YT1234567890123"),
            ]
        )
    return engine


def facts(number=WAYBILL, order_numbers=(), people=(), via=Via.BOTH, confidence=0.99, conflicts=()):
    cand = Candidate(number=number, carrier="SF" if number.startswith("SF") else "YTO", via=via, confidence=confidence)
    return LabelFacts(candidates=(cand,), order_numbers=tuple(order_numbers), people=tuple(people), conflicts=tuple(conflicts))


def run(engine, f):
    with session_scope(engine) as s:
        return decide(f, repo.SqlOrderLookup(s))


def test_order_number_on_the_label_wins(db):
    out = run(db, facts(order_numbers=["1000000000000000002"], people=[Person("张三", "5678", ADDR)]))
    assert out.status is Status.QUEUED and out.order.tid == "1000000000000000002" and out.match_via == "order_number"


def test_recipient_fits_exactly_one_open_order(db):
    out = run(db, facts(people=[Person("张三", "5678", "浙江杭州西湖区文三路123号5幢302室")]))
    assert out.status is Status.QUEUED and out.order.tid == "1000000000000000001"


def test_namesakes_are_told_apart_by_phone_and_address(db):
    out = run(db, facts(people=[Person("王芳", "3333", "广东省广州市天河区体育西路1号")]))
    assert out.status is Status.QUEUED and out.order.tid == "1000000000000000004"


def test_two_fitting_orders_go_to_review(db):
    out = run(db, facts(people=[Person("赵敏", "4444", "江苏省南京市鼓楼区中山路1号")]))
    assert out.status is Status.REVIEW and out.reasons == (Reason.AMBIGUOUS_ORDER,)
    assert {o.tid for o in out.orders_considered} == {"1000000000000000005", "1000000000000000006"}


def test_no_fitting_order_goes_to_review(db):
    out = run(db, facts(people=[Person("孙八", "0000", "四川省成都市武侯区1号")]))
    assert out.status is Status.REVIEW and out.reasons == (Reason.NO_MATCHING_ORDER,)


def test_wrong_address_is_not_a_fit(db):
    out = run(db, facts(people=[Person("张三", "5678", "黑龙江省哈尔滨市道里区中央大街99号")]))
    assert out.status is Status.REVIEW and out.reasons == (Reason.NO_MATCHING_ORDER,)


def test_closed_order_is_rejected(db):
    out = run(db, facts(order_numbers=["1000000000000000007"]))
    assert out.status is Status.REJECTED and out.reasons == (Reason.ORDER_NOT_AWAITING_SHIPMENT,)


def test_waybill_already_on_another_order_is_rejected(db):
    out = run(db, facts(number="YT1234567890123", order_numbers=["1000000000000000001"]))
    assert out.status is Status.REJECTED and out.reasons == (Reason.WAYBILL_ON_OTHER_ORDER,)
    assert "1000000000000000008" in out.detail


def test_two_waybills_in_one_photo_go_to_review(db):
    two = LabelFacts(
        candidates=(Candidate(WAYBILL, "SF", Via.BOTH, 0.99), Candidate("YT1234567890124", "YTO", Via.BOTH, 0.99)),
        order_numbers=("1000000000000000001",),
        people=(),
    )
    out = run(db, two)
    assert out.status is Status.REVIEW and out.reasons == (Reason.MULTIPLE_WAYBILLS,)


def test_barcode_ocr_disagreement_goes_to_review(db):
    out = run(db, facts(order_numbers=["1000000000000000001"], conflicts=[f"barcode_ocr_disagree: barcode {WAYBILL} vs OCR SF1234567890128"]))
    assert out.status is Status.REVIEW and out.reasons == (Reason.BARCODE_OCR_DISAGREE,)


def test_unconfirmed_ocr_read_is_not_queued(db):
    out = run(db, facts(order_numbers=["1000000000000000001"], via=Via.OCR, confidence=0.6))
    assert out.status is Status.REVIEW and out.reasons == (Reason.OCR_UNCONFIRMED,)


def test_queued_order_is_not_queued_twice_and_a_second_number_goes_to_review(db):
    first = run(db, facts(order_numbers=["1000000000000000001"]))
    with session_scope(db) as s:
        record = repo.ScanRecord("a.jpg", "", "queued", WAYBILL, "SF", "barcode+ocr", 0.99, first.order.tid, [], {}, "t", 1.0)
        repo.record_scan(s, record, queue=True)
    again = run(db, facts(order_numbers=["1000000000000000001"]))
    assert again.status is Status.REJECTED and again.reasons == (Reason.ALREADY_QUEUED,)
    other = run(db, facts(number="SF9999999999999", order_numbers=["1000000000000000001"]))
    assert other.status is Status.REVIEW and other.reasons == (Reason.ORDER_HAS_OTHER_WAYBILL,)


def test_address_similarity_tolerates_left_out_suffixes_but_not_another_street():
    assert address_similarity("浙江杭州西湖区文三路123号", "浙江省杭州市西湖区文三路123号") == 1.0
    assert address_similarity("浙江省杭州市西湖区文三路123号", "浙江省杭州市滨江区江南大道888号") < 0.6
