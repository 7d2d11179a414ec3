"""The supervisor's page in a real browser, beside a packer's: review settled live, and who may open it."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import signed_in
from tests.browser.desk_server import DeskServer, open_order_tids
from tests.browser.test_desk_page import SEEN_MS, gun


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
