"""Browser tests: Debian's chromium driven by Playwright's pip package, against a real server and database.

No browser is downloaded: Playwright is pointed at /usr/bin/chromium (the
Makefile installs Debian's `chromium`).  Without it the tests are skipped on
a developer's machine, and fail in CI (CI=true), where a missing browser is
a setup bug.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.desk_server import PASSWORDS, DeskServer, desk_settings, prepared_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root, where Chromium's sandbox cannot start
    # The desk plays its tone on a gun read, which is a key press (a user gesture) at a real desk;
    # Playwright's typed keys count too, but the spoken clip that follows is started from script.
    "--autoplay-policy=no-user-gesture-required",
]


def browser_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing: make setup-test installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is missing (make setup-test installs Debian's chromium)")


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[DeskServer]:
    settings = desk_settings(tmp_path)
    prepared_database(settings)
    server = DeskServer(settings).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    browser_or_skip()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def signed_in(browser: Browser, desk: DeskServer, role: str, path: str) -> Page:
    """A fresh browser context signed in as `role` through the login form, on `path`."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(f"{desk.url}{path}")
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path.split('?')[0]}*")
    return page
