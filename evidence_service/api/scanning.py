"""Routes for scanning labels and moving what was scanned."""

from fastapi import APIRouter

from .. import scanning
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, IdempotencyKeyHeader, SessionDep, create_once

router = APIRouter(tags=["scanning"])


@router.post(
    "/scan",
    responses={**error_responses(Unauthorized, NotFound), 422: {"description": "damaged label"}},
)
def scan(
    data: scanning.ScanRequest, actor: CurrentUser, session: SessionDep
) -> scanning.ScanPublic:
    """Resolve a scanned label (payload, URL form, with scanner prefixes/suffixes) to an item
    or a location, with what the user may do next. Every scan is logged."""
    return scanning.scan(session, data.payload, actor)


@router.post(
    "/moves",
    responses=error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid),
)
def move_scanned(
    data: scanning.BatchMoveRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> scanning.BatchMovePublic:
    """Move several scanned items to one scanned location in one transaction."""
    return create_once(
        session,
        actor,
        key,
        "POST /moves",
        data,
        scanning.BatchMovePublic,
        lambda: scanning.move_scanned(session, data, actor),
        status_code=200,
    )
