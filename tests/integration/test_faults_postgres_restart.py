"""The PostgreSQL server restarted under a running `waybill watch` (mid-scan): every photo recorded once, none lost.

The session's throwaway server (conftest.py) is stopped and started again on
the same port while the watcher's workers are reading; mid-send restarts are
test_upload_postgres.py::test_the_database_restarted_under_a_running_worker.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from capture import api
from capture import settings as settings_mod
from tests.integration.test_watch import CLEAN_A, CLEAN_B, CLEAN_C, NO_LABEL, ROOT, sha

BEFORE = (CLEAN_A, NO_LABEL)
AFTER = (CLEAN_B, CLEAN_C)


def test_a_postgresql_restart_mid_scan_loses_nothing_and_records_each_photo_once(
    pg_engine: Engine, pg_url: str, restart_pg: Callable[[], None], tmp_path: Path
) -> None:
    api.import_orders(ROOT / "samples" / "orders.csv", settings_mod.load(db_url=pg_url, env={}))
    api.close()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watch = subprocess.Popen(
        [sys.executable, "-m", "capture.cli", "watch", str(inbox), "--db", pg_url, "--json", "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert watch.stdout is not None
    try:
        for photo in BEFORE:
            shutil.copy(photo, inbox / photo.name)
        first = [json.loads(watch.stdout.readline())]
        restart_pg()  # the other photo may be mid-record; the next ones come while the pool reconnects
        for photo in AFTER:
            shutil.copy(photo, inbox / photo.name)
        rest = [json.loads(watch.stdout.readline()) for _ in range(len(BEFORE) + len(AFTER) - 1)]
    finally:
        watch.send_signal(signal.SIGTERM)
        _out, err = watch.communicate(timeout=120)
    assert watch.returncode == 0, err
    assert "Traceback" not in err
    handled = first + rest
    assert sorted(Path(h["dropped_as"]).name for h in handled) == sorted(p.name for p in (*BEFORE, *AFTER))
    assert all(h["status"] != "error" for h in handled), handled
    pg_engine.dispose()  # its pooled connections died with the server
    with pg_engine.connect() as conn:
        recorded: Counter[str] = Counter(
            dict(conn.execute(text("SELECT sha256, count(*) FROM scans GROUP BY sha256")).all())
        )
    assert recorded == Counter({sha(p): 1 for p in (*BEFORE, *AFTER)})
