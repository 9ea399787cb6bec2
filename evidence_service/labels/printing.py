"""Labels for items and locations: what goes on them, which to print, and the custody record.

The rendering itself is the rest of :mod:`evidence_service.labels` (pure, no database). This module
turns items and locations into :class:`~evidence_service.labels.layout.LabelData`, resolves a print
request (codes, a case or a location subtree) in the actor's agency scope, and writes one
``label_printed`` custody event per item printed, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session

from ..auth import require
from ..config import Settings
from ..custody import EventType, NewEvent, append_events, lock_for_write
from ..errors import Invalid, value_error
from ..locations import get_location
from ..models import Item, User, Warehouse
from .catalog import load_templates
from .contents import item_label, location_label
from .layout import LabelData
from .pdf import iter_pdf
from .png import render_png
from .selection import deliverer_agencies, select_items, select_locations
from .templates import LabelTemplate, default_labels_dir
from .zpl import TextMode, iter_zpl

DEFAULT_TEMPLATE = "thermal-50x30-203"
MAX_COPIES = 50
MAX_CODES = 10_000


class LabelFormat(StrEnum):
    png = "png"
    pdf = "pdf"
    zpl = "zpl"


MEDIA_TYPES = {
    LabelFormat.png: "image/png",
    LabelFormat.pdf: "application/pdf",
    LabelFormat.zpl: "text/plain; charset=utf-8",
}


# --- templates -------------------------------------------------------------------------------


def labels_dir(settings: Settings) -> Path:
    return Path(settings.labels_dir) if settings.labels_dir else default_labels_dir()


def templates(settings: Settings) -> dict[str, LabelTemplate]:
    """The templates of ``Settings.labels_dir`` (or ``labels/``), reloaded when a file changes."""
    root = labels_dir(settings)
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in root.glob("*.toml")))
    return _templates(str(root), stamp)


@lru_cache(maxsize=8)
def _templates(root: str, _stamp: tuple[tuple[str, int], ...]) -> dict[str, LabelTemplate]:
    return load_templates(root)


def get_template(settings: Settings, name: str, where: str = "body") -> LabelTemplate:
    known = templates(settings)
    if name not in known:
        raise _invalid(where, "template", f"unknown template '{name}'; known: {', '.join(known)}")
    return known[name]


class TemplateTitle(BaseModel):
    vi: str
    en: str


class TemplatePublic(BaseModel):
    name: str
    title: TemplateTitle
    kind: Literal["thermal", "sheet"]
    width_mm: float
    height_mm: float
    dpi: int
    labels_per_page: int
    page: str | None = Field(description="the sheet's paper size; none for rolls")


def template_list(settings: Settings) -> list[TemplatePublic]:
    return [
        TemplatePublic(
            name=t.name,
            title=TemplateTitle(vi=t.title.vi, en=t.title.en),
            kind=t.kind,
            width_mm=t.width_mm,
            height_mm=t.height_mm,
            dpi=t.dpi,
            labels_per_page=t.sheet.per_page if t.sheet else 1,
            page=t.sheet.page if t.sheet else None,
        )
        for t in templates(settings).values()
    ]


def _invalid(where: str, field: str, message: str, value: Any = None) -> Invalid:
    exc = Invalid(field, message, value)
    exc.detail[0]["loc"][0] = where
    return exc


# --- print jobs ------------------------------------------------------------------------------


class LabelRequest(BaseModel):
    """What to print: exactly one of ``codes``, ``case_id`` or ``location_code``."""

    codes: list[str] | None = Field(default=None, min_length=1, max_length=MAX_CODES)
    case_id: int | None = None
    location_code: str | None = Field(
        default=None, description="items (or, for kind=location, locations) in this subtree"
    )
    kind: Literal["item", "location"] = "item"
    template: str = DEFAULT_TEMPLATE
    format: LabelFormat = LabelFormat.pdf
    skip: int = Field(default=0, ge=0, description="label positions already used on the sheet")
    copies: int = Field(default=1, ge=1, le=MAX_COPIES, description="copies of each label")
    reason: str = Field(default="", max_length=500, description="why (a reprint, a damaged label)")

    @model_validator(mode="after")
    def _one_selector(self) -> LabelRequest:
        given = [n for n in ("codes", "case_id", "location_code") if getattr(self, n) is not None]
        if len(given) != 1:
            raise value_error(
                "give exactly one of codes, case_id or location_code",
                "keysb_validation.one_label_selector",
            )
        if self.kind == "location" and self.case_id is not None:
            raise value_error(
                "case_id selects items; use codes or location_code for locations",
                "keysb_labels.choose_locations",
            )
        return self


@dataclass(frozen=True)
class PrintJob:
    labels: list[LabelData]
    template: LabelTemplate
    format: LabelFormat
    skip: int
    copies: int
    filename: str
    text: TextMode = "graphic"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def content_disposition(self) -> str:
        disposition = "attachment" if self.format == LabelFormat.zpl else "inline"
        return f'{disposition}; filename="{self.filename}"'

    def render(self, on_label: Callable[[], None] | None = None) -> Iterator[bytes]:
        """The document, in chunks; PDF pages and ZPL blocks are produced as they are read.

        ``on_label`` is called as each label is taken for rendering (a progress bar).
        """
        labels: Iterable[LabelData] = self.labels
        if on_label is not None:
            labels = _counting(self.labels, on_label)
        if self.format == LabelFormat.png:
            return iter([render_png(self.labels[0], self.template)])
        if self.format == LabelFormat.pdf:
            return iter_pdf(labels, self.template, self.skip, self.copies)
        zpl = iter_zpl(labels, self.template, self.copies, self.text)
        return (s.encode("utf-8") for s in zpl)


def _counting(labels: Iterable[LabelData], tick: Callable[[], None]) -> Iterator[LabelData]:
    for label in labels:
        yield label
        tick()


def _check_output(
    template: LabelTemplate, fmt: LabelFormat, count: int, skip: int, copies: int, where: str
) -> None:
    per_page = template.sheet.per_page if template.sheet else 1
    if not 0 <= skip < per_page:
        raise _invalid(
            where, "skip", f"must be between 0 and {per_page - 1} for {template.name}", skip
        )
    if fmt == LabelFormat.png and (count != 1 or copies != 1):
        raise _invalid(where, "format", "png holds exactly one label; use pdf or zpl", fmt.value)
    if not 1 <= copies <= MAX_COPIES:
        raise _invalid(where, "copies", f"must be between 1 and {MAX_COPIES}", copies)


def record_printed(
    session: Session,
    actor: User,
    items: Sequence[Item],
    template: LabelTemplate,
    fmt: LabelFormat,
    copies: int,
    reason: str = "",
) -> None:
    """One ``label_printed`` custody event per item, in the caller's transaction."""
    append_events(
        session,
        (
            NewEvent(
                item_id=item.id,  # type: ignore[arg-type]
                event_type=EventType.label_printed,
                actor_id=actor.id,  # type: ignore[arg-type]
                reason=reason,
                details={"template": template.name, "format": fmt.value, "copies": copies},
            )
            for item in items
        ),
    )


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def prepare_print(
    session: Session, actor: User, settings: Settings, request: LabelRequest
) -> PrintJob:
    """Validate and resolve a print request and record it (with the caller's transaction)."""
    require(actor, "label")
    template = get_template(settings, request.template)
    fmt = request.format
    base_url = settings.label_base_url
    if request.kind == "location":
        locations = select_locations(
            session, actor, codes=request.codes, location_code=request.location_code
        )
        _check_output(template, fmt, len(locations), request.skip, request.copies, "body")
        labels = [location_label(loc, name, base_url) for loc, name in locations]
        name = locations[0][0].code if len(locations) == 1 else f"locations-{_stamp()}"
    else:
        # Take the write lock first: a destruction committed meanwhile cannot slip between
        # the status check and the custody event.
        lock_for_write(session, actor.agency_id)
        rows = select_items(
            session,
            actor,
            codes=request.codes,
            case_id=request.case_id,
            location_code=request.location_code,
        )
        _check_output(template, fmt, len(rows), request.skip, request.copies, "body")
        agencies = deliverer_agencies(session, [r[0] for r in rows])
        labels = [
            item_label(item, case, loc, base_url, deliverer_agency=agencies.get(item.id or 0, ""))
            for item, case, loc in rows
        ]
        record_printed(
            session, actor, [r[0] for r in rows], template, fmt, request.copies, request.reason
        )
        name = rows[0][0].code if len(rows) == 1 else f"labels-{_stamp()}"
    return PrintJob(labels, template, fmt, request.skip, request.copies, f"{name}.{fmt.value}")


def prepare_preview(
    session: Session,
    actor: User,
    settings: Settings,
    kind: Literal["item", "location"],
    code: str,
    template_name: str,
    fmt: LabelFormat,
) -> PrintJob:
    """A preview of one item's or location's label (``GET .../label``), marked as such: a
    GET records nothing; printing is recorded by ``prepare_print`` (``POST``)."""
    require(actor, "label")
    template = get_template(settings, template_name, where="query")
    if kind == "location":
        location = get_location(session, code, actor)
        warehouse = session.get(Warehouse, location.warehouse_id)
        assert warehouse is not None
        label = location_label(location, warehouse.name, settings.label_base_url, preview=True)
        return PrintJob([label], template, fmt, 0, 1, f"{location.code}.{fmt.value}")
    ((item, case, place),) = select_items(session, actor, codes=[code])
    agency = deliverer_agencies(session, [item]).get(item.id or 0, "")
    label = item_label(
        item, case, place, settings.label_base_url, preview=True, deliverer_agency=agency
    )
    return PrintJob([label], template, fmt, 0, 1, f"{item.code}.{fmt.value}")
