"""The custody log: an append-only, signed hash chain over every event of every item and
of every other record that matters (users, locations, batches, stocktakes, ...).

Each event stores the hash of the one before it and its own hash over a canonical
serialisation, so editing, deleting, inserting or reordering events breaks the chain. The
last event of every append is signed with the service's Ed25519 key (``keys``), which is
not in the database: its signature covers every event before it, so nobody who can only
write the database can extend the chain. Each event also carries what it changed
(``details.changes``: field → [before, after]; an intake or a new record carries the whole
``details.record``), so ``replay`` recomputes what the tables must hold.
Appends are serialised by a database lock (an advisory lock on PostgreSQL; SQLite write
transactions are already exclusive), which also makes capacity checks race-free.
"""

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, col

from . import keys
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
    # Not about one item: the first state of every record when signing began, a record
    # created, changed or deleted (``subject`` names its table), the chain sealed.
    baseline = "baseline"
    record_created = "record_created"
    record_changed = "record_changed"
    record_deleted = "record_deleted"
    sealed = "sealed"
    log_pruned = "log_pruned"
    photo = "photo"
    approval_requested = "approval_requested"  # two people for every exit: asked
    approval_refused = "approval_refused"
    transfer_received = "transfer_received"
    write_off = "write_off"
    stocktake_found = "stocktake_found"
    stocktake_escalated = "stocktake_escalated"
    unsealing = "unsealing"  # a seal opened, with its record (items/unsealing.py)
    # The item's handover record and entry slip became final: their numbers are the item's.
    entry_slip = "entry_slip"


def lock_for_write(session: Session) -> None:
    """Serialise writers. Call before reading anything a write decision depends on."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_ID})


# The last time formatted, with its text, as one tuple (replaced at once, so threads never
# see one's time with another's text): the events of a batch share their time.
_LAST_TS: list[tuple[datetime | None, str]] = [(None, "")]


def _ts(value: datetime) -> str:
    last, text_ = _LAST_TS[0]
    if last is not None and value == last and value.tzinfo is last.tzinfo:
        return text_
    text_ = _format_ts(value)
    _LAST_TS[0] = (value, text_)
    return text_


def _format_ts(value: datetime) -> str:
    # SQLite hands datetimes back without a zone; everything we store is UTC.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False), built once: making
# the encoder cost a third of each hash.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_AS_IS = frozenset({str, int, float, bool})


def plain(value: Any) -> Any:
    """A column's value as the chain records it (JSON): times in the canonical UTC form,
    dates ISO, bytes by their SHA-256, enums by value."""
    if value is None or type(value) in _AS_IS:  # most values: checked first, cheaply
        return value
    if isinstance(value, datetime):
        return _ts(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


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
    # Added with signing: absent from the hashes of the events before it.
    for name in ("subject", "subject_id", "key_id"):
        if fields.get(name) is not None:
            canonical[name] = fields[name]
    return hashlib.sha256(_CANONICAL.encode(canonical).encode()).hexdigest()


@dataclass(frozen=True)
class NewEvent:
    item_id: int | None
    event_type: EventType
    actor_id: int | None
    from_location_id: int | None = None
    to_location_id: int | None = None
    reason: str = ""
    details: dict[str, Any] | None = None
    # What the event did to its subject (an item, or the ``subject`` table's row
    # ``subject_id``): every field of a new one, or each changed field's before and after.
    record: dict[str, Any] | None = None
    changes: dict[str, tuple[Any, Any]] | None = None
    subject: str | None = None
    subject_id: int | None = None


def with_changes(event: NewEvent, changes: dict[str, tuple[Any, Any]] | None) -> NewEvent:
    """The event carrying its item's changes (once: the first event of an item in a batch)."""
    if not changes or event.changes:
        return event
    return replace(event, changes=changes)


# Bookkeeping the chain does not replay: the time of the last change is the event's own.
UNRECORDED = frozenset({"updated_at"})


def _details(ev: NewEvent) -> dict[str, Any]:
    details = {}
    for k, v in (ev.details or {}).items():
        details[k] = v if v is None or type(v) in _AS_IS else plain(v)
    if ev.record is not None:
        record = details["record"] = {}
        for k, v in ev.record.items():
            if k not in UNRECORDED:
                record[k] = v if v is None or type(v) in _AS_IS else plain(v)
    if ev.changes:
        details["changes"] = {
            k: [plain(a), plain(b)] for k, (a, b) in ev.changes.items() if k not in UNRECORDED
        }
    return details


