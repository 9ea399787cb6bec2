"""Routes for labels: one item or location label, batches, and the template list.

Printing an item label writes a ``label_printed`` custody event per item; the events are
committed before the first byte of the document is sent, so a reprint is always on record.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from .. import labels
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(tags=["labels"])
LABEL_ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)
_DOCUMENT = {
    "content": {
        "image/png": {},
        "application/pdf": {},
        "text/plain": {"example": "^XA\n^CI28\n...\n^XZ"},
    },
    "description": "the label document (PNG, PDF or ZPL)",
}
TemplateQuery = Annotated[str, Query(description="a template name, see GET /labels/templates")]
FormatQuery = Annotated[labels.LabelFormat, Query(description="png, pdf or zpl")]


def label_document(job: labels.PrintJob, headers: dict[str, str] | None = None) -> Response:
    """The document of a print job: a PNG whole, a PDF or ZPL streamed page by page."""
    headers = {"Content-Disposition": job.content_disposition, **(headers or {})}
    if job.format == labels.LabelFormat.png:
        # Rendered before the commit: a failure records nothing.
        return Response(b"".join(job.render()), media_type=job.media_type, headers=headers)
    # A long PDF streams after the commit (its custody events are written by then).
    return StreamingResponse(job.render(), media_type=job.media_type, headers=headers)


@router.get("/labels/templates")
def list_templates(_actor: CurrentUser, settings: SettingsDep) -> list[labels.TemplatePublic]:
    """The label templates in ``labels/`` (add a template by adding a file there)."""
    return labels.template_list(settings)


@router.post(
    "/labels", responses={**LABEL_ERRORS, 200: _DOCUMENT}, response_class=StreamingResponse
)
def print_labels(
    data: labels.LabelRequest, actor: CurrentUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Labels for several items (by codes, a case or a location subtree) or locations.

    PDF is streamed page by page; PNG only for exactly one label. Item labels write one
    ``label_printed`` custody event per item (with the template, format and copies).
    """
    return label_document(labels.prepare_print(session, actor, settings, data))


@router.get(
    "/items/{code}/label", responses={**LABEL_ERRORS, 200: _DOCUMENT}, response_class=Response
)
def item_label(
    code: str,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    template: TemplateQuery = labels.DEFAULT_TEMPLATE,
    format: FormatQuery = labels.LabelFormat.png,
) -> Response:
    """A preview of the item's label, marked as one: a GET records nothing (print with
    ``POST /labels`` or ``POST /print-jobs``)."""
    job = labels.prepare_preview(session, actor, settings, "item", code, template, format)
    return label_document(job)


@router.get(
    "/locations/{code}/label",
    responses={**LABEL_ERRORS, 200: _DOCUMENT},
    response_class=Response,
)
def location_label(
    code: str,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    template: TemplateQuery = labels.DEFAULT_TEMPLATE,
    format: FormatQuery = labels.LabelFormat.png,
) -> Response:
    """A preview of the location's label (shelf, bin, room...), marked as one."""
    job = labels.prepare_preview(session, actor, settings, "location", code, template, format)
    return label_document(job)


@router.get("/printers")
def list_printers(_actor: CurrentUser, settings: SettingsDep) -> list[labels.Printer]:
    """The label printers of ``EVIDENCE_PRINTERS_FILE`` (none: downloads only)."""
    return list(labels.printers(settings).values())


@router.post(
    "/print-jobs",
    status_code=201,
    responses=error_responses(
        Unauthorized, Forbidden, NotFound, Conflict, Invalid, labels.PrinterError
    ),
)
def create_print_job(
    data: labels.PrintJobRequest, actor: CurrentUser, session: SessionDep, settings: SettingsDep
) -> labels.PrintJobPublic:
    """Send labels to a named printer and record one ``label_printed`` event per label
    (item x copy, with the printer, copy and print number, and the reason; a reprint needs
    one). A template of another dpi or media than the printer's is refused (409). A printer
    that fails answers 502 with the job id; the job is kept as failed, nothing is recorded."""
    return labels.public(labels.create_print_job(session, actor, settings, data))


@router.get("/print-jobs/{job_id}", responses=error_responses(Unauthorized, Forbidden, NotFound))
def get_print_job(job_id: str, actor: CurrentUser, session: SessionDep) -> labels.PrintJobPublic:
    """A print job's status: ``sent``, or ``failed`` with the printer's error."""
    return labels.public(labels.get_print_job(session, actor, job_id))
