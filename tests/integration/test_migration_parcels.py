"""Revision 0006 (parcels) on a database an 0005 release used: every job kept, each its order's first parcel.

The database is made by the migrations up to 0005 (as that release made
it) and filled through SQL of that schema; `waybill db upgrade` then runs
0006 as a shop would.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from capture.store import schema
from tests.fakes.taobao_server import FakeTaobao
from tests.integration.upload_helpers import waybill, worker_env

COMMAND_TIMEOUT_S = 120
AT = "2026-12-02 08:00:00"
# (id, order, waybill, status): a sent order, a pending one, and an order whose wrong number was cancelled.
JOBS_0005 = (
    (1, "3245040008838737167", "75462889751402", "sent"),
    (2, "2848537153542910686", "YT2579747566125", "pending"),
    (3, "2215901092815901396", "SF7684268465632", "cancelled"),
    (4, "2215901092815901396", "SF7684268465649", "review"),
)


def database_at_0005(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with schema._locked_transaction(engine) as conn:
            command.upgrade(schema._alembic_config(conn), "0005")
    finally:
        engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO upload_jobs (id, order_tid, waybill, carrier, status, attempts, next_attempt_at, last_error,"
            " connector, response_id, exported_to, created_at, updated_at, shop)"
            " VALUES (?, ?, ?, 'ZTO', ?, 1, ?, '', 'taobao', '', '', ?, ?, 'default')",
            [(i, tid, number, status, AT, AT, AT) for i, tid, number, status in JOBS_0005],
        )


def test_the_upgrade_keeps_every_job_as_its_orders_first_parcel_and_then_allows_a_second(
    tmp_path: Path, fake_taobao: FakeTaobao
) -> None:
    db = tmp_path / "shop.db"
    database_at_0005(db)
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT * FROM upload_jobs ORDER BY id").fetchall()
    env = worker_env(fake_taobao, f"sqlite:///{db}", tmp_path)
    process = waybill(["db", "upgrade"], env)
    out, err = process.communicate(timeout=COMMAND_TIMEOUT_S)
    assert process.returncode == 0 and f"to {schema.head_revision()}" in out, out + err

    with sqlite3.connect(db) as conn:
        columns = [c[1] for c in conn.execute("PRAGMA table_info(upload_jobs)")]
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM upload_jobs ORDER BY id").fetchall()
        kept = [tuple(v for c, v in zip(columns, row, strict=True) if c != "parcel") for row in rows]
        assert kept == before
        assert [row[columns.index("parcel")] for row in rows] == [1, 1, 1, 1]

        insert = (
            "INSERT INTO upload_jobs (order_tid, waybill, carrier, status, parcel, attempts, next_attempt_at,"
            " last_error, connector, response_id, exported_to, created_at, updated_at, shop)"
            f" VALUES (?, ?, 'ZTO', 'pending', ?, 0, '{AT}', '', '', '', '', '{AT}', '{AT}', 'default')"
        )
        # A second parcel of the sent order is a row of its own now.
        conn.execute(insert, ("3245040008838737167", "75462889751419", 2))
        # Still one first parcel per order, and one number once per order.
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(insert, ("2848537153542910686", "YT2579747566132", 1))
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(insert, ("3245040008838737167", "75462889751402", 3))
