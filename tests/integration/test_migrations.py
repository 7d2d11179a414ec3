"""Upgrading a database an earlier release left, on SQLite and PostgreSQL, as a shop would.

The old databases are tests/fixtures/db-166f131.* : made by release 166f131's
own code (tests/fixtures/make_release_databases.py): 64 orders, 40 photos
scanned, 13 jobs sent, 17 pending, 1 refused by the platform, review items
open, accepted and rejected,
and their audit trail.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from capture.store import schema
from capture.store.db import open_engine
from tests.fakes.taobao_server import FakeTaobao
from tests.integration import conftest as pg
from tests.integration.upload_helpers import waybill, worker_env

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RELEASE = "166f131"
SAMPLE_PHOTO = Path(__file__).resolve().parents[2] / "samples" / "photos" / "005_clean.jpg"
COMMAND_TIMEOUT_S = 120
# Tables whose every row and column the upgrade must keep.
KEPT_TABLES = schema.BASELINE_TABLES


def run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    process = waybill(args, env)
    out, err = process.communicate(timeout=COMMAND_TIMEOUT_S)
    return process.returncode, out, err


def rows(db_url: str) -> dict[str, list[tuple]]:
    """Every row of every baseline table, in primary-key order."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))] for t in KEPT_TABLES}
    finally:
        engine.dispose()


def _load_pg_dump(pg_url: str, dump: Path) -> None:
    url = make_url(pg_url)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True) as conn:
        # A whole plain-SQL dump in one call: psycopg sends it with the simple protocol (no parameters).
        conn.execute(dump.read_text(encoding="utf-8").encode())


@pytest.fixture(params=["sqlite", "postgresql"])
def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database release 166f131 made and used."""
    if request.param == "sqlite":
        copy = tmp_path / "shop.db"
        copy.write_bytes((FIXTURES / f"db-{RELEASE}.sqlite").read_bytes())
        yield f"sqlite:///{copy}"
        return
    pg_url = request.getfixturevalue("pg_url")
    pg._empty_database(pg_url)
    _load_pg_dump(pg_url, FIXTURES / f"db-{RELEASE}.pg.sql")
    yield pg_url


def test_an_old_database_is_refused_with_the_upgrade_command_then_upgraded_keeping_everything(
    old_db: str, fake_taobao: FakeTaobao, tmp_path: Path
) -> None:
    env = worker_env(fake_taobao, old_db, tmp_path)
    before = rows(old_db)
    statuses = [job[5] for job in before["upload_jobs"]]
    assert (statuses.count("sent"), statuses.count("pending"), statuses.count("review")) == (13, 17, 1)
    assert len(before["review_items"]) == 5 and len(before["audit_log"]) > 40

    for args in (["queue", "list"], ["history", "SF7684268465632"], ["scan", str(SAMPLE_PHOTO)]):
        code, out, err = run(args, env)
        assert code == 15, (args, out, err)
        assert "waybill db upgrade" in err and "older release" in err
        assert "Traceback" not in err + out
    assert rows(old_db) == before  # refusing touched nothing

    code, out, err = run(["db", "current"], env)
    assert code == 1 and "run `waybill db upgrade`" in out, err

    code, out, err = run(["db", "upgrade"], env)
    assert code == 0, err
    assert f"upgraded from no revision to {schema.head_revision()}" in out
    if old_db.startswith("sqlite"):
        copies = list(tmp_path.glob("shop.db.before-upgrade-unversioned-*"))
        assert len(copies) == 1 and copies[0].stat().st_mode & 0o777 == 0o600
        assert rows(f"sqlite:///{copies[0]}") == before
    after = rows(old_db)
    for table in KEPT_TABLES:
        assert [r[: len(before[table][0])] for r in after[table]] == before[table], table

    assert run(["db", "current"], env)[0] == 0
    assert "nothing to do" in run(["db", "upgrade"], env)[1]

    code, out, err = run(["queue", "list", "--json"], env)
    assert code == 0, err
    listed = [json.loads(line) for line in out.splitlines()]
    assert len(listed) == 31
    pending = [job["order"] for job in listed if job["status"] == "pending"]
    assert len(pending) == 17

    code, out, err = run(["history", "SF7684268465632", "--json"], env)
    assert code == 0 and "2215901092815901396" in out, err

    code, out, err = run(["scan", str(SAMPLE_PHOTO), "--json"], env)
    assert code == 0, err
    assert json.loads(out)["status"] in ("queued", "rejected", "review")

    fake_taobao.add_orders(*pending)
    code, out, err = run(["upload", "--until-empty"], env)
    assert code == 0, err
    code, out, err = run(["queue", "list", "--json"], env)
    jobs = {job["order"]: job for job in map(json.loads, out.splitlines())}
    for order in pending:
        # Taobao has no company code for Cainiao's own numbers: those wait for a person, as before the upgrade.
        expected = "review" if jobs[order]["carrier"] == "CAINIAO" else "sent"
        assert jobs[order]["status"] == expected, jobs[order]
        if expected == "sent":
            assert fake_taobao.orders[order].out_sid == jobs[order]["waybill"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_new_database_made_by_the_migrations_is_exactly_the_tables_the_code_uses(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'new.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        pg._empty_database(url)
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == schema.head_revision()
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
        assert differences == [], "tables.py changed without a migration: add a revision (README: Database upgrades)"
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_several_processes_opening_one_new_database_make_it_once(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, fake_taobao: FakeTaobao
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        pg._empty_database(url)
    env = worker_env(fake_taobao, url, tmp_path)
    started = [waybill(["queue", "list"], env) for _ in range(4)]
    results = [(p.returncode, out, err) for p in started for out, err in [p.communicate(timeout=COMMAND_TIMEOUT_S)]]
    assert all(code == 0 for code, _, _ in results), results
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [(schema.head_revision(),)]
    finally:
        engine.dispose()


def test_a_database_from_a_newer_release_is_refused_and_left_alone(tmp_path: Path, fake_taobao: FakeTaobao) -> None:
    db = tmp_path / "newer.db"
    open_engine(f"sqlite:///{db}").dispose()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    env = worker_env(fake_taobao, f"sqlite:///{db}", tmp_path)
    for args in (["queue", "list"], ["db", "upgrade"]):
        code, _out, err = run(args, env)
        assert code == 7 and "9999" in err and "newer release" in err, (args, err)
        assert "Traceback" not in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("9999",)]


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "waybill"
    engine = open_engine(f"sqlite:///{folder / 'shop.db'}")
    try:
        with engine.connect() as conn:  # an open connection in WAL mode keeps -wal and -shm on disk
            conn.execute(text("SELECT count(*) FROM orders"))
            files = sorted(folder.iterdir())
            assert [f.name for f in files] == ["shop.db", "shop.db-shm", "shop.db-wal"]
            assert {f.stat().st_mode & 0o777 for f in files} == {0o600}
        assert folder.stat().st_mode & 0o777 == 0o700
    finally:
        engine.dispose()


def test_an_existing_database_file_keeps_the_mode_its_owner_gave_it(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    open_engine(f"sqlite:///{db}").dispose()
    db.chmod(0o640)  # a shop that lets its backup group read it
    open_engine(f"sqlite:///{db}").dispose()
    assert db.stat().st_mode & 0o777 == 0o640
