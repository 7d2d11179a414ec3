"""Engine and sessions from a URL: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlmodel import Session, create_engine

from capture.errors import DatabaseError
from capture.store import schema

# How long a writer waits for another process's SQLite lock before failing.
SQLITE_BUSY_TIMEOUT_S = 30
# The database holds buyers' names and addresses: only its owner may read it.
# SQLite gives its -wal and -shm files the main file's mode.
SQLITE_FILE_MODE = 0o600
SQLITE_DIR_MODE = 0o700
URL_FORMS = (
    "a SQLite file is sqlite:////absolute/path/file.db (four slashes) or sqlite:///relative/file.db; "
    "PostgreSQL is postgresql+psycopg://user@host/dbname"
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers (queue list, a second scanner) work while one writes.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _create_private_sqlite_file(path: Path) -> None:
    """Make the file (and its folder) readable by its owner only, before SQLite opens it.

    Only what we create: a file or folder the shop made keeps its own modes.
    """
    if path.exists():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=SQLITE_DIR_MODE)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SQLITE_FILE_MODE)
    except FileExistsError:
        if path.exists():
            return  # another process made it first
        raise DatabaseError(
            f"cannot make the database {path}: a file stands where its folder should be",
            "check the path given with --db / WAYBILL_DB_URL",
        ) from None
    except OSError as exc:
        raise DatabaseError(
            f"cannot make the database {path}: {exc.strerror}", "check the path given with --db / WAYBILL_DB_URL"
        ) from exc
    os.close(fd)


def sqlite_file(url: str | URL) -> Path | None:
    """The file a SQLite URL names; None for other databases and for in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def connect(url: str) -> Engine:
    """The engine for `url`, its schema not looked at (for `waybill db`)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {url!r}", URL_FORMS) from exc
    kwargs: dict = {}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {parsed.render_as_string(hide_password=True)}", URL_FORMS) from exc
    except NoSuchModuleError as exc:
        raise DatabaseError(
            f"no driver for {parsed.drivername}",
            "for PostgreSQL install the extra from the lock: uv sync --locked --extra postgres",
        ) from exc
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"the driver for {parsed.drivername} is not installed ({exc.name})", "uv sync --locked --extra postgres"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        # Only once the URL is known good (create_engine checked it): a malformed one makes no file.
        path = sqlite_file(parsed)
        if path is not None:
            _create_private_sqlite_file(path)
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def where(engine: Engine) -> str:
    """The database's URL as a message may show it: no password."""
    return engine.url.render_as_string(hide_password=True)


@contextmanager
def reporting_connection_faults(engine: Engine) -> Iterator[None]:
    """Turn a database that cannot be reached or written into a DatabaseError that says so."""
    try:
        yield
    except SQLAlchemyDatabaseError as exc:  # OperationalError among them; "file is not a database" too
        raise DatabaseError(
            f"cannot open the database at {where(engine)}: {exc.orig}",
            "check the URL (--db / WAYBILL_DB_URL), that the server runs and that you may write there",
        ) from exc


def open_engine(url: str) -> Engine:
    """The engine for `url`, its schema made (a new database) or checked (an existing one)."""
    engine = connect(url)
    try:
        with reporting_connection_faults(engine):
            schema.ensure_ready(engine, where(engine))
    except DatabaseError:
        engine.dispose()
        raise
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any exception."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
