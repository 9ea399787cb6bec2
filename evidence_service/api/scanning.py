"""Routes for scanning labels and moving what was scanned."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from .. import scanning
from ..db import Database
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..items import hot_lookup
from .deps import (
    BEARER_SECURITY,
    CurrentUser,
    IdempotencyKeyHeader,
    SessionDep,
    bearer_user,
    create_once,
)
from .transaction import open_request_session

router = APIRouter(tags=["scanning"])


# The body is read by the route itself (as FastAPI would validate it, errors in its form):
# FastAPI's body solving costs a scan more than its validation.
_SCAN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": scanning.ScanRequest.model_json_schema()}},
    }
}


@router.post(
    "/scan",
    response_model=scanning.ScanPublic,
    responses={**error_responses(Unauthorized, NotFound), 422: {"description": "damaged label"}},
    openapi_extra={**BEARER_SECURITY, **_SCAN_BODY},
)
async def scan(request: Request) -> Response:
    """Resolve a scanned label (payload, URL form, with scanner prefixes/suffixes) to an item
    or a location, with what the user may do next. Every scan is logged."""
    # The keepers' main call, built as GET /items/{code} is (no dependencies, the lookup
    # inline on SQLite). A scan only reads; its log row is kept (db.keep_when_refused) and
    # written with other scans' rows in one transaction before the answer leaves.
    actor = await bearer_user(request)
    data = _scan_request(await request.body())
    session = await open_request_session(request, write=False)
    db: Database = request.app.state.db
    if hot_lookup.runs_inline(db.engine):
        public = scanning.scan(session, data.payload, actor)
    else:
        public = await run_in_threadpool(scanning.scan, session, data.payload, actor)
    return Response(public.model_dump_json(), media_type="application/json")


def _scan_request(body: bytes) -> scanning.ScanRequest:
    try:
        return scanning.ScanRequest.model_validate_json(body)
    except ValidationError as exc:
        errors = []
        for error in exc.errors(include_url=False):
            if isinstance(error.get("input"), bytes):  # not JSON: the body quoted as text
                error["input"] = error["input"].decode(errors="replace")
            errors.append({**error, "loc": ("body", *error["loc"])})
        raise RequestValidationError(errors) from None


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
