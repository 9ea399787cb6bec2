"""Routes for warehouses and the locations inside them (rooms, shelves, bins)."""

from fastapi import APIRouter

from .. import locations
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, IdempotencyKeyHeader, SessionDep, create_once

router = APIRouter(tags=["locations"])
CREATE_ERRORS = error_responses(Unauthorized, Forbidden, Conflict, Invalid)


@router.post("/warehouses", status_code=201, responses=CREATE_ERRORS)
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


@router.get("/warehouses")
def list_warehouses(actor: CurrentUser, session: SessionDep) -> list[locations.WarehousePublic]:
    return locations.list_warehouses(session, actor)


@router.post("/locations", status_code=201, responses=CREATE_ERRORS)
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


@router.get("/locations")
def list_locations(
    actor: CurrentUser, session: SessionDep, warehouse_code: str | None = None
) -> list[locations.LocationPublic]:
    return locations.list_locations(session, actor, warehouse_code)


@router.get("/locations/{code}", responses=error_responses(NotFound))
def get_location(code: str, actor: CurrentUser, session: SessionDep) -> locations.LocationPublic:
    return locations.location_public(session, locations.get_location(session, code, actor))
