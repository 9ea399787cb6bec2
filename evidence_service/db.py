"""Engine, units of work and migrations.

One unit of work is one transaction: a request's (see ``api/transaction.py``), a command's or
a background job's. It commits once at its end, or rolls back; domain code only flushes.
Rows that must persist even when the work is refused (the scan log, login attempts, ...) are
handed to :func:`keep_when_refused`: they commit with the work, or, if it rolls back, in a
transaction of their own right after.

SQLite is configured for safe concurrent use by several threads/processes: WAL journal,
foreign keys, a busy timeout, ``synchronous=FULL`` (a 201 means the row is on disk) and
``BEGIN IMMEDIATE`` for write transactions, so two writers queue instead of failing on a
read-to-write lock upgrade.
"""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Integer, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import make_transient
from sqlmodel import Session, SQLModel

from . import checkpoints, logchain, recording  # noqa: F401 (their session hooks)
from .accounts import Accounts

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_WRITE = "evidence_write"  # session.info keys
_KEPT = "evidence_kept_when_refused"
_ACCOUNTS_CHANGED = "evidence_accounts_changed"
Kept = SQLModel | logchain.LogEntry  # a kept row: an ORM object, or a log row's values


def session_writes(session: Session) -> bool:
    return bool(session.info.get(_WRITE))


def accounts_changed(session: Session) -> None:
    """This work changes users: once it commits, this process reads them again."""
    session.info[_ACCOUNTS_CHANGED] = True


def keep_when_refused(session: Session, *rows: SQLModel | logchain.LogEntry) -> None:
    """Add rows that must persist even if this unit of work is refused or fails: the scan
    of a damaged label, a failed login. They are written with the work if it commits, else
    (and always for read-only work) in a transaction of their own when it ends. A log row
    may be given as its plain values (``logchain.LogEntry``), final when given."""
    if session.info.get(_WRITE):
        session.add_all(r.model() if isinstance(r, logchain.LogEntry) else r for r in rows)
    session.info.setdefault(_KEPT, []).extend(rows)


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
        options = conn.get_execution_options()
        # A read-only unit of work is read-only in the database too: a GET cannot write. The
        # pragma stays set on the connection, so it is sent only when it changes.
        query_only = int(bool(options.get("read_only")))
        pooled = conn.connection.info
        if pooled.get("query_only") != query_only:
            conn.exec_driver_sql(f"PRAGMA query_only={query_only}")
            pooled["query_only"] = query_only
        conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if options.get('sqlite_write') else 'DEFERRED'}")

    return engine


