"""Review, the audit trail and desk pairing through the API, on real SQLite.

Frames go through the real scan path (decode -> extract -> match -> record)
with two tiny stand-in engines that report a given barcode and given text
lines, so each test says exactly what the label shows.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlmodel import select

from capture import api
from capture import settings as settings_mod
from capture.errors import ReviewError, UnknownOrder
from capture.pipeline.run import Engines
from capture.review import Choice, Resolution
from capture.store.db import open_engine, session_scope
from capture.store.order_source import OrderRow, upsert_orders
from capture.store.tables import DeskPair, OrderStatus, ReviewItem, UploadJob
from capture.types import BarcodeRead, Frame, Reason, Status

WAYBILL = "SF1234567890123"
OTHER_WAYBILL = "SF1234567890999"
BUYER_A = "2100000000000000001"  # 赵敏's two open orders, one address
BUYER_B = "2100000000000000002"
SINGLE = "2100000000000000003"  # 钱七, one open order
CLOSED = "2100000000000000004"
BARCODE_BOX = ((200.0, 100.0), (600.0, 100.0), (600.0, 160.0), (200.0, 160.0))


def row(tid, name, phone, address, status=OrderStatus.AWAITING_SHIPMENT, waybill=None):
    return OrderRow(tid, status, str(status), "buyer", name, phone, phone[-4:], address, waybill, "")


class Barcodes:
    name = "fake-barcode"

    def __init__(self, *texts: str) -> None:
        self.texts = texts

    def read(self, image):
        return [BarcodeRead(text=t, format="Code128", engine=self.name, box=BARCODE_BOX) for t in self.texts]


class Ocr:
    name = "fake-ocr"
    view_detect_scale = 0.5

    def __init__(self, *texts: str) -> None:
        self.texts = texts

    # The pipeline detects lines, then recognises the crops it chooses: each
    # line gets a box of its own height, so a crop's width-to-height ratio
    # (the same at any scale) says which line it is.
    def _boxes(self, image):
        height, width = image.shape[:2]
        boxes = []
        for i in range(len(self.texts)):
            x0, x1, y0 = 0.05 * width, 0.9 * width, (0.05 + 0.07 * i) * height
            y1 = y0 + (0.02 + 0.008 * i) * height
            boxes.append(((x0, y0), (x1, y0), (x1, y1), (x0, y1)))
        return boxes

    def detect(self, image):
        self.detected = self._boxes(image)
        return self.detected

    def recognize(self, crops):
        ratios = [(b[1][0] - b[0][0]) / (b[2][1] - b[1][1]) for b in self.detected]
        return [
            (self.texts[min(range(len(ratios)), key=lambda i: abs(ratios[i] - c.shape[1] / c.shape[0]))], 0.99)
            for c in crops
        ]

    def upside_down(self, crops):
        return False

    def read(self, image, upright=False):
        raise AssertionError("the scan path detects and recognises lines; it never reads a whole image")


def label_engines(number: str, name: str, phone: str, address: str) -> Engines:
    return Engines(
        Barcodes(number), Ocr("顺丰速运", number, f"收件人: {name} {phone}", address, "寄件人: 某店 0571-88886666")
    )


ZHAO = ("赵敏", "138****4444", "江苏省苏州市吴中区东风路9号")
QIAN = ("钱七", "139****5555", "四川省成都市武侯区人民路5号")


@pytest.fixture
def settings(tmp_path):
    s = settings_mod.load(env={}, db_url=f"sqlite:///{tmp_path / 'review.db'}")
    with session_scope(open_engine(s.db_url)) as session:
        upsert_orders(
            session,
            [
                row(BUYER_A, "赵敏", "13800004444", "江苏省 苏州市 吴中区 东风路9号(215100)"),
                row(BUYER_B, "赵敏", "138****4444", "江苏省 苏州市 吴中区 东风路9号(215100)"),
                row(SINGLE, "钱七", "13900005555", "四川省 成都市 武侯区 人民路5号(610041)"),
                row(CLOSED, "孙八", "13700006666", "北京 北京市 朝阳区 建国路88号(100020)", OrderStatus.CLOSED),
            ],
            "test",
        )
    return s


def scan(settings, engines: Engines, source: str = "label.jpg", station: str | None = None):
    frame = Frame(np.full((600, 800, 3), 255, np.uint8), source=source)
    return api.scan_frame(frame, engines, settings, api.database(settings), station=station)


def jobs(settings):
    with session_scope(api.database(settings)) as s:
        return {(j.order_tid, j.waybill, j.scan_id) for j in s.exec(select(UploadJob))}


def test_an_ambiguous_photo_waits_with_its_evidence_and_a_person_settles_it(settings):
    result = scan(settings, label_engines(WAYBILL, *ZHAO))
    assert result.outcome.status is Status.REVIEW and result.outcome.reasons == (Reason.AMBIGUOUS_ORDER,)

    (item,) = api.review_entries(settings)
    assert item.path == "label.jpg" and item.scan_id == result.scan_id
    assert [n.number for n in item.numbers] == [WAYBILL]
    assert {o.tid for o in item.orders} == {BUYER_A, BUYER_B} and all(o.score == 1.0 for o in item.orders)
    assert item.suggested_order is None and item.suggested_waybill == WAYBILL

    with pytest.raises(ReviewError, match="no single order"):
        api.resolve_review(item.id, Resolution(Choice.ACCEPT), settings, by="ann")
    done = api.resolve_review(item.id, Resolution(Choice.ACCEPT, orders=(BUYER_B,)), settings, by="ann")
    assert done.state == "accepted" and done.orders == (BUYER_B,) and done.refusal is None
    assert jobs(settings) == {(BUYER_B, WAYBILL, result.scan_id)}
    assert api.review_entries(settings) == []
    with pytest.raises(ReviewError, match="already accepted by person:ann"):
        api.resolve_review(item.id, Resolution(Choice.REJECT), settings, by="bob")

    story = api.history(WAYBILL, settings)
    assert [(e.actor, e.action, e.status) for e in story.decisions] == [
        ("auto:pipeline", "scan", "review"),
        ("person:ann", "review_accept", "queued"),
    ]
    assert story.decisions[0].evidence["path"] == "label.jpg" and story.decisions[0].reasons == ["ambiguous_order"]
    assert [(j.order_tid, j.status) for j in story.jobs] == [(BUYER_B, "pending")]
    assert [e.action for e in api.history(BUYER_B, settings).decisions] == ["scan", "review_accept"]


def test_a_person_may_ship_one_buyers_orders_in_one_parcel(settings):
    scan(settings, label_engines(WAYBILL, *ZHAO))
    (item,) = api.review_entries(settings)
    done = api.resolve_review(item.id, Resolution(Choice.ACCEPT, orders=(BUYER_A, BUYER_B)), settings, by="ann")
    assert done.orders == (BUYER_A, BUYER_B)
    assert {(tid, w) for tid, w, _ in jobs(settings)} == {(BUYER_A, WAYBILL), (BUYER_B, WAYBILL)}
    # The label once more, naming one of the two: the other is the same parcel, not "another order".
    printed = Engines(Barcodes(WAYBILL), Ocr(f"收件人: {ZHAO[0]} {ZHAO[1]}", ZHAO[2], f"订单号: {BUYER_A}"))
    assert scan(settings, printed).outcome.reasons == (Reason.ALREADY_QUEUED,)
    # The number on someone else's label is a reused number.
    again = scan(settings, label_engines(WAYBILL, *QIAN))
    assert again.outcome.reasons == (Reason.WAYBILL_ON_OTHER_ORDER,)


def test_a_typed_correction_is_checked_by_the_carrier_table_and_the_checks(settings):
    scan(settings, Engines(Barcodes(WAYBILL, "YT1234567890123"), Ocr(*(f"收件人: {QIAN[0]} {QIAN[1]}", QIAN[2]))))
    (item,) = api.review_entries(settings)
    assert (
        item.reasons == ["multiple_waybills"] and item.suggested_order == SINGLE
    )  # the recipient still names the order
    with pytest.raises(ReviewError, match="shows 2 numbers"):
        api.resolve_review(item.id, Resolution(Choice.ACCEPT), settings, by="ann")
    with pytest.raises(ReviewError, match="not a waybill number"):
        api.resolve_review(item.id, Resolution(Choice.CORRECT, waybill="SF12345"), settings, by="ann")
    with pytest.raises(UnknownOrder):
        api.resolve_review(
            item.id, Resolution(Choice.CORRECT, waybill="sf 1234 5678 9099 9", orders=("999",)), settings, by="ann"
        )
    done = api.resolve_review(item.id, Resolution(Choice.CORRECT, waybill="sf 1234 5678 9099 9"), settings, by="ann")
    assert (done.state, done.waybill, done.carrier, done.orders) == ("corrected", OTHER_WAYBILL, "SF", (SINGLE,))
    assert [e.action for e in api.history(OTHER_WAYBILL, settings).decisions] == ["scan", "review_correct"]


def test_a_choice_that_fails_the_checks_is_refused_and_stays_open(settings):
    scan(settings, label_engines(WAYBILL, "周杰", "137****0000", "浙江省杭州市西湖区文三路1号"))  # no order fits
    (item,) = api.review_entries(settings)
    done = api.resolve_review(item.id, Resolution(Choice.ACCEPT, orders=(CLOSED,)), settings, by="ann")
    assert done.state == "open" and done.refusal is not None
    assert done.refusal.reason is Reason.ORDER_NOT_AWAITING_SHIPMENT
    assert jobs(settings) == set() and len(api.review_entries(settings)) == 1
    assert api.history(WAYBILL, settings).decisions[-1].action == "review_refused"

    done = api.resolve_review(item.id, Resolution(Choice.REJECT, note="not our parcel"), settings, by="ann")
    assert done.state == "rejected" and jobs(settings) == set()
    with session_scope(api.database(settings)) as s:
        stored = s.get(ReviewItem, item.id)
        assert stored is not None and stored.note == "not our parcel"


def test_pick_list_then_label_pairs_at_the_desk(settings):
    pick = scan(settings, Engines(Barcodes(BUYER_B), Ocr()), "pick.jpg", station="desk1")
    assert pick.outcome.status is Status.NO_WAYBILL and pick.outcome.reasons == (Reason.PICK_LIST,)
    label = scan(settings, label_engines(WAYBILL, *ZHAO), station="desk1")  # ambiguous by recipient alone
    assert label.outcome.status is Status.QUEUED and label.outcome.order.tid == BUYER_B
    assert label.outcome.match_via == "desk_pair"
    # The pair is used up: the next label is matched by its recipient again.
    nxt = scan(settings, label_engines(OTHER_WAYBILL, *ZHAO), station="desk1")
    assert nxt.outcome.reasons == (Reason.AMBIGUOUS_ORDER,)
    actions = [(e.actor, e.action) for e in api.history(BUYER_B, settings).decisions]
    assert ("auto:desk:desk1", "pick_list") in actions and ("auto:desk:desk1", "desk_pair") in actions


def test_label_then_pick_list_settles_the_held_label(settings):
    label = scan(settings, label_engines(WAYBILL, *ZHAO), station="desk1")
    assert label.outcome.status is Status.REVIEW
    pick = scan(settings, Engines(Barcodes(BUYER_A), Ocr()), "pick.jpg", station="desk1")
    assert pick.outcome.reasons == (Reason.PICK_LIST,) and "queued" in pick.outcome.detail
    assert jobs(settings) == {(BUYER_A, WAYBILL, label.scan_id)}
    assert api.review_entries(settings) == []
    with session_scope(api.database(settings)) as s:
        assert s.exec(select(ReviewItem)).one().state == "paired"


def test_another_stations_pick_list_or_an_expired_one_does_not_pair(settings):
    scan(settings, Engines(Barcodes(BUYER_B), Ocr()), "pick.jpg", station="desk1")
    assert scan(settings, label_engines(WAYBILL, *ZHAO), station="desk2").outcome.status is Status.REVIEW
    quick = settings_mod.load(env={}, db_url=settings.db_url, pair_timeout_s=0.001)
    api.pair_order(BUYER_B, "desk3", quick)
    assert scan(quick, label_engines(OTHER_WAYBILL, *ZHAO), station="desk3").outcome.status is Status.REVIEW


def test_a_pick_list_held_before_the_clock_went_back_does_not_pair(settings):
    """The PC's clock set back an hour after a pick list was scanned (NTP, by hand): its hold
    would last an hour more by the clock; nobody knows how long it has waited, so it is forgotten."""
    api.pair_order(BUYER_B, "desk1", settings)
    with session_scope(api.database(settings)) as s:
        held = s.get(DeskPair, "desk1")
        assert held is not None
        # What the row looks like once the clock reads an hour earlier than when it was written.
        held.updated_at += timedelta(hours=1)
        held.expires_at += timedelta(hours=1)
        s.add(held)
    out = scan(settings, label_engines(WAYBILL, *ZHAO), station="desk1").outcome
    assert out.status is Status.REVIEW and out.reasons == (Reason.AMBIGUOUS_ORDER,), out
    assert jobs(settings) == set()


def test_a_pick_list_for_another_recipient_is_a_pair_mismatch(settings):
    api.pair_order(SINGLE, "desk1", settings)
    out = scan(settings, label_engines(WAYBILL, *ZHAO), station="desk1").outcome
    assert out.status is Status.REVIEW and out.reasons == (Reason.PAIR_MISMATCH,)
    assert jobs(settings) == set()


def test_pair_order_through_the_api(settings):
    with pytest.raises(UnknownOrder):
        api.pair_order("999", "desk1", settings)
    waiting = api.pair_order(SINGLE, "desk1", settings)
    assert waiting.state == "waiting" and waiting.expires_at is not None
    out = scan(settings, label_engines(WAYBILL, *QIAN), station="desk1").outcome
    assert out.status is Status.QUEUED and out.order.tid == SINGLE
    # Label first, then the API names the order.
    label = scan(settings, label_engines(OTHER_WAYBILL, *ZHAO), station="desk1")
    paired = api.pair_order(BUYER_A, "desk1", settings)
    assert paired.state == "paired" and paired.outcome is not None
    assert paired.outcome.status is Status.QUEUED and paired.label_scan_id == label.scan_id
