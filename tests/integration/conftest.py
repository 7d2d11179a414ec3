"""A throwaway PostgreSQL server for the storage tests.

`pg_url` starts one cluster per test session: initdb into a fresh temp dir,
`postgres` on 127.0.0.1 at a free port (socket in the temp dir, fsync off,
trust auth on loopback only), one database.  At the end the server is
stopped and the dir removed.  `pg_engine` empties that database before each
test and opens it with `open_engine`, so tests never see each other's rows.

The server binaries come from the Debian `postgresql` package, which
`make test` installs; without them the tests fail (not skip): CI installs
them, so a missing server is a setup bug to fix, not a test to leave out.

initdb and postgres refuse to run as root.  As root (CI) the server runs as
the `postgres` system user the Debian package creates; otherwise as the
current user.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import Engine, make_url

from capture.store.db import open_engine
from tests.fakes.taobao_server import FakeTaobao

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_USER_WHEN_ROOT = "postgres"  # created by the Debian postgresql package
SESSION_DB = "waybill_test"
# The shops this is for run in China; a server whose TimeZone is not UTC is
# what they will have, and what shows whether timestamps keep their meaning.
SERVER_TIMEZONE = "Asia/Shanghai"
INITDB_TIMEOUT_S = 120
READY_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15
START_ATTEMPTS = 3  # the free port can be taken between choosing and binding it
LOG_TAIL_LINES = 40
# sun_path is 108 bytes on Linux; the socket file name adds ~15.
MAX_SOCKET_DIR_LEN = 90

MISSING_SERVER_HINT = (
    "PostgreSQL server binaries (initdb, postgres) were not found under "
    f"{PG_BIN_GLOB} or on PATH. Run `make test`, which installs the Debian "
    "`postgresql` package, or install it yourself (apt-get install postgresql)."
)


# --- finding and preparing -------------------------------------------------


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name)) or (0,)


def find_pg_bin() -> Path:
    """The newest installed PostgreSQL bin dir holding initdb and postgres."""
    candidates = sorted((Path(p) for p in glob.glob(PG_BIN_GLOB)), key=_version_key, reverse=True)
    for bin_dir in candidates:
        if (bin_dir / "initdb").is_file() and (bin_dir / "postgres").is_file():
            return bin_dir
    initdb = shutil.which("initdb")
    if initdb and (Path(initdb).parent / "postgres").is_file():
        return Path(initdb).parent
    pytest.fail(MISSING_SERVER_HINT, pytrace=False)


@dataclass(frozen=True)
class ServerUser:
    name: str
    uid: int
    gid: int
    home: str
    switch: bool  # True when we are root and must drop to this user


def server_user() -> ServerUser:
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return ServerUser(entry.pw_name, entry.pw_uid, entry.pw_gid, entry.pw_dir, switch=False)
    try:
        entry = pwd.getpwnam(SERVER_USER_WHEN_ROOT)
    except KeyError:
        pytest.fail(
            f"running as root, but there is no `{SERVER_USER_WHEN_ROOT}` user to run PostgreSQL as "
            "(initdb refuses root). Run `make test`, which installs the Debian `postgresql` package "
            "that creates it.",
            pytrace=False,
        )
    return ServerUser(entry.pw_name, entry.pw_uid, entry.pw_gid, entry.pw_dir, switch=True)


def _die_with_parent() -> None:
    """In the server's child process: get SIGQUIT when pytest dies, even by SIGKILL.

    The teardown stops the server normally; this only keeps a killed test
    run from leaving a postmaster behind.
    """
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGQUIT, 0, 0, 0)


def _as_server_user(user: ServerUser) -> dict:
    """subprocess keyword arguments that run a command as `user`."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": user.home,
        "USER": user.name,
        "LOGNAME": user.name,
        "LC_ALL": "C.UTF-8" if Path("/usr/lib/locale/C.utf8").exists() else "C",
        "TZ": "UTC",
    }
    if not user.switch:
        return {"env": env}
    # Same effect as `runuser -u postgres --`, without PAM and without a
    # runuser process between us and the postmaster (signals reach it directly).
    return {"env": env, "user": user.uid, "group": user.gid, "extra_groups": []}


def _run(cmd: list[str], user: ServerUser, cwd: Path, timeout: float) -> None:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, **_as_server_user(user))
    except subprocess.TimeoutExpired:
        pytest.fail(f"{cmd[0]} did not finish within {timeout}s", pytrace=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}", pytrace=False)


def _make_base_dir(user: ServerUser) -> Path:
    """A fresh 0700 dir owned by the server user, short enough to hold the socket."""
    parent = Path(tempfile.gettempdir())
    if len(str(parent)) > MAX_SOCKET_DIR_LEN - 30 or (user.switch and not _others_can_enter(parent)):
        parent = Path("/tmp")
    base = Path(tempfile.mkdtemp(prefix="waybill-pg-", dir=parent))
    base.chmod(0o700)
    if user.switch:
        os.chown(base, user.uid, user.gid)
    return base


def _others_can_enter(path: Path) -> bool:
    """Whether a user other than root can reach `path` (every ancestor searchable)."""
    return all(part.stat().st_mode & 0o001 for part in (path, *path.parents))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError as exc:
        return f"(no server log: {exc})"
    return "\n".join(lines[-LOG_TAIL_LINES:]) or "(server log is empty)"


# --- the server --------------------------------------------------------------


