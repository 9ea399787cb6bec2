"""Signed checkpoints: the chain head (event count, head hash, time) and the heads of the
append-only logs, written every N events and at least every hour to the ``checkpoints``
table and, if ``EVIDENCE_ANCHOR_DIR`` is set, to a file there once the work commits (a
mounted disk or a share the database insider cannot reach). Each is an anchor:
``verify --anchor FILE`` proves nothing before it changed.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlmodel import Session, col

from . import custody, keys, logchain
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


def message(events: int, head_hash: str, at: str, logs: dict[str, Any]) -> str:
    return "evidence-checkpoint:" + custody._CANONICAL.encode(
        {"events": events, "head_hash": head_hash, "at": at, "logs": logs}
    )


def write(session: Session, events: int, head_hash: str) -> Checkpoint:
    """A checkpoint of the head given (the caller holds the write lock)."""
    key = keys.signer()
    now = datetime.now(UTC)
    logs = {
        name: list(logchain.log_head(session, model.__table__))
        for name, (model, _when, _lock) in logchain.LOGS.items()
    }
    at = custody._ts(now)
    point = Checkpoint(
        events=events,
        head_hash=head_hash,
        at=now,
        logs=logs,
        key_id=key.key_id,
        signature=key.sign(message(events, head_hash, at, logs)),
    )
    session.connection().execute(
        Checkpoint.__table__.insert(),  # type: ignore[attr-defined]
        {
            k: getattr(point, k)
            for k in ("events", "head_hash", "at", "logs", "key_id", "signature")
        },
    )
    _last_written["at"] = now
    if policy.anchor_dir is not None:
        anchor = {"events": events, "head_hash": head_hash, "at": at, "logs": logs}
        anchor |= {"key_id": key.key_id, "signature": point.signature}
        session.info.setdefault(_PENDING, []).append(anchor)
    return point


def _after_append(session: Session, first_seq: int, head: dict[str, Any]) -> None:
    """A checkpoint when the append reaches a multiple of N, or an hour after the last."""
    seq, now = head["seq"], datetime.now(UTC)
    last = _last_written.get("at")
    if last is None:
        newest = select(col(Checkpoint.at)).order_by(col(Checkpoint.id).desc()).limit(1)
        found = session.execute(newest).first()
        last = _last_written["at"] = found[0] if found else datetime.min.replace(tzinfo=UTC)
    if (first_seq - 1) // policy.every != seq // policy.every or now - last >= policy.hourly:
        write(session, seq, head["hash"])


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
    text = message(point["events"], point["head_hash"], at, point["logs"])
    return ring.verify(point["key_id"], text, point["signature"])
