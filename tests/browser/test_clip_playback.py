"""The supervisor's page plays a parcel's packing video in Debian's chromium, exports it, and marks the order disputed.

The clip is made by the real recorder (sources.clip_recorder with the
facade's catalog, PyAV/libx264) for a parcel the packer's page really
queued, so it is found by the waybill's history exactly as a camera's is.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import zipfile

import cv2
import numpy as np
from playwright.sync_api import Browser, expect

from capture import api
from capture.api import video
from capture.sources.clip_recorder import ClipRecorder, ParcelMark
from capture.sources.evidence import evidence_root
from tests.browser.conftest import signed_in
from tests.browser.desk_server import DeskServer, open_order_tids
from tests.browser.test_desk_page import SEEN_MS, gun

WAYBILL = "YT3333333333333"
FPS = 15
FRAMES = 45  # 3 s


def record_clip(desk: DeskServer, waybill: str, order: str | None, scan_id: int | None) -> None:
    settings = desk.settings
    recorder = ClipRecorder(settings, "A", evidence_root(settings.evidence_dir), video.DatabaseCatalog(settings), False)
    recorder.start()
    recorder.parcel(ParcelMark(waybill, order, scan_id, first_seen_s=0.0))
    for k in range(FRAMES):
        image = np.full((720, 1280, 3), 90, np.uint8)
        cv2.rectangle(image, (100 + 20 * k, 300), (400 + 20 * k, 600), (40, 160, 220), -1)  # a parcel moving
        recorder.offer(image, k / FPS)
    recorder.close()


def test_the_supervisor_plays_the_packing_video_of_a_waybill_and_exports_it(browser: Browser, desk: DeskServer):
    tid = open_order_tids(desk.settings, 1)[0]
    packer = signed_in(browser, desk, "packer", "/desk?station=A")
    gun(packer, tid)
    gun(packer, WAYBILL)
    expect(packer.locator("#screen")).to_have_attribute("data-look", "green", timeout=SEEN_MS)
    scan_id = next(d.scan_id for d in api.history(WAYBILL, desk.settings).decisions if d.scan_id)
    record_clip(desk, WAYBILL, tid, scan_id)
    assert [c.frames for c in video.clips(WAYBILL, desk.settings)] == [FRAMES]

    supervisor = signed_in(browser, desk, "supervisor", "/review")
    supervisor.fill("#history-key", WAYBILL)
    supervisor.click("#history-form button")
    clip = supervisor.locator("#history figure.clip")
    expect(clip).to_be_visible(timeout=SEEN_MS)
    expect(clip).to_contain_text("打包视频")
    # HAVE_CURRENT_DATA (2) or better: chromium decoded the H.264 clip without a plugin.
    supervisor.wait_for_function(
        "() => { const v = document.querySelector('#history figure.clip video'); return v && v.readyState >= 2; }",
        timeout=SEEN_MS,
    )
    duration = supervisor.evaluate("document.querySelector('#history figure.clip video').duration")
    assert abs(duration - FRAMES / FPS) < 0.2, duration
    width = supervisor.evaluate("document.querySelector('#history figure.clip video').videoWidth")
    assert width == 1280

    # The export link hands over one zip with the clip and the audit trail of its waybill and order.
    with supervisor.expect_download() as download:
        clip.locator("a.export").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    trail = json.loads(archive.read("history.json"))
    assert set(trail) == {WAYBILL, tid} and trail[WAYBILL]["decisions"]
    assert any(name.endswith(".mp4") for name in archive.namelist())

    # Marked disputed from the page: retention then keeps it whatever the quota.
    clip.locator("button.mark-dispute").click()
    expect(supervisor.locator("#history figure.clip")).to_contain_text("纠纷中", timeout=SEEN_MS)
    assert video.clips(WAYBILL, desk.settings)[0].disputed


def test_the_video_route_needs_a_supervisor(desk: DeskServer):
    tid = open_order_tids(desk.settings, 1)[0]
    record_clip(desk, "YT4444444444444", tid, None)
    clip_id = video.clips("YT4444444444444", desk.settings)[0].id
    try:
        urllib.request.urlopen(f"{desk.url}/api/clips/{clip_id}/video", timeout=5)
        raise AssertionError("the video was served without a login")
    except urllib.error.HTTPError as exc:
        assert exc.code == 401


def test_a_review_item_shows_its_packing_video_beside_its_photo(browser: Browser, desk: DeskServer):
    packer = signed_in(browser, desk, "packer", "/desk?station=A")
    gun(packer, "SF7654321098765")  # no order has it: review
    expect(packer.locator("#screen")).to_have_attribute("data-look", "yellow", timeout=SEEN_MS)
    scan_id = next(d.scan_id for d in api.history("SF7654321098765", desk.settings).decisions if d.scan_id)
    record_clip(desk, "SF7654321098765", None, scan_id)
    supervisor = signed_in(browser, desk, "supervisor", "/review")
    card = supervisor.locator("article.item", has_text="SF7654321098765")
    expect(card.locator("figure.clip video")).to_have_count(1, timeout=SEEN_MS)
    supervisor.wait_for_function(
        "() => { const v = document.querySelector('article.item figure.clip video'); return v && v.readyState >= 2; }",
        timeout=SEEN_MS,
    )
    expect(card.locator("button.mark-dispute")).to_have_count(0)  # no order yet: nothing to dispute
