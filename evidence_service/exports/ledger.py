"""The evidence ledger (sổ theo dõi vật chứng) of a warehouse for a period: every item
received in it, in the official layout, as XLSX or PDF. Words: the ``ledger`` keys of the
translation files; weights are numbers of kilograms in XLSX, formatted weights in PDF.

The files are made in bounded memory (``ledger_file``): the lines stream from the database
in chunks into a write-only workbook, or into a PDF built page by page."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from .. import pdfdoc
from ..auth import agency_scope
from ..custody import EventType
from ..i18n import Translator, translator
from ..locations import get_warehouse
from ..models import Case, CustodyEvent, Item, Location, User, Warehouse
from .common import day_start, local_day
from .stable import Kilograms, pdf_landscape, streamed_workbook, text_cell

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


def _query(
    session: Session,
    actor: User,
    warehouse: Warehouse | None,
    date_from: date | None,
    date_to: date | None,
) -> Any:
    """The candidate items as plain columns, in the ledger's order: those on a shelf of the
    warehouse and those on no shelf (left, or never placed), which ``_Places`` sorts out."""
    query = (
        sa_select(
            *(Item.__table__.c[c] for c in _ITEM_COLUMNS),  # type: ignore[attr-defined]
            col(Case.judgment_number),
            col(Item.location_id),
            col(Item.agency_id),
        )
        .join(Case, col(Case.id) == Item.case_id)
        .where(col(Item.agency_id).in_(agency_scope(session, actor)))
        .order_by(col(Item.received_at), col(Item.code))
    )
    if warehouse is not None:
        shelves = select(Location.id).where(col(Location.warehouse_id) == warehouse.id)
        query = query.where(
            or_(col(Item.location_id).in_(shelves), col(Item.location_id).is_(None))
        )
    if date_from is not None:
        query = query.where(col(Item.received_at) >= day_start(date_from))
    if date_to is not None:
        query = query.where(col(Item.received_at) < day_start(date_to) + _ONE_DAY)
    return query


class _Places:
    """Where each item of the ledger is: the shelf holding it; once it has left, the last
    one that did (its last custody event with a destination); never placed (still in
    receiving), its agency's first warehouse, so that it is in a ledger too."""

    def __init__(self, session: Session, actor: User) -> None:
        self.session = session
        rows = session.execute(
            sa_select(col(Location.id), col(Location.code), col(Location.warehouse_id))
            .join(Warehouse, col(Warehouse.id) == Location.warehouse_id)
            .where(col(Warehouse.agency_id).in_(agency_scope(session, actor)))
        ).all()
        self.locations = {r[0]: (r[1], r[2]) for r in rows}
        firsts = session.execute(
            sa_select(col(Warehouse.agency_id), func.min(Warehouse.id)).group_by(
                col(Warehouse.agency_id)
            )
        ).all()
        self.first_warehouse = dict(firsts)

    def of(self, part: Sequence[Any]) -> dict[int, tuple[str | None, int | None]]:
        """item id → (location code, warehouse id) for a chunk of rows."""
        away = [r[0] for r in part if r[_LOCATION] is None]
        last: dict[int, int] = {}
        for start in range(0, len(away), 1000):
            events = self.session.execute(
                sa_select(col(CustodyEvent.item_id), col(CustodyEvent.to_location_id))
                .where(
                    col(CustodyEvent.item_id).in_(away[start : start + 1000]),
                    col(CustodyEvent.to_location_id).is_not(None),
                )
                .order_by(col(CustodyEvent.id))  # ids follow time across chains
            ).all()
            last.update({item_id: location_id for item_id, location_id in events})
        out: dict[int, tuple[str | None, int | None]] = {}
        for r in part:
            location_id = r[_LOCATION] if r[_LOCATION] is not None else last.get(r[0])
            if location_id is not None and location_id in self.locations:
                out[r[0]] = self.locations[location_id]
            else:
                out[r[0]] = (None, self.first_warehouse.get(r[_AGENCY]))
        return out


_ITEM_COLUMNS = (
    "id",
    "code",
    "description",
    "quantity",
    "unit",
    "net_weight_g",
    "seal_state",
    "seal_number",
    "disposition",
    "condition",
    "external_ref",
    "received_at",
    "status",
)
_LOCATION, _AGENCY = len(_ITEM_COLUMNS) + 1, len(_ITEM_COLUMNS) + 2
CHUNK = 2000


@dataclass
class LedgerRun:
    """A ledger being read: its header, and its lines as they stream from the database
    (``lines()`` may be consumed once); the totals are known once the lines are."""

    warehouse: Warehouse | None
    date_from: date | None
    date_to: date | None
    session: Session
    actor: User
    query: Any
    t: Translator
    total_items: int = 0
    total_g: float = 0.0

    def lines(self) -> Iterator[LedgerLine]:
        vi = translator("vi")
        places = _Places(self.session, self.actor)
        result = self.session.execute(self.query.execution_options(yield_per=CHUNK))
        number = 0
        for part in result.partitions():
            where = places.of(part)
            if self.warehouse is not None:
                part = [r for r in part if where[r[0]][1] == self.warehouse.id]
            out_dates = _out_dates(self.session, [r[0] for r in part])
            for row in part:
                number += 1
                line = _line(number, row, where[row[0]][0], out_dates, self.t, vi)
                self.total_items += 1
                self.total_g += row[5] or 0.0
                yield line

    def header(self, lines: list[LedgerLine] | None = None) -> "Ledger":
        return Ledger(
            warehouse_code=self.warehouse.code if self.warehouse else None,
            warehouse_name=self.warehouse.name if self.warehouse else None,
            date_from=self.date_from,
            date_to=self.date_to,
            lines=lines or [],
            total_items=self.total_items,
            total_weight_kg=round(self.total_g / 1000, 6),
        )


