"""`waybill restore PATH`: a backup taken mid-scan comes back whole, and a database in use is never overwritten.

Real `waybill` processes on real SQLite files; the PostgreSQL case on the
session's throwaway server (conftest.py).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from capture import api
from capture import settings as settings_mod
from capture.upload.single_worker import sqlite_single_worker
from tests.integration.test_scan_samples import ROOT

DECIDED_BEFORE_THE_BACKUP = 3
RUN_TIMEOUT_S = 120


def waybill(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "capture.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )


def rows(db_file: Path, table: str) -> dict[int, tuple]:
    # Closed here, not left to the garbage collector: an open connection counts as "in use".
    with closing(sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)) as conn:
        return {row[0]: row for row in conn.execute(f"SELECT * FROM {table}")}


def test_a_backup_taken_mid_scan_restores_whole_and_a_database_in_use_is_refused(tmp_path: Path) -> None:
    live = tmp_path / "waybill.db"
    db = f"sqlite:///{live}"
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=db, env={}))
    api.close()  # this process holds nothing open: the restores below are refused for the scanner alone
    scan = subprocess.Popen(
        [sys.executable, "-m", "capture.cli", "scan", str(ROOT / "samples" / "photos"), "--json", "--db", db],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert scan.stdout is not None
    copy = tmp_path / "backup.db"
    try:
        for _ in range(DECIDED_BEFORE_THE_BACKUP):
            json.loads(scan.stdout.readline())
        committed = {table: rows(live, table) for table in ("upload_jobs", "audit_log", "scans")}
        done = waybill("backup", str(copy), "--db", db)
        assert done.returncode == 0, done.stderr
        # The scanner still has the database open: restoring over it is refused and changes nothing.
        # (Nothing here reads the file's bytes: closing any descriptor of it would drop this
        # process's SQLite locks, POSIX's known trap.)
        refused = waybill("restore", str(copy), "--db", db)
        assert refused.returncode == 7, refused.stderr
        assert "open in another process" in refused.stderr and "nothing was restored" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert scan.poll() is None  # and the scanner went on
    finally:
        scan.kill()
        scan.communicate(timeout=60)
    after_refusal = rows(live, "scans")
    assert all(after_refusal.get(i) == r for i, r in committed["scans"].items())

    fresh = tmp_path / "restored.db"
    done = waybill("restore", str(copy), "--db", f"sqlite:///{fresh}")
    assert done.returncode == 0, done.stderr
    assert "restored from" in done.stdout
    with closing(sqlite3.connect(fresh)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert committed["audit_log"] and committed["scans"]
    for table, before_rows in committed.items():
        after = rows(fresh, table)
        missing = {i: r for i, r in before_rows.items() if after.get(i) != r}
        assert not missing, f"{table}: rows committed before the backup are missing or changed: {missing}"
    # The restored database is one the product opens and lists.
    listed = waybill("queue", "list", "--db", f"sqlite:///{fresh}")
    assert listed.returncode == 0, listed.stderr

    # Now nothing has the live database open: restoring over it keeps what it held aside first.
    latest = rows(live, "scans")
    done = waybill("restore", str(copy), "--db", db)
    assert done.returncode == 0, done.stderr
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("waybill.db.before-restore-")]
    assert len(kept) == 1 and str(kept[0]) in done.stdout
    assert rows(kept[0], "scans") == latest
    assert rows(live, "scans") == rows(copy, "scans")


def test_a_running_upload_worker_keeps_its_database_from_being_restored(tmp_path: Path) -> None:
    live = tmp_path / "waybill.db"
    db = f"sqlite:///{live}"
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=db, env={}))
    api.close()  # our own pooled connection would count as "in use" too
    copy = tmp_path / "backup.db"
    assert waybill("backup", str(copy), "--db", db).returncode == 0
    with sqlite_single_worker(db):  # the very lock `waybill upload` holds while it runs
        refused = waybill("restore", str(copy), "--db", db)
    assert refused.returncode == 7
    assert "an upload worker (pid" in refused.stderr and "nothing was restored" in refused.stderr
    assert waybill("restore", str(copy), "--db", db).returncode == 0


def test_what_is_not_a_backup_is_refused_with_a_line_and_nothing_changes(tmp_path: Path) -> None:
    live = tmp_path / "waybill.db"
    db = f"sqlite:///{live}"
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=db, env={}))
    api.close()
    before = rows(live, "orders")
    photo = ROOT / "samples" / "photos" / sorted(p.name for p in (ROOT / "samples" / "photos").glob("*.jpg"))[0]
    empty = tmp_path / "empty.db"
    with closing(sqlite3.connect(empty)) as conn:  # a SQLite database, but not ours
        conn.execute("CREATE TABLE notes (x)")
    for bad, says in (
        (photo, "not a SQLite database"),
        (empty, "not a waybill database"),
        (tmp_path / "nope.db", "no backup file"),
    ):
        done = waybill("restore", str(bad), "--db", db)
        assert done.returncode == 7 and says in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert rows(live, "orders") == before


def test_postgresql_restore_is_refused_while_a_session_is_open_then_brings_the_rows_back(
    pg_engine: Engine, pg_url: str, tmp_path: Path
) -> None:
    settings = settings_mod.load(db_url=pg_url, env={})
    api.import_orders(ROOT / "samples" / "orders.csv", settings)
    with pg_engine.connect() as conn:
        orders_before = conn.execute(text("SELECT count(*) FROM orders")).scalar_one()
    dump = tmp_path / "waybill.pgdump"
    assert api.backup_database(settings, dump).integrity == "pg_dump"
    with pg_engine.begin() as conn:
        conn.execute(text("DELETE FROM orders"))
    api.close()
    with pg_engine.connect():  # another client on the database
        refused = waybill("restore", str(dump), "--db", pg_url)
    assert refused.returncode == 7 and "other session(s) on the database" in refused.stderr, refused.stderr
    pg_engine.dispose()
    done = waybill("restore", str(dump), "--db", pg_url)
    assert done.returncode == 0, done.stderr
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM orders")).scalar_one() == orders_before > 0
