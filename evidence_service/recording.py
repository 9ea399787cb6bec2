"""Every record that matters goes on the custody chain, whoever writes it.

Items change in one place (``items.lifecycle.update_items``, intake), which writes their
events itself. The other records that matter (``CHAINED``: agencies, users and roles,
warehouses, locations' limits and hazard classes, cases with their judgments, decisions and
attached acts, item photos, two-person approvals, check-outs, destruction batches with their
items, council and photos, stocktakes with their scans, lines and discrepancies, import
jobs, official documents made final, handovers with their lines, exit slips, unsealing
records) are written by
many functions, some not yet written: so every flush of a session, and every ORM-enabled
INSERT/UPDATE/DELETE statement on one of those tables, appends one event per row with what
changed (``record_created`` with every column, ``record_changed`` with each changed column's
before and after, ``record_deleted``). ``replay`` then recomputes those tables from the
chain, whatever columns later migrations add.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Table, event, inspect, select
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from . import chains
from .custody import EventType, NewEvent, append_events
from .models import metadata

CHAINED = frozenset(
    {
        "agencies",
        "users",
        "warehouses",
        "locations",
        "cases",
        "judgments",
        "enforcement_decisions",
        "case_attachments",
        "item_photos",
        "approvals",
        "checkouts",
        "destruction_batches",
        "destruction_items",
        "council_members",
        "destruction_photos",
        "stocktakes",
        "stocktake_scans",
        "stocktake_lines",
        "discrepancies",
        "import_jobs",
        "official_documents",
        # Official records of issue 15: handovers with their lines, exit slips, unsealings.
        "handovers",
        "handover_lines",
        "exit_slips",
        "unsealings",
        # The monthly checks of items held by others (custody_checks/).
        "custody_checks",
    }
)
# Rows whose state is recorded only once final: an import job's progress is written by
# sessions of its own while the import holds the write lock, and is no record.
FINAL_ONLY = {"import_jobs": ("status", frozenset({"done", "failed"}))}
ACTOR = "evidence_actor_id"  # session.info: who acts in this unit of work, when known
# Who the request acts for (set when its bearer token is checked), for the record events.
CURRENT_ACTOR: ContextVar[int | None] = ContextVar("evidence_current_actor", default=None)


def acting(session: Session, actor_id: int | None) -> None:
    """Name the user on whose behalf this unit of work writes (its record events say so)."""
    session.info[ACTOR] = actor_id


@contextmanager
def acting_as(actor_id: int | None) -> Iterator[None]:
    """Name the user on whose behalf a command's units of work write, for as long as it
    runs (a CLI command ``--as`` someone; then the next command of the process is not)."""
    token = CURRENT_ACTOR.set(actor_id)
    try:
        yield
    finally:
        CURRENT_ACTOR.reset(token)


def _table(obj: Any) -> Table | None:
    table = getattr(type(obj), "__table__", None)
    return table if isinstance(table, Table) and table.name in CHAINED else None


def _row(obj: Any, table: Table) -> dict[str, Any]:
    return {c.name: getattr(obj, c.key) for c in table.c}


def _changes(obj: Any, table: Table) -> dict[str, tuple[Any, Any]]:
    state = inspect(obj)
    changes: dict[str, tuple[Any, Any]] = {}
    for column in table.c:
        history = state.attrs[column.key].history
        if history.added:
            before = history.deleted[0] if history.deleted else None
            if before != history.added[0]:
                changes[column.name] = (before, history.added[0])
    return changes


def _event(
    session: OrmSession, kind: EventType, table: str, row: dict[str, Any], **what: Any
) -> NewEvent:
    """The event of ``row`` (its values), on its province's chain."""
    return NewEvent(
        item_id=None,
        event_type=kind,
        actor_id=session.info.get(ACTOR, CURRENT_ACTOR.get()),
        subject=table,
        subject_id=row["id"],
        chain=chains.chain_of_row(session, table, row),  # type: ignore[arg-type]
        **what,
    )


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    events: list[NewEvent] = []
    for obj in session.new:
        if (table := _table(obj)) is not None:
            row = _row(obj, table)
            events.append(_event(session, EventType.record_created, table.name, row, record=row))
    for obj in session.dirty:
        final = FINAL_ONLY.get(getattr(_table(obj), "name", ""))
        if final and getattr(obj, final[0]) not in final[1]:
            continue
        if (table := _table(obj)) is not None and (changes := _changes(obj, table)):
            row = _row(obj, table)
            events.append(
                _event(session, EventType.record_changed, table.name, row, changes=changes)
            )
    for obj in session.deleted:
        if (table := _table(obj)) is not None:
            events.append(_event(session, EventType.record_deleted, table.name, _row(obj, table)))
    if events:
        append_events(session, events)  # under each chain's lock


@event.listens_for(Session, "do_orm_execute")
def _statement(state: ORMExecuteState) -> Any:
    """INSERT, UPDATE and DELETE statements on chained tables, with their events."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    if not isinstance(table, Table) or table.name not in CHAINED:
        return None
    session: Any = state.session  # the service's sessions are SQLModel's
    if state.is_insert:
        result = state.invoke_statement(statement=state.statement.returning(*table.c))  # type: ignore[attr-defined]
        frozen = result.freeze()
        rows = [dict(r._mapping) for r in frozen().all()]
        events = [_event(session, EventType.record_created, table.name, r, record=r) for r in rows]
        result = frozen()
    else:
        where = state.statement.whereclause  # type: ignore[attr-defined]
        found = select(table) if where is None else select(table).where(where)
        before = {r["id"]: dict(r) for r in session.connection().execute(found).mappings()}
        result = state.invoke_statement()
        if state.is_delete:
            events = [
                _event(session, EventType.record_deleted, table.name, r) for r in before.values()
            ]
        else:
            again = select(table).where(table.c.id.in_(list(before)))
            events = []
            for r in session.connection().execute(again).mappings():
                old = before[r["id"]]
                changes = {k: (old[k], v) for k, v in r.items() if old[k] != v}
                final = FINAL_ONLY.get(table.name)
                if final and r[final[0]] not in final[1]:
                    continue  # progress: no event, no lock
                if changes:
                    events.append(
                        _event(
                            session, EventType.record_changed, table.name, dict(r), changes=changes
                        )
                    )
    if events:
        append_events(session, events)
    return result


def record_inserted(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """The ``record_created`` events of rows of a chained table that the caller inserted
    itself in bulk (``bulk.insert_rows``, no ORM statement for ``_statement`` to see), each
    row with its id: the same events ``_statement`` appends for an ORM INSERT."""
    assert table.name in CHAINED
    events = []
    for given in rows:
        row = {c.name: given.get(c.name) for c in table.c}  # every column, as RETURNING gives
        events.append(_event(session, EventType.record_created, table.name, row, record=row))
    if events:
        append_events(session, events)


def lock_pending(session: Session) -> None:
    """Take the locks of the chains this flush's record events will go on (before a log's
    lock: chains are always locked first)."""
    found = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if (table := _table(obj)) is not None:
            found.add(chains.chain_of_row(session, table.name, _row(obj, table)))
    if found:
        chains.lock_chains(session, found)


def chained_tables() -> list[Table]:
    return [metadata.tables[name] for name in sorted(CHAINED)]