def chain_head(session: Session) -> tuple[int, str]:
    row = session.execute(
        select(col(CustodyEvent.seq), col(CustodyEvent.hash))
        .order_by(col(CustodyEvent.seq).desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def append_events(session: Session, events: Iterable[NewEvent]) -> list[dict[str, Any]]:
    """Append events to the chain in order, the last one signed; the caller holds the
    write lock. Without a signing key installed (``keys``) nothing is appended."""
    key = keys.signer()
    seq, prev = chain_head(session)
    now = datetime.now(UTC)
    stamp = _ts(now)  # every event of the batch has the same time
    rows: list[dict[str, Any]] = []
    for ev in events:
        seq += 1
        row: dict[str, Any] = {
            "seq": seq,
            "item_id": ev.item_id,
            "event_type": str(ev.event_type),
            "actor_id": ev.actor_id,
            "occurred_at": now,
            "from_location_id": ev.from_location_id,
            "to_location_id": ev.to_location_id,
            "reason": ev.reason,
            "details": _details(ev),
            "prev_hash": prev,
            "subject": ev.subject,
            "subject_id": ev.subject_id,
            "key_id": key.key_id,
            "signature": None,
        }
        row["hash"] = prev = _hash(row, stamp)
        rows.append(row)
    if not rows:
        return rows
    # One signature per append: it covers the whole batch through the hashes (signing each
    # event would cost 100,000 intakes seconds).
    head = rows[-1]
    head["signature"] = key.sign(signed_message(head["seq"], head["hash"]))
    insert_rows(session.connection(), CustodyEvent.__table__, rows)  # type: ignore[attr-defined]
    for hook in _AFTER_APPEND:
        hook(session, rows[0]["seq"], rows[-1])
    return rows


def seal(session: Session) -> bool:
    """Sign the chain's head if it is not signed (events from before signing, the
    migration's baseline): one ``sealed`` event. Returns whether one was appended."""
    lock_for_write(session)
    head = session.execute(
        select(col(CustodyEvent.signature)).order_by(col(CustodyEvent.seq).desc()).limit(1)
    ).first()
    if head is None or head[0] is not None:
        return False
    append_events(session, [NewEvent(None, EventType.sealed, None, subject="chain")])
    return True


def signed_message(seq: int, head_hash: str) -> str:
    return f"evidence-chain:{seq}:{head_hash}"


# Called with the session and the new head after every append (checkpoints).
_AFTER_APPEND: list[Any] = []


def append_event(session: Session, event: NewEvent) -> dict[str, Any]:
    return append_events(session, [event])[0]


@dataclass(frozen=True)
class ChainProblem:
    """The first thing found wrong: in which table, which row, and what."""

    seq: int
    event_id: int | None
    problem: str
    table: str = "custody_events"
    row: str | None = None  # the row named otherwise than by the event's seq (an item code)

    def __str__(self) -> str:
        if self.table == "custody_events" and self.row is None:
            return f"custody_events: event seq={self.seq} (id={self.event_id}): {self.problem}"
        return f"{self.table}: {self.row}: {self.problem}"


@dataclass(frozen=True)
class VerifyResult:
    events_checked: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def walk(session: Session, batch: int = 5000) -> Iterator[dict[str, Any]]:
    # Plain rows straight from the database: ORM objects could come from the session's
    # identity map and hide a change made behind its back.
    table = CustodyEvent.__table__  # type: ignore[attr-defined]
    result = session.execute(select(table).order_by(table.c.seq).execution_options(yield_per=batch))
    yield from result.mappings()  # type: ignore[misc]


_HEX = frozenset("0123456789abcdef")
SHORT_HASH = 16  # hex digits of the head printed on paper
_PRINTED_ANCHOR = re.compile(r"(?<![A-Za-z])EV:?\s+(\d+)\s+([0-9a-fA-F]{16,64})(?![0-9a-fA-F])")


@dataclass(frozen=True)
class Anchor:
    """The chain head at a moment, kept outside the database (printed, mailed, filed), so
    a later rewrite of history, even of the last events, can be proven. ``head_hash`` may
    be the short form printed in PDF footers (its first 16 hex digits)."""

    events: int
    head_hash: str
    at: str

    def __post_init__(self) -> None:
        if isinstance(self.events, bool) or not isinstance(self.events, int) or self.events < 0:
            raise ValueError("events must be a whole number ≥ 0")
        digest = self.head_hash
        if not (SHORT_HASH <= len(digest) <= 64) or not set(digest) <= _HEX:
            raise ValueError(
                f"head_hash must be {SHORT_HASH} to 64 lower-case hex digits (the chain head)"
            )

    def to_dict(self) -> dict[str, Any]:
        return {"events": self.events, "head_hash": self.head_hash, "at": self.at}

    def printed(self) -> str:
        """The short form printed on official PDFs: ``EV <events> <hash16>``."""
        return f"EV {self.events} {self.head_hash[:SHORT_HASH]}"

    def matches(self, head_hash: str) -> bool:
        return head_hash.startswith(self.head_hash)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Anchor":
        try:
            return cls(int(data["events"]), str(data["head_hash"]), str(data.get("at", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not an anchor: {exc}") from None

    @classmethod
    def parse(cls, text_: str) -> "Anchor":
        """An anchor file's JSON, or the value printed on a PDF (``EV 1234 0a1b…``)."""
        stripped = text_.strip()
        if stripped.startswith("{"):
            try:
                return cls.from_dict(json.loads(stripped))
            except json.JSONDecodeError as exc:
                raise ValueError(f"not an anchor: {exc}") from None
        # The printed value alone, or the footer line as copied from the PDF or read from its
        # QR code ("Chuỗi lưu giữ: EV 1234 0a1b…", documents.engine).
        found = _PRINTED_ANCHOR.search(stripped)
        if found is not None:
            return cls(int(found.group(1)), found.group(2).lower(), "(printed)")
        raise ValueError("not an anchor: expected its JSON or the printed 'EV <events> <hash>'")


def make_anchor(session: Session) -> Anchor:
    seq, head = chain_head(session)
    return Anchor(events=seq, head_hash=head, at=_ts(datetime.now(UTC)))


def verify_links(
    session: Session, ring: keys.Keyring, anchor: Anchor | None = None
) -> Iterator[dict[str, Any] | VerifyResult]:
    """Walk the chain from the start, yielding each good event, then the result: the first
    event that does not fit its neighbours, its hash or its signature, or the anchor."""
    expected_seq, prev, count = 1, GENESIS_HASH, 0
    last: dict[str, Any] | None = None
    for ev in walk(session):
        problem = None
        if ev["seq"] != expected_seq:
            kind = "missing" if ev["seq"] > expected_seq else "duplicated or reordered"
            problem = f"sequence gap: expected seq {expected_seq}, found {ev['seq']} ({kind})"
        elif ev["prev_hash"] != prev:
            problem = "prev_hash does not match the previous event (removed, inserted or reordered)"
        elif event_hash(ev) != ev["hash"]:
            problem = "content does not match its hash (edited)"
        elif ev["signature"] is not None:
            problem = ring.verify(
                ev["key_id"], signed_message(ev["seq"], ev["hash"]), ev["signature"]
            )
        at_anchor = anchor is not None and ev["seq"] == anchor.events
        if problem is None and at_anchor and not anchor.matches(ev["hash"]):  # type: ignore[union-attr]
            problem = (
                f"differs from the anchor of {anchor.at}: history up to here was rewritten "  # type: ignore[union-attr]
                f"(hashes recomputed)"
            )
        if problem:
            yield VerifyResult(count, prev, ChainProblem(ev["seq"], ev["id"], problem))
            return
        prev, expected_seq, count, last = ev["hash"], expected_seq + 1, count + 1, ev
        yield ev
    if last is not None and last["signature"] is None:
        # Every signature covers the events before it; the head must be signed itself.
        problem = "the last event is not signed: events were appended without the key"
        yield VerifyResult(count, prev, ChainProblem(last["seq"], last["id"], problem))
        return
    if anchor is not None and count < anchor.events:
        problem = (
            f"truncated: the anchor of {anchor.at} recorded {anchor.events} events, "
            f"only {count} remain"
        )
        yield VerifyResult(count, prev, ChainProblem(count + 1, None, problem))
        return
    yield VerifyResult(count, prev, None)


def verify_chain(
    session: Session, anchor: Anchor | None = None, ring: keys.Keyring | None = None
) -> VerifyResult:
    """The chain alone: links, hashes, signatures and the anchor (``verification`` adds the
    replay of every record)."""
    for step in verify_links(session, ring or keys.keyring(), anchor):
        if isinstance(step, VerifyResult):
            return step
    raise AssertionError("verify_links ends with its result")
