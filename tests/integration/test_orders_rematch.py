"""Labels scanned before their orders arrived are matched again by `waybill orders import` (issues 13, 14).

The labels are scanned through the facade with stand-in engines (the label
text given, as tests/unit/test_review.py does: reading real photos is not
what is tested here); the import and the review listing are real `waybill`
processes on a real SQLite file and a real CSV export.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import select

from capture import api
from capture import settings as settings_mod
from capture.pipeline.run import Engines
from capture.settings import Settings
from capture.store.db import session_scope
from capture.store.tables import AuditEntry, ReviewItem, ReviewState, UploadJob
from capture.types import Frame, Status
from tests.unit.test_review import Barcodes, Ocr

ROOT = Path(__file__).resolve().parents[2]
SINGLE = "2100000000000000003"  # 钱七, one open order once imported
ZHAO_A = "2100000000000000001"  # 赵敏's two open orders, one address: still ambiguous
ZHAO_B = "2100000000000000002"
QIAN_WAYBILL = "SF1234567890123"
ZHAO_WAYBILL = "SF1234567890456"
NOBODY_WAYBILL = "SF1234567890789"
HEADER = "订单编号,买家会员名,订单状态,收货人姓名,收货地址,联系手机,宝贝标题,宝贝总数量,买家留言,订单备注"
AWAITING = "买家已付款，等待卖家发货"


def waybill(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "capture.cli", *args, "--db", db],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={**os.environ, "WAYBILL_CONFIG": os.devnull},
    )


def scan_label(settings: Settings, number: str, name: str, phone: str, address: str) -> Status:
    engines = Engines(Barcodes(number), Ocr("顺丰速运", number, f"收件人: {name} {phone}", address))
    frame = Frame(np.full((600, 800, 3), 255, np.uint8), source=f"{number}.jpg")
    return api.scan_frame(frame, engines, settings, api.database(settings)).outcome.status


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_mod.load(env={}, db_url=f"sqlite:///{tmp_path / 'desk.db'}")


QIAN_LINE = f"{SINGLE},qian7,{AWAITING},钱七,四川省 成都市 武侯区 人民路5号(610041),13900005555,帆布包,1,,"


def write_export(path: Path, *with_lines: str) -> Path:
    lines = [
        HEADER,
        *with_lines,
        f"{ZHAO_A},zhaomin,{AWAITING},赵敏,江苏省 苏州市 吴中区 东风路9号(215100),13800004444,纯棉T恤,2,"
        "白色XL，到了打13800004444,送小样",
        f"{ZHAO_B},zhaomin,{AWAITING},赵敏,江苏省 苏州市 吴中区 东风路9号(215100),13800004444,保温杯,1,,",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def test_labels_waiting_for_their_order_are_queued_once_the_import_brings_it(
    settings: Settings, tmp_path: Path
) -> None:
    monday = waybill("orders", "import", str(write_export(tmp_path / "monday.csv")), db=settings.db_url)
    assert "0 label(s) matched again" in monday.stdout, monday.stderr
    # 赵敏 has two open orders to one address: ambiguous_order.  钱七's order is not known yet.
    assert scan_label(settings, ZHAO_WAYBILL, "赵敏", "138****4444", "江苏省苏州市吴中区东风路9号") is Status.REVIEW
    assert scan_label(settings, QIAN_WAYBILL, "钱七", "139****5555", "四川省成都市武侯区人民路5号") is Status.REVIEW
    assert scan_label(settings, NOBODY_WAYBILL, "周九", "137****7777", "广东省广州市天河区体育西路1号") is Status.REVIEW
    export = write_export(tmp_path / "orders.csv", QIAN_LINE)

    done = waybill("orders", "import", str(export), db=settings.db_url)

    assert done.returncode == 0, done.stderr
    assert "3 label(s) matched again, 1 now queued, 2 still waiting for review" in done.stdout
    with session_scope(api.database(settings)) as session:
        jobs = [(j.order_tid, j.waybill) for j in session.exec(select(UploadJob))]
        items = {i.waybill or i.scan_id: i.state for i in session.exec(select(ReviewItem))}
        trail = [
            (a.actor, a.order_tid, a.waybill, a.status, a.detail)
            for a in session.exec(select(AuditEntry).where(AuditEntry.action == "rematch"))
        ]
    assert jobs == [(SINGLE, QIAN_WAYBILL)]
    assert items[QIAN_WAYBILL] == ReviewState.REMATCHED
    assert sorted(items.values()) == sorted([ReviewState.REMATCHED, ReviewState.OPEN, ReviewState.OPEN])
    assert [row[:4] for row in trail] == [("auto:rematch", SINGLE, QIAN_WAYBILL, "queued")]
    assert "orders.csv" in trail[0][4]

    again = waybill("orders", "import", str(export), db=settings.db_url)
    assert "2 label(s) matched again, 0 now queued, 2 still waiting for review" in again.stdout, again.stderr

    # The two orders that still need a person show what goes in the box and what the buyer wrote.
    review = waybill("review", db=settings.db_url)
    assert review.returncode == 0, review.stderr
    assert "item: 纯棉T恤 x2" in review.stdout and "item: 保温杯 x1" in review.stdout
    assert "buyer message: 白色XL，到了打*******4444" in review.stdout
    assert "seller note: 送小样" in review.stdout
    assert "13800004444" not in review.stdout


def test_orders_with_masked_receivers_are_counted_and_their_labels_say_why_they_wait(
    settings: Settings, tmp_path: Path
) -> None:
    masked = f"{SINGLE},qian7,{AWAITING},钱*,四川省成都市武侯区****,139****5555,帆布包,1,,"
    path = tmp_path / "masked.csv"
    path.write_bytes(f"{HEADER}\r\n{masked}\r\n".encode("gbk"))

    done = waybill("orders", "import", str(path), db=settings.db_url)

    assert done.returncode == 0, done.stderr
    assert "1 order(s) have their receiver masked by the marketplace" in done.stdout
    assert scan_label(settings, QIAN_WAYBILL, "钱七", "139****5555", "四川省成都市武侯区人民路5号") is Status.REVIEW
    review = waybill("review", db=settings.db_url)
    assert "whose receiver the marketplace masked (钱*)" in review.stdout, review.stdout
    assert "order number on the label or the pick list" in review.stdout
