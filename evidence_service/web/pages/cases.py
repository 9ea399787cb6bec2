"""The case page: the transfer decision, the chain of judgments, the enforcement decisions,
the case file and every deadline of the case, with the forms that add to them."""

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ... import cases, items
from ...errors import DomainError, Invalid
from ...models import AttachmentKind, JudgmentLevel
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain, technical
from ..forms import iso_date, validate

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def render_case(
    page: Page, case_id: int, error: DomainError | None = None, open_form: str = ""
) -> Response:
    detail = cases.case_detail(page.db, case_id, page.me)
    explained = explain(error, page.t) if error else None
    return page.render(
        "case.html",
        status_code=error.status_code if error else 200,
        case=detail,
        levels=list(JudgmentLevel),
        kinds=list(AttachmentKind),
        done=page.request.query_params.get("done", ""),
        open_form=open_form,
        values=dict(page.form.items()),
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
    )


@router.get("/cases/{case_id}")
def case_page(case_id: int, page: UserPage) -> Response:
    return render_case(page, case_id)


def _act(page: Page, case_id: int, form: str, run: object) -> Response:
    try:
        assert callable(run)
        run()
    except DomainError as exc:
        page.db.rollback()
        return render_case(page, case_id, exc, open_form=form)
    return page.redirect(f"/cases/{case_id}?done={form}")


@router.post("/cases/{case_id}/judgments")
def add_judgment(case_id: int, page: FormPage) -> Response:
    def run() -> None:
        data = {
            "number": page.field("number"),
            "court": page.field("court"),
            "level": page.field("level"),
            "date": iso_date(page.field("date"), "date"),
            "effective_date": iso_date(page.field("effective_date"), "effective_date"),
            "received_date": iso_date(page.field("received_date"), "received_date"),
        }
        items.record_judgment(page.db, case_id, validate(cases.JudgmentCreate, data), page.me)

    return _act(page, case_id, "judgment", run)


@router.post("/cases/{case_id}/enforcement-decisions")
def add_decision(case_id: int, page: FormPage) -> Response:
    def run() -> None:
        data = {
            "issuer": page.field("issuer"),
            "number": page.field("number"),
            "date": iso_date(page.field("date"), "date"),
        }
        decision = validate(cases.EnforcementDecisionCreate, data)
        cases.add_enforcement_decision(page.db, case_id, decision, page.me)

    return _act(page, case_id, "decision", run)


@router.post("/cases/{case_id}/attachments")
def add_attachment(case_id: int, page: FormPage) -> Response:
    def run() -> None:
        upload = page.form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("file", "choose a file", key="keysb_pages.choose_file")
        kind = page.field("kind")
        if kind not in {k.value for k in AttachmentKind}:
            raise Invalid("kind", "unknown kind", kind, key="keysb_pages.attachment_kind")
        content = upload.file.read(cases.attachments.MAX_BYTES + 1)
        cases.attach(
            page.db,
            case_id,
            AttachmentKind(kind),
            upload.filename or "",
            content,
            page.me,
            page.field("title"),
        )

    return _act(page, case_id, "attachment", run)


@router.get("/cases/{case_id}/attachments/{attachment_id}")
def attachment(case_id: int, attachment_id: int, page: UserPage) -> Response:
    row = cases.get_attachment(page.db, case_id, attachment_id, page.me)
    return Response(
        content=row.content,
        media_type=row.media_type,
        headers={"Content-Disposition": f'inline; filename="case{case_id}-{row.id}"'},
    )
