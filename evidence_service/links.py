"""Checking the custody chains' links: every chain walked from its start (the common chain
from the genesis hash, a province's from its signed link to the common chain), each event
against its neighbours, its hash and, at the end of each append, its signature; the heads
combined into one Merkle root; an anchor (a legacy single-chain head, or a global
checkpoint's heads) compared on the way.
"""

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session

from . import keys
from .chains import COMMON
from .custody import GENESIS_HASH, EventType, _hash, _ts, signed_message
from .models import CustodyEvent

Heads = dict[int, tuple[int, str]]  # chain → (seq, hash) of its head


def merkle_root(heads: Heads) -> str:
    """One value for the heads of all chains: leaves ``chain:seq:hash`` by chain, paired
    up (an odd one carried up as it is); the genesis hash when there is no event at all."""
    level = [
        hashlib.sha256(f"{chain}:{seq}:{digest}".encode()).hexdigest()
        for chain, (seq, digest) in sorted(heads.items())
        if seq > 0
    ]
    if not level:
        return GENESIS_HASH
    while len(level) > 1:
        pairs = [level[i : i + 2] for i in range(0, len(level), 2)]
        level = [
            hashlib.sha256((p[0] + p[1]).encode()).hexdigest() if len(p) == 2 else p[0]
            for p in pairs
        ]
    return level[0]


@dataclass(frozen=True)
class ChainProblem:
    """The first thing found wrong: in which table, which row, and what."""

    seq: int
    event_id: int | None
    problem: str
    table: str = "custody_events"
    row: str | None = None  # the row named otherwise than by the event's seq (an item code)
    chain: int = COMMON

    def __str__(self) -> str:
        if self.table == "custody_events" and self.row is None:
            return (
                f"custody_events: chain {self.chain} event seq={self.seq} "
                f"(id={self.event_id}): {self.problem}"
            )
        return f"{self.table}: {self.row}: {self.problem}"


@dataclass(frozen=True)
class VerifyResult:
    events_checked: int
    head_hash: str  # the Merkle root of the chains' heads
    problem: ChainProblem | None
    heads: Heads = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None


_HEX = frozenset("0123456789abcdef")
_PRINTED = re.compile(r"(?<![A-Za-z])(EVG|EV):?\s+(\d+)\s+([0-9a-fA-F]{16,64})(?![0-9a-fA-F])")
SHORT_HASH = 16  # hex digits of the head printed on paper


