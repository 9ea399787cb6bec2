"""Routes for closing the ledger (khóa sổ, Circular 04/2023 Art. 30(4)(c–d)); the work is in
``exports.ledger.closing``."""

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..exports.ledger import closing
from ..models import OfficialDocument
from .deps import CurrentUser, SessionDep
from .item_documents import PDF

router = APIRouter(prefix="/ledger/closings", tags=["exports"])


@router.post(
    "",
    status_code=201,
    response_model=closing.LedgerClosingPublic,
    responses=error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid),
)
def close_ledger(
    data: closing.LedgerClosingCreate, actor: CurrentUser, session: SessionDep
) -> closing.LedgerClosingPublic:
    """Close the ledger of an ended quarter, half-year or year (one warehouse's, or all the
    agency's): it is frozen as a numbered official document (its SHA-256 kept). A second
    closing of the same period, or a period not yet ended, is refused (409)."""
    doc = closing.close(session, data, actor)
    return closing.public(session, doc, actor)


@router.get(
    "",
    response_model=list[closing.LedgerClosingPublic],
    responses=error_responses(Unauthorized),
)
def list_closings(
    actor: CurrentUser, session: SessionDep, lang: Literal["vi", "en"] = "vi"
) -> list[closing.LedgerClosingPublic]:
    """The closings of the reader's agencies, newest first."""
    return closing.closings(session, actor, lang)


@router.get(
    "/{closing_id}.pdf",
    response_class=Response,
    responses={**error_responses(Unauthorized, NotFound), **PDF},
)
def closing_pdf(closing_id: int, actor: CurrentUser, session: SessionDep) -> Response:
    """The closed ledger as issued; its SHA-256 in ``X-SHA256``."""
    return _stored(closing.closing_pdf(session, closing_id, actor), "khoa-so")


def _stored(doc: OfficialDocument, name: str) -> Response:
    """A stored document as issued, its SHA-256 in ``X-SHA256``."""
    number = doc.number.replace("/", "-")
    return Response(
        doc.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}-{number}.pdf"',
            "X-SHA256": doc.sha256,
        },
    )


@router.get(
    "/{closing_id}/summary.pdf",
    response_class=Response,
    responses={**error_responses(Unauthorized, NotFound), **PDF},
)
def closing_summary_pdf(closing_id: int, actor: CurrentUser, session: SessionDep) -> Response:
    """The six-monthly or yearly summary issued with the closing of the agency's whole
    ledger (404 for a warehouse's closing or a quarter's); its SHA-256 in ``X-SHA256``."""
    doc = closing.closing_summary(session, closing_id, actor)
    return _stored(doc, "bao-cao")
