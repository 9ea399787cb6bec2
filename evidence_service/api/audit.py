"""Routes for auditors: the custody chain's anchor and check, and the security events."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from .. import auth, custody
from ..errors import Forbidden, Unauthorized, error_responses
from .deps import CurrentUser, SessionDep

router = APIRouter()


@router.get("/audit/anchor", tags=["audit"], responses=error_responses(Unauthorized, Forbidden))
def anchor(actor: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """The custody chain's head now: keep it outside the system (print it, mail it) and
    `evidence-service verify --anchor FILE` later proves nothing before it changed."""
    auth.require(actor, "audit_system")  # the whole system's figures: not for an agency
    return custody.make_anchor(session).to_dict()


@router.get("/audit/verify", tags=["audit"], responses=error_responses(Unauthorized, Forbidden))
def verify(
    actor: CurrentUser,
    session: SessionDep,
    events: Annotated[int | None, Query(description="anchor: number of events")] = None,
    head_hash: Annotated[str | None, Query(description="anchor: hash of the last one")] = None,
) -> dict[str, Any]:
    """Walk the whole custody chain (and check it against an anchor, if given)."""
    auth.require(actor, "audit_system")
    given = None
    if events is not None and head_hash is not None:
        given = custody.Anchor(events=events, head_hash=head_hash, at="(given)")
    result = custody.verify_chain(session, given)
    return {
        "ok": result.ok,
        "events_checked": result.events_checked,
        "head_hash": result.head_hash,
        "problem": None
        if result.problem is None
        else {
            "seq": result.problem.seq,
            "event_id": result.problem.event_id,
            "problem": result.problem.problem,
        },
    }


@router.get("/audit/security-events", tags=["audit"])
def security_events(
    actor: CurrentUser, session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[auth.SecurityEventPublic]:
    """Logins, failures, lockouts, role changes and disabled accounts, newest first."""
    return auth.security_events(session, actor, limit)