def ledger_run(
    session: Session,
    actor: User,
    warehouse_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    lang: str = "vi",
) -> LedgerRun:
    warehouse = get_warehouse(session, warehouse_code, actor) if warehouse_code else None
    query = _query(session, actor, warehouse, date_from, date_to)
    return LedgerRun(warehouse, date_from, date_to, session, actor, query, translator(lang))


def ledger(
    session: Session,
    actor: User,
    warehouse_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    lang: str = "vi",
) -> Ledger:
    """Items received from ``date_from`` to ``date_to`` (days in Vietnam, both included), in
    the warehouse (see ``_query``). The notes are written in ``lang``; ``status_vi`` is
    always Vietnamese."""
    run = ledger_run(session, actor, warehouse_code, date_from, date_to, lang)
    lines = list(run.lines())
    return run.header(lines)


def _line(
    number: int,
    row: Any,
    location_code: str | None,
    out_dates: dict[int, date],
    t: Translator,
    vi: Translator,
) -> LedgerLine:
    (
        item_id,
        code,
        description,
        quantity,
        unit,
        net_g,
        seal_state,
        seal_number,
        disposition,
        condition,
        external_ref,
        received_at,
        status,
        judgment,
        *_,
    ) = row
    seal = t.maybe(f"seal.{seal_state}", seal_state)
    notes = [
        t("ledger.seal_numbered", number=seal_number, state=seal)
        if seal_number
        else seal[:1].upper() + seal[1:],
        t("ledger.disposition", disposition=t.maybe(f"disposition.{disposition}", disposition)),
    ]
    if condition:
        notes.append(condition)
    if external_ref and not external_ref.startswith("#"):
        # Imported as "<ledger>|<STT>": the number it had in that ledger.
        notes.append(t("ledger.old_number", number=external_ref.rsplit("|", 1)[-1]))
    return LedgerLine(
        number=number,
        code=code,
        description=description,
        quantity=quantity,
        unit=unit,
        net_weight_kg=round(net_g / 1000, 6) if net_g else None,
        judgment_number=judgment,
        received_on=local_day(received_at),
        location_code=location_code,
        status=status,
        status_vi=vi.maybe(f"status.{status}", status),
        out_on=out_dates.get(item_id) if status in _OUT_STATUSES else None,
        notes="; ".join(notes),
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
            if item_id is not None:  # always, by the query: events about records have none
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


def _cells(line: LedgerLine, t: Translator) -> list[Any]:
    """A line as the file's cells; the weight as :class:`Kilograms`."""
    return [
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


def _total(data: Ledger, t: Translator) -> list[Any]:
    total = ["", t("ledger.total"), t("ledger.total_items", count=t.number(data.total_items))]
    return [*total, "", "", Kilograms(data.total_weight_kg), *[""] * 6]


def ledger_xlsx(data: Ledger, lang: str = "vi") -> bytes:
    t = translator(lang)
    return _xlsx(data, iter(data.lines), t, lambda: data)


def ledger_pdf(data: Ledger, lang: str = "vi") -> bytes:
    t = translator(lang)
    return _pdf(data, iter(data.lines), t, lambda: data)


def ledger_file(
    session: Session,
    actor: User,
    fmt: str,
    warehouse_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    lang: str = "vi",
) -> bytes:
    """The ledger as XLSX or PDF, its lines streamed from the database into the file (the
    memory it takes does not grow with the number of items but by the file's own size)."""
    run = ledger_run(session, actor, warehouse_code, date_from, date_to, lang)
    head = run.header()
    render = _xlsx if fmt == "xlsx" else _pdf
    return render(head, run.lines(), run.t, run.header)


def _xlsx(head: Ledger, lines: Iterator[LedgerLine], t: Translator, totals: Any) -> bytes:
    rows = (_cells(line, t) for line in lines)
    stamp = day_start(head.date_to or head.date_from or date(2000, 1, 1))
    return streamed_workbook(
        t("ledger.sheet"),
        _headers(t),
        rows,
        lambda: _total(totals(), t),
        WIDTHS,
        _title(head, t),
        stamp,
    )


PDF_WIDTHS = [10, 24, 42, 13, 11, 22, 25, 22, 16, 27, 21, 40]
PDF_WRAPPED = {2, 6, 11}  # description, judgment, notes: paragraphs; the rest plain text
PDF_ROWS_PER_TABLE = 30


def _pdf(head: Ledger, lines: Iterator[LedgerLine], t: Translator, totals: Any) -> bytes:
    """Page by page: the lines become small tables as the document needs them, so neither
    the lines nor their flowables are all in memory at once."""

    def story() -> Iterator[Any]:
        yield pdfdoc.para(_title(head, t), "title")
        yield pdfdoc.spacer()
        chunk: list[list[Any]] = []
        for line in lines:
            chunk.append([text_cell(c, t) for c in _cells(line, t)])
            if len(chunk) == PDF_ROWS_PER_TABLE:
                yield pdfdoc.light_table(_headers(t), chunk, PDF_WIDTHS, PDF_WRAPPED)
                chunk = []
        chunk.append([text_cell(c, t) for c in _total(totals(), t)])
        yield pdfdoc.light_table(_headers(t), chunk, PDF_WIDTHS, PDF_WRAPPED)
        yield pdfdoc.spacer(8)
        yield pdfdoc.signatures([(t("ledger.signer_maker"), ""), (t("ledger.signer_head"), "")])

    return pdf_landscape(pdfdoc.LazyStory(story()), _title(head, t))
