"""The database's schema version: made, checked and upgraded by Alembic only.

One path for every database: a new one is made by running the migrations
(capture/store/migrations/versions), an existing one is checked against the
newest revision when it is opened, and `waybill db upgrade` brings an older
one up in place, keeping every row.  A database made before migrations
existed (release 166f131, built by `create_all`) has no version row; its
tables are the baseline revision's, so an upgrade stamps it with that
revision first.

Migrations hold a lock for their whole run, so several processes opening a
new shared database (desks on one PostgreSQL, two scanners on one SQLite
file) make it once: an advisory lock on PostgreSQL, `BEGIN IMMEDIATE` (the
write lock) on SQLite.  Both databases run the DDL in that one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine

from capture.errors import DatabaseError, SchemaOutdated

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The revision whose tables release 166f131 made with create_all.
BASELINE_REVISION = "0001"
# The tables the baseline has; a database holding some of them and no
# version row predates migrations.
BASELINE_TABLES = ("orders", "scans", "upload_jobs", "audit_log", "review_items", "desk_pairs")
# Any fixed number: every process of the product asks for the same lock.
PG_MIGRATION_LOCK_KEY = 0x77617962  # "wayb"

UPGRADE_HINT = "run `waybill db upgrade` (with the same --db), then try again"


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # the revision the database records; None: no version row
    head: str  # the newest revision this release knows
    tables: tuple[str, ...]  # the product's tables the database already has

    @property
    def is_new(self) -> bool:
        return self.current is None and not self.tables

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


@dataclass(frozen=True)
class Upgrade:
    before: str | None
    after: str
    stamped_baseline: bool  # a pre-migration database, recorded as the baseline first

    @property
    def changed(self) -> bool:
        return self.before != self.after


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS_DIR))


@cache
def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "capture/store/migrations/versions holds no revision"
    return head


def _read_state(conn: Connection) -> SchemaState:
    present = set(inspect(conn).get_table_names())
    return SchemaState(
        current=MigrationContext.configure(conn).get_current_revision(),
        head=head_revision(),
        tables=tuple(t for t in BASELINE_TABLES if t in present),
    )


def state(engine: Engine) -> SchemaState:
    with engine.connect() as conn:
        return _read_state(conn)


def _known(revision: str) -> bool:
    return any(script.revision == revision for script in _scripts().walk_revisions())


def _alembic_config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


@contextmanager
def _locked_transaction(engine: Engine) -> Iterator[Connection]:
    """One connection, in a transaction that holds the migration lock until it commits."""
    if engine.dialect.name == "sqlite":
        with _sqlite_exclusive(engine) as conn:
            yield conn
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK_KEY})
        yield conn


@contextmanager
def _sqlite_exclusive(engine: Engine) -> Iterator[Connection]:
    # pysqlite opens no transaction before DDL; in autocommit mode we open
    # the write-locked one ourselves, and the DDL joins it.
    migrating = engine.execution_options(isolation_level="AUTOCOMMIT")

    def begin_immediate(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    with migrating.connect() as conn:
        event.listen(conn, "begin", begin_immediate)
        try:
            with conn.begin():
                yield conn
        finally:
            event.remove(conn, "begin", begin_immediate)


def _refuse_unknown(current: str | None) -> None:
    if current is not None and not _known(current):
        raise DatabaseError(
            f"the database is at schema revision {current}, which this release does not know: "
            "a newer release of waybill upgraded it",
            "run that release (or a newer one) against this database; this one cannot use it",
        )


def _refuse_partial_baseline(found: SchemaState) -> None:
    missing = [t for t in BASELINE_TABLES if t not in found.tables]
    if found.current is None and found.tables and missing:
        raise DatabaseError(
            f"the database has some of the product's tables but not {', '.join(missing)}, and no schema version: "
            "it was made by a release older than the first one with migrations (166f131)",
            "export what is queued with that release (`waybill queue export`), then use a new database file",
        )


def upgrade(engine: Engine) -> Upgrade:
    """Bring the database to the newest revision in place; a no-op when it is there."""
    with _locked_transaction(engine) as conn:
        found = _read_state(conn)  # again, under the lock: another process may have just done it
        _refuse_unknown(found.current)
        _refuse_partial_baseline(found)
        config = _alembic_config(conn)
        stamped = found.current is None and bool(found.tables)
        if stamped:
            command.stamp(config, BASELINE_REVISION)
        if found.current != found.head:
            command.upgrade(config, "head")
    return Upgrade(before=found.current, after=found.head, stamped_baseline=stamped)


def ensure_ready(engine: Engine, where: str) -> None:
    """Make a new database, or check that an existing one is at the newest revision.

    An older one is refused with the command that upgrades it: upgrading
    silently, behind a scan, would change a database other desks' older
    releases still use.
    """
    found = state(engine)
    if found.up_to_date:
        return
    _refuse_unknown(found.current)
    if found.is_new:
        upgrade(engine)
        return
    made_by = f"at schema revision {found.current}" if found.current else "with no schema version: 166f131 or older"
    raise SchemaOutdated(
        f"the database at {where} was made by an older release ({made_by}); this release needs revision {found.head}",
        UPGRADE_HINT,
    )
