"""The evidence ledger (sổ theo dõi vật chứng) of a warehouse for a period: every item
received in it, in the official layout, as XLSX or PDF. Words: the ``ledger`` keys of the
translation files; weights are numbers of kilograms in XLSX, formatted weights in PDF."""

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from .. import pdfdoc
from ..auth import agency_scope
from ..custody import EventType
from ..i18n import Translator, translator
from ..locations import get_warehouse
from ..models import Case, CustodyEvent, Item, Location, User
from .common import day_start, local_day
from .stable import Kilograms, pdf_landscape, text_cell, workbook_bytes

COLUMNS = [
    "number",
    "code",
    "description",
    "quantity",
    "unit",
    "weight",
    "judgment",
    "received",
    "location",
    "status",
    "out",
    "notes",
]
WIDTHS = [6, 16, 40, 10, 8, 14, 18, 13, 12, 26, 14, 40]
OUT_EVENTS = (EventType.destruction, EventType.release, EventType.transfer, EventType.check_out)


class LedgerLine(BaseModel):
    number: int
    code: str
    description: str
    quantity: float
    unit: str
    net_weight_kg: float | None
    judgment_number: str | None
    received_on: date
    location_code: str | None
    status: str
    status_vi: str
    out_on: date | None
    notes: str


class Ledger(BaseModel):
    warehouse_code: str | None
    warehouse_name: str | None
    date_from: date | None
    date_to: date | None
    lines: list[LedgerLine]
    total_items: int
    total_weight_kg: float


def ledger(
    session: Session,
    actor: User,
    warehouse_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    lang: str = "vi",
) -> Ledger:
    """Items received from ``date_from`` to ``date_to`` (days in Vietnam, both included). An
    item belongs to the warehouse holding it, or, once it has left, the last one that did.
    The notes are written in ``lang``; ``status_vi`` is always Vietnamese."""
    t, vi = translator(lang), translator("vi")
    warehouse = get_warehouse(session, warehouse_code, actor) if warehouse_code else None
    last_place = (
        select(CustodyEvent.item_id, func.max(CustodyEvent.seq).label("seq"))
        .where(col(CustodyEvent.to_location_id).is_not(None))
        .group_by(col(CustodyEvent.item_id))
        .subquery()
    )
    placed = (
        select(CustodyEvent.item_id, CustodyEvent.to_location_id)
        .join(
            last_place,
            and_(
                last_place.c.item_id == CustodyEvent.item_id, last_place.c.seq == CustodyEvent.seq
            ),
        )
        .subquery()
    )
    where_loc = func.coalesce(Item.location_id, placed.c.to_location_id)
    query = (
        select(Item, Case.judgment_number, Location.code, Location.warehouse_id)
        .join(Case, col(Case.id) == Item.case_id)
        .outerjoin(placed, placed.c.item_id == Item.id)
        .outerjoin(Location, col(Location.id) == where_loc)
        .where(col(Item.agency_id).in_(agency_scope(session, actor)))
        .order_by(col(Item.received_at), col(Item.code))
    )
    if warehouse is not None:
        query = query.where(col(Location.warehouse_id) == warehouse.id)
    if date_from is not None:
        query = query.where(col(Item.received_at) >= day_start(date_from))
    if date_to is not None:
        query = query.where(col(Item.received_at) < day_start(date_to) + _ONE_DAY)
    rows = session.exec(query).all()
    out_dates = _out_dates(session, [r[0].id for r in rows])
    lines = []
    total_g = 0.0
    for n, (item, judgment, location_code, _) in enumerate(rows, start=1):
        total_g += item.net_weight_g or 0.0
        seal = t.maybe(f"seal.{item.seal_state}", item.seal_state)
        notes = [
            t("ledger.seal_numbered", number=item.seal_number, state=seal)
            if item.seal_number
            else seal[:1].upper() + seal[1:],
            t(
                "ledger.disposition",
                disposition=t.maybe(f"disposition.{item.disposition}", item.disposition),
            ),
        ]
        if item.condition:
            notes.append(item.condition)
        if item.external_ref and not item.external_ref.startswith("#"):
            notes.append(t("ledger.old_number", number=item.external_ref))
        lines.append(
            LedgerLine(
                number=n,
                code=item.code,
                description=item.description,
                quantity=item.quantity,
                unit=item.unit,
                net_weight_kg=round(item.net_weight_g / 1000, 6) if item.net_weight_g else None,
                judgment_number=judgment,
                received_on=local_day(item.received_at),
                location_code=location_code,
                status=item.status,
                status_vi=vi.maybe(f"status.{item.status}", item.status),
                out_on=out_dates.get(item.id) if item.status in _OUT_STATUSES else None,  # type: ignore[arg-type]
                notes="; ".join(notes),
            )
        )
    return Ledger(
        warehouse_code=warehouse.code if warehouse else None,
        warehouse_name=warehouse.name if warehouse else None,
        date_from=date_from,
        date_to=date_to,
        lines=lines,
        total_items=len(lines),
        total_weight_kg=round(total_g / 1000, 6),
    )