@dataclass(frozen=True)
class Anchor:
    """The record at a moment, kept outside the database (printed, mailed, filed), so a
    later rewrite of history, even of the last events, can be proven. A global anchor
    (``chains`` given, or printed ``EVG``) is a checkpoint: ``events`` counts the events of
    all chains, ``head_hash`` is the Merkle root of their heads. A legacy anchor (printed
    ``EV``, from before one chain per province) is the common chain's head. ``head_hash``
    may be the short form printed in PDF footers (its first 16 hex digits)."""

    events: int
    head_hash: str
    at: str
    chains: Heads | None = None
    is_global: bool = False
    key_id: str | None = None
    signature: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.events, bool) or not isinstance(self.events, int) or self.events < 0:
            raise ValueError("events must be a whole number ≥ 0")
        digest = self.head_hash
        if not (SHORT_HASH <= len(digest) <= 64) or not set(digest) <= _HEX:
            raise ValueError(
                f"head_hash must be {SHORT_HASH} to 64 lower-case hex digits (the chain head)"
            )
        if self.chains is not None:
            object.__setattr__(self, "is_global", True)
            if merkle_root(self.chains) != self.head_hash and len(self.head_hash) == 64:
                raise ValueError("head_hash is not the Merkle root of the chains' heads")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"events": self.events, "head_hash": self.head_hash, "at": self.at}
        if self.chains is not None:
            data["chains"] = {str(c): list(h) for c, h in sorted(self.chains.items())}
        if self.signature is not None:
            data |= {"key_id": self.key_id, "signature": self.signature}
        return data

    def printed(self) -> str:
        """The short form printed on official PDFs: ``EVG <events> <root16>`` (global),
        ``EV <events> <hash16>`` (legacy)."""
        tag = "EVG" if self.is_global else "EV"
        return f"{tag} {self.events} {self.head_hash[:SHORT_HASH]}"

    def expected(self) -> Heads | None:
        """chain → (seq, hash or its prefix) this anchor recorded; None: a printed global
        anchor, whose heads are in the checkpoint it names (``verification``)."""
        if self.chains is not None:
            return dict(self.chains)
        return None if self.is_global else {COMMON: (self.events, self.head_hash)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Anchor":
        try:
            heads = data.get("chains")
            return cls(
                int(data["events"]),
                str(data["head_hash"]),
                str(data.get("at", "")),
                None
                if heads is None
                else {int(c): (int(s), str(h)) for c, (s, h) in heads.items()},
                key_id=data.get("key_id"),
                signature=data.get("signature"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not an anchor: {exc}") from None

    @classmethod
    def parse(cls, text_: str) -> "Anchor":
        """An anchor or checkpoint file's JSON, or the value printed on a PDF
        (``EVG 1234 0a1b…``, or ``EV 1234 0a1b…`` from before one chain per province)."""
        stripped = text_.strip()
        if stripped.startswith("{"):
            try:
                return cls.from_dict(json.loads(stripped))
            except json.JSONDecodeError as exc:
                raise ValueError(f"not an anchor: {exc}") from None
        # The printed value alone, or the footer line as copied from the PDF or read from its
        # QR code ("Chuỗi lưu giữ: EVG 1234 0a1b…", documents.engine).
        found = _PRINTED.search(stripped)
        if found is not None:
            try:
                tag, events, digest = found.group(1), int(found.group(2)), found.group(3)
                return cls(events, digest.lower(), "(printed)", is_global=tag == "EVG")
            except ValueError as exc:
                raise ValueError(f"not an anchor: {exc}") from None
        raise ValueError("not an anchor: expected its JSON or the printed 'EVG <events> <hash>'")


_COLUMNS = tuple(c.name for c in CustodyEvent.__table__.c)  # type: ignore[attr-defined]


def _stamp(value: Any) -> str:
    """An event's time in the canonical form of its hash, from what the driver gives: SQLite
    stores UTC as ``YYYY-MM-DD HH:MM:SS.ffffff`` (sliced: formatting a million datetimes
    costs seconds), PostgreSQL gives a datetime."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return f"{value[:10]}T{value[11:]}Z"
        value = datetime.fromisoformat(value)
    return _ts(value)


def walk(session: Session, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Every event, chain by chain in seq order, as plain values straight from the driver
    (``stamp``: its time as hashed). ORM objects could come from the session's identity map
    and hide a change made behind its back; the ORM's type processing costs a third of a
    long walk."""
    names = ", ".join(f'"{n}"' for n in _COLUMNS)
    result = session.connection().exec_driver_sql(
        f"SELECT {names} FROM custody_events ORDER BY chain, seq"
    )
    columns = _COLUMNS
    while rows := result.fetchmany(batch):
        for row in rows:
            ev = dict(zip(columns, row, strict=True))
            if isinstance(ev["details"], str):
                ev["details"] = json.loads(ev["details"])
            ev["stamp"] = _stamp(ev["occurred_at"])
            yield ev


def _link_problem(session: Session, links: dict[int, tuple[int, str, int]]) -> ChainProblem | None:
    """Each province's first event hangs from an event the common chain still has."""
    wanted = sorted({seq for seq, _h, _i in links.values() if seq > 0})
    table = CustodyEvent.__table__  # type: ignore[attr-defined]
    found: dict[int, str] = {}
    if wanted:
        query = select(table.c.seq, table.c.hash).where(
            table.c.chain == COMMON, table.c.seq.in_(wanted)
        )
        found = {seq: digest for seq, digest in session.execute(query).all()}
    for chain, (seq, digest, event_id) in sorted(links.items()):
        there = GENESIS_HASH if seq == 0 else found.get(seq)
        if there != digest:
            why = f"its link to the common chain (seq {seq}) does not match: history rewritten"
            return ChainProblem(1, event_id, why, chain=chain)
    return None


def verify_links(
    session: Session, ring: keys.Keyring, anchor: Anchor | None = None
) -> Iterator[dict[str, Any] | VerifyResult]:
    """Walk every chain from its start, yielding each good event, then the result: the
    first event that does not fit its neighbours, its hash or its signature, or the anchor
    (``anchor.expected()``; a printed global one is resolved by the caller)."""
    expected = (anchor.expected() if anchor is not None else None) or {}
    heads: Heads = {}
    links: dict[
        int, tuple[int, str, int]
    ] = {}  # chain → the common chain's (seq, hash) it hangs from
    count, chain, seq, prev = 0, None, 0, GENESIS_HASH
    last: dict[str, Any] | None = None

    def end_of_chain() -> ChainProblem | None:
        if last is not None and last["signature"] is None:
            # Every signature covers the events before it; the head must be signed itself.
            why = "the last event is not signed: events were appended without the key"
            return ChainProblem(last["seq"], last["id"], why, chain=last["chain"])
        if chain is not None and seq < expected.get(chain, (0, ""))[0]:
            return _truncated(anchor, chain, seq)
        return None

    def result(problem: ChainProblem | None) -> VerifyResult:
        return VerifyResult(count, merkle_root(heads), problem, heads)

    for ev in walk(session):
        if ev["chain"] != chain:
            if (ended := end_of_chain()) is not None:
                yield result(ended)
                return
            chain, seq, prev, last = ev["chain"], 0, GENESIS_HASH, None
            if chain != COMMON and ev["seq"] == 1:
                link = (ev["details"] or {}).get("link") or {}
                if ev["event_type"] != EventType.chain_opened or link.get("chain") != COMMON:
                    why = "a province's chain must start with its link to the common chain"
                    yield result(ChainProblem(1, ev["id"], why, chain=chain))
                    return
                prev = str(link.get("hash"))
                links[chain] = (int(link.get("seq", -1)), prev, ev["id"])
        problem: str | None = None
        if ev["seq"] != seq + 1:
            kind = "missing" if ev["seq"] > seq + 1 else "duplicated or reordered"
            problem = f"sequence gap: expected seq {seq + 1}, found {ev['seq']} ({kind})"
        elif ev["prev_hash"] != prev:
            problem = "prev_hash does not match the previous event (removed, inserted or reordered)"
        elif _hash(ev, ev["stamp"]) != ev["hash"]:
            problem = "content does not match its hash (edited, or moved from another chain)"
        elif ev["signature"] is not None:
            problem = ring.verify(
                ev["key_id"], signed_message(ev["seq"], ev["hash"]), ev["signature"]
            )
        at = expected.get(chain)  # type: ignore[arg-type]
        if (
            problem is None
            and at is not None
            and ev["seq"] == at[0]
            and not ev["hash"].startswith(at[1])
        ):
            problem = (
                f"differs from the anchor of {anchor.at if anchor else ''}: history up to "
                f"here was rewritten (hashes recomputed)"
            )
        if problem:
            yield result(ChainProblem(ev["seq"], ev["id"], problem, chain=chain or COMMON))
            return
        prev, seq, count, last = ev["hash"], ev["seq"], count + 1, ev
        heads[chain] = (seq, prev)  # type: ignore[index]
        yield ev
    if (ended := end_of_chain()) is not None:
        yield result(ended)
        return
    for gone in sorted(set(expected) - set(heads)):
        if expected[gone][0] > 0:
            yield result(_truncated(anchor, gone, 0))
            return
    yield result(_link_problem(session, links))


def _truncated(anchor: Anchor | None, chain: int, seq: int) -> ChainProblem:
    recorded = (anchor.expected() or {}).get(chain, (0, ""))[0] if anchor else 0
    why = (
        f"truncated: the anchor of {anchor.at if anchor else ''} recorded {recorded} events "
        f"on chain {chain}, only {seq} remain"
    )
    return ChainProblem(seq + 1, None, why, chain=chain)


def verify_chain(
    session: Session, anchor: Anchor | None = None, ring: keys.Keyring | None = None
) -> VerifyResult:
    """The chains alone: links, hashes, signatures and the anchor (``verification`` adds
    the replay of every record and resolves printed global anchors)."""
    for step in verify_links(session, ring or keys.keyring(), anchor):
        if isinstance(step, VerifyResult):
            return step
    raise AssertionError("verify_links ends with its result")


# Every chain there may be (the common one and one per province) with its newest event,
# found by the (chain, seq) index: one statement.
_ALL_HEADS = text(
    "SELECT c.id,"
    " (SELECT seq FROM custody_events e WHERE e.chain = c.id ORDER BY seq DESC LIMIT 1),"
    " (SELECT hash FROM custody_events e WHERE e.chain = c.id ORDER BY seq DESC LIMIT 1)"
    f" FROM (SELECT {COMMON} AS id UNION ALL"
    " SELECT id FROM agencies WHERE parent_id IS NULL) AS c ORDER BY c.id"
)


def current_heads(session: Session) -> Heads:
    """The head of every chain now (as this transaction sees them); (0, genesis) for a
    chain with no event yet."""
    return {
        chain: (seq, digest) if seq else (0, GENESIS_HASH)
        for chain, seq, digest in session.execute(_ALL_HEADS).all()
    }
