"""Routes for cases: opened on the transfer decision, then the chain of judgments, the
enforcement decisions and the scanned case file."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response

from .. import cases, items, reports
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..models import AttachmentKind
from .deps import CurrentUser, IdempotencyKeyHeader, SessionDep, create_once

router = APIRouter(tags=["cases"])
WRITE_ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)


@router.post(
    "/cases",
    status_code=201,
    responses=error_responses(Unauthorized, Forbidden, Conflict, Invalid),
)
def create_case(
    data: cases.CaseCreate,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> cases.CasePublic:
    """Open a case: on its `transfer_decision` alone (before any judgment), or with the
    judgment and enforcement-decision fields as before."""
    return create_once(
        session,
        actor,
        key,
        "POST /cases",
        data,
        cases.CasePublic,
        lambda: cases.case_public(session, cases.create_case(session, data, actor)),
    )


@router.get("/cases")
def list_cases(
    actor: CurrentUser,
    session: SessionDep,
    judgment_number: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[cases.CasePublic]:
    return cases.list_cases(session, actor, judgment_number, limit, offset)


@router.get("/cases/{case_id}", responses=error_responses(NotFound))
def get_case(case_id: int, actor: CurrentUser, session: SessionDep) -> cases.CaseDetail:
    """The case with its judgments, enforcement decisions, case file and every deadline
    computed for it."""
    return cases.case_detail(session, case_id, actor)


@router.post("/cases/{case_id}/judgments", status_code=201, responses=WRITE_ERRORS)
def add_judgment(
    case_id: int, data: cases.JudgmentCreate, actor: CurrentUser, session: SessionDep
) -> items.JudgmentRecorded:
    """Attach a judgment to the chain; `dispositions` gives each item what it orders."""
    return items.record_judgment(session, case_id, data, actor)


@router.post("/cases/{case_id}/judgments/{judgment_id}/dispositions", responses=WRITE_ERRORS)
def order_dispositions(
    case_id: int,
    judgment_id: int,
    data: list[cases.ItemOrder],
    actor: CurrentUser,
    session: SessionDep,
) -> items.JudgmentRecorded:
    """Apply a recorded judgment's orders for some of the case's items."""
    return items.order_from_judgment(session, case_id, judgment_id, data, actor)


@router.post("/cases/{case_id}/enforcement-decisions", status_code=201, responses=WRITE_ERRORS)
def add_enforcement_decision(
    case_id: int, data: cases.EnforcementDecisionCreate, actor: CurrentUser, session: SessionDep
) -> cases.EnforcementDecisionPublic:
    """The number is unique per issuer and year: a clash is 409."""
    return cases.decision_public(cases.add_enforcement_decision(session, case_id, data, actor))


@router.post("/cases/{case_id}/attachments", status_code=201, responses=WRITE_ERRORS)
def add_attachment(
    case_id: int,
    actor: CurrentUser,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="PDF, JPEG, PNG, TIFF or WebP")],
    kind: Annotated[AttachmentKind, Form()],
    title: Annotated[str, Form(max_length=300)] = "",
) -> cases.AttachmentPublic:
    content = file.file.read(cases.attachments.MAX_BYTES + 1)
    return cases.attach(session, case_id, kind, file.filename or "", content, actor, title)


@router.get("/cases/{case_id}/attachments", responses=error_responses(NotFound))
def list_attachments(
    case_id: int, actor: CurrentUser, session: SessionDep
) -> list[cases.AttachmentPublic]:
    return cases.list_attachments(session, case_id, actor)


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    responses={**error_responses(NotFound), 200: {"content": {"application/pdf": {}}}},
)
def get_attachment(
    case_id: int, attachment_id: int, actor: CurrentUser, session: SessionDep
) -> Response:
    row = cases.get_attachment(session, case_id, attachment_id, actor)
    return Response(
        content=row.content,
        media_type=row.media_type,
        headers={
            "Content-Disposition": f'inline; filename="case{case_id}-{row.id}"',
            "X-Content-SHA256": row.sha256,
        },
    )


@router.get("/holidays", tags=["reports"], responses=error_responses(Unauthorized, Invalid))
def holidays(
    actor: CurrentUser, year: Annotated[int, Query(ge=1990, le=2100)]
) -> reports.HolidayYear:
    """The days off (and worked weekend days) every working-day count uses, for one year."""
    return reports.holidays_of(year)
