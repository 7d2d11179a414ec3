"""The packer's page in a real browser: what the packer sees and hears for each gun read."""

from __future__ import annotations

import os
import shutil

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import signed_in
from tests.browser.desk_server import DeskServer, open_order_tids

SEEN_MS = 10_000


def gun(page: Page, text: str) -> None:
    """What a keyboard-wedge gun does: type the symbol's text, then Enter, into the focused input."""
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def played(page: Page, element_id: str) -> None:
    """The <audio> element really played: it is playing, or its playhead has moved."""
    page.wait_for_function(
        "id => { const a = document.getElementById(id); return a && (!a.paused || a.currentTime > 0); }",
        arg=element_id,
        timeout=SEEN_MS,
    )


def spoken(page: Page, element_id: str) -> None:
    """The spoken prompt played after the tone; it needs espeak-ng, which make setup-test installs."""
    if shutil.which("espeak-ng") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is missing: make setup-test installs it")
        return  # a developer's machine without it: the page plays tones only
    played(page, element_id)


def test_a_pick_list_then_its_label_holds_then_turns_the_screen_green_with_the_queued_tone(
    browser: Browser, desk: DeskServer
) -> None:
    tid = open_order_tids(desk.settings, 1)[0]
    page = signed_in(browser, desk, "packer", "/desk?station=A")
    screen = page.locator("#screen")
    expect(page.locator("#gun")).to_be_focused()

    gun(page, tid)
    expect(screen).to_have_attribute("data-look", "neutral", timeout=SEEN_MS)
    expect(screen).to_contain_text("拣货单已记录")
    played(page, "tone-held")

    gun(page, "SF1234567890123")
    expect(screen).to_have_attribute("data-look", "green", timeout=SEEN_MS)
    expect(screen).to_contain_text("发货成功")
    expect(screen).to_contain_text("SF1234567890123")
    expect(screen).to_contain_text("顺丰速运")
    expect(screen).to_contain_text(tid)
    expect(screen).to_contain_text("*******")  # the phone, masked
    played(page, "tone-queued")
    spoken(page, "voice-shipped")  # 发货成功, spoken after the tone (espeak-ng, made when the server started)
    expect(page.locator("#shift-count")).to_have_text("1")
    expect(page.locator("#recent li")).to_have_count(2)


def test_the_same_waybill_scanned_again_goes_red_as_a_duplicate(browser: Browser, desk: DeskServer) -> None:
    tid = open_order_tids(desk.settings, 1)[0]
    page = signed_in(browser, desk, "packer", "/desk?station=A")
    screen = page.locator("#screen")
    gun(page, tid)
    expect(screen).to_have_attribute("data-look", "neutral", timeout=SEEN_MS)
    gun(page, "YT1234567890123")
    expect(screen).to_have_attribute("data-look", "green", timeout=SEEN_MS)

    gun(page, "YT1234567890123")
    expect(screen).to_have_attribute("data-look", "red", timeout=SEEN_MS)
    expect(screen).to_contain_text("重复扫描")
    played(page, "tone-rejected")
    spoken(page, "voice-duplicate")  # 重复扫描
    expect(page.locator("#shift-count")).to_have_text("1")


def test_a_label_then_its_pick_list_pairs_and_the_label_line_turns_green(browser: Browser, desk: DeskServer) -> None:
    tid = open_order_tids(desk.settings, 1)[0]
    page = signed_in(browser, desk, "packer", "/desk?station=B")
    screen = page.locator("#screen")
    gun(page, "JT1234567890123")
    expect(screen).to_have_attribute("data-look", "yellow", timeout=SEEN_MS)
    expect(screen).to_contain_text("找不到对应订单")  # the reason, in plain Chinese

    gun(page, tid)
    expect(screen).to_have_attribute("data-look", "green", timeout=SEEN_MS)
    expect(screen).to_contain_text("JT1234567890123")
    label_line = page.locator("#recent li").nth(1)
    expect(label_line).to_have_class("look-green", timeout=SEEN_MS)
    expect(page.locator("#shift-count")).to_have_text("1")


def test_a_read_that_is_neither_a_waybill_nor_an_order_says_so(browser: Browser, desk: DeskServer) -> None:
    page = signed_in(browser, desk, "packer", "/desk?station=A")
    gun(page, "HELLO-42")
    screen = page.locator("#screen")
    expect(screen).to_have_attribute("data-look", "red", timeout=SEEN_MS)
    expect(screen).to_contain_text("既不是运单号也不是订单号")


def test_the_page_speaks_english_when_switched(browser: Browser, desk: DeskServer) -> None:
    page = signed_in(browser, desk, "packer", "/desk?station=A&lang=en")
    gun(page, "HELLO-42")
    expect(page.locator("#screen")).to_contain_text("neither a waybill nor an order number", timeout=SEEN_MS)


def test_the_spoken_prompt_can_be_switched_off(browser: Browser, desk: DeskServer) -> None:
    tid = open_order_tids(desk.settings, 1)[0]
    page = signed_in(browser, desk, "packer", "/desk?station=A")
    page.uncheck("#voice-on")
    page.locator("#gun").focus()
    gun(page, tid)
    played(page, "tone-held")
    page.wait_for_timeout(1000)  # longer than the tone: the prompt would have started by now
    assert page.evaluate("document.getElementById('voice-held').currentTime") == 0
