"""The supervisor page's parcel actions in a real browser: another parcel of an order, and 修改运单号.

Jobs are queued by a packer's gun reads.  A second label for an order is
taken only with the review card's "another parcel" ticked.  A sent job
(sent by a real `waybill upload` process to the loopback Taobao) has its
number changed by the button, and a refusal (past the platform's time
limit) says in Chinese what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from capture.settings import load as load_settings
from tests.browser.conftest import signed_in
from tests.browser.desk_server import DeskServer, open_order_tids, prepared_database
from tests.browser.test_desk_page import SEEN_MS, gun
from tests.fakes.taobao_server import FakeTaobao
from tests.integration.upload_helpers import credentials_env, waybill, worker_env

FIRST = "YT2222222222222"
SECOND = "YT2222222222246"
TWO_PIECES = "2848537153542910686"  # samples/orders.csv: 宝贝总数量 2
REPRINTED = "YT2222222222239"
UPLOAD_TIMEOUT_S = 120
POLL_MS = 100


@pytest.fixture
def fake() -> Iterator[FakeTaobao]:
    with FakeTaobao() as taobao:
        yield taobao


@pytest.fixture
def shop(tmp_path: Path, fake: FakeTaobao, monkeypatch: pytest.MonkeyPatch) -> Iterator[DeskServer]:
    """A desk server whose Taobao is the fake (its secrets in the environment, as a shop sets them)."""
    for name, value in credentials_env(fake).items():
        monkeypatch.setenv(name, value)
    settings = load_settings(
        env={},
        db_url=f"sqlite:///{tmp_path / 'desk.db'}",
        evidence_dir=str(tmp_path / "evidence"),
        cache_dir=str(tmp_path / "cache"),
    )
    prepared_database(settings)
    server = DeskServer(settings).start()
    yield server
    server.stop()


def answering(page: Page, answers: list[str], shown: list[str]) -> None:
    """Type `answers` into the page's prompts in turn; keep every alert's text in `shown`."""

    def on_dialog(dialog: Dialog) -> None:
        if dialog.type == "prompt":
            dialog.accept(answers.pop(0))
        else:
            shown.append(dialog.message)
            dialog.accept()

    page.on("dialog", on_dialog)


def wait_for_alerts(page: Page, shown: list[str], count: int) -> None:
    """Let the page run (dialogs are handled while Playwright waits) until `count` alerts were shown."""
    for _ in range(SEEN_MS // POLL_MS):
        if len(shown) >= count:
            return
        page.wait_for_timeout(POLL_MS)
    raise AssertionError(f"{count} alert(s) expected, saw {shown}")


def test_a_supervisor_changes_a_sent_number_and_is_told_what_to_do_when_taobao_refuses(
    browser: Browser, shop: DeskServer, fake: FakeTaobao, tmp_path: Path
) -> None:
    tid = open_order_tids(shop.settings, 1)[0]
    fake.add_orders(tid)
    packer = signed_in(browser, shop, "packer", "/desk?station=A")
    gun(packer, tid)
    gun(packer, FIRST)
    expect(packer.locator("#screen")).to_have_attribute("data-look", "green", timeout=SEEN_MS)
    upload = waybill(["upload", "--until-empty"], worker_env(fake, shop.settings.db_url, tmp_path))
    out, err = upload.communicate(timeout=UPLOAD_TIMEOUT_S)
    assert upload.returncode == 0 and fake.orders[tid].out_sid == FIRST, out + err

    supervisor = signed_in(browser, shop, "supervisor", "/review")
    shown: list[str] = []
    answers = [REPRINTED, "面单重打", REPRINTED, "面单贴错"]
    answering(supervisor, answers, shown)
    row = supervisor.locator("#queue tbody tr", has_text=tid)
    expect(row).to_contain_text("sent", timeout=SEEN_MS)

    fake.age_shipment(tid, fake.resend_window * 2)  # shipped too long ago: Taobao refuses
    row.locator("button.resend").click()
    wait_for_alerts(supervisor, shown, 1)
    expect(row).to_contain_text(FIRST)
    assert len(shown) == 1 and "未能修改运单号" in shown[0] and "千牛卖家中心" in shown[0], shown
    assert fake.orders[tid].out_sid == FIRST

    fake.age_shipment(tid, -fake.resend_window * 2)  # back within the limit
    row.locator("button.resend").click()
    wait_for_alerts(supervisor, shown, 2)
    expect(supervisor.locator("#queue tbody tr", has_text=tid)).to_contain_text(REPRINTED, timeout=SEEN_MS)
    assert len(shown) == 2 and f"{FIRST} → {REPRINTED}" in shown[1], shown
    assert fake.orders[tid].out_sid == REPRINTED and fake.stats.resends[tid] == 1


def test_a_second_label_for_an_order_is_queued_only_as_another_parcel(browser: Browser, shop: DeskServer) -> None:
    packer = signed_in(browser, shop, "packer", "/desk?station=A")
    gun(packer, TWO_PIECES)
    gun(packer, FIRST)
    expect(packer.locator("#screen")).to_have_attribute("data-look", "green", timeout=SEEN_MS)
    gun(packer, SECOND)  # no pick list: no order to match, a person decides
    expect(packer.locator("#screen")).to_have_attribute("data-look", "yellow", timeout=SEEN_MS)

    supervisor = signed_in(browser, shop, "supervisor", "/review")
    card = supervisor.locator("article.item", has_text=SECOND)
    expect(card).to_be_visible(timeout=SEEN_MS)
    card.locator("input.correct-order").fill(TWO_PIECES)
    card.locator("button.correct").click()
    expect(card).to_contain_text("order_has_other_waybill", timeout=SEEN_MS)
    expect(supervisor.locator("#queue tbody tr", has_text=SECOND)).to_have_count(0)

    card.locator(".another-parcel input").check()
    card.locator("button.correct").click()
    expect(supervisor.locator("article.item", has_text=SECOND)).to_have_count(0, timeout=SEEN_MS)
    expect(supervisor.locator("#queue tbody tr", has_text=TWO_PIECES)).to_have_count(2, timeout=SEEN_MS)
