"""The custody log: an append-only hash chain over every event of every item.

Each event stores the hash of the one before it and its own hash over a canonical
serialisation, so editing, deleting, inserting or reordering events breaks the chain.
Appends are serialised by a database lock (an advisory lock on PostgreSQL; SQLite write
transactions are already exclusive), which also makes capacity checks race-free.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, col

from .bulk import insert_rows
from .models import CustodyEvent

GENESIS_HASH = "0" * 64
_CHAIN_LOCK_ID = 0x45564944  # "EVID": the advisory lock every writer takes first


class EventType(StrEnum):
    intake = "intake"
    move = "move"
    check_out = "check_out"
    return_ = "return"
    seal_check = "seal_check"
    reweigh = "reweigh"
    sample = "sample"
    split_item = "split"  # not "split": that would shadow str.split
    label_printed = "label_printed"
    stocktake_seen = "stocktake_seen"
    stocktake_missing = "stocktake_missing"
    destruction = "destruction"
    destruction_added = "destruction_added"
    destruction_removed = "destruction_removed"
    destruction_approved = "destruction_approved"
    destruction_excluded = "destruction_excluded"
    destruction_cancelled = "destruction_cancelled"
    destruction_closed = "destruction_closed"
    release = "release"
    transfer = "transfer"
    disposition = "disposition"
    correction = "correction"
    photo = "photo"
    approval_requested = "approval_requested"  # two people for every exit: asked
    approval_refused = "approval_refused"
    transfer_received = "transfer_received"
    write_off = "write_off"
    stocktake_found = "stocktake_found"
    stocktake_escalated = "stocktake_escalated"


def lock_for_write(session: Session) -> None:
    """Serialise writers. Call before reading anything a write decision depends on."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_ID})


def _ts(value: datetime) -> str:
    # SQLite hands datetimes back without a zone; everything we store is UTC.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False), built once: making
# the encoder cost a third of each hash.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(fields: dict[str, Any]) -> str:
    return _hash(fields, _ts(fields["occurred_at"]))


def _hash(fields: dict[str, Any], occurred_at: str) -> str:
    """The event's hash, its time already in the canonical form (``_ts``)."""
    canonical = {
        "seq": fields["seq"],
        "item_id": fields["item_id"],
        "event_type": fields["event_type"],
        "actor_id": fields["actor_id"],
        "occurred_at": occurred_at,
        "from_location_id": fields.get("from_location_id"),
        "to_location_id": fields.get("to_location_id"),
        "reason": fields.get("reason") or "",
        "details": fields.get("details") or {},
        "prev_hash": fields["prev_hash"],
    }
    return hashlib.sha256(_CANONICAL.encode(canonical).encode()).hexdigest()


@dataclass(frozen=True)
class NewEvent:
    item_id: int
    event_type: EventType
    actor_id: int
    from_location_id: int | None = None
    to_location_id: int | None = None
    reason: str = ""
    details: dict[str, Any] | None = None


def chain_head(session: Session) -> tuple[int, str]:
    row = session.execute(
        select(col(CustodyEvent.seq), col(CustodyEvent.hash))
        .order_by(col(CustodyEvent.seq).desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def append_events(session: Session, events: Iterable[NewEvent]) -> list[dict[str, Any]]:
    """Append events to the chain in order; the caller holds the write lock."""
    seq, prev = chain_head(session)
    now = datetime.now(UTC)
    stamp = _ts(now)  # every event of the batch has the same time
    rows = []
    for ev in events:
        seq += 1
        row = {
            "seq": seq,
            "item_id": ev.item_id,
            "event_type": str(ev.event_type),
            "actor_id": ev.actor_id,
            "occurred_at": now,
            "from_location_id": ev.from_location_id,
            "to_location_id": ev.to_location_id,
            "reason": ev.reason,
            "details": ev.details or {},
            "prev_hash": prev,
        }
        row["hash"] = prev = _hash(row, stamp)
        rows.append(row)
    insert_rows(session.connection(), CustodyEvent.__table__, rows)  # type: ignore[attr-defined]
    return rows


def append_event(session: Session, event: NewEvent) -> dict[str, Any]:
    return append_events(session, [event])[0]


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        return f"event seq={self.seq} (id={self.event_id}): {self.problem}"


@dataclass(frozen=True)
class VerifyResult:
    events_checked: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _walk(session: Session, batch: int = 5000) -> Iterator[dict[str, Any]]:
    # Plain rows straight from the database: ORM objects could come from the session's
    # identity map and hide a change made behind its back.
    table = CustodyEvent.__table__  # type: ignore[attr-defined]
    result = session.execute(select(table).order_by(table.c.seq).execution_options(yield_per=batch))
    for row in result.mappings():
        yield dict(row)


@dataclass(frozen=True)
class Anchor:
    """The chain head at a moment, kept outside the database (printed, mailed, filed), so
    a later rewrite of history, even of the last events, can be proven."""

    events: int
    head_hash: str
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {"events": self.events, "head_hash": self.head_hash, "at": self.at}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Anchor":
        try:
            return cls(int(data["events"]), str(data["head_hash"]), str(data.get("at", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not an anchor: {exc}") from None


def make_anchor(session: Session) -> Anchor:
    seq, head = chain_head(session)
    return Anchor(events=seq, head_hash=head, at=_ts(datetime.now(UTC)))


def verify_chain(session: Session, anchor: Anchor | None = None) -> VerifyResult:
    """Walk the chain from the start; report the first event that does not fit. With an
    anchor, also prove the first ``anchor.events`` events are exactly those anchored."""
    result = _verify_links(session, anchor)
    if result.problem is None and anchor is not None and result.events_checked < anchor.events:
        problem = (
            f"truncated: the anchor of {anchor.at} recorded {anchor.events} events, "
            f"only {result.events_checked} remain"
        )
        return VerifyResult(
            result.events_checked,
            result.head_hash,
            ChainProblem(result.events_checked + 1, None, problem),
        )
    return result


def _verify_links(session: Session, anchor: Anchor | None) -> VerifyResult:
    expected_seq, prev, count = 1, GENESIS_HASH, 0
    for ev in _walk(session):
        problem = None
        if ev["seq"] != expected_seq:
            kind = "missing" if ev["seq"] > expected_seq else "duplicated or reordered"
            problem = f"sequence gap: expected seq {expected_seq}, found {ev['seq']} ({kind})"
        elif ev["prev_hash"] != prev:
            problem = "prev_hash does not match the previous event (removed, inserted or reordered)"
        elif event_hash(ev) != ev["hash"]:
            problem = "content does not match its hash (edited)"
        elif anchor is not None and ev["seq"] == anchor.events and ev["hash"] != anchor.head_hash:
            problem = (
                f"differs from the anchor of {anchor.at}: history up to here was rewritten "
                f"(hashes recomputed)"
            )
        if problem:
            return VerifyResult(count, prev, ChainProblem(ev["seq"], ev["id"], problem))
        prev, expected_seq, count = ev["hash"], expected_seq + 1, count + 1
    return VerifyResult(count, prev, None)
