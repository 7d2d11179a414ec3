"""`waybill backup PATH` taken while `waybill scan` writes: the copy passes integrity_check and holds
every scan, job and audit row committed before it.  Real processes, a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from capture import api
from capture import settings as settings_mod
from tests.integration.test_scan_samples import ROOT

DECIDED_BEFORE_THE_BACKUP = 3


def test_a_backup_taken_mid_scan_is_whole_and_holds_what_was_committed(tmp_path: Path) -> None:
    db_file = tmp_path / "waybill.db"
    db = f"sqlite:///{db_file}"
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=db, env={}))
    scan = subprocess.Popen(
        [sys.executable, "-m", "capture.cli", "scan", str(ROOT / "samples" / "photos"), "--json", "--db", db],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert scan.stdout is not None
    try:
        committed = [json.loads(scan.stdout.readline()) for _ in range(DECIDED_BEFORE_THE_BACKUP)]
        copy = tmp_path / "backup.db"
        done = subprocess.run(
            [sys.executable, "-m", "capture.cli", "backup", str(copy), "--db", db],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0 and "integrity: ok" in done.stdout, done.stderr
        again = subprocess.run(
            [sys.executable, "-m", "capture.cli", "backup", str(copy), "--db", db], capture_output=True, text=True
        )
        assert again.returncode == 7 and "never written over" in again.stderr
    finally:
        scan.kill()
        scan.communicate(timeout=60)
    assert copy.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for line in committed:
            scan_id = line["scan_id"]
            assert conn.execute("SELECT count(*) FROM scans WHERE id = ?", (scan_id,)).fetchone()[0] == 1
            assert conn.execute("SELECT count(*) FROM audit_log WHERE scan_id = ?", (scan_id,)).fetchone()[0] >= 1
            jobs = conn.execute("SELECT count(*) FROM upload_jobs WHERE scan_id = ?", (scan_id,)).fetchone()[0]
            assert jobs == (1 if line["status"] == "queued" else 0), line
