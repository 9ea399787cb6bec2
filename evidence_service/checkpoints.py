"""Signed checkpoints: the heads of every custody chain (one per province and the common
one) combined into one Merkle root, with the total event count, the time and the heads of
the append-only logs; written every N events of a chain and at least every hour to the
``checkpoints`` table and, if ``EVIDENCE_ANCHOR_DIR`` is set, to a file there once the work
commits (a mounted disk or a share the database insider cannot reach). Each is an anchor:
``verify --anchor FILE`` proves nothing before it changed, and the short form a document
prints (``current_anchor``) names one.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlmodel import Session, col

from . import chains, custody, keys, logchain
from .links import Anchor, Heads, current_heads, merkle_root
from .models import Checkpoint

_PENDING = "evidence_anchor_files"  # session.info: checkpoint files to write after commit


@dataclass
class Policy:
    every: int = 1000
    hourly: timedelta = timedelta(hours=1)
    anchor_dir: Path | None = None


policy = Policy()
_last_written: dict[str, datetime] = {}  # this process's last checkpoint time


def configure(every: int, anchor_dir: Path | None) -> None:
    policy.every, policy.anchor_dir = max(1, every), anchor_dir


def _heads_json(heads: Heads) -> dict[str, list[Any]]:
    return {str(c): [s, h] for c, (s, h) in sorted(heads.items()) if s > 0}


def message(events: int, head_hash: str, at: str, logs: dict[str, Any], heads: Any = None) -> str:
    """What a checkpoint's signature covers (``heads`` None: one from before the chains
    were partitioned, whose ``head_hash`` is the common chain's head)."""
    body: dict[str, Any] = {"events": events, "head_hash": head_hash, "at": at, "logs": logs}
    if heads is not None:
        body["chains"] = heads
    return "evidence-checkpoint:" + custody._CANONICAL.encode(body)


def write(session: Session) -> Checkpoint:
    """A global checkpoint of every chain's head as this transaction sees them (a chain
    another province is writing shows its last committed head: a real point of it)."""
    key = keys.signer()
    now = datetime.now(UTC)
    heads = _heads_json(current_heads(session))
    logs = {name: list(head) for name, head in logchain.log_heads(session).items()}
    at = custody._ts(now)
    events = sum(s for s, _h in heads.values())
    root = merkle_root({int(c): (s, h) for c, (s, h) in heads.items()})
    point = Checkpoint(
        events=events,
        head_hash=root,
        at=now,
        logs=logs,
        chains=heads,
        key_id=key.key_id,
        signature=key.sign(message(events, root, at, logs, heads)),
    )
    names = ("events", "head_hash", "at", "logs", "chains", "key_id", "signature")
    session.connection().execute(
        Checkpoint.__table__.insert(),  # type: ignore[attr-defined]
        {k: getattr(point, k) for k in names},
    )
    _last_written["at"] = now
    if policy.anchor_dir is not None:
        anchor = {"events": events, "head_hash": root, "at": at, "logs": logs, "chains": heads}
        anchor |= {"key_id": key.key_id, "signature": point.signature}
        session.info.setdefault(_PENDING, []).append(anchor)
    return point


def _newest(session: Session) -> dict[str, Any] | None:
    table = Checkpoint.__table__  # type: ignore[attr-defined]
    found = (
        session.execute(
            select(table).where(table.c.chains.is_not(None)).order_by(table.c.id.desc()).limit(1)
        )
        .mappings()
        .first()
    )
    return dict(found) if found else None


def as_anchor(point: dict[str, Any]) -> Anchor:
    at = point["at"] if isinstance(point["at"], str) else custody._ts(point["at"])
    heads = {int(c): (int(s), str(h)) for c, (s, h) in point["chains"].items()}
    return Anchor(
        point["events"], point["head_hash"], at, heads, True, point["key_id"], point["signature"]
    )


def heads_now(session: Session) -> Anchor:
    """Every chain's head as this transaction sees them, unsigned (``/audit/anchor``, the
    ``anchor`` command: the caller keeps its JSON, which names every head, outside)."""
    heads = {c: h for c, h in current_heads(session).items() if h[0]}
    total = sum(s for s, _h in heads.values())
    return Anchor(total, merkle_root(heads), custody._ts(datetime.now(UTC)), heads)


def province_heads(session: Session, agency_ids: Iterable[int]) -> dict[str, Any]:
    """The heads of these agencies' provinces' chains now (event count and head hash each):
    an agency's own figures, for its manager. No other province's head and no total, so it
    is no anchor of the whole record (``heads_now`` is, for auditors)."""
    provinces = {chains.province_of(session, agency) for agency in agency_ids}
    heads = current_heads(session)
    mine = {str(c): list(heads[c]) for c in sorted(provinces) if c in heads}
    return {"at": custody._ts(datetime.now(UTC)), "chains": mine}


def current_anchor(session: Session) -> Anchor:
    """What an official document prints (``Anchor.printed()``: ``EVG <events> <root16>``, in
    the footer and as a QR): a signed global checkpoint of every chain. Work that writes
    gets one of the record as it is now (written unless the newest one already is); a read
    (a GET never writes) gets the newest one there is."""
    newest = _newest(session)
    # A unit of work that writes is bound to the engine with ``sqlite_write`` set (``db``,
    # on either database; db imports this module, so it is asked through the bind).
    if session.get_bind().get_execution_options().get("sqlite_write"):
        heads = _heads_json(current_heads(session))
        if newest is None or newest["chains"] != heads:
            point = write(session)
            return as_anchor({**point.model_dump(), "at": point.at})
    if newest is None:  # nothing signed yet (an empty record): the heads as they are
        return heads_now(session)
    return as_anchor(newest)


def _after_append(session: Session, first_seq: int, head: dict[str, Any]) -> None:
    """A checkpoint when a chain's append reaches a multiple of N, or an hour after the last."""
    seq, now = head["seq"], datetime.now(UTC)
    last = _last_written.get("at")
    if last is None:
        newest = select(col(Checkpoint.at)).order_by(col(Checkpoint.id).desc()).limit(1)
        found = session.execute(newest).first()
        last = _last_written["at"] = found[0] if found else datetime.min.replace(tzinfo=UTC)
    if (first_seq - 1) // policy.every != seq // policy.every or now - last >= policy.hourly:
        write(session)


custody._AFTER_APPEND.append(_after_append)


@event.listens_for(Session, "after_commit")
def _write_files(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or policy.anchor_dir is None:
        return
    policy.anchor_dir.mkdir(parents=True, exist_ok=True)
    for anchor in pending:
        name = f"checkpoint-{anchor['events']:012d}-{anchor['head_hash'][:16]}.json"
        (policy.anchor_dir / name).write_text(json.dumps(anchor, indent=2) + "\n")


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def verify_checkpoint(ring: keys.Keyring, point: dict[str, Any]) -> str | None:
    at = point["at"] if isinstance(point["at"], str) else custody._ts(point["at"])
    text = message(point["events"], point["head_hash"], at, point["logs"], point.get("chains"))
    return ring.verify(point["key_id"], text, point["signature"])
