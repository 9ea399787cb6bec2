"""Closing the ledger (khóa sổ): the ledger of a quarter, a half-year or a year, once the period
has ended, frozen as a final official document (its number from the document engine's counter
of kind ``ledger_closing``, its bytes and SHA-256 kept, on the custody chain as every final
document is), printed with "Số: …", the closing note and the four signatures.

The rule: Circular 04/2023/TT-BTP Art. 30(4)(c) (ledgers closed each quarter, half-year and
year-end, signed by the person closing, the accountant and the storekeeper, confirmed by the
head) and Art. 30(4)(d) (an electronic ledger printed every quarter, closed and archived), as
vn-legal-context §3.6 quotes them; the layout (``documents/layouts/ledger_closing.toml``) says
what is still to be confirmed. One closing per agency, warehouse (or all of them) and period:
a second is refused, as is a period not yet ended (today is ``local_today()``).

Closing the agency's whole ledger (no warehouse named) of a half-year or a year also issues
that period's six-monthly or yearly summary (báo cáo, kind ``evidence_summary``), numbered and
kept the same way: it is made once the period is over and its figures are the closed ledger's.
"""

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from ... import documents
from ...auth import agency_scope, require
from ...custody import lock_for_write
from ...errors import Conflict, Invalid, NotFound
from ...i18n import translator
from ...legal.holidays import local_today
from ...locations import get_warehouse
from ...models import Agency, OfficialDocument, User, Warehouse
from ...periods import Period, period, period_label
from ..summary import summary, summary_pdf
from .lines import ledger_run
from .printout import CLOSED_KIND, Closed, ledger_printout

# The periods a ledger closes on (report_periods.toml): the calendar ones of Art. 30(4)(c).
CLOSING_PERIODS = frozenset({"year", "H1", "H2", "Q1", "Q2", "Q3", "Q4"})
# The closings that issue the summary too: the six-monthly and the yearly report.
SUMMARY_PERIODS = frozenset({"year", "H1", "H2"})
SUMMARY_KIND = "evidence_summary"
API = "/api/v1/ledger/closings"


class LedgerClosingCreate(BaseModel):
    period: str = Field(
        max_length=16, description="2026-Q3 (quarter), 2026-H2 (half-year) or 2026 (year)"
    )
    warehouse_code: str | None = Field(
        default=None, max_length=32, description="one warehouse's ledger; none: all of them"
    )


class LedgerClosingPublic(BaseModel):
    id: int
    number: str
    period: str
    period_words: str
    date_from: date
    date_to: date
    warehouse_code: str | None
    agency_id: int
    sha256: str
    closed_at: datetime
    closed_by: str | None
    pdf_url: str
    # The summary issued with it (the agency's whole ledger of a half-year or year).
    summary_number: str | None = None
    summary_pdf_url: str | None = None


def closable(today: date, years: int = 3) -> list[str]:
    """The ended periods of the last ``years`` years a ledger closes on, newest first (what
    the page offers; closing any other is refused)."""
    out = []
    for year in range(today.year, today.year - years, -1):
        for code in ("", "H2", "Q4", "Q3", "H1", "Q2", "Q1"):
            p = period(f"{year}-{code}" if code else str(year))
            if p.after <= today:
                out.append(p)
    return [p.label for p in sorted(out, key=lambda p: (p.after, -p.kind.months), reverse=True)]


def subject(agency_id: int, warehouse_id: int | None, label: str) -> str:
    return f"{CLOSED_KIND}:{agency_id}:{warehouse_id or 0}:{label}"


def summary_subject(agency_id: int, label: str) -> str:
    return f"{SUMMARY_KIND}:{agency_id}:{label}"


def _closing_period(text: str) -> Period:
    p = period(text)
    if p.kind.key not in CLOSING_PERIODS:
        raise Invalid(
            "period",
            "a ledger closes on a quarter (2026-Q3), a half-year (2026-H2) or a year (2026)",
            text,
            key="docs15_closing.not_a_closing_period",
        )
    return p


