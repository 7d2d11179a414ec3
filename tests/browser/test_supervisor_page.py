"""The supervisor's page in a real browser, beside a packer's: review settled live, and who may open it."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from capture import api
from tests.browser.conftest import signed_in
from tests.browser.desk_server import ROOT, DeskServer, open_order_tids
from tests.browser.test_desk_page import SEEN_MS, gun

SAMPLES = ROOT / "samples"
PHOTO_MS = 60_000  # the first photo loads the OCR models


def test_a_supervisor_accepts_a_review_item_and_the_packer_page_shows_it(browser: Browser, desk: DeskServer) -> None:
    tid = open_order_tids(desk.settings, 1)[0]
    packer = signed_in(browser, desk, "packer", "/desk?station=A")
    supervisor = signed_in(browser, desk, "supervisor", "/review")
    expect(supervisor.locator("#review-items")).to_contain_text("没有待复核的包裹", timeout=SEEN_MS)

    gun(packer, "SF7654321098765")
    expect(packer.locator("#screen")).to_have_attribute("data-look", "yellow", timeout=SEEN_MS)

    card = supervisor.locator("article.item", has_text="SF7654321098765")
    expect(card).to_be_visible(timeout=SEEN_MS)  # arrived live, without a reload
    expect(card).to_contain_text("找不到对应订单")
    card.click()
    supervisor.fill("#order-q", tid)
    supervisor.click("#order-search button")
    supervisor.locator("#order-results li", has_text=tid).locator("button").click()
    expect(supervisor.locator("article.item", has_text="SF7654321098765")).to_have_count(0, timeout=SEEN_MS)
    expect(supervisor.locator("#queue")).to_contain_text("SF7654321098765", timeout=SEEN_MS)

    screen = packer.locator("#screen")
    expect(screen).to_have_attribute("data-look", "green", timeout=SEEN_MS)
    expect(screen).to_contain_text("SF7654321098765")
    expect(packer.locator("#recent li").first).to_have_class("look-green")
    expect(packer.locator("#shift-count")).to_have_text("1")


def test_a_packer_is_refused_the_review_page(browser: Browser, desk: DeskServer) -> None:
    packer = signed_in(browser, desk, "packer", "/desk?station=A")
    answer = packer.goto(f"{desk.url}/review")
    assert answer is not None and answer.status == 403
    expect(packer.locator("body")).to_contain_text("没有权限")


def test_a_supervisor_sees_the_history_of_a_waybill(browser: Browser, desk: DeskServer) -> None:
    tid = open_order_tids(desk.settings, 1)[0]
    packer = signed_in(browser, desk, "packer", "/desk?station=A")
    gun(packer, tid)
    gun(packer, "YT2222222222222")
    expect(packer.locator("#screen")).to_have_attribute("data-look", "green", timeout=SEEN_MS)
    supervisor = signed_in(browser, desk, "supervisor", "/review")
    supervisor.fill("#history-key", "YT2222222222222")
    supervisor.click("#history-form button")
    expect(supervisor.locator("#history")).to_contain_text(tid, timeout=SEEN_MS)
    expect(supervisor.locator("#history")).to_contain_text("queued")


def test_a_phone_snap_goes_to_review_with_its_photo_and_candidates_and_one_click_accepts(
    browser: Browser, desk: DeskServer
) -> None:
    packer = signed_in(browser, desk, "packer", "/desk?station=A")
    packer.set_input_files("#snap", str(SAMPLES / "photos" / "003_ambiguous.webp"))  # a phone's camera, as a file
    expect(packer.locator("#screen")).to_have_attribute("data-look", "yellow", timeout=PHOTO_MS)
    expect(packer.locator("#screen")).to_contain_text("有多个可能的订单")

    supervisor = signed_in(browser, desk, "supervisor", "/review")
    card = supervisor.locator("article.item", has_text="JT3852808414852")
    expect(card).to_be_visible(timeout=SEEN_MS)
    photo = card.locator("img")
    supervisor.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    accepts = card.locator("button.accept")
    assert accepts.count() >= 2  # the candidate orders side by side, each with its score
    expect(card.locator("table")).to_contain_text(re.compile(r"\d\.\d\d"))  # scores shown
    chosen = accepts.first.get_attribute("data-order")
    accepts.first.click()
    expect(supervisor.locator("article.item", has_text="JT3852808414852")).to_have_count(0, timeout=SEEN_MS)

    expect(packer.locator("#screen")).to_have_attribute("data-look", "green", timeout=SEEN_MS)
    expect(packer.locator("#screen")).to_contain_text(str(chosen))


def test_the_photo_is_served_only_to_a_signed_in_supervisor(browser: Browser, desk: DeskServer) -> None:
    packer = signed_in(browser, desk, "packer", "/desk?station=A")
    packer.set_input_files("#snap", str(SAMPLES / "photos" / "003_ambiguous.webp"))
    expect(packer.locator("#screen")).to_have_attribute("data-look", "yellow", timeout=PHOTO_MS)
    assert packer.request.get(f"{desk.url}/api/scans/1/photo").status == 403
    supervisor = signed_in(browser, desk, "supervisor", "/review")
    answer = supervisor.request.get(f"{desk.url}/api/scans/1/photo")
    assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"


def test_a_correction_to_another_carrier_is_said_before_it_is_sent(browser: Browser, desk: DeskServer) -> None:
    tid = open_order_tids(desk.settings, 1)[0]
    packer = signed_in(browser, desk, "packer", "/desk?station=A")
    gun(packer, "YT1212121212121")
    expect(packer.locator("#screen")).to_have_attribute("data-look", "yellow", timeout=SEEN_MS)
    supervisor = signed_in(browser, desk, "supervisor", "/review")
    card = supervisor.locator("article.item", has_text="YT1212121212121")
    card.locator(".correct-number").fill("SF1212121212121")
    card.locator(".correct-order").fill(tid)
    card.locator("button.correct").click()
    expect(card.locator(".carrier-change")).to_contain_text("顺丰速运", timeout=SEEN_MS)
    expect(card).to_be_visible()  # nothing sent yet
    card.locator("button.correct").click()
    expect(supervisor.locator("article.item", has_text="YT1212121212121")).to_have_count(0, timeout=SEEN_MS)
    expect(packer.locator("#screen")).to_contain_text("SF1212121212121", timeout=SEEN_MS)
    expect(packer.locator("#screen")).to_have_attribute("data-look", "green")


def test_candidate_orders_show_their_items_and_the_buyers_message(
    browser: Browser, desk: DeskServer, tmp_path: Path
) -> None:
    packer = signed_in(browser, desk, "packer", "/desk?station=A")
    packer.set_input_files("#snap", str(SAMPLES / "photos" / "003_ambiguous.webp"))
    expect(packer.locator("#screen")).to_have_attribute("data-look", "yellow", timeout=PHOTO_MS)
    tids = [o.tid for entry in api.review_entries(desk.settings) for o in entry.orders]
    assert tids
    items = tmp_path / "宝贝报表.csv"
    items.write_text(
        "订单编号,标题,购买数量,商品属性\r\n" + "".join(f"{t},纯棉T恤,2,尺码:XL\r\n" for t in tids), encoding="utf-8"
    )
    notes = tmp_path / "订单报表.csv"
    notes.write_text(
        "订单编号,订单状态,买家留言\r\n" + "".join(f"{t},买家已付款，等待卖家发货,到了打13800001111\r\n" for t in tids),
        encoding="utf-8",
    )
    api.import_orders(items, desk.settings)
    api.import_orders(notes, desk.settings)

    supervisor = signed_in(browser, desk, "supervisor", "/review")
    card = supervisor.locator("article.item", has_text="JT3852808414852")
    expect(card).to_be_visible(timeout=SEEN_MS)
    expect(card.locator("table")).to_contain_text("纯棉T恤 [尺码:XL] ×2")
    expect(card.locator("table")).to_contain_text("买家留言：到了打*******1111")
    assert "13800001111" not in supervisor.content()


def test_a_correction_being_typed_survives_another_desks_outcome(browser: Browser, desk: DeskServer) -> None:
    packer = signed_in(browser, desk, "packer", "/desk?station=A")
    gun(packer, "YT3434343434343")
    expect(packer.locator("#screen")).to_have_attribute("data-look", "yellow", timeout=SEEN_MS)
    supervisor = signed_in(browser, desk, "supervisor", "/review")
    card = supervisor.locator("article.item", has_text="YT3434343434343")
    card.locator(".correct-number").fill("SF3434343434343")
    gun(packer, "YT5656565656565")  # another parcel goes to review while the supervisor types
    expect(supervisor.locator("article.item", has_text="YT5656565656565")).to_have_count(1, timeout=SEEN_MS)
    expect(card.locator(".correct-number")).to_have_value("SF3434343434343")
