"""Routes for auth, users, agencies, warehouses, locations and cases."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import OAuth2PasswordRequestForm

from .. import agencies, auth, cases, locations
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, IdempotencyKeyHeader, SessionDep, SettingsDep, create_once

router = APIRouter()
CREATE_ERRORS = error_responses(Unauthorized, Forbidden, Conflict, Invalid)


@router.post(
    "/auth/token",
    tags=["auth"],
    responses={**error_responses(Unauthorized), 429: {"description": "locked out for a while"}},
)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> dict[str, str]:
    """Exchange username and password for a bearer token. Failed attempts are throttled per
    user and per client address (429 with Retry-After while locked)."""
    client = request.client.host if request.client else ""
    try:
        user = auth.authenticate(
            session, form.username, form.password, client, settings.login_policy
        )
    finally:
        session.commit()  # the attempt is recorded whether or not it succeeded
    token = auth.issue_token(user, settings.secret_key, settings.access_token_minutes)
    return {"access_token": token, "token_type": "bearer"}


@router.get("/users/me", tags=["auth"], responses=error_responses(Unauthorized))
def me(actor: CurrentUser, session: SessionDep) -> auth.UserPublic:
    return auth.user_public(session, actor)


@router.post("/users", tags=["auth"], status_code=201, responses=CREATE_ERRORS)
def create_user(
    data: auth.UserCreate, actor: CurrentUser, session: SessionDep, key: IdempotencyKeyHeader = None
) -> auth.UserPublic:
    return create_once(
        session,
        actor,
        key,
        "POST /users",
        data,
        auth.UserPublic,
        lambda: auth.user_public(session, auth.create_user(session, data, actor)),
    )


@router.post("/agencies", tags=["agencies"], status_code=201, responses=CREATE_ERRORS)
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


@router.get("/agencies", tags=["agencies"])
def list_agencies(actor: CurrentUser, session: SessionDep) -> list[agencies.AgencyPublic]:
    return agencies.list_agencies(session, actor)


@router.post("/warehouses", tags=["locations"], status_code=201, responses=CREATE_ERRORS)
def create_warehouse(
    data: locations.WarehouseCreate,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> locations.WarehousePublic:
    return create_once(
        session,
        actor,
        key,
        "POST /warehouses",
        data,
        locations.WarehousePublic,
        lambda: locations.warehouse_public(
            session, locations.create_warehouse(session, data, actor)
        ),
    )


@router.get("/warehouses", tags=["locations"])
def list_warehouses(actor: CurrentUser, session: SessionDep) -> list[locations.WarehousePublic]:
    return locations.list_warehouses(session, actor)


@router.post("/locations", tags=["locations"], status_code=201, responses=CREATE_ERRORS)
def create_location(
    data: locations.LocationCreate,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> locations.LocationPublic:
    return create_once(
        session,
        actor,
        key,
        "POST /locations",
        data,
        locations.LocationPublic,
        lambda: locations.location_public(session, locations.create_location(session, data, actor)),
    )


@router.get("/locations", tags=["locations"])
def list_locations(
    actor: CurrentUser, session: SessionDep, warehouse_code: str | None = None
) -> list[locations.LocationPublic]:
    return locations.list_locations(session, actor, warehouse_code)


@router.get("/locations/{code}", tags=["locations"], responses=error_responses(NotFound))
def get_location(code: str, actor: CurrentUser, session: SessionDep) -> locations.LocationPublic:
    return locations.location_public(session, locations.get_location(session, code, actor))


@router.post("/cases", tags=["cases"], status_code=201, responses=CREATE_ERRORS)
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


@router.get("/cases", tags=["cases"])
def list_cases(
    actor: CurrentUser,
    session: SessionDep,
    judgment_number: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[cases.CasePublic]:
    return cases.list_cases(session, actor, judgment_number, limit, offset)


@router.get("/cases/{case_id}", tags=["cases"], responses=error_responses(NotFound))
def get_case(case_id: int, actor: CurrentUser, session: SessionDep) -> cases.CasePublic:
    return cases.case_public(session, cases.get_case(session, case_id, actor))
