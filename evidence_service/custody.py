"""The custody log: an append-only, signed hash chain over every event of every item and
of every other record that matters (users, locations, batches, stocktakes, ...).

Each event stores the hash of the one before it and its own hash over a canonical
serialisation, so editing, deleting, inserting or reordering events breaks the chain. The
last event of every append is signed with the service's Ed25519 key (``keys``), which is
not in the database: its signature covers every event before it, so nobody who can only
write the database can extend the chain. Each event also carries what it changed
(``details.changes``: field → [before, after]; an intake or a new record carries the whole
``details.record``), so ``replay`` recomputes what the tables must hold.
There is one chain per province (``chains``): each append goes on the chain of the province
its subject belongs to, under that chain's lock, so provinces never wait for each other; the
lock also makes a province's capacity checks race-free (a location belongs to one agency).
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from . import chains, keys
from .bulk import insert_rows
from .models import CustodyEvent

GENESIS_HASH = "0" * 64


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
    # An item left with an outside custodian was checked there (custody_checks/): found or
    # not, its quantity and condition (Circular 01/2017 Art. 12(2)).
    custody_check = "custody_check"
    chain_opened = "chain_opened"  # a province's first event: a link to the common chain


def lock_for_write(session: Session, *agency_ids: int | None) -> None:
    """Serialise the writers of the provinces these agencies belong to (of any level; None:
    the common chain). Call before reading anything a write decision depends on. With no
    agency at all it waits for every writer of every province and keeps them out: correct
    for any write, and slow; say whose records you change."""
    if agency_ids:
        chains.lock_agencies(session, agency_ids)
    else:
        chains.lock_everything(session)


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


# Stands for the details in the canonical text when they come already encoded. Only ints
# and None sort before "details" (actor_id, chain), so its first occurrence is the details.
_DETAILS_MARK = "\x00details\x00"
_DETAILS_MARK_JSON = _CANONICAL.encode(_DETAILS_MARK)


def _hash(fields: dict[str, Any], occurred_at: str, details_json: str | None = None) -> str:
    """The event's hash, its time already in the canonical form (``_ts``); ``details_json``:
    its details already in canonical JSON (encoded once for the hash and the column)."""
    canonical = {
        "seq": fields["seq"],
        "item_id": fields["item_id"],
        "event_type": fields["event_type"],
        "actor_id": fields["actor_id"],
        "occurred_at": occurred_at,
        "from_location_id": fields.get("from_location_id"),
        "to_location_id": fields.get("to_location_id"),
        "reason": fields.get("reason") or "",
        "details": fields.get("details") or {} if details_json is None else _DETAILS_MARK,
        "prev_hash": fields["prev_hash"],
    }
    # Added with signing: absent from the hashes of the events before it.
    for name in ("subject", "subject_id", "key_id"):
        if fields.get(name) is not None:
            canonical[name] = fields[name]
    # Added with one chain per province: the common chain's events hash as before.
    if fields.get("chain"):
        canonical["chain"] = fields["chain"]
    encoded = _CANONICAL.encode(canonical)
    if details_json is not None:
        encoded = encoded.replace(_DETAILS_MARK_JSON, details_json, 1)
    return hashlib.sha256(encoded.encode()).hexdigest()


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
    # The chain it goes on (``chains``); None: its item's province, or the common chain.
    chain: int | None = None


def with_changes(event: NewEvent, changes: dict[str, tuple[Any, Any]] | None) -> NewEvent:
    """The event carrying its item's changes (once: the first event of an item in a batch)."""
    if not changes or event.changes:
        return event
    return replace(event, changes=changes)


# Bookkeeping the chain does not replay: the time of the last change is the event's own.
UNRECORDED = frozenset({"updated_at"})


def _details(ev: NewEvent) -> dict[str, Any]:
    # Comprehensions: an intake's record has some 30 fields, and this runs once per event.
    details = {
        k: v if v is None or type(v) in _AS_IS else plain(v) for k, v in (ev.details or {}).items()
    }
    if ev.record is not None:
        details["record"] = {
            k: v if v is None or type(v) in _AS_IS else plain(v)
            for k, v in ev.record.items()
            if k not in UNRECORDED
        }
    if ev.changes:
        details["changes"] = {
            k: [plain(a), plain(b)] for k, (a, b) in ev.changes.items() if k not in UNRECORDED
        }
    return details