@dataclass
class PgServer:
    bin_dir: Path
    user: ServerUser
    base: Path
    port: int = 0
    process: subprocess.Popen | None = None
    startup_s: float = 0.0  # initdb to accepting connections, for the curious (-s shows it)

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user.name}@127.0.0.1:{self.port}/{dbname}"

    def connect_admin(self) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.user.name, dbname="postgres", autocommit=True, connect_timeout=5
        )

    def initdb(self) -> None:
        _run(
            [
                str(self.bin_dir / "initdb"),
                "--pgdata",
                str(self.data),
                "--username",
                self.user.name,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
                "--no-instructions",
            ],
            self.user,
            self.base,
            INITDB_TIMEOUT_S,
        )
        # Only the socket in our own 0700 dir and loopback TCP, both trusted:
        # nothing else can reach this cluster.
        (self.data / "pg_hba.conf").write_text("local all all trust\nhost  all all 127.0.0.1/32 trust\n")

    def start(self) -> None:
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = _free_port()
            if self._start_once():
                return
            if attempt == START_ATTEMPTS or "already in use" not in _log_tail(self.log):
                break
        pytest.fail(
            f"PostgreSQL ({self.bin_dir}) did not start on 127.0.0.1:{self.port}. "
            f"End of its log:\n{_log_tail(self.log)}",
            pytrace=False,
        )

    def _start_once(self) -> bool:
        self.log.write_text("")
        if self.user.switch:
            os.chown(self.log, self.user.uid, self.user.gid)
        cmd = [
            str(self.bin_dir / "postgres"),
            "-D", str(self.data),
            "-p", str(self.port),
            "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={self.base}",
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
            "-c", "shared_buffers=32MB",
            "-c", "max_connections=50",
            "-c", f"TimeZone={SERVER_TIMEZONE}",
            "-c", "logging_collector=off",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                cmd,
                cwd=self.base,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C reaches pytest, whose teardown stops the server
                preexec_fn=_die_with_parent,
                **_as_server_user(self.user),
            )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with self.connect_admin() as conn:
                    conn.execute("SELECT 1")
                return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(
            f"PostgreSQL did not accept connections on 127.0.0.1:{self.port} within {READY_TIMEOUT_S}s. "
            f"End of its log:\n{_log_tail(self.log)}",
            pytrace=False,
        )
        return False  # unreachable

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        # SIGINT is the postmaster's "fast" shutdown: disconnect clients, stop.
        for sig, wait_s in ((signal.SIGINT, STOP_TIMEOUT_S), (signal.SIGQUIT, 5), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
            try:
                process.wait(timeout=wait_s)
                return
            except subprocess.TimeoutExpired:
                continue

    def remove(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def _create_database(conn: psycopg.Connection, name: str) -> None:
    conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))


def _empty_database(pg_url: str) -> None:
    """Drop every table, sequence and index: the public schema made anew.

    ~10 ms, where a fresh CREATE DATABASE per test costs ~300 ms.  Sessions
    a test left open would hold locks on the old tables, so they are ended
    first (the previous test's engine is already disposed).
    """
    url = make_url(pg_url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True, connect_timeout=5
    ) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


# --- fixtures ----------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bin_dir = find_pg_bin()
    user = server_user()
    server = PgServer(bin_dir=bin_dir, user=user, base=_make_base_dir(user))
    try:
        started = time.monotonic()
        server.initdb()
        initdb_s = time.monotonic() - started
        server.start()
        with server.connect_admin() as conn:
            _create_database(conn, SESSION_DB)
        server.startup_s = time.monotonic() - started
        print(
            f"\nthrowaway PostgreSQL {bin_dir.parent.name} on 127.0.0.1:{server.port} as {user.name}: "
            f"ready in {server.startup_s:.2f}s (initdb {initdb_s:.2f}s)"
        )
        yield server
    finally:
        server.stop()
        server.remove()


@pytest.fixture(scope="session")
def pg_url(pg_server: PgServer) -> str:
    """SQLAlchemy URL of a database on the session's throwaway PostgreSQL server.

    postgresql+psycopg://USER@127.0.0.1:PORT/waybill_test, trust auth, no
    password.  pg_engine empties this database at the start of each test.
    """
    return pg_server.url(SESSION_DB)


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """An engine on pg_url's database, emptied first and its tables made by open_engine.

    Each test starts from an empty database whatever the test before it left
    behind (even if its teardown never ran).  Tests that use pg_url directly
    share that database and must not rely on its content.
    """
    _empty_database(pg_url)
    engine = open_engine(pg_url)
    try:
        yield engine
    finally:
        engine.dispose()


# --- upload tests --------------------------------------------------------------


def restart_server(server: PgServer) -> None:
    """Stop the session's server and start it again on the same port (clients must reconnect)."""
    server.stop()
    if not server._start_once():
        pytest.fail(
            f"PostgreSQL did not come back on port {server.port}. End of its log:\n{_log_tail(server.log)}",
            pytrace=False,
        )


@pytest.fixture
def restart_pg(pg_server: PgServer) -> Callable[[], None]:
    """Call it to restart the session's PostgreSQL server under whatever is connected."""
    return lambda: restart_server(pg_server)


@pytest.fixture
def fake_taobao() -> Iterator[FakeTaobao]:
    """A loopback Taobao router (tests/fakes/taobao_server.py), fresh per test.

    Its credentials are distinctive so tests can grep outputs for them.
    """
    with FakeTaobao(
        app_key="TESTKEY-27182818", app_secret="TESTSECRET-31415926", session="TESTSESSION-16180339"
    ) as fake:
        yield fake


@pytest.fixture
def upload_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private config and cache dir: no user config, secrets file or company cache leaks in."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in [n for n in os.environ if n.startswith("WAYBILL_")]:
        monkeypatch.delenv(name)
    return tmp_path
