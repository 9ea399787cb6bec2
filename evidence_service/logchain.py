"""The scan log and the security log (security events, login attempts) as append-only
chains of their own: each row has a contiguous ``seq`` and hashes the row before it, so a
deleted, edited or inserted row breaks the chain; every checkpoint signs their heads.
Rows get their place when they are flushed, under a lock of their log.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table, event, insert, select, text
from sqlmodel import Session

from . import chains
from .bulk import insert_rows
from .custody import (
    _CANONICAL,
    GENESIS_HASH,
    EventType,
    NewEvent,
    append_events,
    plain,
)
from .models import LoginAttempt, ScanLog, SecurityEvent, utcnow
from .recording import lock_pending

LOGS: dict[str, tuple[type[Any], str, int]] = {
    # table: (model, its time column, advisory lock id)
    "scan_log": (ScanLog, "scanned_at", 0x45560001),
    "security_events": (SecurityEvent, "at", 0x45560002),
    "login_attempts": (LoginAttempt, "at", 0x45560003),
}
_NAMES = {model: name for name, (model, _, _) in LOGS.items()}
_CHAIN_FIELDS = frozenset({"id", "seq", "prev_hash", "hash"})


def row_hash(table: str, row: dict[str, Any]) -> str:
    body = {k: plain(v) for k, v in row.items() if k not in _CHAIN_FIELDS}
    canonical = {"log": table, "seq": row["seq"], "prev_hash": row["prev_hash"], "row": body}
    return hashlib.sha256(_CANONICAL.encode(canonical).encode()).hexdigest()


def log_head(session: Session | Connection, table: Table) -> tuple[int, str]:
    # Plain SQL: a kept-rows write reads it once per batch, and the ORM's select costs more.
    found = session.execute(
        text(f"SELECT seq, hash FROM {table.name} WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")
    ).first()
    return (found[0], found[1]) if found and found[0] else (0, GENESIS_HASH)


# Every log's head in one statement (a checkpoint signs them all).
_ALL_HEADS = " UNION ALL ".join(
    f"SELECT '{name}', seq, hash FROM (SELECT seq, hash FROM {name} WHERE seq IS NOT NULL"
    f" ORDER BY seq DESC LIMIT 1) AS head_{n}"
    for n, name in enumerate(LOGS)
)


def log_heads(session: Session) -> dict[str, tuple[int, str]]:
    """Every log's head (``log_head`` of each), as one statement."""
    heads = {name: (0, GENESIS_HASH) for name in LOGS}
    for name, seq, digest in session.execute(text(_ALL_HEADS)).all():
        if seq:
            heads[name] = (seq, digest)
    return heads


def _lock_log(connection: Connection, name: str) -> None:
    """The log's own lock (PostgreSQL; a SQLite write transaction is exclusive already)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOGS[name][2]})


def _chain(name: str, table: Table, rows: list[dict[str, Any]], connection: Connection) -> None:
    """Give each row (every column, by name) its place after the log's head: seq, the hash
    before it and its own, in order. The caller holds the log's lock."""
    _place_after(name, rows, *log_head(connection, table))


def _place_after(name: str, rows: list[dict[str, Any]], seq: int, prev: str) -> None:
    when = LOGS[name][1]
    for row in rows:
        if row.get(when) is None:
            row[when] = utcnow()
        seq += 1
        row["seq"], row["prev_hash"] = seq, prev
        row["hash"] = prev = row_hash(name, row)


@event.listens_for(Session, "before_flush")
def _place(session: Session, _context: Any, _instances: Any) -> None:
    for name, (model, _, _) in LOGS.items():
        new = [obj for obj in session.new if isinstance(obj, model)]
        if not new:
            continue
        connection = session.connection()
        lock_pending(session)  # always the chains' locks before a log's
        _lock_log(connection, name)
        table: Table = model.__table__
        rows = [{c.name: getattr(obj, c.key) for c in table.c} for obj in new]
        _chain(name, table, rows, connection)
        for obj, row in zip(new, rows, strict=True):
            for field in (LOGS[name][1], "seq", "prev_hash", "hash"):
                setattr(obj, field, row[field])


@dataclass(slots=True)
class LogEntry:
    """A log row as plain values, to keep (``db.keep_when_refused``) without building its
    ORM object: on the scan path that object cost a third of the scan's own work."""

    table: str  # a name of LOGS
    values: dict[str, Any]

    def model(self) -> Any:
        return LOGS[self.table][0](**self.values)


def entry_of(row: Any) -> LogEntry | None:
    """The row as a log entry, or None if it is not a log row (a model of LOGS)."""
    if isinstance(row, LogEntry):
        return row
    name = _NAMES.get(type(row))
    if name is None:
        return None
    return LogEntry(name, {c.name: getattr(row, c.key) for c in LOGS[name][0].__table__.c})


def append_rows(connection: Connection, entries: list[LogEntry]) -> None:
    """Append log rows (of any of LOGS) in one go: per log, one head read, the hashes in
    one pass and one executemany, instead of the ORM's row by row. In work that also writes
    the record, flush that first: the chain's lock is always taken before a log's."""
    for name, (model, _, _) in LOGS.items():
        mine = [entry.values for entry in entries if entry.table == name]
        if not mine:
            continue
        table: Table = model.__table__
        columns = [c.name for c in table.c if c.name != "id"]
        rows = [{c: values.get(c) for c in columns} for values in mine]
        _lock_log(connection, name)
        _chain(name, table, rows, connection)
        insert_rows(connection, table, rows)


