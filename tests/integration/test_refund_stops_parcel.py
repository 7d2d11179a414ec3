"""A refund stops a parcel: at scan time, and again right before the send; the incremental pull (issue 14).

Real parts: the loopback Taobao fake (refund states per order, served by
taobao.trades.sold.get and taobao.trade.fullinfo.get), `orders pull` and
the upload worker through the facade, order reports as real CSV files,
SQLite.  Labels are scanned with stand-in engines (the label text given).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from capture import api
from capture.pipeline.run import Engines
from capture.settings import Settings
from capture.store import pull_cursor
from capture.store.db import session_scope
from capture.store.orders_import import import_orders
from capture.store.tables import Order, OrderStatus
from capture.types import Frame, Reason, RefundState, Status
from capture.upload.taobao_orders import SOURCE as PULL_SOURCE
from tests.fakes.taobao_server import FULLINFO, GMT8, INCREMENT, TRADES, FakeTaobao
from tests.integration.upload_helpers import credentials_env, queue_jobs, sf, tid, upload_settings
from tests.unit.test_review import Barcodes, Ocr

HEADER = "订单编号,订单状态,收货人姓名,收货地址,联系手机,退款状态"
AWAITING = "买家已付款，等待卖家发货"


@pytest.fixture
def settings(tmp_path: Path, upload_home: Path) -> Settings:
    return upload_settings(f"sqlite:///{tmp_path / 'waybill.db'}", tmp_path / "cache")


@pytest.fixture
def engine(settings: Settings) -> Engine:
    return api.database(settings)


def run_worker(settings: Settings, fake: FakeTaobao) -> None:
    api.run_upload(settings, until_empty=True, env=credentials_env(fake), handle_signals=False)


def import_report(engine: Engine, path: Path, refund: str) -> None:
    line = f"{tid(1)},{AWAITING},钱七,四川省 成都市 武侯区 人民路5号,13900005555,{refund}"
    path.write_bytes(f"{HEADER}\r\n{line}\r\n".encode("gbk"))
    with session_scope(engine) as session:
        import_orders(session, path)


def job_of(settings: Settings, order: str):
    return next(job for job in api.list_jobs(settings) if job.order_tid == order)


def test_a_refund_asked_after_the_pull_stops_the_send(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    fake_taobao.add_orders(tid(1), tid(2))
    api.pull_orders(settings, env=credentials_env(fake_taobao))
    queue_jobs(engine, [(tid(1), sf(1), "SF"), (tid(2), sf(2), "SF")])
    fake_taobao.set_refund(tid(1), "WAIT_SELLER_AGREE")  # between the scan and the send

    run_worker(settings, fake_taobao)

    assert fake_taobao.stats.sends[tid(1)] == 0 and fake_taobao.orders[tid(1)].out_sid == ""
    assert fake_taobao.stats.ships[tid(2)] == 1
    refused = job_of(settings, tid(1))
    assert refused.status == "review" and Reason.REFUND_IN_PROGRESS in refused.last_error
    assert fake_taobao.stats.calls[FULLINFO] == 2  # asked right before each send


def test_a_refused_refund_lets_the_parcel_go(settings: Settings, engine: Engine, fake_taobao: FakeTaobao) -> None:
    fake_taobao.add_orders(tid(1))
    fake_taobao.set_refund(tid(1), "WAIT_SELLER_AGREE")
    api.pull_orders(settings, env=credentials_env(fake_taobao))
    queue_jobs(engine, [(tid(1), sf(1), "SF")])  # (a person queued it anyway)
    fake_taobao.set_refund(tid(1), "SELLER_REFUSE_BUYER")

    run_worker(settings, fake_taobao)

    assert job_of(settings, tid(1)).status == "sent" and fake_taobao.stats.ships[tid(1)] == 1


def test_an_imported_order_is_stopped_by_the_latest_import(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao, tmp_path: Path
) -> None:
    fake_taobao.add_orders(tid(1))
    import_report(engine, tmp_path / "morning.csv", "没有申请退款")
    queue_jobs(engine, [(tid(1), sf(1), "SF")])
    import_report(engine, tmp_path / "noon.csv", "退款中")

    run_worker(settings, fake_taobao)

    assert fake_taobao.stats.sends[tid(1)] == 0
    assert job_of(settings, tid(1)).status == "review"
    assert fake_taobao.stats.calls[FULLINFO] == 0  # an imported order is judged by the file


def test_a_label_for_an_order_with_a_refund_goes_to_review_and_ships_once_it_is_refused(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    import_report(engine, tmp_path / "orders.csv", "买家已经申请退款，等待卖家同意")
    engines = Engines(
        Barcodes(sf(7)), Ocr("顺丰速运", sf(7), "收件人: 钱七 139****5555", "四川省成都市武侯区人民路5号")
    )
    frame = Frame(np.full((600, 800, 3), 255, np.uint8), source="label.jpg")

    outcome = api.scan_frame(frame, engines, settings, engine).outcome

    assert (outcome.status, outcome.reasons) == (Status.REVIEW, (Reason.REFUND_IN_PROGRESS,))
    assert not api.list_jobs(settings)
    path = tmp_path / "later.csv"
    line = f"{tid(1)},{AWAITING},钱七,四川省 成都市 武侯区 人民路5号,13900005555,卖家拒绝退款"
    path.write_bytes(f"{HEADER}\r\n{line}\r\n".encode("gbk"))
    imported = api.import_orders(path, settings)
    assert imported.rematch.queued == 1
    assert [(j.order_tid, j.waybill) for j in api.list_jobs(settings)] == [(tid(1), sf(7))]


# --- the incremental pull ---------------------------------------------------------


def test_a_second_pull_asks_only_for_changes_and_sees_shipments_refunds_and_new_orders(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    env = credentials_env(fake_taobao)
    fake_taobao.add_orders(tid(1), tid(2), tid(3))
    first = api.pull_orders(settings, env=env)
    assert (first.changes_since, first.added) == (None, 3)
    quiet_since = datetime.now(GMT8) - timedelta(days=2)
    fake_taobao.touch(tid(3), quiet_since)  # unchanged since long before the first pull
    fake_taobao.ship_by_hand(tid(1), sf(1))
    fake_taobao.set_refund(tid(2), "WAIT_SELLER_AGREE")
    fake_taobao.add_orders(tid(4))

    second = api.pull_orders(settings, env=env)

    assert second.changes_since is not None
    assert (second.added, second.updated, second.unchanged) == (1, 2, 0)  # tid(3) was not asked for
    assert fake_taobao.stats.calls[TRADES] == 1 and fake_taobao.stats.calls[INCREMENT] == 1
    with session_scope(engine) as session:
        stored = {o.tid: (o.status, o.refund_status) for o in session.exec(select(Order))}
    assert stored[tid(1)][0] == OrderStatus.SHIPPED
    assert stored[tid(2)] == (OrderStatus.AWAITING_SHIPMENT, RefundState.IN_PROGRESS)
    assert tid(4) in stored


def test_a_pull_after_days_asks_day_by_day_and_full_asks_for_everything(
    settings: Settings, engine: Engine, fake_taobao: FakeTaobao
) -> None:
    env = credentials_env(fake_taobao)
    fake_taobao.add_orders(tid(1))
    api.pull_orders(settings, env=env)
    with session_scope(engine) as session:
        pull_cursor.advance(session, PULL_SOURCE, datetime.now(UTC) - timedelta(days=3))

    later = api.pull_orders(settings, env=env)

    assert later.changes_since is not None
    assert fake_taobao.stats.calls[INCREMENT] == 4  # three days and the overlap, at most one day a call
    full = api.pull_orders(settings, env=env, full=True)
    assert full.changes_since is None and fake_taobao.stats.calls[TRADES] == 2
