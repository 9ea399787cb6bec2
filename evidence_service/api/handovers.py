"""Routes for handovers: receive a group of items with its record and entry slip, list and
show handovers, complete an implicit one, and the two documents as PDF."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from .. import dossier, handovers
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, IdempotencyKeyHeader, SessionDep, create_once
from .item_documents import pdf_response

router = APIRouter(tags=["handovers"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the document"}
}


@router.post("/handovers", status_code=201, responses=ERRORS)
def receive(
    data: handovers.HandoverCreate,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> handovers.HandoverPublic:
    """Receive a group of items with the handover record (biên bản giao nhận) and the entry
    slip (phiếu nhập kho), both final and stored. Refused (422, every problem named, nothing
    written) when the record would lack what the law asks: deliverer, receiving officer or
    head, keeper and accountant, place, the acts, seal states, forensic conclusions."""
    return create_once(
        session,
        actor,
        key,
        "POST /handovers",
        data,
        handovers.HandoverPublic,
        lambda: handovers.handover_public(session, handovers.receive(session, data, actor)),
    )


@router.get("/handovers", responses=error_responses(Unauthorized))
def list_handovers(
    actor: CurrentUser,
    session: SessionDep,
    final: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[handovers.HandoverSummary]:
    """Your agencies' handovers, newest first (``final=false``: the drafts to complete)."""
    return handovers.list_handovers(session, actor, limit, offset, final)


@router.get("/handovers/{handover_id}", responses=error_responses(Unauthorized, NotFound))
def get_handover(
    handover_id: int, actor: CurrentUser, session: SessionDep
) -> handovers.HandoverPublic:
    """The handover with its lines; ``missing`` names what keeps a draft from being final."""
    return handovers.handover_public(session, handovers.get_handover(session, handover_id, actor))


@router.post("/handovers/{handover_id}/complete", responses=ERRORS)
def complete(
    handover_id: int,
    data: handovers.HandoverCompletion,
    actor: CurrentUser,
    session: SessionDep,
) -> handovers.HandoverPublic:
    """Give an implicit handover (made by ``POST /items``) what its record needs: it becomes
    final, its documents stored. Refused (422) while anything is still missing."""
    done = handovers.complete(session, handover_id, data, data.lines, actor)
    return handovers.handover_public(session, done)


@router.get(
    "/handovers/{handover_id}/record.pdf",
    response_class=Response,
    responses={**error_responses(Unauthorized, NotFound), **PDF},
)
def record_pdf(
    handover_id: int,
    actor: CurrentUser,
    session: SessionDep,
    lang: Literal["vi", "en"] = "vi",
) -> Response:
    """The handover record (biên bản giao nhận). Final: the stored Vietnamese document, its
    SHA-256 in ``X-SHA256``; a draft or ``?lang=en``: drawn now, never stored."""
    return pdf_response(dossier.handover_pdf(session, handover_id, handovers.RECORD, actor, lang))


@router.get(
    "/handovers/{handover_id}/entry-slip.pdf",
    response_class=Response,
    responses={**error_responses(Unauthorized, NotFound), **PDF},
)
def entry_slip_pdf(
    handover_id: int,
    actor: CurrentUser,
    session: SessionDep,
    lang: Literal["vi", "en"] = "vi",
) -> Response:
    """The entry slip (phiếu nhập kho, C04-THADS), as the record: stored once final."""
    return pdf_response(dossier.handover_pdf(session, handover_id, handovers.SLIP, actor, lang))