@dataclass(frozen=True, slots=True)
class _DriverSQL:
    """A log's statements for a bare driver connection, compiled once per dialect."""

    lock: str | None  # PostgreSQL's advisory lock of the log
    head: str
    insert: str
    order: tuple[str, ...]  # the insert's parameters (positional drivers) or keys
    processors: tuple[Callable[[Any], Any] | None, ...]  # each column's, as SQLAlchemy's


@cache
def _driver_sql(dialect: Dialect, name: str) -> _DriverSQL:
    table: Table = LOGS[name][0].__table__
    columns = [c.name for c in table.c if c.name != "id"]
    compiled = insert(table).compile(dialect=dialect, column_keys=columns)
    order = tuple(compiled.positiontup or ()) if dialect.positional else tuple(columns)
    lock = None
    if dialect.name == "postgresql":
        lock = f"SELECT pg_advisory_xact_lock({int(LOGS[name][2])})"
    return _DriverSQL(
        lock=lock,
        head=f"SELECT seq, hash FROM {table.name} WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
        insert=str(compiled),
        order=order,
        processors=tuple(
            table.c[column].type.dialect_impl(dialect).bind_processor(dialect) for column in order
        ),
    )


def append_rows_driver(cursor: Any, dialect: Dialect, entries: list[LogEntry]) -> None:
    """``append_rows`` on a bare driver cursor whose transaction the caller began (a write
    one on SQLite) and commits: per log its lock, one head read, the hashes, one executemany.
    A batch of scans' log rows is written so, without SQLAlchemy's connection, events and
    result objects, which cost a batch ~1 ms of CPU against the database's ~0.1 ms."""
    for name in LOGS:
        mine = [entry.values for entry in entries if entry.table == name]
        if not mine:
            continue
        sql = _driver_sql(dialect, name)
        if sql.lock is not None:
            cursor.execute(sql.lock)
        cursor.execute(sql.head)
        found = cursor.fetchone()
        rows = [{c: values.get(c) for c in sql.order} for values in mine]
        _place_after(
            name, rows, *((found[0], found[1]) if found and found[0] else (0, GENESIS_HASH))
        )
        pairs = list(zip(sql.order, sql.processors, strict=True))
        if dialect.positional:
            params: list[Any] = [tuple(p(r[n]) if p else r[n] for n, p in pairs) for r in rows]
        else:
            params = [{n: p(r[n]) if p else r[n] for n, p in pairs} for r in rows]
        cursor.executemany(sql.insert, params)


def walk_log(session: Session, table: Table) -> Iterator[dict[str, Any]]:
    result = session.execute(
        select(table)
        .where(table.c.seq.is_not(None))
        .order_by(table.c.seq)
        .execution_options(yield_per=5000)
    )
    for row in result.mappings():
        yield dict(row)


def verify_log(
    session: Session, name: str, pruned: tuple[int, str] | None = None
) -> tuple[tuple[int, str], str | None, str | None]:
    """((seq, hash) of its head, the row at fault, what is wrong). ``pruned``: the signed
    point up to which rows were removed by policy."""
    table: Table = LOGS[name][0].__table__
    expected, prev = (pruned[0] + 1, pruned[1]) if pruned else (1, GENESIS_HASH)
    for row in walk_log(session, table):
        where = f"seq={row['seq']} (id={row['id']})"
        if row["seq"] != expected:
            return (
                (expected - 1, prev),
                where,
                f"expected seq {expected}: rows deleted or reordered",
            )
        if row["prev_hash"] != prev or row_hash(name, row) != row["hash"]:
            return (expected - 1, prev), where, "does not match its hash (edited or inserted)"
        expected, prev = expected + 1, row["hash"]
    unchained = session.execute(select(table.c.id).where(table.c.seq.is_(None)).limit(1)).first()
    if unchained is not None:
        return (expected - 1, prev), f"id={unchained[0]}", "row outside the chain (no seq)"
    return (expected - 1, prev), None, None


def prune(session: Session, name: str, up_to: int, actor_id: int | None) -> int:
    """Remove a log's rows up to ``up_to`` (a retention policy), with a signed event on the
    custody chain saying so ("pruned up to N", and the hash there): the log's chain then
    starts after it. Returns how many rows went."""
    table: Table = LOGS[name][0].__table__
    chains.lock_chains(session, [chains.COMMON])
    found = session.execute(select(table.c.hash).where(table.c.seq == up_to)).first()
    if found is None:
        raise ValueError(f"{name} has no row seq={up_to}")
    head = log_head(session, table)  # what remains must reach it still
    gone = session.connection().execute(table.delete().where(table.c.seq <= up_to)).rowcount
    append_events(
        session,
        [
            NewEvent(
                item_id=None,
                event_type=EventType.log_pruned,
                actor_id=actor_id,
                subject=name,
                chain=chains.COMMON,
                details={"log": name, "up_to": up_to, "hash": found[0], "head": list(head)},
            )
        ],
    )
    return int(gone or 0)
