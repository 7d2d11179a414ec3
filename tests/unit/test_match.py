"""Matching a read label to one open order, with real SQLite behind the lookup."""

import pytest

from capture.pipeline.match import MatchPolicy, address_similarity, decide, settled
from capture.store import job_views, repo
from capture.store.db import open_engine, session_scope
from capture.store.tables import Order
from capture.types import Candidate, Conflict, ConflictKind, LabelFacts, Person, Reason, Role, Status, Via
from tests.scan_rows import commit_decided, record_scan

WAYBILL = "SF1234567890123"
ADDR = "浙江省杭州市西湖区文三路123号5幢302室"


def order(tid, name="张三", tail="5678", address=ADDR, status="awaiting_shipment", waybill=None):
    return Order(
        tid=tid,
        status=status,
        receiver_name=name,
        phone_tail=tail,
        receiver_phone_masked="*******" + tail,
        receiver_address=address,
        waybill=waybill,
    )


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
    return LabelFacts(
        candidates=(cand,), order_numbers=tuple(order_numbers), people=tuple(people), conflicts=tuple(conflicts)
    )


def run(engine, f):
    with session_scope(engine) as s:
        return decide(f, repo.SqlOrderLookup(s))


def test_order_number_on_the_label_wins(db):
    out = run(db, facts(order_numbers=["1000000000000000002"], people=[Person("张三", "5678", ADDR)]))
    assert out.status is Status.QUEUED and out.order.tid == "1000000000000000002" and out.match_via == "order_number"


def test_a_misread_name_and_phone_tail_together_do_not_hide_the_order_at_that_address(db):
    # 李兰 shares no character with 张三 and 5670 is a digit off 5678: neither
    # index finds the order; its road and house number do, for the reviewer.
    out = run(db, facts(people=[Person("李兰", "5670", "杭州市西湖区文三路123号5幢302室")]))
    assert out.status is Status.REVIEW and out.reasons == (Reason.NO_MATCHING_ORDER,)
    assert out.scores and out.scores[0].tid == "1000000000000000001"
    assert "closest: order 1000000000000000001" in out.detail
    # The closed order at the same address is not brought up: it cannot ship.
    assert "1000000000000000007" not in {o.tid for o in out.orders_considered}


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
    out = run(
        db,
        facts(
            order_numbers=["1000000000000000001"],
            conflicts=[Conflict(ConflictKind.BARCODE_OCR_DISAGREE, barcode=WAYBILL, ocr="SF1234567890128")],
        ),
    )
    assert out.status is Status.REVIEW and out.reasons == (Reason.BARCODE_OCR_DISAGREE,)


def test_unconfirmed_ocr_read_is_not_queued(db):
    out = run(db, facts(order_numbers=["1000000000000000001"], via=Via.OCR, confidence=0.6))
    assert out.status is Status.REVIEW and out.reasons == (Reason.OCR_UNCONFIRMED,)


def test_queued_order_is_not_queued_twice_and_a_second_number_goes_to_review(db):
    first = run(db, facts(order_numbers=["1000000000000000001"]))
    with session_scope(db) as s:
        record = repo.ScanRecord(
            "a.jpg", "", "queued", WAYBILL, "SF", "barcode+ocr", 0.99, first.order.tid, [], {}, "t", 1.0
        )
        record_scan(s, record, queue=True)
    again = run(db, facts(order_numbers=["1000000000000000001"]))
    assert again.status is Status.REJECTED and again.reasons == (Reason.ALREADY_QUEUED,)
    other = run(db, facts(number="SF9999999999999", order_numbers=["1000000000000000001"]))
    assert other.status is Status.REVIEW and other.reasons == (Reason.ORDER_HAS_OTHER_WAYBILL,)


def test_address_similarity_tolerates_left_out_suffixes_but_not_another_street():
    assert address_similarity("浙江杭州西湖区文三路123号", "浙江省杭州市西湖区文三路123号") == 1.0
    assert address_similarity("浙江省杭州市西湖区文三路123号", "浙江省杭州市滨江区江南大道888号") < 0.6


