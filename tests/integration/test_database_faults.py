"""A --db that cannot be a database: a clear line and exit status 7, never a traceback, nothing touched."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PHOTO = ROOT / "samples" / "photos" / "005_clean.jpg"
EXIT_DATABASE = 7


def waybill_queue_list(db_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    return subprocess.run(
        [sys.executable, "-m", "capture.cli", "queue", "list", "--db", db_url],
        cwd=tmp_path,  # a relative database path would land here
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_database_path_under_a_file_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file, not a folder", encoding="utf-8")
    done = waybill_queue_list(f"sqlite:///{tmp_path / 'notes.txt' / 'shop.db'}", tmp_path)
    assert done.returncode == EXIT_DATABASE, done.stderr
    assert "a file stands where its folder should be" in done.stderr and "--db" in done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "a file, not a folder"


def test_a_photo_given_as_the_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    photo = tmp_path / "label.jpg"
    photo.write_bytes(PHOTO.read_bytes())
    before = hashlib.sha256(photo.read_bytes()).hexdigest()
    done = waybill_queue_list(f"sqlite:///{photo}", tmp_path)
    assert done.returncode == EXIT_DATABASE, done.stderr
    assert "file is not a database" in done.stderr and "Traceback" not in done.stderr
    assert hashlib.sha256(photo.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != "") == ["label.jpg"]


@pytest.mark.parametrize("url", ["sqlite://tmp/shop.db", "not a url at all"])
def test_a_malformed_url_names_the_forms_that_work(url: str, tmp_path: Path) -> None:
    done = waybill_queue_list(url, tmp_path)
    assert done.returncode == EXIT_DATABASE, done.stderr
    assert "not a database URL" in done.stderr and "sqlite:////" in done.stderr
    assert "Traceback" not in done.stderr
    assert not [p for p in tmp_path.rglob("*") if p.suffix == ".db"], "a malformed URL made a database file"
