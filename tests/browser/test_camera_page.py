"""The browser's camera at the desk: a made video as Chromium's camera, each parcel queued once."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from playwright.sync_api import Browser, expect, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, browser_or_skip, signed_in
from tests.browser.desk_server import DeskServer
from tests.browser.desk_video import write_desk_y4m

LABELS = 2
DECIDED_MS = 60_000
LOOPS_WATCHED_S = 4.0  # the fake camera loops the file: the first label comes round again within the cool-down


def queued_numbers(desk: DeskServer) -> list[str]:
    with sqlite3.connect(desk.settings.db_url.removeprefix("sqlite:///")) as conn:
        return [row[0] for row in conn.execute("SELECT waybill FROM scans WHERE status = 'queued' ORDER BY id")]


def camera_browser(video: Path) -> list[str]:
    return [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",  # allow the camera without asking
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]


def test_a_camera_session_queues_each_parcel_of_a_made_video_once(tmp_path: Path, desk: DeskServer) -> None:
    browser_or_skip()
    video = tmp_path / "desk.y4m"
    numbers = write_desk_y4m(video, LABELS)
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=str(CHROMIUM), args=camera_browser(video))
        page = signed_in(browser, desk, "packer", "/desk?station=A")
        page.click("#camera-toggle")
        expect(page.locator("#camera")).to_be_visible()
        for number in numbers:
            expect(page.locator("#recent")).to_contain_text(number, timeout=DECIDED_MS)
        time.sleep(LOOPS_WATCHED_S)
        page.click("#camera-toggle")
        frames = int(page.locator("#camera").get_attribute("data-frames") or 0)
        lines = page.locator("#recent li").all_inner_texts()
        browser.close()
    assert sorted(queued_numbers(desk)) == sorted(numbers)  # each parcel once, none twice
    assert sum(number in line for line in lines for number in numbers) == LABELS
    assert frames > 10
