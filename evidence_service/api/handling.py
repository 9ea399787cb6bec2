"""Routes for handling stored items: check-out/return, samples, reweighing, splits, seals,
dispositions, and the overdue check-outs report."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import Session

from ..config import Settings
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..items import ItemPublic, handling, items_public
from ..models import Item, User
from .deps import (
    CurrentUser,
    IdempotencyKeyHeader,
    IfMatch,
    SessionDep,
    SettingsDep,
    create_once,
    with_if_match,
)

router = APIRouter(tags=["handling"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)


def _public(session: SessionDep, item: Item) -> ItemPublic:
    assert item.id is not None
    return items_public(session, [item.id])[0]


ItemAction = Callable[[Session, str, Any, User, Settings], Item]


def _item_action(path: str, request: type[BaseModel], action: ItemAction, doc: str) -> None:
    """One route per simple item change: same shape, idempotent, If-Match checked."""

    def endpoint(
        code: str,
        data: request,  # type: ignore[valid-type]
        actor: CurrentUser,
        session: SessionDep,
        settings: SettingsDep,
        key: IdempotencyKeyHeader = None,
        if_match: IfMatch = None,
    ) -> ItemPublic:
        data = with_if_match(data, if_match)
        return create_once(  # type: ignore[return-value]
            session,
            actor,
            key,
            f"POST /items/{code}/{path}",
            data,
            lambda: _public(session, action(session, code, data, actor, settings)),
            200,
        )

    endpoint.__name__ = path.replace("-", "_")
    endpoint.__doc__ = doc
    router.post(f"/items/{{code}}/{path}", responses=ERRORS)(endpoint)


for _path, _request, _action, _doc in [
    (
        "check-outs",
        handling.CheckoutRequest,
        lambda s, c, d, a, _: handling.check_out(s, c, d, a),
        "Take an item out for court, a forensic lab or another agency (trích xuất).",
    ),
    (
        "returns",
        handling.ReturnRequest,
        lambda s, c, d, a, _: handling.return_item(s, c, d, a),
        "Bring a checked-out item back, to where it came from or to a scanned location.",
    ),
    (
        "samples",
        handling.SampleRequest,
        lambda s, c, d, a, _: handling.take_sample(s, c, d, a),
        "Record a sample taken for testing; the item's net weight goes down by that much.",
    ),
    (
        "reweighs",
        handling.ReweighRequest,
        lambda s, c, d, a, settings: handling.reweigh(s, c, d, a, settings.weight_tolerance_pct),
        "Record a new measured weight; a difference beyond the tolerance needs a reason.",
    ),
    (
        "seal-checks",
        handling.SealCheckRequest,
        lambda s, c, d, a, _: handling.seal_check(s, c, d, a),
        "Record the state of the seal (and a new seal number if it was resealed).",
    ),
    (
        "release",
        handling.ReleaseRequest,
        lambda s, c, d, a, _: handling.release(s, c, d, a),
        "Hand the item over as the judgment ordered (return to owner, confiscation, sale).",
    ),
    (
        "transfer",
        handling.TransferRequest,
        lambda s, c, d, a, _: handling.transfer(s, c, d, a),
        "Hand the item to another agency that keeps it from now on.",
    ),
]:
    _item_action(_path, _request, _action, _doc)  # type: ignore[arg-type]


class SplitPublic(BaseModel):
    parent: ItemPublic
    child: ItemPublic


@router.post("/items/{code}/splits", status_code=201, responses=ERRORS)
def split(
    code: str,
    data: handling.SplitRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> SplitPublic:
    """Split part of an item into a new item with its own code (e.g. the part sent to a lab)."""
    data = with_if_match(data, if_match)

    def run() -> SplitPublic:
        parent, child = handling.split(session, code, data, actor)
        return SplitPublic(parent=_public(session, parent), child=_public(session, child))

    return create_once(session, actor, key, f"POST /items/{code}/splits", data, run)  # type: ignore[return-value]


class DispositionPublic(BaseModel):
    item: ItemPublic
    advice: list[str]


@router.post("/items/{code}/disposition", responses=ERRORS)
def change_disposition(
    code: str,
    data: handling.DispositionRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> DispositionPublic:
    """Record the disposition a judgment ordered (destroy, return, confiscate…)."""
    data = with_if_match(data, if_match)

    def run() -> DispositionPublic:
        item, advice = handling.change_disposition(session, code, data, actor)
        return DispositionPublic(item=_public(session, item), advice=advice)

    return create_once(  # type: ignore[return-value]
        session, actor, key, f"POST /items/{code}/disposition", data, run, 200
    )


@router.get("/reports/overdue-checkouts", tags=["reports"])
def overdue_checkouts(actor: CurrentUser, session: SessionDep) -> list[handling.CheckoutPublic]:
    """Items checked out and not back by their due date, most overdue first."""
    return handling.overdue_checkouts(session, actor)
