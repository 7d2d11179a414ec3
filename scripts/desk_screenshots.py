"""Take the README's two screenshots of `waybill serve`: the packer's page and the supervisor's review page.

usage: .venv/bin/python scripts/desk_screenshots.py [OUT_DIR]      (or: make screenshots; default docs/)

A throwaway database with the sample orders, a real server on loopback,
Debian's chromium through Playwright: a pick list and its label read by the
gun (green), and a sample photo that goes to review, seen by the supervisor.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, signed_in  # noqa: E402
from tests.browser.desk_server import DeskServer, desk_settings, open_order_tids, prepared_database  # noqa: E402

VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
WAIT_MS = 60_000


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = desk_settings(Path(tmp))
        prepared_database(settings)
        desk = DeskServer(settings).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                phone = signed_in(browser, desk, "packer", "/desk?station=B")  # a phone snaps a label at desk B
                phone.set_input_files("#snap", str(ROOT / "samples" / "photos" / "003_ambiguous.webp"))
                phone.locator("#screen[data-look=yellow]").wait_for(timeout=WAIT_MS)
                packer = signed_in(browser, desk, "packer", "/desk?station=A")
                packer.set_viewport_size(VIEWPORT)
                for text in (open_order_tids(settings, 1)[0], "SF1234567890123"):
                    packer.keyboard.type(text)
                    packer.keyboard.press("Enter")
                packer.locator("#screen[data-look=green]").wait_for(timeout=WAIT_MS)
                packer.screenshot(path=str(out / "desk.png"))
                supervisor = signed_in(browser, desk, "supervisor", "/review")
                supervisor.set_viewport_size(VIEWPORT)
                supervisor.locator("article.item img").wait_for(timeout=WAIT_MS)
                supervisor.wait_for_timeout(500)  # the photo decoded and drawn
                supervisor.screenshot(path=str(out / "review.png"))
                browser.close()
        finally:
            desk.stop()
    print(f"wrote {out / 'desk.png'} and {out / 'review.png'}")


if __name__ == "__main__":
    main()
