"""Routes for the monthly check of items held by others (Circular 01/2017 Art. 12(2)); the
work is in ``custody_checks``."""

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from .. import custody_checks as checks
from ..errors import Forbidden, Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, SessionDep
from .item_documents import PDF

router = APIRouter(prefix="/custody-checks", tags=["documents"])


@router.post(
    "",
    status_code=201,
    response_model=checks.CustodyCheckPublic,
    responses=error_responses(Unauthorized, Forbidden, NotFound, Invalid),
)
def record_check(
    data: checks.CustodyCheckCreate, actor: CurrentUser, session: SessionDep
) -> checks.CustodyCheckPublic:
    """Record the monthly check of one outside custodian's warehouse: every item kept there,
    found or not, with the quantity and condition found; the four signatories (accountant,
    storekeeper, head, the custodian's representative) are required (422 otherwise). The
    record is made final (numbered, SHA-256 kept) and each item gets a custody event."""
    return checks.public(session, checks.record_check(session, data, actor))


@router.get(
    "",
    response_model=list[checks.CustodyCheckPublic],
    responses=error_responses(Unauthorized, NotFound),
)
def list_checks(
    actor: CurrentUser, session: SessionDep, warehouse_code: str | None = None
) -> list[checks.CustodyCheckPublic]:
    """The checks of the reader's agencies (of one warehouse), newest first."""
    return checks.checks(session, actor, warehouse_code)


@router.get(
    "/expected",
    response_model=list[checks.ExpectedItem],
    responses=error_responses(Unauthorized, NotFound, Invalid),
)
def expected(
    warehouse_code: str, actor: CurrentUser, session: SessionDep
) -> list[checks.ExpectedItem]:
    """The items kept at the custodian's now, as recorded (what a check must cover)."""
    return checks.expected_items(session, warehouse_code, actor)


@router.get(
    "/{check_id}.pdf",
    response_class=Response,
    responses={**error_responses(Unauthorized, NotFound), **PDF},
)
def check_pdf(
    check_id: int, actor: CurrentUser, session: SessionDep, lang: Literal["vi", "en"] = "vi"
) -> Response:
    """The check record: the stored Vietnamese document (its SHA-256 in ``X-SHA256``), or
    ``?lang=en`` drawn now."""
    if lang != "vi":
        row = checks.get_check(session, check_id, actor)
        return Response(checks.render(session, row, lang), media_type="application/pdf")
    doc = checks.check_pdf(session, check_id, actor)
    return Response(
        doc.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": (
                f'inline; filename="kiem-tra-{doc.number.replace("/", "-")}.pdf"'
            ),
            "X-SHA256": doc.sha256,
        },
    )


@router.get(
    "/{check_id}",
    response_model=checks.CustodyCheckPublic,
    responses=error_responses(Unauthorized, NotFound),
)
def get_check(check_id: int, actor: CurrentUser, session: SessionDep) -> checks.CustodyCheckPublic:
    return checks.public(session, checks.get_check(session, check_id, actor))
