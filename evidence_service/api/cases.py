"""Routes for cases (the judgments the evidence belongs to)."""

from typing import Annotated

from fastapi import APIRouter, Query

from .. import cases
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, IdempotencyKeyHeader, SessionDep, create_once

router = APIRouter(tags=["cases"])


@router.post(
    "/cases",
    status_code=201,
    responses=error_responses(Unauthorized, Forbidden, Conflict, Invalid),
)
def create_case(
    data: cases.CaseCreate,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> cases.CasePublic:
    return create_once(
        session,
        actor,
        key,
        "POST /cases",
        data,
        cases.CasePublic,
        lambda: cases.case_public(session, cases.create_case(session, data, actor)),
    )


@router.get("/cases")
def list_cases(
    actor: CurrentUser,
    session: SessionDep,
    judgment_number: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[cases.CasePublic]:
    return cases.list_cases(session, actor, judgment_number, limit, offset)


@router.get("/cases/{case_id}", responses=error_responses(NotFound))
def get_case(case_id: int, actor: CurrentUser, session: SessionDep) -> cases.CasePublic:
    return cases.case_public(session, cases.get_case(session, case_id, actor))
