"""Routes for agencies (the enforcement offices that own the evidence)."""

from fastapi import APIRouter

from .. import agencies
from ..errors import Conflict, Forbidden, Invalid, Unauthorized, error_responses
from .deps import CurrentUser, IdempotencyKeyHeader, SessionDep, create_once

router = APIRouter(tags=["agencies"])


@router.post(
    "/agencies",
    status_code=201,
    responses=error_responses(Unauthorized, Forbidden, Conflict, Invalid),
)
def create_agency(
    data: agencies.AgencyCreate,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> agencies.AgencyPublic:
    return create_once(
        session,
        actor,
        key,
        "POST /agencies",
        data,
        agencies.AgencyPublic,
        lambda: agencies.agency_public(session, agencies.create_agency(session, data, actor)),
    )


@router.get("/agencies")
def list_agencies(actor: CurrentUser, session: SessionDep) -> list[agencies.AgencyPublic]:
    return agencies.list_agencies(session, actor)