# --- traps from OCR and real exports (issue 4) ------------------------------------

EXPORT_ADDR = "浙江省 杭州市 西湖区 文三路123号阳光花园5幢302室(310012)"
LABEL_ADDR = "浙江省杭州市西湖区文三路123号阳光花园5幢302室"
T = "2000000000000000"  # tid prefix for the traps


@pytest.fixture
def traps(tmp_path):
    engine = open_engine(f"sqlite:///{tmp_path / 't.db'}")
    with session_scope(engine) as s:
        s.add_all(
            [
                order(T + "001", name="蒋志勇", tail="7084", address=EXPORT_ADDR),
                # same name, same phone tail, another address (the buyer's office)
                order(T + "002", name="蒋志勇", tail="7084", address="上海市 上海市 浦东新区 世纪大道100号(200120)"),
                # same tail, another person
                order(T + "003", name="王芳", tail="7084", address="北京 北京市 朝阳区 建国路88号(100020)"),
                # a repeat buyer: last month's order, shipped, same recipient
                order(
                    T + "004",
                    name="周杰",
                    tail="5555",
                    address="江苏省 南京市 鼓楼区 中山路1号(210009)",
                    status="shipped",
                    waybill="YT9999999999999",
                ),
                order(T + "005", name="周杰", tail="5555", address="江苏省 南京市 鼓楼区 中山路1号(210009)"),
                # one buyer, two open orders, one address (合并发货)
                order(T + "006", name="赵敏", tail="4444", address="江苏省 苏州市 吴中区 东风路9号(215100)"),
                order(T + "007", name="赵敏", tail="4444", address="江苏省苏州市吴中区东风路9号"),
                # a refunded order, the only one that fits its recipient
                order(
                    T + "008",
                    name="孙丽",
                    tail="3131",
                    address="四川省 成都市 武侯区 人民路5号(610041)",
                    status="closed",
                ),
            ]
        )
    return engine


def label(people, number=WAYBILL, order_numbers=(), carrier=None):
    cand = Candidate(
        number=number, carrier=carrier or ("SF" if number.startswith("SF") else "ZTO"), via=Via.BOTH, confidence=0.99
    )
    return LabelFacts(candidates=(cand,), order_numbers=tuple(order_numbers), people=tuple(people))


ANY_SHOP = MatchPolicy()


def decide_in(engine, f, policy=ANY_SHOP, paired=None):
    with session_scope(engine) as s:
        return decide(f, repo.SqlOrderLookup(s), policy, paired)


def scan_and_record(engine, f, policy=ANY_SHOP, paired=None):
    """decide, then commit the decision as a scanned photo's is (scan row, jobs, review item, audit)."""
    with session_scope(engine) as s:
        out = decide(f, repo.SqlOrderLookup(s), policy, paired)
        commit_decided(s, f, out)
        return out


@pytest.mark.parametrize(
    "person",
    [
        Person("蒋志勇", "7084", LABEL_ADDR),
        Person("薄志勇", "7084", LABEL_ADDR),  # OCR: a wrong name character
        Person("蒋志", "7084", LABEL_ADDR),  # OCR: a name character lost
        Person("蒋**", "7084", LABEL_ADDR),  # a privacy label masks the name
        Person("蒋志勇", "7034", LABEL_ADDR),  # OCR: a wrong phone digit (found by name)
        Person("蒋志勇", "7084", "浙江杭州西湖区文三路 123 号阳光花园 5 幢 302 室"),  # suffixes left out, digits apart
        Person("蒋志勇", "7084", "西湖区文三路123号阳光花园5幢302室"),  # province and city left out
        Person("蒋志勇", "7084", "浙江省杭州市西湖区文三路１２３号阳光花园５幢３０２室"),  # full-width
    ],
)
def test_the_recipient_survives_ocr_and_real_data(traps, person):
    out = decide_in(traps, label([person]))
    assert out.status is Status.QUEUED, out.detail
    assert out.order.tid == T + "001" and out.match_via == "recipient"
    assert out.scores[0].tid == T + "001"


