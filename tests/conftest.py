"""Test fixtures: one migrated database per run, one rolled-back transaction per test.

``EVIDENCE_TEST_DATABASE_URL`` selects the database (a temporary SQLite file by default);
CI runs the suite once on SQLite and once on PostgreSQL.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from evidence_service.api.deps import get_session
from evidence_service.app import create_app
from evidence_service.config import Settings
from evidence_service.db import Database
from tests.factories import make_world

PG_URL = os.environ.get("EVIDENCE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def reset_database(db: Database) -> None:
    """Empty the database completely, then migrate it to head."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    db.migrate()


def fresh_database(tmp_path: Path, name: str) -> Database:
    """A separate, empty, migrated database for tests that must really commit.

    On PostgreSQL the name gets the process id, so parallel runs on one server don't collide;
    ``drop_fresh_databases`` removes them at the end of the run.
    """
    base = os.environ.get("EVIDENCE_TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        name = f"{name}_{os.getpid()}"
        _admin(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
        _created.append(name)
        db = Database.from_url(base.rsplit("/", 1)[0] + f"/{name}")
    else:
        db = Database.from_url(f"sqlite:///{tmp_path / (name + '.db')}")
    db.migrate()
    return db


_created: list[str] = []


def _admin(url: str, *statements: str) -> None:
    admin = Database.from_url(url)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def drop_fresh_databases() -> Iterator[None]:
    yield
    base = os.environ.get("EVIDENCE_TEST_DATABASE_URL")
    if base and _created:
        _admin(base, *(f"DROP DATABASE IF EXISTS {n} WITH (FORCE)" for n in _created))


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = os.environ.get("EVIDENCE_TEST_DATABASE_URL")
    if url is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    db = Database.from_url(url)
    reset_database(db)
    yield db
    db.engine.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session whose commits are savepoints inside a transaction rolled back at the end."""
    with database.engine.connect() as connection:
        transaction = connection.begin()
        with Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as s:
            yield s
        transaction.rollback()


@pytest.fixture
def settings() -> Settings:
    return Settings(demo=True, database_url="sqlite://")


@pytest.fixture
def app(database: Database, session: Session, settings: Settings) -> Any:
    application = create_app(settings, database)

    def shared_session() -> Iterator[Session]:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise

    application.dependency_overrides[get_session] = shared_session
    return application


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def world(session: Session) -> Any:
    """Two agencies (parent and child), users of every role, warehouses, locations, cases."""
    return make_world(session)


LIVE_SECRET = "live-server-test-secret-0123456789abcdefgh"


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]


def start_server(db_url: str, workers: int = 2, port: int | None = None) -> LiveServer:
    """Run the real service in separate processes (like production) on a free port."""
    if port is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    env = {**os.environ, "EVIDENCE_DATABASE_URL": db_url, "EVIDENCE_SECRET_KEY": LIVE_SECRET}
    env.pop("EVIDENCE_DEMO", None)
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

    server = LiveServer(f"http://127.0.0.1:{port}", subprocess.Popen(command, env=env))
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{server.url}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.process.poll() is not None:
            server.process.kill()
            raise RuntimeError("live server did not start")
        time.sleep(0.2)


@contextmanager
def live_server(db_url: str, workers: int = 2) -> Iterator[LiveServer]:
    server = start_server(db_url, workers)
    try:
        yield server
    finally:
        server.process.terminate()
        server.process.wait(timeout=15)


# Under CI a skipped test is a failure: a missing tool must be installed by .ci/run, not
# silently leave its tests out.
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:  # a whole module skipped at import, e.g. by importorskip
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") == "true" and _skipped:
        print(f"\nCI=true: {len(_skipped)} skipped test(s) fail the run:", *_skipped, sep="\n  ")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of SQLite-only features (online backup, its crash safety) are not run, rather
    than skipped, in the PostgreSQL pass: there is nothing there for them to test."""
    url = os.environ.get("EVIDENCE_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return
    kept = [i for i in items if i.get_closest_marker("sqlite_only") is None]
    deselected = [i for i in items if i.get_closest_marker("sqlite_only") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
