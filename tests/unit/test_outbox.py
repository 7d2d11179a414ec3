"""The outbox rule: one active upload job per order; a cancelled one gives the order back."""

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from capture.store import repo
from capture.store.db import open_engine, session_scope
from capture.store.tables import JobStatus, UploadJob
from tests.scan_rows import record_scan

TID = "2751925651837878487"


def scan_record(waybill: str) -> repo.ScanRecord:
    return repo.ScanRecord(
        "label.jpg", "", "queued", waybill, "SF", "barcode+ocr", 0.99, TID, [], {}, "zxing+rapidocr", 1.0
    )


@pytest.fixture
def db(tmp_path):
    return open_engine(f"sqlite:///{tmp_path / 'outbox.db'}")


def test_a_second_active_job_for_one_order_is_refused_and_leaves_no_scan(db):
    with session_scope(db) as s:
        record_scan(s, scan_record("SF1234567890123"), queue=True)
    with pytest.raises(IntegrityError), session_scope(db) as s:
        record_scan(s, scan_record("SF9999999999999"), queue=True)
    with session_scope(db) as s:
        assert [j.waybill for j in s.exec(select(UploadJob))] == ["SF1234567890123"]
        assert repo.SqlOrderLookup(s).queued_waybill(TID) == "SF1234567890123"


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
