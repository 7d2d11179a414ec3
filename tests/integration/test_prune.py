"""`waybill prune`: old photos, evidence and audit rows go; what waits for review or upload stays, whatever its age.

A real SQLite database with scans written as a scan writes them, real files
in a drop folder's processed/ and failed/ aged with os.utime, the real CLI.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from capture import api
from capture.store.db import open_engine, session_scope
from capture.store.repo import ScanRecord
from capture.store.review_items import open_item
from tests.scan_rows import record_scan

ROOT = Path(__file__).resolve().parents[2]
DAY_S = 86400
OLD_DAYS = 40  # older than the 30 days kept below


def scan_row(path: Path, status: str, order: str | None) -> ScanRecord:
    return ScanRecord(
        path=str(path),
        sha256="0" * 64,
        status=status,
        waybill="SF1234567890123" if order else None,
        carrier="SF" if order else None,
        via="barcode",
        confidence=0.99,
        order_tid=order,
        reasons=[],
        evidence={"recipient": "张*", "phone": "*******1234"},
        engines="zxing",
        ms=1.0,
    )


def photo(folder: Path, name: str, age_days: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"\xff\xd8 not really a jpeg \xff\xd9")
    (folder / (name + ".json")).write_text("{}")
    then = time.time() - age_days * DAY_S
    os.utime(path, (then, then))
    return path


def waybill(db: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "capture.cli", "prune", *args, "--db", db],
        cwd=ROOT,
        env={**os.environ, **{f"WAYBILL_{k.upper()}": v for k, v in env.items()}},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_prune_removes_what_is_old_and_keeps_what_still_waits(tmp_path: Path) -> None:
    db_file = tmp_path / "waybill.db"
    db = f"sqlite:///{db_file}"
    drop = tmp_path / "drop"
    sent = photo(drop / "processed", "sent.jpg", OLD_DAYS)
    waiting_upload = photo(drop / "processed", "pending.jpg", OLD_DAYS)
    waiting_review = photo(drop / "processed", "review.jpg", OLD_DAYS)
    unreadable = photo(drop / "failed", "broken.jpg", OLD_DAYS)
    young = photo(drop / "processed", "young.jpg", 1)
    engine = open_engine(db)
    with session_scope(engine) as session:
        sent_id = record_scan(session, scan_row(sent, "queued", "111"), queue=True)
        record_scan(session, scan_row(waiting_upload, "queued", "222"), queue=True)
        review_id = record_scan(session, scan_row(waiting_review, "review", None), queue=False)
        open_item(session, review_id)
        broken_id = record_scan(session, scan_row(unreadable, "error", None), queue=False)
    engine.dispose()
    with closing(sqlite3.connect(db_file)) as conn, conn:
        conn.execute("UPDATE upload_jobs SET status = 'sent' WHERE order_tid = '111'")
        conn.execute(f"UPDATE scans SET created_at = datetime('now', '-{OLD_DAYS} days')")
        conn.executemany(
            f"INSERT INTO audit_log (at, actor, action, scan_id, status, reasons, detail, evidence) "
            f"VALUES (datetime('now', '-{OLD_DAYS} days'), 'auto:pipeline', 'scanned', ?, 'x', '[]', '', '{{}}')",
            [(sent_id,), (review_id,), (broken_id,)],
        )
    api.close()
    keep = {"keep_photos_days": "30", "keep_evidence_days": "30", "keep_audit_days": "30"}

    nothing = waybill(db, str(drop))
    assert nothing.returncode == 0 and "everything is kept" in nothing.stdout

    dry = waybill(db, str(drop), "--dry-run", **keep)
    assert dry.returncode == 0, dry.stderr
    assert f"would remove photo {sent}" in dry.stdout and f"would remove photo {unreadable}" in dry.stdout
    assert "2 photo(s)" in dry.stdout and "2 old file(s) kept" in dry.stdout
    assert all(p.exists() for p in (sent, waiting_upload, waiting_review, unreadable, young))
    with closing(sqlite3.connect(db_file)) as conn:
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 3

    done = waybill(db, str(drop), **keep)
    assert done.returncode == 0, done.stderr
    assert not sent.exists() and not (sent.parent / "sent.jpg.json").exists() and not unreadable.exists()
    assert waiting_upload.exists() and waiting_review.exists() and young.exists()
    with closing(sqlite3.connect(db_file)) as conn:
        scans = dict(conn.execute("SELECT path, evidence FROM scans").fetchall())
        # The sent scan stays (its job stops a second send of order 111), its evidence emptied.
        assert scans[str(sent)] == "{}"
        assert json.loads(scans[str(waiting_upload)])["phone"] == "*******1234"
        assert json.loads(scans[str(waiting_review)])["phone"] == "*******1234"
        assert str(unreadable) not in scans  # nothing refers to it any more
        assert conn.execute("SELECT status FROM upload_jobs ORDER BY order_tid").fetchall() == [("sent",), ("pending",)]
        audit = [r[0] for r in conn.execute("SELECT scan_id FROM audit_log")]
        assert audit == [review_id]  # the open review's history is kept
