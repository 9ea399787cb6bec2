"""Idempotency keys: a resent create returns the first response and creates nothing.

Keys live in the database (shared by every worker process, kept across restarts) and are
written in the same transaction as what they created.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from .custody import lock_for_write
from .errors import Conflict, Invalid
from .models import IdempotencyKey, User


def request_fingerprint(route: str, body: Any) -> str:
    blob = json.dumps([route, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def run_once(
    session: Session,
    actor: User,
    key: str | None,
    route: str,
    body: Any,
    create: Callable[[], tuple[int, Any]],
) -> tuple[int, Any]:
    """Run ``create`` (→ status, JSON-able body) unless this key already ran it."""
    if key is None:
        return create()
    if not 1 <= len(key) <= 200:
        raise Invalid(
            "Idempotency-Key",
            "must be 1 to 200 characters",
            where="header",
            key="keysb_api.idempotency_key",
        )
    fingerprint = request_fingerprint(route, body)
    lock_for_write(
        session, actor.agency_id
    )  # a concurrent resend waits here, then sees the stored response
    stored = session.exec(
        select(IdempotencyKey).where(IdempotencyKey.user_id == actor.id, IdempotencyKey.key == key)
    ).first()
    if stored is not None:
        if stored.request_hash != fingerprint:
            raise Conflict(
                "this Idempotency-Key was already used with a different request",
                key="keeper17_forms.key_reused",
            )
        return stored.status_code, json.loads(stored.response_body)
    status, response = create()
    session.add(
        IdempotencyKey(
            user_id=actor.id,  # type: ignore[arg-type]
            key=key,
            request_hash=fingerprint,
            status_code=status,
            response_body=json.dumps(response, default=str),
        )
    )
    return status, response


def purge_expired(session: Session, ttl_hours: int) -> int:
    cutoff = datetime.now(UTC) - timedelta(hours=ttl_hours)
    result = session.execute(delete(IdempotencyKey).where(col(IdempotencyKey.created_at) < cutoff))
    return result.rowcount  # type: ignore[attr-defined,no-any-return]
