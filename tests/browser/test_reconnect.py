"""The desk page across a server restart: a read made while the server is down is kept and lands once it is back."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import signed_in
from tests.browser.desk_server import DeskServer, open_order_tids
from tests.browser.test_desk_page import SEEN_MS, gun

RESTART_MS = 30_000


def test_reads_made_while_the_server_is_down_land_after_it_restarts(browser: Browser, desk: DeskServer) -> None:
    tid = open_order_tids(desk.settings, 1)[0]
    page = signed_in(browser, desk, "packer", "/desk?station=A")
    screen = page.locator("#screen")

    desk.stop()
    gun(page, tid)
    gun(page, "SF5555555555555")
    expect(page.locator("#link")).to_have_class("link offline", timeout=SEEN_MS)
    expect(page.locator("#link")).to_contain_text("(2)")
    expect(screen).to_have_attribute("data-look", "idle")  # nothing decided while the server is away

    desk.start()  # same port, same database: the session cookie is still good
    expect(screen).to_have_attribute("data-look", "green", timeout=RESTART_MS)
    expect(screen).to_contain_text("SF5555555555555")
    expect(page.locator("#link")).to_have_class("link online")
    expect(page.locator("#recent li")).to_have_count(2)

    gun(page, "SF5555555555555")  # and the live link works again
    expect(screen).to_have_attribute("data-look", "red", timeout=SEEN_MS)


def test_reads_kept_survive_a_reload_of_the_page(browser: Browser, desk: DeskServer) -> None:
    tid = open_order_tids(desk.settings, 1)[0]
    page = signed_in(browser, desk, "packer", "/desk?station=A")
    desk.stop()
    gun(page, tid)
    expect(page.locator("#link")).to_have_class("link offline", timeout=SEEN_MS)
    desk.start()
    page.reload()
    expect(page.locator("#screen")).to_have_attribute("data-look", "neutral", timeout=RESTART_MS)
    expect(page.locator("#screen")).to_contain_text(tid)