def chain_head(session: Session, chain: int = chains.COMMON) -> tuple[int, str]:
    table = CustodyEvent.__table__  # type: ignore[attr-defined]
    row = session.execute(
        select(table.c.seq, table.c.hash)
        .where(table.c.chain == chain)
        .order_by(table.c.seq.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def _by_chain(session: Session, events: Iterable[NewEvent]) -> dict[int, list[NewEvent]]:
    """The events per chain, each chain's in the order given."""
    events = list(events)
    items = [e.item_id for e in events if e.chain is None and e.item_id is not None]
    of_item = chains.chains_of_items(session, items) if items else {}
    grouped: dict[int, list[NewEvent]] = {}
    for ev in events:
        chain = ev.chain
        if chain is None:
            chain = of_item.get(ev.item_id, chains.COMMON) if ev.item_id else chains.COMMON
        grouped.setdefault(chain, []).append(ev)
    return grouped


def _opening(session: Session, chain: int) -> NewEvent:
    """A province's first event: the common chain's head as it is now (committed), so the
    new chain hangs from the signed history before it."""
    seq, digest = chain_head(session, chains.COMMON)
    link = {"chain": chains.COMMON, "seq": seq, "hash": digest}
    return NewEvent(
        None, EventType.chain_opened, None, details={"link": link}, subject="chain", chain=chain
    )


# The details column's values come encoded (the text the hash covers).
_ENCODED = frozenset({"details"})


def append_events(session: Session, events: Iterable[NewEvent]) -> list[dict[str, Any]]:
    """Append events to their chains (each chain's in order, its last one signed), taking
    each chain's lock if the caller does not hold it yet. Without a signing key installed
    (``keys``) nothing is appended. Returns the rows written (their details as JSON text)."""
    key = keys.signer()
    grouped = _by_chain(session, events)
    chains.lock_chains(session, grouped)
    now = datetime.now(UTC)
    stamp = _ts(now)  # every event of the batch has the same time
    rows: list[dict[str, Any]] = []
    ends: list[tuple[int, dict[str, Any]]] = []
    for chain in sorted(grouped):
        seq, prev = chain_head(session, chain)
        todo = grouped[chain]
        if seq == 0 and chain != chains.COMMON:
            opening = _opening(session, chain)
            prev = opening.details["link"]["hash"]  # type: ignore[index]
            todo = [opening, *todo]
        first = seq + 1
        for ev in todo:
            seq += 1
            row: dict[str, Any] = {
                "chain": chain,
                "seq": seq,
                "item_id": ev.item_id,
                "event_type": str(ev.event_type),
                "actor_id": ev.actor_id,
                "occurred_at": now,
                "from_location_id": ev.from_location_id,
                "to_location_id": ev.to_location_id,
                "reason": ev.reason,
                "details": _CANONICAL.encode(_details(ev)),
                "prev_hash": prev,
                "subject": ev.subject,
                "subject_id": ev.subject_id,
                "key_id": key.key_id,
                "signature": None,
            }
            row["hash"] = prev = _hash(row, stamp, row["details"])
            rows.append(row)
        # One signature per chain per append: it covers the whole batch through the hashes
        # (signing each event would cost 100,000 intakes seconds).
        head = rows[-1]
        head["signature"] = key.sign(signed_message(head["seq"], head["hash"]))
        ends.append((first, head))
    if not rows:
        return rows
    insert_rows(session.connection(), CustodyEvent.__table__, rows, _ENCODED)  # type: ignore[attr-defined]
    for first, head in ends:
        for hook in _AFTER_APPEND:
            hook(session, first, head)
    return rows


def seal(session: Session) -> bool:
    """Sign the common chain's head if it is not signed (events from before signing, the
    migration's baseline): one ``sealed`` event. Returns whether one was appended."""
    chains.lock_chains(session, [chains.COMMON])
    table = CustodyEvent.__table__  # type: ignore[attr-defined]
    head = session.execute(
        select(table.c.signature)
        .where(table.c.chain == chains.COMMON)
        .order_by(table.c.seq.desc())
        .limit(1)
    ).first()
    if head is None or head[0] is not None:
        return False
    append_events(session, [NewEvent(None, EventType.sealed, None, subject="chain", chain=0)])
    return True


def signed_message(seq: int, head_hash: str) -> str:
    return f"evidence-chain:{seq}:{head_hash}"


# Called with the session, the first seq and the new head of each chain an append wrote
# (checkpoints).
_AFTER_APPEND: list[Any] = []


def append_event(session: Session, event: NewEvent) -> dict[str, Any]:
    return append_events(session, [event])[0]
