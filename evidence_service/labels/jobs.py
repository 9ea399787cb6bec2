"""Print jobs: labels sent to a named printer (``POST /print-jobs``) and their status.

A job resolves what to print in the actor's scope, refuses a template the printer cannot
take, renders the document, sends it, and only then records one ``label_printed`` custody
event per label printed (item x copy) with the printer, the copy number, the print number
and the reason. A label printed before needs a reason. A printer that fails leaves the
custody record alone; the job is kept, as failed, with the printer's error.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import func
from sqlmodel import Session, col, select

from ..auth import agency_scope, require
from ..config import Settings
from ..custody import EventType, NewEvent, append_events, lock_for_write
from ..db import keep_when_refused
from ..errors import Invalid, NotFound, value_error
from ..models import CustodyEvent, LabelPrintJob, User
from .contents import item_label, location_label
from .layout import LabelData
from .printers import PrinterError, check_media, get_printer, send
from .printing import MAX_CODES, MAX_COPIES, LabelFormat, PrintJob, get_template
from .selection import deliverer_agencies, select_items, select_locations
from .zpl import font_download


class PrintJobRequest(BaseModel):
    """What to print where: exactly one of ``items``, ``locations`` or ``contents_of``."""

    printer: str = Field(description="a printer of EVIDENCE_PRINTERS_FILE")
    template: str
    items: list[str] | None = Field(default=None, min_length=1, max_length=MAX_CODES)
    locations: list[str] | None = Field(default=None, min_length=1, max_length=MAX_CODES)
    contents_of: str | None = Field(
        default=None, description="a location code: labels for every item in it and below it"
    )
    copies: int = Field(default=1, ge=1, le=MAX_COPIES)
    skip: int = Field(default=0, ge=0, description="label positions already used on the sheet")
    reason: str = Field(default="", max_length=500, description="required for a reprint")

    @model_validator(mode="after")
    def _one_selector(self) -> PrintJobRequest:
        given = [n for n in ("items", "locations", "contents_of") if getattr(self, n) is not None]
        if len(given) != 1:
            raise value_error(
                "give exactly one of items, locations or contents_of",
                "keysb_validation.one_label_selector",
            )
        return self


class PrintJobPublic(BaseModel):
    id: str
    printer: str
    template: str
    format: str
    status: str = Field(description="sent, or failed (with the printer's error)")
    error: str
    labels: int
    copies: int
    skip: int
    reason: str
    byte_count: int
    sha256: str
    created_at: datetime


def public(job: LabelPrintJob) -> PrintJobPublic:
    return PrintJobPublic.model_validate(job, from_attributes=True)


def _printed_before(session: Session, item_ids: Sequence[int]) -> dict[int, int]:
    """How many labels each item has had printed (its ``label_printed`` events)."""
    counts: dict[int, int] = {}
    ids = list(item_ids)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(col(CustodyEvent.item_id), func.count())
            .where(
                col(CustodyEvent.event_type) == EventType.label_printed,
                col(CustodyEvent.item_id).in_(ids[start : start + 500]),
            )
            .group_by(col(CustodyEvent.item_id))
        ).all()
        counts.update({r[0]: r[1] for r in rows})
    return counts


def _font_on_printer(session: Session, printer: str) -> bool:
    return (
        session.execute(
            select(col(LabelPrintJob.id)).where(
                col(LabelPrintJob.printer) == printer,
                col(LabelPrintJob.status) == "sent",
                col(LabelPrintJob.font_sent).is_(True),
            )
        ).first()
        is not None
    )


def create_print_job(
    session: Session, actor: User, settings: Settings, request: PrintJobRequest
) -> LabelPrintJob:
    require(actor, "label")
    printer = get_printer(settings, request.printer)
    template = get_template(settings, request.template)
    check_media(printer, template)
    fmt = LabelFormat.zpl if printer.kind == "zpl" else LabelFormat.pdf
    per_page = template.sheet.per_page if template.sheet else 1
    if request.skip >= per_page:
        raise Invalid(
            "skip",
            f"must be between 0 and {per_page - 1} for {template.name}",
            key="labels16_print.skip_range",
            params={"most": per_page - 1, "template": template.name},
        )
    base_url = settings.label_base_url
    labels: list[LabelData] = []
    events: list[NewEvent] = []
    job_id = uuid.uuid4().hex
    if request.locations is not None:
        rows = select_locations(session, actor, codes=request.locations)
        for loc, warehouse in rows:
            labels += [location_label(loc, warehouse, base_url)] * request.copies
    else:
        lock_for_write(
            session, actor.agency_id
        )  # a destruction cannot slip between the check and the events
        items = select_items(session, actor, codes=request.items, location_code=request.contents_of)
        before = _printed_before(session, [i.id for i, _, _ in items])  # type: ignore[misc]
        again = [i.code for i, _, _ in items if before.get(i.id or 0)]
        if again and not request.reason.strip():
            shown = ", ".join(again[:5]) + (" …" if len(again) > 5 else "")
            raise Invalid(
                "reason",
                f"a reprint needs a reason: already printed: {shown}",
                key="labels16_print.reprint_reason",
                params={"codes": shown},
            )
        agencies = deliverer_agencies(session, [i for i, _, _ in items])
        for item, case, location in items:
            n = before.get(item.id or 0, 0)
            agency = agencies.get(item.id or 0, "")
            for copy in range(1, request.copies + 1):
                labels.append(
                    item_label(
                        item,
                        case,
                        location,
                        base_url,
                        print_number=n + copy,
                        deliverer_agency=agency,
                    )
                )
                events.append(
                    NewEvent(
                        item_id=item.id,  # type: ignore[arg-type]
                        event_type=EventType.label_printed,
                        actor_id=actor.id,  # type: ignore[arg-type]
                        reason=request.reason,
                        details={
                            "printer": printer.name,
                            "copy": copy,
                            "copies": request.copies,
                            "print_number": n + copy,
                            "template": template.name,
                            "format": fmt.value,
                            "job": job_id,
                        },
                    )
                )
    doc = PrintJob(labels, template, fmt, request.skip, 1, f"{job_id}.{fmt.value}", printer.text)
    data = b"".join(doc.render())
    font_sent = printer.kind == "zpl" and printer.text == "font"
    if font_sent and not _font_on_printer(session, printer.name):
        data = font_download() + data
    else:
        font_sent = False
    job = LabelPrintJob(
        id=job_id,
        user_id=actor.id,  # type: ignore[arg-type]
        printer=printer.name,
        template=template.name,
        format=fmt.value,
        status="sent",
        labels=len(labels),
        copies=request.copies,
        skip=request.skip,
        reason=request.reason,
        byte_count=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        font_sent=font_sent,
    )
    try:
        send(settings, printer, data, title=f"evidence labels {job_id}")
    except PrinterError as exc:
        job.status, job.error, job.font_sent = "failed", str(exc.detail), False
        keep_when_refused(session, job)  # the failure is on record; no label_printed event
        raise PrinterError(
            {"job": job_id, "printer": printer.name, "status": "failed", "error": job.error},
            key="labels_print.failed",
            params={"printer": printer.name, "error": job.error},
        ) from exc
    session.add(job)
    if events:
        append_events(session, events)
    session.flush()
    return job


def get_print_job(session: Session, actor: User, job_id: str) -> LabelPrintJob:
    """A job's status, for users of the agencies the actor sees (else 404)."""
    require(actor, "label")
    job = session.get(LabelPrintJob, job_id)
    owner = session.get(User, job.user_id) if job is not None else None
    if job is None or owner is None or owner.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"print job '{job_id}' not found",
            key="keysb_labels.job_not_found",
        )
    return job


def last_printer(session: Session, actor: User) -> str | None:
    """The printer this user sent to last (the web's dialog preselects it)."""
    row = session.execute(
        select(col(LabelPrintJob.printer))
        .where(col(LabelPrintJob.user_id) == actor.id, col(LabelPrintJob.status) == "sent")
        .order_by(col(LabelPrintJob.created_at).desc())
        .limit(1)
    ).first()
    return row[0] if row else None
