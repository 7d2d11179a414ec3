"""Two `waybill scan` processes on one SQLite database, at the same time, on the same photos.

The second could lose the race on the one-job-per-order unique index and
die at its first photo with a sqlite3.IntegrityError traceback (exit 1),
scanning nothing more.  A lost race is an outcome: the order is already
queued.  Real processes, a real SQLite file.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.integration.test_scan_samples import ROOT, json_lines, waybill

PHOTOS = [ROOT / "samples" / "photos" / name for name in ("005_clean.jpg", "010_clean.jpg", "013_clean.jpg")]
TRIALS = 2  # the race was lost in about 1 trial of 4; each trial here is two real scans


def scan_process(db: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "capture.cli", "scan", *map(str, PHOTOS), "--json", "--db", db]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_scans_racing_on_one_sqlite_file_both_finish_and_queue_each_order_once(tmp_path: Path) -> None:
    for trial in range(TRIALS):
        db_file = tmp_path / f"race-{trial}.db"
        db = f"sqlite:///{db_file}"
        waybill("orders", "import", str(ROOT / "samples" / "orders.csv"), db=db)
        racers = [scan_process(db), scan_process(db)]
        done = [(p.wait(timeout=600), *p.communicate()) for p in racers]
        for code, out, err in done:
            assert code == 0 and "Traceback" not in err, err
            assert len(json_lines(out)) == len(PHOTOS), out
        per_photo: dict[str, list[str]] = {}
        for _code, out, _err in done:
            for line in json_lines(out):
                per_photo.setdefault(line["path"], []).append(
                    "already_queued" if "already_queued" in line["reasons"] else line["status"]
                )
        assert all(sorted(v) == ["already_queued", "queued"] for v in per_photo.values()), per_photo
        with sqlite3.connect(db_file) as conn:
            jobs = conn.execute("SELECT count(*), count(DISTINCT order_tid) FROM upload_jobs").fetchone()
        assert jobs == (len(PHOTOS), len(PHOTOS))
