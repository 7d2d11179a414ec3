"""A `waybill scan` killed mid-batch and run again opens one review item per photo, not one per run.

The tester's re-run after a crash left 9 open review items for 5 photos.
Real processes (the first killed with SIGKILL), a real SQLite file.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.integration.test_scan_samples import ROOT, json_lines

# With no orders loaded every label goes to review (no_matching_order).
PHOTOS = [ROOT / "samples" / "photos" / n for n in ("005_clean.jpg", "010_clean.jpg", "013_clean.jpg")]
READ_BEFORE_THE_KILL = 2


def scan(db: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "capture.cli", "scan", *map(str, PHOTOS), "--json", "--db", db]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_rerun_after_a_crash_adds_no_second_open_review_item(tmp_path: Path) -> None:
    db_file = tmp_path / "waybill.db"
    db = f"sqlite:///{db_file}"
    first = scan(db)
    assert first.stdout is not None
    read = [json.loads(first.stdout.readline()) for _ in range(READ_BEFORE_THE_KILL)]
    first.send_signal(signal.SIGKILL)  # a power cut mid-batch
    first.communicate(timeout=60)
    assert [r["status"] for r in read] == ["review"] * READ_BEFORE_THE_KILL

    second = scan(db)
    out, err = second.communicate(timeout=600)
    assert [r["status"] for r in json_lines(out)] == ["review"] * len(PHOTOS), err
    with sqlite3.connect(db_file) as conn:
        per_photo = conn.execute(
            "SELECT s.sha256, count(*) FROM review_items r JOIN scans s ON s.id = r.scan_id"
            " WHERE r.state = 'open' GROUP BY s.sha256"
        ).fetchall()
    assert len(per_photo) == len(PHOTOS) and all(n == 1 for _sha, n in per_photo), per_photo
