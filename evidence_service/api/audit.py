"""Routes for auditors: the custody chain's anchor and check, and the security events."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from .. import auth, checkpoints
from ..errors import Forbidden, Invalid, Unauthorized, error_responses
from ..links import Anchor
from ..verification import verify_record
from .deps import CurrentUser, SessionDep

router = APIRouter()


@router.get("/audit/anchor", tags=["audit"], responses=error_responses(Unauthorized, Forbidden))
def anchor(actor: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """The custody chain's head now: keep it outside the system (print it, mail it) and
    `evidence-service verify --anchor FILE` later proves nothing before it changed. An
    agency's manager gets only the chains of the provinces it sees (no whole-system total)."""
    if auth.can(actor, "audit_system"):
        return checkpoints.heads_now(session).to_dict()
    auth.require(actor, "audit")
    return checkpoints.province_heads(session, auth.agency_scope(session, actor))


@router.get(
    "/audit/verify", tags=["audit"], responses=error_responses(Unauthorized, Forbidden, Invalid)
)
def verify(
    actor: CurrentUser,
    session: SessionDep,
    events: Annotated[int | None, Query(description="anchor: number of events")] = None,
    head_hash: Annotated[
        str | None, Query(description="anchor: the head hash (64 hex) or its printed 16")
    ] = None,
) -> dict[str, Any]:
    """Check the whole record: the chain, its signatures, every record replayed against the
    tables (and against an anchor, if given: both ``events`` and ``head_hash``)."""
    auth.require(actor, "audit_system")
    given = None
    if (events is None) != (head_hash is None):
        missing = "head_hash" if head_hash is None else "events"
        raise Invalid(
            missing,
            "an anchor needs both events and head_hash",
            None,
            where="query",
            key="keysb_api.anchor_incomplete",
        )
    if events is not None and head_hash is not None:
        try:
            given = Anchor(events=events, head_hash=head_hash, at="(given)", is_global=True)
        except ValueError as exc:
            field = "events" if "events" in str(exc) else "head_hash"
            raise Invalid(
                field,
                str(exc),
                head_hash if field == "head_hash" else events,
                where="query",
                key="keysb_api.not_an_anchor",
            ) from None
    result = verify_record(session, given)
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
            "table": result.problem.table,
            "row": result.problem.row,
        },
    }


@router.get("/audit/security-events", tags=["audit"])
def security_events(
    actor: CurrentUser, session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[auth.SecurityEventPublic]:
    """Logins, failures, lockouts, role changes and disabled accounts, newest first."""
    return auth.security_events(session, actor, limit)
