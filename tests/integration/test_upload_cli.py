"""The upload commands as a user runs them (`waybill ...` subprocesses) on SQLite.

One worker per SQLite database, graceful stop on SIGTERM, secrets absent
from every output and from the database, and the queue commands.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from sqlalchemy.engine import Engine

from capture import api
from capture.cli import main
from tests.fakes.taobao_server import FakeTaobao, Fault
from tests.integration.upload_helpers import queue_jobs, sf, tid, upload_settings, waybill, worker_env

OFFLINE = "isv.logistics-offline-service-error"
COMMAND_TIMEOUT_S = 60
LOCK_WAIT_S = 20


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "waybill.db"


@pytest.fixture
def engine(db_path: Path, tmp_path: Path, upload_home: Path) -> Engine:
    return api.database(upload_settings(f"sqlite:///{db_path}", tmp_path / "cache"))


@pytest.fixture
def env(fake_taobao: FakeTaobao, db_path: Path, tmp_path: Path) -> dict[str, str]:
    return worker_env(fake_taobao, f"sqlite:///{db_path}", tmp_path)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=COMMAND_TIMEOUT_S)
    return process.returncode, out, err


def run_cli(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    return finish(waybill(args, env))


@pytest.fixture
def in_process(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """Run `waybill ARGS` through capture.cli.main in this process, with the worker's environment."""
    for name, value in env.items():
        if name.startswith(("WAYBILL_", "XDG_")):
            monkeypatch.setenv(name, value)

    def run(args: list[str], _env: object = None) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(args)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_a_second_worker_on_one_sqlite_database_is_refused_and_the_first_stops_on_sigterm(
    engine: Engine, env: dict[str, str], db_path: Path, fake_taobao: FakeTaobao
) -> None:
    fake_taobao.add_orders(tid(1))
    queue_jobs(engine, [(tid(1), sf(1), "SF")])
    first = waybill(["upload"], env)  # runs until stopped
    lock = db_path.with_name(db_path.name + ".upload.lock")
    try:
        deadline = time.monotonic() + LOCK_WAIT_S
        while not (lock.exists() and lock.read_text().startswith("pid")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake_taobao.wait_for(lambda s: s.ships[tid(1)] == 1, timeout_s=LOCK_WAIT_S)

        code, out, err = run_cli(["upload", "--until-empty"], env)

        assert code == 9
        assert f"another upload worker (pid {first.pid} on " in err
        assert "SQLite allows one upload worker per database" in err
    finally:
        first.send_signal(signal.SIGTERM)
        code, out, err = finish(first)
    assert code == 0  # a graceful stop
    assert "upload: sent 1" in out
    # The lock went with the process: a new worker runs.
    code, out, err = run_cli(["upload", "--until-empty"], env)
    assert code == 0, err


def test_secrets_never_reach_logs_outputs_or_the_database(
    engine: Engine, env: dict[str, str], db_path: Path, fake_taobao: FakeTaobao
) -> None:
    fake_taobao.add_orders(tid(1), tid(2), tid(3))
    queue_jobs(engine, [(tid(1), sf(1), "SF"), (tid(2), sf(2), "SF"), (tid(3), sf(3), "SF")])
    fake_taobao.fail(Fault.SERVER_ERROR, tid=tid(1))
    fake_taobao.fail(Fault.ERROR, tid=tid(2), sub_code=f"{OFFLINE}:B60", sub_msg="运单号不符合规则或已经被使用")
    fake_taobao.fail(Fault.INVALID_SESSION, tid=tid(3))  # its message quotes the session back

    upload = run_cli(["upload", "--until-empty", "--json", "-v"], env)
    listing = run_cli(["queue", "list", "--json"], env)
    table = run_cli(["queue", "list", "-v"], env)
    with sqlite3.connect(db_path) as conn:
        dump = "\n".join(conn.iterdump())

    code, out, err = upload
    assert code == 8, err  # credentials refused: the worker stops and says so
    assert "session key is missing or expired" in err
    results = [json.loads(line) for line in out.splitlines()]
    assert [(r["order"], r["status"]) for r in results] == [
        (tid(1), "pending"),
        (tid(2), "review"),
        (tid(3), "pending"),
    ]
    assert "B60" in results[1]["message"] and "***" in results[2]["message"]
    assert "INFO capture.upload" in err  # -v logs were on
    texts = [*upload[1:], *listing[1:], *table[1:], dump]
    for secret in (fake_taobao.app_key, fake_taobao.app_secret, fake_taobao.session):
        for text in texts:
            assert secret not in text


def test_queue_list_retry_cancel_and_export(
    engine: Engine,
    in_process: Callable[[list[str], dict[str, str]], tuple[int, str, str]],
    env: dict[str, str],
    tmp_path: Path,
    fake_taobao: FakeTaobao,
) -> None:
    run_cli = in_process  # the same commands, without a second's start-up per call
    fake_taobao.add_orders(tid(1), tid(2))
    queue_jobs(engine, [(tid(1), sf(1), "SF"), (tid(2), sf(2), "SF")])
    fake_taobao.fail(Fault.ERROR, tid=tid(2), sub_code=f"{OFFLINE}:B60", sub_msg="运单号不符合规则或已经被使用")
    assert run_cli(["upload", "--until-empty"], env)[0] == 0
    queue_jobs(engine, [(tid(3), "73123456789012", "ZTO"), (tid(4), "YT1234567890123", "YTO"), (tid(5), sf(5), "SF")])

    code, out, _ = run_cli(["queue", "list"], env)
    assert code == 0
    header, *rows, footer = out.splitlines()
    assert header.split()[:6] == ["id", "order", "waybill", "carrier", "status", "queued"]
    assert "tries" in header and "next attempt" in header and "last error" in header
    assert footer == "5 in queue"
    review_row = next(r for r in rows if tid(2) in r)
    assert "review" in review_row and "B60" in review_row

    export_file = tmp_path / "发货.csv"
    code, out, _ = run_cli(["queue", "export", str(export_file)], env)
    assert code == 0 and "exported 3 job(s)" in out
    lines = export_file.read_bytes().decode("utf-8-sig").splitlines()
    assert lines == [
        "订单编号,物流公司,运单号",
        f"{tid(3)},中通快递,73123456789012",
        f"{tid(4)},圆通速递,YT1234567890123",
        f"{tid(5)},顺丰速运,{sf(5)}",
    ]
    # Exported once: a second export finds nothing and writes no file; a worker sends none of them.
    code, out, _ = run_cli(["queue", "export", str(tmp_path / "again.csv")], env)
    assert "nothing pending" in out and not (tmp_path / "again.csv").exists()
    code, out, err = run_cli(["queue", "export", str(export_file)], env)
    assert code == 4 and "already exists" in err
    jobs = {j.order_tid: j for j in api.list_jobs(upload_settings(env["WAYBILL_DB_URL"], tmp_path / "cache"))}
    assert {jobs[tid(n)].status for n in (3, 4, 5)} == {"exported"}
    assert jobs[tid(3)].exported_to == str(export_file.resolve())

    # A lost file: retry puts them back; a mistaken one is cancelled.
    code, out, _ = run_cli(["queue", "retry", "--status", "exported"], env)
    assert code == 0 and "retried 3 job(s)" in out
    code, out, _ = run_cli(["queue", "cancel", str(jobs[tid(5)].id), str(jobs[tid(1)].id), "999"], env)
    assert code == 10
    assert "cancelled 1 job(s)" in out
    assert f"job {jobs[tid(1)].id} not cancelled: it is sent" in out and "job 999 not cancelled: no such job" in out

    # The review job, retried, is sent once the platform accepts it.
    fake_taobao.clear_faults()
    code, out, _ = run_cli(["queue", "retry"], env)
    assert code == 0 and f"retried 1 job(s): {jobs[tid(2)].id}" in out
    fake_taobao.add_orders(tid(3), tid(4))
    code, out, err = run_cli(["upload", "--until-empty"], env)
    assert code == 0, err
    assert "upload: sent 3, review 0, dead 0" in out
    final = {j.order_tid: j.status for j in api.list_jobs(upload_settings(env["WAYBILL_DB_URL"], tmp_path / "cache"))}
    assert final == {tid(1): "sent", tid(2): "sent", tid(3): "sent", tid(4): "sent", tid(5): "cancelled"}
    assert fake_taobao.stats.ships == {tid(1): 1, tid(2): 1, tid(3): 1, tid(4): 1}


def test_orders_pull_stores_open_orders_through_the_import_interface(
    env: dict[str, str], engine: Engine, tmp_path: Path, fake_taobao: FakeTaobao
) -> None:
    fake_taobao.add_orders(*(tid(n) for n in range(250)), receiver_mobile="+86 138-0013-9999")
    fake_taobao.add_orders(tid(900))
    fake_taobao.ship_by_hand(tid(900), sf(900))  # not awaiting shipment: not in the first (full) pull
    env = {**env, "WAYBILL_TAOBAO_PAGE_SIZE": "100"}

    code, out, err = run_cli(["orders", "pull"], env)
    assert code == 0, err
    assert "pulled 3 page(s) from Taobao: 250 added, 0 updated, 0 unchanged" in out

    # The second pull asks only for changes (trades.sold.increment.get), of every status: the order the
    # seller shipped in the back office comes too, as shipped, so a label for it is refused, not reviewed.
    code, out, err = run_cli(["orders", "pull"], env)
    assert "1 added, 0 updated, 250 unchanged" in out and "(changes since " in out
    from capture.store.db import session_scope
    from capture.store.tables import Order

    with session_scope(engine) as session:
        order = session.get(Order, tid(7))
        assert order is not None
        assert (order.status, order.receiver_phone_masked, order.phone_tail) == (
            "awaiting_shipment",
            "*******9999",
            "9999",
        )
        assert order.receiver_address == "浙江省 杭州市 西湖区 文三路1号"
        shipped = session.get(Order, tid(900))
        assert shipped is not None and shipped.status == "shipped"


def test_queue_export_to_xlsx_keeps_every_order_number_digit_as_text(
    engine: Engine,
    in_process: Callable[[list[str], dict[str, str]], tuple[int, str, str]],
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    queue_jobs(engine, [(tid(3), "73123456789012", "ZTO"), (tid(5), sf(5), "SF")])
    book = tmp_path / "批量发货.xlsx"

    code, out, _ = in_process(["queue", "export", str(book)], env)

    assert code == 0 and "exported 2 job(s)" in out
    sheet = openpyxl.load_workbook(book).worksheets[0]
    rows = [[(cell.value, cell.data_type, cell.number_format) for cell in row] for row in sheet.iter_rows()]
    assert [[value for value, _, _ in row] for row in rows] == [
        ["订单编号", "物流公司", "运单号"],
        [tid(3), "中通快递", "73123456789012"],
        [tid(5), "顺丰速运", sf(5)],
    ]
    # Strings with the text format: Excel shows and saves all 19 digits, not 2.1E+18.
    assert {(kind, fmt) for row in rows for _, kind, fmt in row} == {("s", "@")}
    # And the order report reader (calamine) reads back the same text.
    reread = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_index(0).to_python()
    assert reread[1][0] == tid(3)