_OUT_STATUSES = frozenset({"destroyed", "released", "transferred", "checked_out"})
_ONE_DAY = timedelta(days=1)


def _out_dates(session: Session, ids: list[Any]) -> dict[int, date]:
    found: dict[int, date] = {}
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        rows = session.exec(
            select(CustodyEvent.item_id, func.max(CustodyEvent.occurred_at))
            .where(col(CustodyEvent.item_id).in_(part))
            .where(or_(*(col(CustodyEvent.event_type) == str(e) for e in OUT_EVENTS)))
            .group_by(col(CustodyEvent.item_id))
        ).all()
        for item_id, at in rows:
            found[item_id] = local_day(at)
    return found


def _title(data: Ledger, t: Translator) -> str:
    where = (
        t("ledger.warehouse", code=data.warehouse_code, name=data.warehouse_name)
        if data.warehouse_code
        else ""
    )
    span = ""
    if data.date_from or data.date_to:
        span = t(
            "ledger.span",
            start=t.date(data.date_from) or t("ledger.open_end"),
            end=t.date(data.date_to) or t("ledger.open_end"),
        )
    return " ".join(p for p in (t("ledger.title"), where, span) if p)


def _headers(t: Translator) -> list[str]:
    return [t(f"ledger.col_{c}") for c in COLUMNS]


def _rows(data: Ledger, t: Translator) -> list[list[Any]]:
    """The lines and the total line; weights as :class:`Kilograms`."""
    rows: list[list[Any]] = [
        [
            line.number,
            line.code,
            line.description,
            line.quantity,
            t.maybe(f"unit.{line.unit}", line.unit),
            Kilograms(line.net_weight_kg) if line.net_weight_kg is not None else None,
            line.judgment_number or "",
            t.date(line.received_on),
            line.location_code or "",
            t.maybe(f"status.{line.status}", line.status),
            t.date(line.out_on),
            line.notes,
        ]
        for line in data.lines
    ]
    total = ["", t("ledger.total"), t("ledger.total_items", count=t.number(data.total_items))]
    rows.append([*total, "", "", Kilograms(data.total_weight_kg), *[""] * 6])
    return rows


def ledger_xlsx(data: Ledger, lang: str = "vi") -> bytes:
    t = translator(lang)
    rows = [_headers(t), *_rows(data, t)]
    stamp = day_start(data.date_to or data.date_from or date(2000, 1, 1))
    return workbook_bytes([(t("ledger.sheet"), rows, WIDTHS)], _title(data, t), stamp)


def ledger_pdf(data: Ledger, lang: str = "vi") -> bytes:
    t = translator(lang)
    widths = [10, 24, 42, 13, 11, 22, 25, 22, 16, 27, 21, 40]
    body = [[text_cell(c, t) for c in row] for row in _rows(data, t)]
    story = [
        pdfdoc.para(_title(data, t), "title"),
        pdfdoc.spacer(),
        pdfdoc.table(_headers(t), body, widths),
        pdfdoc.spacer(8),
        pdfdoc.signatures([(t("ledger.signer_maker"), ""), (t("ledger.signer_head"), "")]),
    ]
    return pdf_landscape(story, _title(data, t))