def test_two_flaws_at_once_go_to_review_with_the_right_order_shown(traps):
    out = decide_in(traps, label([Person("薄志勇", "7034", LABEL_ADDR)]))
    assert out.status is Status.REVIEW and out.reasons == (Reason.NO_MATCHING_ORDER,)
    assert out.scores[0].tid == T + "001" and "closest" in out.detail


def test_same_name_and_tail_at_another_address_is_told_apart_by_address(traps):
    out = decide_in(traps, label([Person("蒋志勇", "7084", "上海市浦东新区世纪大道100号")]))
    assert out.status is Status.QUEUED and out.order.tid == T + "002"
    assert {s.tid for s in out.scores} >= {T + "001", T + "002", T + "003"}  # runners-up kept with their scores


def test_a_repeat_buyers_shipped_order_does_not_compete(traps):
    out = decide_in(traps, label([Person("周杰", "5555", "江苏省南京市鼓楼区中山路1号")]))
    assert out.status is Status.QUEUED and out.order.tid == T + "005"


def test_a_named_sender_is_not_taken_for_the_recipient(traps):
    sender = Person("蒋志勇", "7084", LABEL_ADDR, role=Role.SENDER)
    out = decide_in(traps, label([sender, Person("孙八", "0000", "四川省成都市武侯区1号", role=Role.RECIPIENT)]))
    assert out.status is Status.REVIEW and out.reasons == (Reason.NO_MATCHING_ORDER,)


def test_a_refunded_order_that_fits_is_shown_but_not_taken(traps):
    out = decide_in(traps, label([Person("孙丽", "3131", "四川省成都市武侯区人民路5号")]))
    assert out.status is Status.REVIEW and out.reasons == (Reason.NO_MATCHING_ORDER,)
    assert out.scores[0].tid == T + "008" and "closed" in out.detail


ONE_BUYER = Person("赵敏", "4444", "江苏省苏州市吴中区东风路9号")


def test_one_buyer_two_orders_go_to_review_unless_merging(traps):
    out = decide_in(traps, label([ONE_BUYER]))
    assert out.status is Status.REVIEW and out.reasons == (Reason.AMBIGUOUS_ORDER,)
    assert "merge_shipments is off" in out.detail and len(out.scores) >= 2


def test_merging_queues_the_waybill_for_each_order_and_a_rescan_is_a_repeat(traps):
    merge = MatchPolicy(merge_shipments=True)
    out = scan_and_record(traps, label([ONE_BUYER]), merge)
    assert out.status is Status.QUEUED and {o.tid for o in out.orders} == {T + "006", T + "007"}
    with session_scope(traps) as s:
        assert {(e.order_tid, e.waybill) for e in job_views.list_jobs(s)} == {
            (T + "006", WAYBILL),
            (T + "007", WAYBILL),
        }
    again = decide_in(traps, label([ONE_BUYER]), merge)
    assert again.status is Status.REJECTED and again.reasons == (Reason.ALREADY_QUEUED,)
    # The label's own order number names one of them: the other is its sibling, not "another order".
    printed = decide_in(traps, label([ONE_BUYER], order_numbers=[T + "006"]), merge)
    assert printed.reasons == (Reason.ALREADY_QUEUED,)
    # With merging switched off again, the number stays known as this buyer's, not another order's.
    off = decide_in(traps, label([ONE_BUYER]))
    assert off.reasons == (Reason.AMBIGUOUS_ORDER,)


def test_the_printed_order_number_wins_over_merging(traps):
    out = decide_in(traps, label([ONE_BUYER], order_numbers=[T + "007"]), MatchPolicy(merge_shipments=True))
    assert out.status is Status.QUEUED and [o.tid for o in out.orders] == [T + "007"]


