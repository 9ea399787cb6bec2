"""Routes for an item's documents: its exit slips and their hand-over records, its stock
card, its unsealings and their records, and the list of every document about it."""

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session

from .. import dossier
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..exitslips import papers as exit_papers
from ..exitslips.views import ExitSlipPublic, get_slip, slip_public
from ..items import unsealing
from ..models import Item, Unsealing
from .deps import CurrentUser, IdempotencyKeyHeader, IfMatch, SessionDep, create_once, with_if_match

router = APIRouter(tags=["documents"])
READ_ERRORS = error_responses(Unauthorized, NotFound)
WRITE_ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the document"}
}


def pdf_response(doc: dossier.Fetched) -> Response:
    """A document as served: its SHA-256 in ``X-SHA256`` when it is the stored one."""
    headers = {"Content-Disposition": f'inline; filename="{doc.name}.pdf"'}
    if doc.sha256:
        headers["X-SHA256"] = doc.sha256
    return Response(doc.pdf, media_type="application/pdf", headers=headers)


@router.get("/exit-slips/{slip_id}.pdf", response_class=Response, responses={**READ_ERRORS, **PDF})
def exit_slip_pdf(
    slip_id: int, actor: CurrentUser, session: SessionDep, lang: Literal["vi", "en"] = "vi"
) -> Response:
    """The exit slip (phiếu xuất kho, C05-THADS) made when the item left: the stored
    Vietnamese document, or ``?lang=en`` drawn now."""
    return pdf_response(dossier.exit_pdf(session, slip_id, exit_papers.SLIP, actor, lang))


@router.get(
    "/exit-slips/{slip_id}/record.pdf",
    response_class=Response,
    responses={**READ_ERRORS, **PDF},
)
def exit_record_pdf(
    slip_id: int, actor: CurrentUser, session: SessionDep, lang: Literal["vi", "en"] = "vi"
) -> Response:
    """The hand-over record of the exit, where the law asks for one (404 otherwise)."""
    return pdf_response(dossier.exit_pdf(session, slip_id, exit_papers.RECORD, actor, lang))


@router.get(
    "/items/{code}/stock-card.pdf", response_class=Response, responses={**READ_ERRORS, **PDF}
)
def stock_card_pdf(
    code: str, actor: CurrentUser, session: SessionDep, lang: Literal["vi", "en"] = "vi"
) -> Response:
    """The item's stock card (thẻ kho, D67-THADS): every movement in and out, with its
    document number and the balance after it, as the custody record has them now."""
    return pdf_response(dossier.stock_card_pdf(session, code, actor, lang))


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
    return pdf_response(dossier.unsealing_pdf(session, unsealing_id, actor, lang))
