"""What the tables must hold, recomputed from the custody chain, and the first difference.

Each event applies to its subject (an item, or row ``subject_id`` of table ``subject``):
``details.record`` is the whole row (an intake, a new record, the baseline when signing
began), ``details.changes`` each changed field's before and after, ``record_deleted`` its
removal. Nothing here knows the fields: a column a later migration adds replays as soon as
the events carry it. Events from before signing carry neither and change nothing; the
baseline gives every row its state then.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from .custody import EventType, plain

_GONE: dict[str, Any] = {}  # the state of a deleted row (compared by identity)
_NAMES = ("code", "username", "number", "label_key")  # how a row is named, if it has one


@dataclass(frozen=True)
class Difference:
    table: str
    row: str
    problem: str


class Replay:
    """The state of every row, as the events so far say."""

    def __init__(self) -> None:
        self.state: dict[str, dict[Any, dict[str, Any]]] = {}
        self.pruned: dict[str, tuple[int, str]] = {}  # log → (seq, hash) pruned up to

    def apply(self, ev: dict[str, Any]) -> None:
        details = ev["details"] or {}
        table = ev["subject"] or "items"
        row_id = ev["subject_id"] if ev["subject"] else ev["item_id"]
        if ev["event_type"] == EventType.log_pruned:
            self.pruned[details["log"]] = (details["up_to"], details["hash"])
            return
        rows = self.state.setdefault(table, {})
        if ev["event_type"] == EventType.record_deleted:
            rows[row_id] = _GONE
            return
        record = details.get("record")
        if record is not None:
            rows[row_id] = {**record, "id": row_id}
        changes = details.get("changes")
        if changes:
            current = rows.get(row_id)
            if current is None or current is _GONE:
                current = rows[row_id] = {"id": row_id}
            for name, (_before, after) in changes.items():
                current[name] = after

    def compare(self, table: Table, rows: Iterable[dict[str, Any]]) -> Difference | None:
        """The first row of ``table`` that differs from the replay, or a replayed row that
        is missing from the table."""
        replayed_rows = self.state.get(table.name, {})
        seen: set[Any] = set()
        for row in rows:
            seen.add(row["id"])
            state = replayed_rows.get(row["id"])
            if state is None:
                return Difference(table.name, _name(row), "row not on the chain (inserted by hand)")
            if state is _GONE:
                return Difference(table.name, _name(row), "row deleted on the chain but present")
            for field, replayed in state.items():
                if field not in row:
                    continue
                value = plain(row[field])
                if value != replayed:
                    return Difference(
                        table.name,
                        _name(row),
                        f"{field}: table has {value!r}, replay gives {replayed!r}",
                    )
        for row_id, state in replayed_rows.items():
            if row_id not in seen and state is not _GONE:
                return Difference(
                    table.name,
                    _name({"id": row_id, **state}),
                    "row missing (deleted from the table)",
                )
        return None


def _name(row: dict[str, Any]) -> str:
    for field in _NAMES:
        if row.get(field):
            return f"{row[field]} (id={row['id']})"
    return f"id={row['id']}"


def table_rows(session: Session, table: Table, batch: int = 5000) -> Iterator[dict[str, Any]]:
    result = session.execute(select(table).order_by(table.c.id).execution_options(yield_per=batch))
    for row in result.mappings():
        yield dict(row)