def test_a_carrier_the_shop_does_not_use_is_refused(traps):
    shop = MatchPolicy(shop_carriers=frozenset({"ZTO", "YTO"}))
    out = decide_in(traps, label([Person("蒋志勇", "7084", LABEL_ADDR)]), shop)
    assert out.status is Status.REJECTED and out.reasons == (Reason.CARRIER_NOT_USED,)
    assert (
        decide_in(
            traps, label([Person("蒋志勇", "7084", LABEL_ADDR)]), MatchPolicy(shop_carriers=frozenset({"SF"}))
        ).status
        is Status.QUEUED
    )


def test_desk_pair_names_the_order_directly(traps):
    # The label's recipient fits two orders (ambiguous); the pick list says which.
    out = decide_in(traps, label([ONE_BUYER]), paired=T + "007")
    assert out.status is Status.QUEUED and out.order.tid == T + "007" and out.match_via == "desk_pair"
    # Unreadable recipient: the pair is trusted.
    assert decide_in(traps, label([]), paired=T + "007").status is Status.QUEUED


def test_desk_pair_is_refused_when_the_label_names_someone_else(traps):
    out = decide_in(traps, label([Person("王芳", "1234", "北京市朝阳区建国路88号")]), paired=T + "007")
    assert out.status is Status.REVIEW and out.reasons == (Reason.PAIR_MISMATCH,)
    printed = decide_in(traps, label([ONE_BUYER], order_numbers=[T + "006"]), paired=T + "007")
    assert printed.status is Status.REVIEW and printed.reasons == (Reason.PAIR_MISMATCH,)


class CountingLookup:
    """The real lookup, counting how many orders it hands to the matcher."""

    def __init__(self, inner):
        self.inner, self.rows = inner, 0

    def __getattr__(self, name):
        method = getattr(self.inner, name)

        def counted(*args):
            found = method(*args)
            if isinstance(found, list):
                self.rows += len(found)
            return found

        return counted


def test_matching_looks_at_a_handful_of_orders_not_all(traps):
    with session_scope(traps) as s:
        s.add_all(
            order(f"3{i:018d}", name=f"客户{i}", tail=f"{i % 10000:04d}", address=f"浙江省 杭州市 西湖区 学院路{i}号")
            for i in range(3000)
        )
    with session_scope(traps) as s:
        counting = CountingLookup(repo.SqlOrderLookup(s))
        out = decide(label([Person("蒋志勇", "7084", LABEL_ADDR)]), counting)
    assert out.status is Status.QUEUED
    assert counting.rows < 10


# --- when reading may stop early (pipeline.reading reads the label in rounds) ---


def test_reading_stops_on_a_queue_decision_whose_order_is_certain(db):
    by_number = run(db, facts(order_numbers=["1000000000000000002"]))
    by_recipient = run(db, facts(people=[Person("王芳", "3333", "广东省广州市天河区体育西路1号")]))
    assert by_number.status is by_recipient.status is Status.QUEUED
    assert settled(by_number) and settled(
        by_recipient
    )  # the other 王芳 (another phone, another city) does not resemble her


def test_reading_goes_on_while_another_order_resembles_the_recipient(db):
    # 张三 at this address has a closed order too: an order number further down could name it.
    out = run(db, facts(people=[Person("张三", "5678", ADDR)]))
    assert out.status is Status.QUEUED and out.order.tid == "1000000000000000001"
    assert not settled(out)


def test_reading_goes_on_until_the_printed_number_confirms_the_barcode(db):
    out = run(db, facts(order_numbers=["1000000000000000002"], via=Via.BARCODE, confidence=0.93))
    assert out.status is Status.QUEUED and not settled(out)  # a misprinted number further down would be review


def test_a_review_always_reads_the_whole_label_and_a_certain_rejection_need_not(db):
    review_out = run(db, facts(people=[Person("赵敏", "4444", "江苏省南京市鼓楼区中山路1号")]))
    assert review_out.status is Status.REVIEW and not settled(review_out)
    closed = run(db, facts(order_numbers=["1000000000000000007"]))
    assert closed.status is Status.REJECTED and settled(closed)
