"""The outbox rule: one first parcel per order, one number once; a cancelled job gives both back."""

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from capture.store import repo
from capture.store.db import open_engine, session_scope
from capture.store.tables import JobStatus, Scan, UploadJob
from tests.scan_rows import record_scan

TID = "2751925651837878487"


def scan_record(waybill: str) -> repo.ScanRecord:
    return repo.ScanRecord(
        "label.jpg", "", "queued", waybill, "SF", "barcode+ocr", 0.99, TID, [], {}, "zxing+rapidocr", 1.0
    )


@pytest.fixture
def db(tmp_path):
    return open_engine(f"sqlite:///{tmp_path / 'outbox.db'}")


def test_one_first_parcel_per_order_and_one_number_once_and_a_refused_write_leaves_no_scan(db):
    with session_scope(db) as s:
        record_scan(s, scan_record("SF1234567890123"), queue=True)
    # Two desks racing with two labels of one order both see "no parcel yet": the second is refused.
    with pytest.raises(IntegrityError), session_scope(db) as s:
        scan_id = record_scan(s, scan_record("SF9999999999999"), queue=False)
        s.add(UploadJob(order_tid=TID, waybill="SF9999999999999", carrier="SF", scan_id=scan_id, parcel=1))
        s.flush()
    # The same number again for the same order is refused whatever its parcel number.
    with pytest.raises(IntegrityError), session_scope(db) as s:
        scan_id = record_scan(s, scan_record("SF1234567890123"), queue=False)
        s.add(UploadJob(order_tid=TID, waybill="SF1234567890123", carrier="SF", scan_id=scan_id, parcel=2))
        s.flush()
    with session_scope(db) as s:
        assert [j.waybill for j in s.exec(select(UploadJob))] == ["SF1234567890123"]
        assert len(s.exec(select(Scan)).all()) == 1
        assert repo.SqlOrderLookup(s).queued_waybill(TID) == "SF1234567890123"


def test_a_second_number_for_one_order_is_queued_as_its_second_parcel(db):
    with session_scope(db) as s:
        record_scan(s, scan_record("SF1234567890123"), queue=True)
    with session_scope(db) as s:
        record_scan(s, scan_record("SF9999999999999"), queue=True)
    with session_scope(db) as s:
        parcels = [(j.waybill, j.parcel) for j in s.exec(select(UploadJob).order_by(col(UploadJob.id)))]
        assert parcels == [("SF1234567890123", 1), ("SF9999999999999", 2)]
        assert repo.SqlOrderLookup(s).queued_waybills(TID) == ["SF1234567890123", "SF9999999999999"]


def test_after_a_cancel_the_order_can_be_queued_with_the_corrected_number(db):
    with session_scope(db) as s:
        record_scan(s, scan_record("SF1234567890123"), queue=True)
    with session_scope(db) as s:
        job = s.exec(select(UploadJob)).one()
        job.status = JobStatus.CANCELLED.value
        s.add(job)
    with session_scope(db) as s:
        assert repo.SqlOrderLookup(s).queued_waybill(TID) is None
        record_scan(s, scan_record("SF1234567890124"), queue=True)
    with session_scope(db) as s:
        assert repo.SqlOrderLookup(s).queued_waybill(TID) == "SF1234567890124"
