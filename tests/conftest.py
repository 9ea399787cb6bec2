"""Test fixtures: a fresh migrated database per test, copied from a template built once.

The app under test opens its own sessions on its own connections, as in production, so a
write that its request does not commit is invisible to the test. ``session`` is the test's
own session; the ``client`` commits it before each request (so the app sees what the test
set up) and expires it after (so the test sees what the app committed).

``EVIDENCE_TEST_DATABASE_URL`` selects the database server (a temporary SQLite file by
default); CI runs the suite once on SQLite and once on PostgreSQL, where each test's
database is ``CREATE DATABASE … TEMPLATE`` of one migrated at the start of the run.
"""

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import text
from sqlmodel import Session

from evidence_service import auth, keys
from evidence_service.app import create_app
from evidence_service.config import Settings
from evidence_service.db import Database
from tests.factories import World, load_world, make_world

# Under CI a skipped test fails the run (its own plugin, so tests/test_ci_guard.py can load it
# alone).
pytest_plugins = ["tests.ci_guard"]
PG_URL = os.environ.get("EVIDENCE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SERVER_URL = os.environ.get("EVIDENCE_TEST_DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith("postgresql")

# The custody record's signing key: one per run, in a file as the service loads it (live
# servers in other processes get the same one, so the tests verify what they sign).
TEST_KEY_FILE = Path(tempfile.mkdtemp(prefix="evidence-test-key-")) / "signing.key"
TEST_KEY = keys.create_key_file(TEST_KEY_FILE)
keys.install(TEST_KEY)

# Argon2 is slow on purpose; tests only need it to work. Live servers (other processes)
# keep the real parameters.
auth._hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
auth._DUMMY_HASH = auth._hasher.hash("dummy-password-for-timing")


class Templates:
    """Migrated databases built once per run (one empty, one with the test world), and
    the per-test copies made from them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: dict[str, str] = {}  # template name → where it is (file or database)
        self.created: list[str] = []
        self._numbers = itertools.count()
        # PostgreSQL drops a database in ~0.15 s: a thread does it while the next test runs.
        self._dropper = ThreadPoolExecutor(max_workers=1)

    def copy(self, template: str, name: str | None = None) -> Database:
        source = self.built.get(template) or self._build(template)
        name = f"{name or 't'}{next(self._numbers)}"  # unique: a stale -wal file must not apply
        if not ON_POSTGRES:
            target = self.folder / f"{name}.db"
            shutil.copyfile(source, target)
            return Database.from_url(f"sqlite:///{target}")
        name = f"ev_{name}_{os.getpid()}"
        _admin(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name} TEMPLATE {source}")
        self.created.append(name)  # dropped at the end if the test did not release it
        return Database.from_url(_server_database(name))

    def release(self, db: Database) -> None:
        """Done with a test's database: it goes (on PostgreSQL, in the background)."""
        db.engine.dispose()
        if ON_POSTGRES:
            name = db.engine.url.database
            self._dropper.submit(_admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def _build(self, template: str) -> str:
        if ON_POSTGRES:
            where = f"ev_template_{template}_{os.getpid()}"
            _admin(f"DROP DATABASE IF EXISTS {where}", f"CREATE DATABASE {where}")
            self.created.append(where)
            db = Database.from_url(_server_database(where))
        else:
            where = str(self.folder / f"template-{template}.db")
            db = Database.from_url(f"sqlite:///{where}")
        db.migrate()
        if template == "world":
            with db.session(write=True) as session:
                make_world(session)
                session.commit()
        if not ON_POSTGRES:
            with db.engine.connect() as conn:  # one self-contained file to copy
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
        self.built[template] = where
        return where

    def drop_all(self) -> None:
        self._dropper.shutdown(wait=True)
        if ON_POSTGRES and self.created:
            _admin(*(f"DROP DATABASE IF EXISTS {n} WITH (FORCE)" for n in self.created))


def _server_database(name: str) -> str:
    return SERVER_URL.rsplit("/", 1)[0] + f"/{name}"


def _admin(*statements: str) -> None:
    admin = Database.from_url(SERVER_URL)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.engine.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    built = Templates(tmp_path_factory.mktemp("databases"))
    yield built
    built.drop_all()


_templates: Templates | None = None


@pytest.fixture(scope="session", autouse=True)
def _remember_templates(templates: Templates) -> None:
    global _templates
    _templates = templates


def fresh_database(_tmp_path: Path, name: str) -> Database:
    """A separate, empty, migrated database (for tests that need one besides their own)."""
    assert _templates is not None
    return _templates.copy("empty", name)


@pytest.fixture
def database(request: pytest.FixtureRequest, templates: Templates) -> Iterator[Database]:
    """This test's own database: with the test world if the test asks for ``world``."""
    db = templates.copy("world" if "world" in request.fixturenames else "empty")
    yield db
    templates.release(db)


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """The test's own session (its commits are real: the database is the test's alone)."""
    with Session(database.engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def settings() -> Settings:
    return Settings(demo=True, database_url="sqlite://")


@pytest.fixture
def app(database: Database, settings: Settings) -> Any:
    return create_app(settings, database)


class SessionAwareClient(TestClient):
    """A test client that hands the test's session over before each request and back after."""

    def __init__(self, app: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.test_session = session

    def request(self, *args: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        self.test_session.commit()
        # What the test changed in users is seen at once, as the app's own changes are
        # (another process's are seen within a second: tests/test_accounts.py).
        self.app.state.db.accounts.invalidate()  # type: ignore[attr-defined]
        try:
            return super().request(*args, **kwargs)
        finally:
            self.test_session.expire_all()


@pytest.fixture
def client(app: Any, session: Session) -> Iterator[TestClient]:
    with SessionAwareClient(app, session) as c:
        yield c


@pytest.fixture
def world(session: Session) -> World:
    """Two agencies (parent and child), users of every role, warehouses, locations, cases."""
    return load_world(session)


LIVE_SECRET = "live-server-test-secret-0123456789abcdefgh"
# Importing the app in each of two workers takes 15-25 s on the shared 2-core machine under
# load; 30 s made the server tests fail at random (a slow start is not what they measure).
SERVER_START_SECONDS = 120


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]


def start_server(
    db_url: str, workers: int = 2, port: int | None = None, env: dict[str, str] | None = None
) -> LiveServer:
    """Run the real service in separate processes (like production) on a free port; ``env``
    adds settings (a printers file, say)."""
    if port is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    server_env = {**os.environ, **(env or {}), "EVIDENCE_DATABASE_URL": db_url}
    server_env["EVIDENCE_SECRET_KEY"] = LIVE_SECRET
    server_env["EVIDENCE_SIGNING_KEY_FILE"] = str(TEST_KEY_FILE)
    server_env.pop("EVIDENCE_DEMO", None)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "evidence_service.app:create_app",
        "--factory",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]

    # Its own process group: a server that must be killed takes its workers with it (killing
    # only uvicorn's supervisor leaves them running, orphaned).
    process = subprocess.Popen(command, env=server_env, start_new_session=True)
    server = LiveServer(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        try:
            if httpx.get(f"{server.url}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.process.poll() is not None:
            exited = server.process.poll()
            kill_server(server)
            raise RuntimeError(f"live server did not start (exit code {exited})")
        time.sleep(0.2)


@contextmanager
def live_server(db_url: str, workers: int = 2) -> Iterator[LiveServer]:
    server = start_server(db_url, workers)
    try:
        yield server
    finally:
        stop_server(server)


def stop_server(server: LiveServer) -> None:
    """Ask the server to stop; a server still shutting down after a minute is killed."""
    server.process.terminate()
    try:
        server.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        kill_server(server)


def kill_server(server: LiveServer) -> None:
    """The server and every worker it started."""
    with suppress(ProcessLookupError):  # already gone, workers and all
        os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=15)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of one database's own features (SQLite's online backup, PostgreSQL's roles) are
    not run, rather than skipped, in the other database's pass: there is nothing there for
    them to test."""
    url = os.environ.get("EVIDENCE_TEST_DATABASE_URL", "")
    other = "sqlite_only" if url.startswith("postgresql") else "postgres_only"
    kept = [i for i in items if i.get_closest_marker(other) is None]
    deselected = [i for i in items if i.get_closest_marker(other) is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
