"""What the tables must hold, recomputed from the custody chain, and the first difference.

Each event applies to its subject (an item, or row ``subject_id`` of table ``subject``):
``details.record`` is the whole row (an intake, a new record, the baseline when signing
began), ``details.changes`` each changed field's before and after, ``record_deleted`` its
removal. Nothing here knows the fields: a column a later migration adds replays as soon as
the events carry it. Events from before signing carry neither and change nothing; the
baseline gives every row its state then.

The replay streams: a table's rows in id order beside its subjects' events in (subject,
seq) order, one subject at a time, so memory stays flat however long the chain.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from .custody import EventType, plain
from .models import CustodyEvent, Item, metadata
from .recording import CHAINED, FINAL_ONLY

_NAMES = ("code", "username", "number", "label_key")  # how a row is named, if it has one


@dataclass(frozen=True)
class Difference:
    table: str
    row: str
    problem: str


def fold(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One subject's state after its events (oldest first); None once deleted, {} if no
    event said anything about it."""
    state: dict[str, Any] | None = {}
    for ev in events:
        details = ev["details"] or {}
        if ev["event_type"] == EventType.record_deleted:
            state = None
            continue
        record = details.get("record")
        if record is not None:
            state = dict(record)
        changes = details.get("changes")
        if changes:
            state = state if state is not None else {}
            for name, (_before, after) in changes.items():
                state[name] = after
    return state


def _events(session: Session, table: str, batch: int) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """(row id, its events) for every subject of ``table``, in id order."""
    events = CustodyEvent.__table__  # type: ignore[attr-defined]
    wanted = [events.c.event_type, events.c.details]
    if table == "items":
        key = events.c.item_id
        query = select(key, *wanted).where(key.is_not(None))
    else:
        key = events.c.subject_id
        query = select(key, *wanted).where(events.c.subject == table, key.is_not(None))
    # By id within a subject: ids grow with seq, and the index on the subject holds them.
    result = session.execute(query.order_by(key, events.c.id).execution_options(yield_per=batch))
    current: Any = None
    group: list[dict[str, Any]] = []
    for row in result:
        if row[0] != current and group:
            yield current, group
            group = []
        current = row[0]
        group.append({"event_type": row[1], "details": row[2]})
    if group:
        yield current, group


def _rows(session: Session, table: Table, batch: int) -> Iterator[dict[str, Any]]:
    result = session.execute(select(table).order_by(table.c.id).execution_options(yield_per=batch))
    for row in result.mappings():
        yield dict(row)


def compare_table(session: Session, table: Table, batch: int = 5000) -> Difference | None:
    """The first row of ``table`` that differs from its replay, a row no event made, or a
    row the chain holds that the table lost."""
    subjects = _events(session, table.name, batch)
    pending = next(subjects, None)
    for row in _rows(session, table, batch):
        while pending is not None and pending[0] < row["id"]:
            if fold(pending[1]) is not None:  # the chain has it, the table does not
                return Difference(
                    table.name,
                    _name({"id": pending[0], **(fold(pending[1]) or {})}),
                    "row missing (deleted from the table)",
                )
            pending = next(subjects, None)
        state = None
        if pending is not None and pending[0] == row["id"]:
            state = fold(pending[1])
            pending = next(subjects, None)
            if state is None:
                return Difference(table.name, _name(row), "row deleted on the chain but present")
        if not state:
            return Difference(table.name, _name(row), "row not on the chain (inserted by hand)")
        final = FINAL_ONLY.get(table.name)
        if final and row[final[0]] not in final[1]:
            continue  # still running: its progress is not on the chain
        # Every differing field of the row, in the table's column order.
        differing = [
            f"{field}: table has {value!r}, replay gives {state[field]!r}"
            for field in row
            if field in state and (value := plain(row[field])) != state[field]
        ]
        if differing:
            return Difference(table.name, _name(row), "; ".join(differing))
    while pending is not None:
        if (state := fold(pending[1])) is not None:
            return Difference(
                table.name,
                _name({"id": pending[0], **state}),
                "row missing (deleted from the table)",
            )
        pending = next(subjects, None)
    return None


def _name(row: dict[str, Any]) -> str:
    for field in _NAMES:
        if row.get(field):
            return f"{row[field]} (id={row['id']})"
    return f"id={row['id']}"


def replay_all(session: Session) -> Difference | None:
    """The first difference between the tables and their replay, table by table."""
    for table in [Item.__table__, *(metadata.tables[n] for n in sorted(CHAINED))]:  # type: ignore[attr-defined]
        difference = compare_table(session, table)
        if difference is not None:
            return difference
    return None
