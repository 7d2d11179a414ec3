"""The store on a real PostgreSQL server: what SQLite lets slide, PostgreSQL does not.

Each test gets its own empty database (`pg_engine`, tables made by
open_engine).  No mocks: rows go in through the product's functions and are
read back the way the product reads them, in a new session.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from capture.decisions import commit_scan
from capture.store.db import session_scope
from capture.store.job_views import list_jobs as list_queue
from capture.store.order_source import COLUMN_LIMITS, OrderRow, UpsertCounts, upsert_orders
from capture.store.repo import ScanRecord, SqlOrderLookup
from capture.store.tables import JobStatus, Order, OrderStatus, Scan, UploadJob
from capture.types import Candidate, Outcome, Status, Via
from tests.scan_rows import record_scan

TID_A = "2751925651837878487"
TID_B = "2751925651837878488"
TID_C = "2751925651837878489"
SF_WAYBILL = "SF1234567890123"
ZTO_WAYBILL = "73123456789012"
SHANGHAI = timezone(timedelta(hours=8))


def order_row(
    tid: str,
    status: OrderStatus = OrderStatus.AWAITING_SHIPMENT,
    *,
    name: str = "张三",
    phone: str = "13812345678",
    address: str = "浙江省 杭州市 西湖区 文三路1号",
    waybill: str | None = None,
    carrier: str = "",
    buyer: str = "tb_buyer",
) -> OrderRow:
    return OrderRow(
        tid=tid,
        status=status,
        status_raw=str(status),
        buyer=buyer,
        receiver_name=name,
        receiver_phone_masked=phone,
        phone_tail=phone[-4:],
        receiver_address=address,
        waybill=waybill,
        carrier_name=carrier,
    )


def scan_record(tid: str | None = TID_A, waybill: str | None = SF_WAYBILL, carrier: str | None = "SF") -> ScanRecord:
    return ScanRecord(
        path="/photos/台面/IMG_0001.jpg",
        sha256="ab" * 32,
        status="queued",
        waybill=waybill,
        carrier=carrier,
        via="barcode+ocr",
        confidence=0.97,
        order_tid=tid,
        reasons=[],
        evidence={"recipient": "张三", "phone_tail": "5678"},
        engines="zxing+rapidocr",
        ms=123.4,
    )


def import_rows(engine: Engine, rows: list[OrderRow], source: str = "orders.csv") -> UpsertCounts:
    with session_scope(engine) as session:
        return upsert_orders(session, rows, source=source)


def orders(engine: Engine) -> dict[str, dict]:
    with session_scope(engine) as session:
        return {o.tid: o.model_dump() for o in session.exec(select(Order))}


def count(engine: Engine, table: type) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


# --- the server itself -------------------------------------------------------


def test_the_fixture_gives_a_real_postgresql_with_the_tables(pg_engine: Engine) -> None:
    with pg_engine.connect() as conn:
        version = conn.execute(text("SELECT version()")).scalar_one()
        tables = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    assert pg_engine.dialect.name == "postgresql"
    assert version.startswith("PostgreSQL ")
    assert {"orders", "scans", "upload_jobs"} <= tables


# --- importing orders --------------------------------------------------------


def test_importing_the_same_orders_again_changes_nothing(pg_engine: Engine) -> None:
    rows = [order_row(TID_A), order_row(TID_B)]
    assert import_rows(pg_engine, rows) == UpsertCounts(added=2)
    before = orders(pg_engine)

    again = import_rows(pg_engine, rows, source="orders-again.csv")

    assert again == UpsertCounts(unchanged=2)
    assert count(pg_engine, Order) == 2
    assert orders(pg_engine) == before  # not even updated_at or source moved


def test_reimport_updates_changed_orders_and_never_duplicates(pg_engine: Engine) -> None:
    import_rows(pg_engine, [order_row(TID_A), order_row(TID_B), order_row(TID_C)], source="monday.csv")
    later = [
        order_row(TID_A),
        order_row(TID_B, OrderStatus.SHIPPED, waybill=SF_WAYBILL, carrier="顺丰速运"),
        order_row(TID_C),
    ]

    counts = import_rows(pg_engine, later, source="tuesday.csv")

    assert counts == UpsertCounts(updated=1, unchanged=2)
    assert count(pg_engine, Order) == 3
    stored = orders(pg_engine)
    assert (stored[TID_B]["status"], stored[TID_B]["waybill"], stored[TID_B]["carrier_name"]) == (
        OrderStatus.SHIPPED,
        SF_WAYBILL,
        "顺丰速运",
    )
    assert stored[TID_B]["source"] == "tuesday.csv"
    assert stored[TID_A]["source"] == "monday.csv"


def test_one_order_twice_in_one_import_is_stored_once_with_the_later_row(pg_engine: Engine) -> None:
    # On PostgreSQL a second INSERT of the same tid would fail the whole import.
    rows = [order_row(TID_A), order_row(TID_A, OrderStatus.SHIPPED, waybill=SF_WAYBILL)]

    counts = import_rows(pg_engine, rows)

    assert counts.added == 1
    assert count(pg_engine, Order) == 1
    assert orders(pg_engine)[TID_A]["status"] == OrderStatus.SHIPPED


def test_an_order_at_every_column_limit_stores_on_postgresql(pg_engine: Engine) -> None:
    # OrderRow accepts up to the column sizes; PostgreSQL counts characters,
    # not bytes, so Chinese text up to the limit must fit too.
    longest = order_row(
        "9" * COLUMN_LIMITS["tid"],
        name="张" * COLUMN_LIMITS["receiver_name"],
        buyer="买" * COLUMN_LIMITS["buyer"],
        waybill="7" * COLUMN_LIMITS["waybill"],
        carrier="顺" * COLUMN_LIMITS["carrier_name"],
    )

    import_rows(pg_engine, [longest], source="/very/long/path/" + "导出/" * 200 + "orders.csv")

    stored = orders(pg_engine)[longest.tid]
    assert stored["receiver_name"] == longest.receiver_name
    assert stored["source"].endswith("orders.csv")


# --- finding orders ----------------------------------------------------------


def test_lookup_finds_orders_by_number_phone_tail_and_waybill(pg_engine: Engine) -> None:
    import_rows(
        pg_engine,
        [
            order_row(TID_A, name="张三", phone="13812345678"),
            order_row(TID_B, name="李四", phone="139****5678"),  # same tail, another person
            order_row(TID_C, OrderStatus.SHIPPED, phone="0571-88886666", waybill=ZTO_WAYBILL, carrier="中通快递"),
        ],
    )

    with session_scope(pg_engine) as session:
        lookup = SqlOrderLookup(session)
        found = lookup.by_tid(TID_A)
        missing = lookup.by_tid("0000000000000000000")
        by_tail = lookup.by_phone_tail("5678")
        no_tail = lookup.by_phone_tail("")
        with_zto = lookup.orders_with_waybill(ZTO_WAYBILL)
        with_unknown = lookup.orders_with_waybill("SF0000000000000")

    assert found is not None
    assert (found.tid, found.receiver_name, found.phone_tail, found.status) == (
        TID_A,
        "张三",
        "5678",
        OrderStatus.AWAITING_SHIPMENT,
    )
    assert found.address == "浙江省 杭州市 西湖区 文三路1号"
    assert missing is None
    assert sorted((o.tid, o.receiver_name) for o in by_tail) == [(TID_A, "张三"), (TID_B, "李四")]
    assert no_tail == []
    assert with_zto == [TID_C]
    assert with_unknown == []


def test_lookup_sees_queued_waybills_but_not_cancelled_ones(pg_engine: Engine) -> None:
    import_rows(pg_engine, [order_row(TID_A), order_row(TID_B)])
    with session_scope(pg_engine) as session:
        record_scan(session, scan_record(TID_A, SF_WAYBILL, "SF"), queue=True)
        record_scan(session, scan_record(TID_B, ZTO_WAYBILL, "ZTO"), queue=True)
    with session_scope(pg_engine) as session:
        job_b = session.exec(select(UploadJob).where(UploadJob.order_tid == TID_B)).one()
        job_b.status = JobStatus.CANCELLED.value

    with session_scope(pg_engine) as session:
        lookup = SqlOrderLookup(session)
        assert lookup.orders_with_waybill(SF_WAYBILL) == [TID_A]
        assert lookup.queued_waybill(TID_A) == SF_WAYBILL
        assert lookup.orders_with_waybill(ZTO_WAYBILL) == []
        assert lookup.queued_waybill(TID_B) is None


# --- scans and the outbox ----------------------------------------------------


def test_a_queued_scan_writes_the_scan_and_its_upload_job_together(pg_engine: Engine) -> None:
    import_rows(pg_engine, [order_row(TID_A)])

    with session_scope(pg_engine) as session:
        scan_id = record_scan(session, scan_record(TID_A), queue=True)

    with session_scope(pg_engine) as session:
        scan = session.get(Scan, scan_id)
        jobs = session.exec(select(UploadJob)).all()
        queue = list_queue(session)
        pending = list_queue(session, (JobStatus.PENDING.value,))
        sent = list_queue(session, (JobStatus.SENT.value,))
        assert scan is not None
        assert (scan.status, scan.waybill, scan.order_tid, scan.path) == (
            "queued",
            SF_WAYBILL,
            TID_A,
            "/photos/台面/IMG_0001.jpg",
        )
        assert json.loads(scan.evidence) == {"recipient": "张三", "phone_tail": "5678"}
        assert [(j.order_tid, j.waybill, j.carrier, j.scan_id, j.status) for j in jobs] == [
            (TID_A, SF_WAYBILL, "SF", scan_id, JobStatus.PENDING.value)
        ]
    assert [(e.order_tid, e.waybill, e.status, e.attempts) for e in queue] == [(TID_A, SF_WAYBILL, "pending", 0)]
    assert pending == queue
    assert sent == []


def test_a_second_first_parcel_or_a_number_twice_is_refused_and_leaves_no_scan_behind(pg_engine: Engine) -> None:
    import_rows(pg_engine, [order_row(TID_A)])
    with session_scope(pg_engine) as session:
        first_scan = record_scan(session, scan_record(TID_A, SF_WAYBILL, "SF"), queue=True)

    # Two desks racing with two labels of one order both see "no parcel yet": the second is refused.
    with pytest.raises(IntegrityError, match="uq_upload_jobs_order_first"), session_scope(pg_engine) as session:
        scan_id = record_scan(session, scan_record(TID_A, ZTO_WAYBILL, "ZTO"), queue=False)
        session.add(UploadJob(order_tid=TID_A, waybill=ZTO_WAYBILL, carrier="ZTO", scan_id=scan_id, parcel=1))
        session.flush()
    with pytest.raises(IntegrityError, match="uq_upload_jobs_order_waybill"), session_scope(pg_engine) as session:
        record_scan(session, scan_record(TID_A, SF_WAYBILL, "SF"), queue=True)

    with session_scope(pg_engine) as session:
        scans = [s.id for s in session.exec(select(Scan))]
        jobs = list_queue(session)
    assert scans == [first_scan]  # the refused scans were rolled back with their jobs
    assert [(j.order_tid, j.waybill) for j in jobs] == [(TID_A, SF_WAYBILL)]

    # A second number queued through the decision's path is the order's second parcel.
    with session_scope(pg_engine) as session:
        record_scan(session, scan_record(TID_A, ZTO_WAYBILL, "ZTO"), queue=True)
    with session_scope(pg_engine) as session:
        parcels = [(j.waybill, j.parcel) for j in session.exec(select(UploadJob).order_by(col(UploadJob.id)))]
    assert parcels == [(SF_WAYBILL, 1), (ZTO_WAYBILL, 2)]


def test_the_database_stays_usable_after_a_refused_job(pg_engine: Engine) -> None:
    # A failed transaction must not poison the pooled connection for the next photo.
    import_rows(pg_engine, [order_row(TID_A), order_row(TID_B)])
    with session_scope(pg_engine) as session:
        record_scan(session, scan_record(TID_A), queue=True)
    with pytest.raises(IntegrityError), session_scope(pg_engine) as session:
        record_scan(session, scan_record(TID_A), queue=True)  # the same number again

    with session_scope(pg_engine) as session:
        record_scan(session, scan_record(TID_B, ZTO_WAYBILL, "ZTO"), queue=True)

    assert count(pg_engine, Scan) == 2
    assert count(pg_engine, UploadJob) == 2


def test_a_queued_decision_without_an_order_is_refused_and_leaves_no_scan_behind(pg_engine: Engine) -> None:
    import_rows(pg_engine, [order_row(TID_A)])
    number = Candidate(SF_WAYBILL, "SF", Via.BARCODE, 0.99)

    with (
        pytest.raises(ValueError, match="needs a number and an order"),
        session_scope(pg_engine) as session,
    ):
        commit_scan(session, scan_record(TID_A, SF_WAYBILL, "SF"), Outcome(Status.QUEUED, candidate=number), "test")

    assert count(pg_engine, Scan) == 0
    assert count(pg_engine, UploadJob) == 0


def test_a_scan_for_review_is_recorded_without_a_job(pg_engine: Engine) -> None:
    with session_scope(pg_engine) as session:
        record_scan(session, scan_record(tid=None, waybill=None, carrier=None), queue=False)

    assert count(pg_engine, Scan) == 1
    assert count(pg_engine, UploadJob) == 0


# --- time --------------------------------------------------------------------


TIMESTAMP_COLUMNS = [
    ("orders", "updated_at"),
    ("scans", "created_at"),
    ("upload_jobs", "created_at"),
    ("upload_jobs", "next_attempt_at"),
    ("upload_jobs", "updated_at"),
    ("upload_jobs", "lease_until"),
    ("upload_jobs", "sent_at"),
    ("upload_jobs", "exported_at"),
    ("audit_log", "at"),
    ("review_items", "created_at"),
    ("review_items", "resolved_at"),
    ("desk_pairs", "expires_at"),
    ("desk_pairs", "updated_at"),
    ("users", "created_at"),
    ("web_sessions", "expires_at"),
    ("web_sessions", "created_at"),
    ("order_pulls", "pulled_until"),
    ("order_pulls", "updated_at"),
    ("clips", "started_at"),
    ("clips", "ended_at"),
    ("clips", "created_at"),
    ("clips", "removed_at"),
    ("disputes", "opened_at"),
    ("disputes", "closed_at"),
]


def test_timestamp_columns_keep_their_timezone_on_postgresql(pg_engine: Engine) -> None:
    # A plain `timestamp` column would silently turn an aware UTC value into
    # the server's wall-clock time (SQLModel before 0.0.45 made those).
    with pg_engine.connect() as conn:
        types: dict[str, str] = dict(
            conn.execute(
                text(
                    "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND data_type LIKE 'timestamp%'"
                )
            ).all()
        )
    assert types == {f"{t}.{c}": "timestamp with time zone" for t, c in TIMESTAMP_COLUMNS}


def test_timestamps_come_back_as_the_same_instant_in_utc(pg_engine: Engine) -> None:
    # The throwaway server runs with TimeZone=Asia/Shanghai, as a shop's
    # server in China would.  A retry time set in Shanghai time must come back
    # as the same instant, and every stamp in UTC: `queue list` prints
    # created_at under "queued at (UTC)".
    retry_at = datetime(2026, 11, 22, 3, 15, 0, 123456, tzinfo=UTC)
    before = datetime.now(UTC)
    import_rows(pg_engine, [order_row(TID_A)])
    with session_scope(pg_engine) as session:
        record_scan(session, scan_record(TID_A), queue=True)
    with session_scope(pg_engine) as session:
        session.exec(select(UploadJob)).one().next_attempt_at = retry_at.astimezone(SHANGHAI)

    with session_scope(pg_engine) as session:
        server_zone = session.connection().execute(text("SHOW TimeZone")).scalar_one()
        job = session.exec(select(UploadJob)).one()
        scan = session.exec(select(Scan)).one()
        order = session.get(Order, TID_A)
        assert order is not None
        stamps = {
            "upload_jobs.next_attempt_at": job.next_attempt_at,
            "upload_jobs.created_at": job.created_at,
            "upload_jobs.updated_at": job.updated_at,
            "scans.created_at": scan.created_at,
            "orders.updated_at": order.updated_at,
            "queue list created_at": list_queue(session)[0].created_at,
        }
    after = datetime.now(UTC)

    assert server_zone == "Asia/Shanghai"
    assert {name: stamp.utcoffset() for name, stamp in stamps.items()} == dict.fromkeys(stamps, timedelta(0))
    assert stamps["upload_jobs.next_attempt_at"] == retry_at
    for name, stamp in stamps.items():
        if name != "upload_jobs.next_attempt_at":
            assert before - timedelta(seconds=5) <= stamp <= after + timedelta(seconds=5), (
                f"{name} = {stamp}, now {after}"
            )
