"""Routes for stocktakes and their discrepancies."""

from typing import Any, Literal

from fastapi import APIRouter, Response

from .. import stocktakes
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..stocktakes import record as stocktake_record
from .deps import CurrentUser, IdempotencyKeyHeader, SessionDep, SettingsDep, create_once

router = APIRouter(tags=["stocktakes"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)


@router.post("/stocktakes", status_code=201, responses=ERRORS)
def start(
    data: stocktakes.StocktakeCreate,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> stocktakes.StocktakeStatus:
    """Start counting a location subtree, a warehouse, or a random sample of its items."""
    return create_once(
        session,
        actor,
        key,
        "POST /stocktakes",
        data,
        stocktakes.StocktakeStatus,
        lambda: stocktakes.progress(session, stocktakes.start(session, data, actor)),
    )


@router.get("/stocktakes/{stocktake_id}", responses=error_responses(NotFound))
def status(
    stocktake_id: int, actor: CurrentUser, session: SessionDep
) -> stocktakes.StocktakeStatus:
    """Live counts: expected, seen, remaining, unexpected (and outcomes once closed)."""
    return stocktakes.get_status(session, stocktake_id, actor)


@router.post("/stocktakes/{stocktake_id}/scans", responses=ERRORS)
def scan(
    stocktake_id: int,
    data: stocktakes.StocktakeScanRequest,
    actor: CurrentUser,
    session: SessionDep,
) -> dict[str, Any]:
    """Record a scanned item or location label (damaged and unknown labels are recorded too)."""
    return stocktakes.record_scan(session, stocktake_id, data, actor)


@router.post("/stocktakes/{stocktake_id}/close", responses=ERRORS)
def close(
    stocktake_id: int,
    signers: stocktakes.CloseRequest,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Compute every item's outcome, write the custody events, open discrepancies, freeze."""
    stocktake = stocktakes.close(session, stocktake_id, signers, actor, settings.discrepancy_days)
    assert stocktake.id is not None
    return {
        **stocktakes.progress(session, stocktake).model_dump(mode="json"),
        "lines": stocktakes.lines(session, stocktake.id, actor),
    }


@router.get("/stocktakes/{stocktake_id}/lines", responses=error_responses(NotFound))
def lines(stocktake_id: int, actor: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    return stocktakes.lines(session, stocktake_id, actor)


@router.get(
    "/stocktakes/{stocktake_id}/record.pdf",
    responses={200: {"content": {"application/pdf": {}}}, **error_responses(NotFound)},
)
def record(
    stocktake_id: int, actor: CurrentUser, session: SessionDep, lang: Literal["vi", "en"] = "vi"
) -> Response:
    """The stocktake record (biên bản kiểm kê): once closed, the stored final record (its
    SHA-256 in ``X-Record-SHA256``); before, a draft; ``?lang=en``: an English translation."""
    record = stocktake_record.record(session, stocktake_id, actor, lang)
    headers = {"Content-Disposition": f'inline; filename="kiem-ke-{stocktake_id}.pdf"'}
    if record.sha256:
        headers["X-Record-SHA256"] = record.sha256
    return Response(record.pdf, media_type="application/pdf", headers=headers)


@router.post("/discrepancies/{discrepancy_id}/resolve", responses=ERRORS)
def resolve(
    discrepancy_id: int, data: stocktakes.Resolution, actor: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    """Resolve: found, written off (with the document allowing it) or escalated."""
    discrepancy = stocktakes.resolve(session, discrepancy_id, data, actor)
    return discrepancy.model_dump(mode="json", exclude={"agency_id"})
