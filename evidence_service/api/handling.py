"""Routes for handling stored items: check-out/return, samples, reweighing, splits, seals,
dispositions, release and transfer. Each is idempotent and checks If-Match."""

from collections.abc import Callable

from fastapi import APIRouter
from pydantic import BaseModel

from .. import handovers
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..items import ItemPublic, exits, handling, items_public
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


def _change_once(
    session: SessionDep,
    actor: User,
    key: str | None,
    route: str,
    data: BaseModel,
    change: Callable[[], Item],
) -> ItemPublic:
    """A simple item change under its idempotency key, answered with the changed item."""
    return create_once(
        session, actor, key, route, data, ItemPublic, lambda: _public(session, change()), 200
    )


@router.post("/items/{code}/check-outs", responses=ERRORS)
def check_outs(
    code: str,
    data: handling.CheckoutRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> ItemPublic:
    """Take an item out for court, a forensic lab or another agency (trích xuất)."""
    data = with_if_match(data, if_match)
    return _change_once(
        session,
        actor,
        key,
        f"POST /items/{code}/check-outs",
        data,
        lambda: handling.check_out(session, code, data, actor),
    )


@router.post("/items/{code}/returns", responses=ERRORS)
def returns(
    code: str,
    data: handling.ReturnRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> ItemPublic:
    """Bring a checked-out item back, to where it came from or to a scanned location; it is
    received like a new handover (a draft record and entry slip, ``/handovers``)."""
    data = with_if_match(data, if_match)
    return _change_once(
        session,
        actor,
        key,
        f"POST /items/{code}/returns",
        data,
        lambda: handovers.receive_return(session, code, data, actor),
    )


@router.post("/items/{code}/samples", responses=ERRORS)
def samples(
    code: str,
    data: handling.SampleRequest,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> ItemPublic:
    """Record a sample taken for testing; the item's net weight goes down by that much. More
    than ``EVIDENCE_SAMPLE_MAX_SHARE`` of it waits for a manager (see ``/approvals``)."""
    data = with_if_match(data, if_match)
    return _change_once(
        session,
        actor,
        key,
        f"POST /items/{code}/samples",
        data,
        lambda: handling.take_sample(session, code, data, actor, settings.sample_max_share),
    )


@router.post("/items/{code}/reweighs", responses=ERRORS)
def reweighs(
    code: str,
    data: handling.ReweighRequest,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> ItemPublic:
    """Record a new measured weight; a difference beyond the tolerance needs a reason and
    waits for a manager's confirmation (see ``/approvals``)."""
    data = with_if_match(data, if_match)
    return _change_once(
        session,
        actor,
        key,
        f"POST /items/{code}/reweighs",
        data,
        lambda: handling.reweigh(session, code, data, actor, settings.weight_tolerance_pct),
    )


@router.post("/items/{code}/seal-checks", responses=ERRORS)
def seal_checks(
    code: str,
    data: handling.SealCheckRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> ItemPublic:
    """Record the state of the seal (and a new seal number if it was resealed)."""
    data = with_if_match(data, if_match)
    return _change_once(
        session,
        actor,
        key,
        f"POST /items/{code}/seal-checks",
        data,
        lambda: handling.seal_check(session, code, data, actor),
    )


@router.post("/items/{code}/release", responses=ERRORS)
def release(
    code: str,
    data: exits.ReleaseRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> ItemPublic:
    """Ask to hand the item over as the judgment ordered (return to owner, confiscation,
    sale): it is ``pending_release`` until a manager who did not ask confirms it."""
    data = with_if_match(data, if_match)
    return _change_once(
        session,
        actor,
        key,
        f"POST /items/{code}/release",
        data,
        lambda: exits.release(session, code, data, actor),
    )


@router.post("/items/{code}/transfer", responses=ERRORS)
def transfer(
    code: str,
    data: exits.TransferRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> ItemPublic:
    """Ask to hand the item to another agency (an existing agency's code): once a manager
    confirms, it is ``in_transit`` until the receiving keeper scans it in."""
    data = with_if_match(data, if_match)
    return _change_once(
        session,
        actor,
        key,
        f"POST /items/{code}/transfer",
        data,
        lambda: exits.transfer(session, code, data, actor),
    )


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

    return create_once(session, actor, key, f"POST /items/{code}/splits", data, SplitPublic, run)


class DispositionPublic(BaseModel):
    item: ItemPublic
    advice: list[str]


@router.post("/items/{code}/disposition", responses=ERRORS)
def change_disposition(
    code: str,
    data: exits.DispositionRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> DispositionPublic:
    """Ask to record the disposition a judgment ordered (only those the law allows for the
    item's category and hazard classes); a manager who did not ask confirms it."""
    data = with_if_match(data, if_match)

    def run() -> DispositionPublic:
        item, advice = exits.change_disposition(session, code, data, actor)
        return DispositionPublic(item=_public(session, item), advice=advice)

    return create_once(
        session, actor, key, f"POST /items/{code}/disposition", data, DispositionPublic, run, 200
    )
