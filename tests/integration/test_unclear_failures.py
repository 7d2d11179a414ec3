"""Failures a user must understand from one line and an exit status: real `waybill` processes.

`queue list | head` ended in BrokenPipeError; `scan` exited 0 when every
photo failed; a mistyped --db made folders and an empty database; a scan
against no orders said nothing; UTF-16 and mixed-encoding exports got no
line number.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

from capture import api
from capture import settings as settings_mod
from tests.integration.test_scan_samples import ROOT
from tests.integration.upload_helpers import queue_jobs, sf, tid

PHOTOS = ROOT / "samples" / "photos"
WAYBILL = [sys.executable, "-m", "capture.cli"]
EXIT_OK, EXIT_INPUT, EXIT_DATABASE, EXIT_INTERRUPTED = 0, 4, 7, 130
JOBS_PAST_A_PIPE_BUFFER = 1500  # ~100 bytes a row: well past the 64 KiB a pipe holds


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WAYBILL, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def with_orders(tmp_path: Path) -> str:
    db = f"sqlite:///{tmp_path / 'waybill.db'}"
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=db, env={}))
    return db


def test_queue_list_into_head_ends_quietly(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'waybill.db'}"
    queue_jobs(
        api.database(settings_mod.load(db_url=db, env={})),
        [(tid(n), sf(n), "SF") for n in range(1, JOBS_PAST_A_PIPE_BUFFER)],
    )
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{sys.executable} -m capture.cli queue list --db {db} | head -2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert len(done.stdout.splitlines()) == 2
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def test_scan_exit_status_says_whether_every_photo_was_decided(tmp_path: Path) -> None:
    db = with_orders(tmp_path)
    assert run("scan", str(PHOTOS / "005_clean.jpg"), "--db", db).returncode == EXIT_OK
    done = run("scan", str(PHOTOS / "010_clean.jpg"), str(PHOTOS / "016_corrupt.jpg"), "--db", db)
    assert done.returncode == EXIT_INPUT, done.stderr
    assert "error 1" in done.stdout and "queued 1" in done.stdout  # the rest of the batch was decided


def test_scan_interrupted_prints_its_summary_and_says_so(tmp_path: Path) -> None:
    db = with_orders(tmp_path)
    photos = tmp_path / "photos"
    shutil.copytree(PHOTOS, photos)
    scan = subprocess.Popen(
        [*WAYBILL, "scan", str(photos), "--json", "--db", db],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert scan.stdout is not None
    scan.stdout.readline()  # one photo decided
    scan.send_signal(signal.SIGINT)
    _out, err = scan.communicate(timeout=120)
    assert scan.returncode == EXIT_INTERRUPTED
    assert "summary: photos" in err and "interrupted" in err and "Traceback" not in err, err


def test_a_mistyped_db_folder_is_refused_and_nothing_is_made(tmp_path: Path) -> None:
    done = run("queue", "list", "--db", f"sqlite:///{tmp_path / 'dtaa' / 'shop.db'}")
    assert done.returncode == EXIT_DATABASE and "no folder" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "dtaa").exists()
    made = run("queue", "list", "--db", f"sqlite:///{tmp_path / 'new.db'}")  # a new file in a real folder is fine
    assert made.returncode == EXIT_OK, made.stderr


def test_scanning_against_no_orders_warns(tmp_path: Path) -> None:
    done = run("scan", str(PHOTOS / "005_clean.jpg"), "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert "no orders are loaded" in done.stderr and done.returncode == EXIT_OK


def test_a_utf16_export_is_read_and_one_mixing_encodings_names_the_line(tmp_path: Path) -> None:
    text = (ROOT / "samples" / "orders.csv").read_bytes().decode("gb18030")  # the sample is a GBK export
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes(text.encode("utf-16"))
    lines = text.splitlines(keepends=True)
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("".join(lines[:3]).encode("utf-8") + "".join(lines[3:]).encode("gbk") + "末行\n".encode())
    db = f"sqlite:///{tmp_path / 'w.db'}"
    one = run("orders", "import", str(utf16), "--db", db)
    orders_in_sample = len([line for line in lines[1:] if line.strip()])
    assert one.returncode == EXIT_OK and f"{orders_in_sample} added" in one.stdout, one.stderr
    two = run("orders", "import", str(mixed), "--db", db)
    assert two.returncode == EXIT_INPUT and "line 4" in two.stderr and "mixes encodings" in two.stderr, two.stderr
