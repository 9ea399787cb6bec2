"""Engine, sessions and migrations.

SQLite is configured for safe concurrent use by several threads/processes: WAL journal,
foreign keys, a busy timeout, ``synchronous=FULL`` (a 201 means the row is on disk) and
``BEGIN IMMEDIATE`` for write transactions, so two writers queue instead of failing on a
read-to-write lock upgrade.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str, busy_timeout_ms: int = 15000) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)

    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        # Enough connections for FastAPI's worker threads, so requests don't queue for one.
        **({} if in_memory else {"pool_size": 20, "max_overflow": 20}),
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _begin)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@dataclass
class Database:
    engine: Engine

    @classmethod
    def from_url(cls, url: str, busy_timeout_ms: int = 15000) -> "Database":
        return cls(make_engine(url, busy_timeout_ms))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        bind = self.engine.execution_options(sqlite_write=True) if write else self.engine
        with Session(bind, expire_on_commit=False) as session:
            yield session

    def alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["engine"] = self.engine
        return cfg

    def migrate(self, revision: str = "head") -> None:
        command.upgrade(self.alembic_config(), revision)

    def migration_status(self) -> tuple[str | None, str | None]:
        """(current revision in the database, head revision of the code)."""
        head = ScriptDirectory.from_config(self.alembic_config()).get_current_head()
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        return current, head

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
