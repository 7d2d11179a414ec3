"""Log lines: a time on each, JSON lines when asked, a file that rotates at its size (real files, a real `waybill`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOG_MAX_BYTES = 300  # about one JSON line: every run rotates


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`waybill scan` of a folder with one non-photo, which logs a warning line each time, against a fresh db."""
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "notes.txt").write_text("not a photo")
    full = {**os.environ, **{f"WAYBILL_{k.upper()}": v for k, v in env.items()}}
    return subprocess.run(
        [sys.executable, "-m", "capture.cli", "scan", str(folder), "--db", f"sqlite:///{tmp_path / 'w.db'}", "-v"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_log_lines_carry_a_utc_time(tmp_path: Path) -> None:
    done = run(tmp_path)
    logged = [line for line in done.stderr.splitlines() if " INFO " in line or " WARNING " in line]
    assert logged, done.stderr
    assert all(line[:4].isdigit() and line[10] == "T" and line.split(" ")[0].endswith("Z") for line in logged)


def test_json_lines_into_a_file_that_rotates(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "waybill.log"
    for _ in range(3):
        run(tmp_path, log_file=str(log), log_json="true", log_max_bytes=str(LOG_MAX_BYTES), log_backups="2")
    files = sorted(p.name for p in log.parent.iterdir())
    assert files == ["waybill.log", "waybill.log.1", "waybill.log.2"], files
    assert all((log.parent / f).stat().st_size <= LOG_MAX_BYTES + 500 for f in files)
    lines = [json.loads(line) for f in files for line in (log.parent / f).read_text().splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert log.stat().st_mode & 0o777 == 0o600