def close(session: Session, data: LedgerClosingCreate, actor: User) -> OfficialDocument:
    """Close the ledger of ``data.period``: render it as it stands, numbered, and keep it."""
    require(actor, "close_ledger")
    p = _closing_period(data.period)
    warehouse = get_warehouse(session, data.warehouse_code, actor) if data.warehouse_code else None
    agency_id = warehouse.agency_id if warehouse else actor.agency_id
    lock_for_write(session, agency_id)
    today = local_today()
    if p.after > today:
        raise Conflict(
            f"the period {p.label} ends on {p.last.isoformat()}: it cannot be closed before",
            key="docs15_closing.not_ended",
            params={"period": p.label, "last": p.last.strftime("%d/%m/%Y")},
        )
    about = subject(agency_id, warehouse.id if warehouse else None, p.label)
    if documents.stored(session, CLOSED_KIND, about) is not None:
        raise Conflict(
            f"the ledger of {p.label} is closed already",
            key="docs15_closing.closed_already",
            params={"period": p.label},
        )
    by = actor.full_name or actor.username

    def draw(number: documents.Number) -> bytes:
        run = ledger_run(session, actor, data.warehouse_code, p.first, p.last, "vi")
        closed = Closed(number=number.printed, on=today, by=by)
        return ledger_printout(run.header(), run.lines(), run.t, run.header, closed)

    closed = documents.finalise(session, CLOSED_KIND, agency_id, about, draw, actor)
    if warehouse is None and p.kind.key in SUMMARY_PERIODS:
        report = summary(session, actor, p.label)
        documents.finalise(
            session,
            SUMMARY_KIND,
            agency_id,
            summary_subject(agency_id, p.label),
            lambda number: summary_pdf(report, "vi", number.printed),
            actor,
        )
    return closed


def _public(
    session: Session, doc: OfficialDocument, warehouses: dict[int, str], lang: str
) -> LedgerClosingPublic:
    _, _, warehouse_id, label = doc.subject.split(":", 3)
    p = period(label)
    user = session.get(User, doc.finalised_by_id) if doc.finalised_by_id else None
    report = documents.stored(session, SUMMARY_KIND, summary_subject(doc.agency_id, p.label))
    with_report = report is not None and warehouse_id == "0"
    assert doc.id is not None
    return LedgerClosingPublic(
        id=doc.id,
        number=doc.number,
        period=p.label,
        period_words=period_label(p.label, translator(lang)),
        date_from=p.first,
        date_to=p.last,
        warehouse_code=warehouses.get(int(warehouse_id)),
        agency_id=doc.agency_id,
        sha256=doc.sha256,
        closed_at=doc.finalised_at,
        closed_by=(user.full_name or user.username) if user else None,
        pdf_url=f"{API}/{doc.id}.pdf",
        summary_number=report.number if report and with_report else None,
        summary_pdf_url=f"{API}/{doc.id}/summary.pdf" if with_report else None,
    )


def closings(session: Session, actor: User, lang: str = "vi") -> list[LedgerClosingPublic]:
    """Every closing the actor's agencies made, newest first."""
    scope = agency_scope(session, actor)
    rows = session.exec(
        select(OfficialDocument)
        .where(OfficialDocument.kind == CLOSED_KIND, col(OfficialDocument.agency_id).in_(scope))
        .order_by(col(OfficialDocument.id).desc())
    ).all()
    warehouses = dict(
        session.execute(
            select(Warehouse.id, Warehouse.code).where(col(Warehouse.agency_id).in_(scope))
        ).all()  # type: ignore[arg-type]
    )
    return [_public(session, doc, warehouses, lang) for doc in rows]


def closing_pdf(session: Session, closing_id: int, actor: User) -> OfficialDocument:
    """The closed ledger as it was issued (its bytes read here)."""
    doc = session.get(OfficialDocument, closing_id)
    if (
        doc is None
        or doc.kind != CLOSED_KIND
        or doc.agency_id not in agency_scope(session, actor)
        or session.get(Agency, doc.agency_id) is None
    ):
        raise NotFound(
            f"ledger closing {closing_id} not found",
            key="lead_closing.not_found",
            params={"id": closing_id},
        )
    return doc


def closing_summary(session: Session, closing_id: int, actor: User) -> OfficialDocument:
    """The summary issued with a closing of the agency's whole ledger (404 for another)."""
    doc = closing_pdf(session, closing_id, actor)
    _, agency_id, warehouse_id, label = doc.subject.split(":", 3)
    report = documents.stored(session, SUMMARY_KIND, summary_subject(int(agency_id), label))
    if report is None or warehouse_id != "0":
        raise NotFound(
            f"ledger closing {closing_id} issued no summary",
            key="lead_closing.no_summary",
            params={"id": closing_id},
        )
    found = session.get(OfficialDocument, report.id)
    assert found is not None
    return found


def public(session: Session, doc: OfficialDocument, actor: User) -> LedgerClosingPublic:
    scope = agency_scope(session, actor)
    warehouses = dict(
        session.execute(
            select(Warehouse.id, Warehouse.code).where(col(Warehouse.agency_id).in_(scope))
        ).all()  # type: ignore[arg-type]
    )
    return _public(session, doc, warehouses, "vi")
