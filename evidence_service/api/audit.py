"""Routes for auditors and administrators: the chain anchor and check, security events,
and user administration."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from .. import auth, custody
from ..errors import Conflict, Forbidden, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, SessionDep

router = APIRouter()


@router.get("/audit/anchor", tags=["audit"], responses=error_responses(Unauthorized, Forbidden))
def anchor(actor: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """The custody chain's head now: keep it outside the system (print it, mail it) and
    `evidence-service verify --anchor FILE` later proves nothing before it changed."""
    auth.require(actor, "audit")
    return custody.make_anchor(session).to_dict()


@router.get("/audit/verify", tags=["audit"], responses=error_responses(Unauthorized, Forbidden))
def verify(
    actor: CurrentUser,
    session: SessionDep,
    events: Annotated[int | None, Query(description="anchor: number of events")] = None,
    head_hash: Annotated[str | None, Query(description="anchor: hash of the last one")] = None,
) -> dict[str, Any]:
    """Walk the whole custody chain (and check it against an anchor, if given)."""
    auth.require(actor, "audit")
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


@router.get("/users", tags=["auth"], responses=error_responses(Unauthorized, Forbidden))
def list_users(actor: CurrentUser, session: SessionDep) -> list[auth.UserPublic]:
    return auth.list_users(session, actor)


@router.patch(
    "/users/{username}",
    tags=["auth"],
    responses=error_responses(Unauthorized, Forbidden, NotFound, Conflict),
)
def update_user(
    username: str, data: auth.UserUpdate, request: Request, actor: CurrentUser, session: SessionDep
) -> auth.UserPublic:
    """Change a user's role or name, or disable them (their tokens stop working at once)."""
    client = request.client.host if request.client else ""
    user = auth.update_user(session, username, data, actor, client)
    session.commit()
    return auth.user_public(session, user)
