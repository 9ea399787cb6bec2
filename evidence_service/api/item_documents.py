"""Routes for an item's documents: its exit slips and their hand-over records, its stock
card, its unsealings and their records, and the list of every document about it."""

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session

from .. import dossier
from ..auth import agency_scope
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..exitslips import papers as exit_papers
from ..exitslips.views import ExitSlipPublic, get_slip, slip_public
from ..items import stock_card, unsealing
from ..models import Item, OfficialDocument, Unsealing, User
from .deps import CurrentUser, IdempotencyKeyHeader, IfMatch, SessionDep, create_once, with_if_match

router = APIRouter(tags=["documents"])
READ_ERRORS = error_responses(Unauthorized, NotFound)
WRITE_ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the document"}
}


def _pdf(name: str, kept: OfficialDocument | None, draw: Any) -> Response:
    """The stored document (its SHA-256 in ``X-SHA256``), or one drawn now."""
    headers = {"Content-Disposition": f'inline; filename="{name}.pdf"'}
    if kept is not None:
        headers["X-SHA256"] = kept.sha256
        return Response(kept.pdf, media_type="application/pdf", headers=headers)
    return Response(draw(), media_type="application/pdf", headers=headers)


@router.get("/exit-slips/{slip_id}.pdf", response_class=Response, responses={**READ_ERRORS, **PDF})
def exit_slip_pdf(
    slip_id: int, actor: CurrentUser, session: SessionDep, lang: Literal["vi", "en"] = "vi"
) -> Response:
    """The exit slip (phiếu xuất kho, C05-THADS) made when the item left: the stored
    Vietnamese document, or ``?lang=en`` drawn now."""
    slip = get_slip(session, slip_id, actor)
    kept = exit_papers.stored(session, slip, exit_papers.SLIP) if lang == "vi" else None
    return _pdf(
        f"exit-slip-{slip_id}-{lang}",
        kept,
        lambda: exit_papers.render(session, slip, exit_papers.SLIP, lang),
    )


@router.get(
    "/exit-slips/{slip_id}/record.pdf",
    response_class=Response,
    responses={**READ_ERRORS, **PDF},
)
def exit_record_pdf(
    slip_id: int, actor: CurrentUser, session: SessionDep, lang: Literal["vi", "en"] = "vi"
) -> Response:
    """The hand-over record of the exit, where the law asks for one (404 otherwise)."""
    slip = get_slip(session, slip_id, actor)
    if slip.record_number is None:
        raise NotFound(f"exit slip {slip_id} has no hand-over record (its exit needs none)")
    kept = exit_papers.stored(session, slip, exit_papers.RECORD) if lang == "vi" else None
    return _pdf(
        f"exit-record-{slip_id}-{lang}",
        kept,
        lambda: exit_papers.render(session, slip, exit_papers.RECORD, lang),
    )


@router.get(
    "/items/{code}/stock-card.pdf", response_class=Response, responses={**READ_ERRORS, **PDF}
)
def stock_card_pdf(
    code: str, actor: CurrentUser, session: SessionDep, lang: Literal["vi", "en"] = "vi"
) -> Response:
    """The item's stock card (thẻ kho, D67-THADS): every movement in and out, with its
    document number and the balance after it, as the custody record has them now."""
    return _pdf(
        f"stock-card-{code}-{lang}",
        None,
        lambda: stock_card.stock_card_pdf(session, code, actor, lang),
    )


@router.get("/exit-slips/{slip_id}", responses=READ_ERRORS)
def exit_slip(slip_id: int, actor: CurrentUser, session: SessionDep) -> ExitSlipPublic:
    return slip_public(session, get_slip(session, slip_id, actor))


@router.get("/items/{code}/documents", responses=READ_ERRORS)
def item_documents(
    code: str, actor: CurrentUser, session: SessionDep
) -> list[dossier.DocumentLink]:
    """Every document about the item, with its link: handover record, entry slip, exit
    slips and hand-over records, unsealing records, destruction and stocktake records, and
    the stock card."""
    return dossier.item_documents(session, code, actor)


def _unsealing_public(session: Session, row: Unsealing) -> unsealing.UnsealingPublic:
    item = session.get(Item, row.item_id)
    kept = unsealing.stored(session, row)
    assert item is not None and row.id is not None
    return unsealing.UnsealingPublic(
        id=row.id,
        number=row.number,
        item_code=item.code,
        purpose=row.purpose,  # type: ignore[arg-type]
        opened_at=row.opened_at,
        seal_number_before=row.seal_number_before,
        seal_state_before=row.seal_state_before,  # type: ignore[arg-type]
        resealed=row.resealed,
        new_seal_number=row.new_seal_number,
        sha256=kept.sha256 if kept else None,
    )


@router.post("/items/{code}/unsealings", status_code=201, responses=WRITE_ERRORS)
def unseal(
    code: str,
    data: unsealing.UnsealRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
    if_match: IfMatch = None,
) -> unsealing.UnsealingPublic:
    """Open the item's seal (for sampling, destruction or an inspection) with its record
    (biên bản mở niêm phong): the seal before, the item after, the new seal if resealed."""
    data = with_if_match(data, if_match)
    return create_once(
        session,
        actor,
        key,
        f"POST /items/{code}/unsealings",
        data,
        unsealing.UnsealingPublic,
        lambda: _unsealing_public(session, unsealing.unseal(session, code, data, actor)),
    )


def _get_unsealing(session: Session, unsealing_id: int, actor: User) -> Unsealing:
    row = session.get(Unsealing, unsealing_id)
    if row is None or row.agency_id not in agency_scope(session, actor):
        raise NotFound(f"unsealing {unsealing_id} not found")
    return row


@router.get(
    "/unsealings/{unsealing_id}/record.pdf",
    response_class=Response,
    responses={**READ_ERRORS, **PDF},
)
def unsealing_record_pdf(
    unsealing_id: int,
    actor: CurrentUser,
    session: SessionDep,
    lang: Literal["vi", "en"] = "vi",
) -> Response:
    """The unsealing record: the stored Vietnamese document, or ``?lang=en`` drawn now."""
    row = _get_unsealing(session, unsealing_id, actor)
    item = session.get(Item, row.item_id)
    assert item is not None
    kept = unsealing.stored(session, row) if lang == "vi" else None
    return _pdf(
        f"unsealing-{unsealing_id}-{lang}",
        kept,
        lambda: unsealing.render(session, row, item.code, lang),
    )
