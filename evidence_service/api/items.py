"""Routes for items: intake, lookup, listing, moves and custody history."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from .. import handovers, items
from ..db import Database
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..items import hot_lookup
from ..models import Category, ItemStatus
from .deps import (
    BEARER_SECURITY,
    CurrentUser,
    IdempotencyKeyHeader,
    IfMatch,
    SessionDep,
    bearer_user,
    create_once,
    with_if_match,
)
from .transaction import open_request_session

router = APIRouter(tags=["items"])
WRITE_ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)


@router.post("/items", status_code=201, responses=WRITE_ERRORS)
def intake_item(
    data: items.ItemCreate,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
    override_reason: str | None = None,
) -> items.ItemPublic:
    """Receive one item, optionally straight into a location. Its handover record and
    entry slip are made implicitly, as drafts (``/handovers``; ``POST /handovers`` receives
    with a complete record)."""
    return create_once(
        session,
        actor,
        key,
        "POST /items",
        data,
        items.ItemPublic,
        lambda: items.items_public(
            session, handovers.receive_items(session, [data], actor, override_reason)
        )[0],
    )


@router.post("/items/batch", status_code=201, responses=WRITE_ERRORS)
def intake_batch(
    data: items.ItemBatchCreate,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> list[items.ItemPublic]:
    """Receive many items at once: all are created, or none, with one implicit handover."""
    return create_once(
        session,
        actor,
        key,
        "POST /items/batch",
        data,
        list[items.ItemPublic],
        lambda: items.items_public(
            session, handovers.receive_items(session, data.items, actor, data.override_reason)
        ),
    )


@router.get("/items")
def list_items(
    actor: CurrentUser,
    session: SessionDep,
    status: ItemStatus | None = None,
    category: Category | None = None,
    location_code: Annotated[str | None, Query(description="this location and below")] = None,
    warehouse_code: str | None = None,
    case_id: int | None = None,
    hazard_class: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> items.ItemPage:
    return items.list_items(
        session,
        actor,
        status=status,
        category=category,
        location_code=location_code,
        warehouse_code=warehouse_code,
        case_id=case_id,
        hazard_class=hazard_class,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/items/{code}",
    response_model=items.ItemPublic,
    responses=error_responses(Unauthorized, NotFound),
    openapi_extra=BEARER_SECURITY,
)
async def get_item(code: str, request: Request) -> Response:
    """The item, with an ETag of its version (send it back as If-Match when changing it)."""
    # The scanners' hot path: no dependencies to solve (they cost more than the lookup), one
    # fast SELECT run inline (a thread hop costs more), the answer serialised once.
    actor = await bearer_user(request)
    session = await open_request_session(request)
    db: Database = request.app.state.db
    if hot_lookup.runs_inline(db.engine):
        item = hot_lookup.find_item(session, code, actor)
    else:
        item = await run_in_threadpool(hot_lookup.find_item, session, code, actor)
    headers = {"ETag": f'"{item.version}"'}
    return Response(item.model_dump_json(), media_type="application/json", headers=headers)


@router.post("/items/{code}/moves", responses=WRITE_ERRORS)
def move_item(
    code: str,
    data: items.MoveRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> items.ItemPublic:
    """Move one item to another location; returns the moved item."""
    data = with_if_match(data, if_match)
    return create_once(
        session,
        actor,
        key,
        f"POST /items/{code}/moves",
        data,
        items.ItemPublic,
        lambda: items.items_public(
            session,
            items.move_items(
                session,
                [code],
                data.to_location_code,
                actor,
                reason=data.reason,
                versions={code: data.version} if data.version is not None else None,
                override_reason=data.override_reason,
            ),
        )[0],
        status_code=200,
    )


@router.get("/items/{code}/custody", responses=error_responses(NotFound))
def custody(code: str, actor: CurrentUser, session: SessionDep) -> list[items.CustodyEventPublic]:
    """Every event of the item, oldest first, with the hash chain fields."""
    return items.custody_history(session, code, actor)