class KeptRows:
    """Kept rows of units of work that did not commit them, saved together: concurrent scans
    (read-only work whose one write is its log row) share one transaction and one fsync
    instead of queueing for one each. Each caller returns once its rows are on disk."""

    def __init__(self, write: Callable[[list[Kept]], None]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._waiting: list[tuple[list[Kept], Future[None]]] = []
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-kept")

    def save(self, rows: list[Kept]) -> None:
        self.submit(rows).result()

    def submit(self, rows: list[Kept]) -> "Future[None]":
        """Hand rows to the writer; the future is done once they are on disk. A caller on
        the event loop awaits it there, so a waiting scan holds no thread: every scan
        waiting at that moment joins the next transaction."""
        done: Future[None] = Future()
        with self._lock:
            self._waiting.append((rows, done))
            first = len(self._waiting) == 1  # else a write is already scheduled for them
        if first:
            self._writer.submit(self._write_waiting)
        return done

    def _write_waiting(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting, []
        try:
            self._write([row for rows, _ in batch for row in rows])
        except Exception:
            for rows, done in batch:  # one bad row must not lose the others'
                try:
                    self._write(rows)
                except Exception as exc:
                    done.set_exception(exc)
                else:
                    done.set_result(None)
        else:
            for _, done in batch:
                done.set_result(None)


def _check_read_only(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("read-only work changed rows: it must be a write")


@dataclass
class Database:
    engine: Engine
    accounts: Accounts = field(init=False)  # who may act, as this process knows it
    # Threads of its own for ending units of work: a commit never queues behind requests
    # that are themselves waiting for the lock the transaction being ended holds.
    ending: ThreadPoolExecutor = field(init=False)
    _binds: dict[bool, Engine] = field(init=False)  # writes?  → the engine with its options
    _kept: KeptRows = field(init=False)

    def __post_init__(self) -> None:
        self.accounts = Accounts(self.engine)
        # Made once: a new options engine per unit of work costs a scan its tens of µs.
        read = {"read_only": True} if self.is_sqlite else {"postgresql_readonly": True}
        self._binds = {
            True: self.engine.execution_options(sqlite_write=True),
            False: self.engine.execution_options(**read),
        }
        self.ending = ThreadPoolExecutor(max_workers=16, thread_name_prefix="evidence-commit")
        self._kept = KeptRows(self._write)

    @classmethod
    def from_url(cls, url: str, busy_timeout_ms: int = 15000) -> "Database":
        return cls(make_engine(url, busy_timeout_ms))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """A plain session whose transaction is the caller's (tests, benchmarks, tools);
        the service itself works in :meth:`unit_of_work`."""
        bind = self.engine.execution_options(sqlite_write=True) if write else self.engine
        with Session(bind, expire_on_commit=False) as session:
            yield session

    def open(self, write: bool) -> Session:
        """A session for one unit of work; end it with :meth:`finish`."""
        session = Session(self._binds[write], expire_on_commit=False)
        session.info[_WRITE] = write
        return session

    def finish(self, session: Session, ok: bool) -> None:
        """End a unit of work: commit if it writes and succeeded, else roll back and save
        what was kept in a transaction of its own. Closes the session either way; a failed
        commit raises, and nothing of the work stays."""
        kept: list[Kept] = session.info.pop(_KEPT, [])
        write, committed = bool(session.info.get(_WRITE)), False
        try:
            if ok and write:
                session.commit()
                committed = True
                if session.info.get(_ACCOUNTS_CHANGED):
                    self.accounts.invalidate()
            elif ok:
                _check_read_only(session)
        finally:
            if write and not committed:
                session.rollback()
            session.close()  # ends a read-only transaction without expiring what it read
            if not committed and kept:
                self._kept.save(kept)

    def finish_read(self, session: Session, ok: bool) -> "Future[None] | None":
        """End a read-only unit of work without waiting for its kept rows: they go to the
        writer, and the future (None if there are none) says when they are on disk."""
        kept: list[Kept] = session.info.pop(_KEPT, [])
        pending = None
        try:
            if ok:
                _check_read_only(session)
        finally:
            session.close()
            if kept:
                pending = self._kept.submit(kept)
        return pending

    def _write(self, rows: list[Kept]) -> None:
        entries = [logchain.entry_of(row) for row in rows]
        logs = [entry for entry in entries if entry is not None]
        if len(logs) == len(rows):  # only log rows (scans): no session, no ORM flush
            self._append_logs(logs)
            return
        with self.unit_of_work(write=True) as session:
            for row, entry in zip(rows, entries, strict=True):
                if entry is not None or isinstance(row, logchain.LogEntry):
                    continue  # a log row: its values, appended in bulk below (fresh ids)
                make_transient(row)
                # An id the rolled-back work was given may since be another process's row.
                for column in row.__table__.primary_key.columns:  # type: ignore[attr-defined]
                    if isinstance(column.type, Integer):
                        setattr(row, column.key, None)
                session.add(row)
            session.flush()  # the record's lock (if these rows take it) before the logs'
            logchain.append_rows(session.connection(), logs)

    def _append_logs(self, logs: list[logchain.LogEntry]) -> None:
        """Append log rows in a transaction of their own on a bare driver connection from
        the pool: begin, the rows, commit (on disk when it returns: ``synchronous=FULL``
        on SQLite, PostgreSQL's commit). A driver error is raised as SQLAlchemy's."""
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if self.is_sqlite:
                if raw.info.get("query_only") != 0:  # the pool's reads may have set it
                    cursor.execute("PRAGMA query_only=0")
                    raw.info["query_only"] = 0
                cursor.execute("BEGIN IMMEDIATE")
            logchain.append_rows_driver(cursor, self.engine.dialect, logs)
            cursor.close()
            raw.commit()
        except self.engine.dialect.loaded_dbapi.Error as exc:
            raw.rollback()
            raise DBAPIError.instance(
                None, None, exc, self.engine.dialect.loaded_dbapi.Error
            ) from exc
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()

    @contextmanager
    def unit_of_work(self, write: bool = True) -> Iterator[Session]:
        """A session whose transaction commits when the block ends, or rolls back if it
        raises. A read-only unit (``write=False``) never commits."""
        session = self.open(write)
        try:
            yield session
        except BaseException:
            self.finish(session, ok=False)
            raise
        self.finish(session, ok=True)

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
