"""The official files in the browser: the ledger of a warehouse for a period (XLSX or PDF)
and the six-monthly or yearly summary, picked by period. The work is in ``exports``."""

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from ... import exports, locations
from ...auth import can
from ...errors import Invalid
from ...exports.ledger import closing
from ...legal.holidays import local_today
from ...models import OfficialDocument
from ...periods import period_label
from ..context import FormPage, UserPage
from ..errors import WebRoute
from ..forms import validate

router = APIRouter(route_class=WebRoute, include_in_schema=False)
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _file(content: bytes, name: str, fmt: str) -> Response:
    return Response(
        content=content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


def _format(value: str) -> str:
    if value not in MEDIA:
        raise Invalid(
            "format", "xlsx or pdf", value, where="query", key="keysb_pages.format_xlsx_pdf"
        )
    return value


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(
            name,
            "a date (yyyy-mm-dd)",
            value,
            where="query",
            key="keysb_pages.not_a_date",
            params={"value": value},
        ) from None


@router.get("/downloads")
def downloads(page: UserPage) -> Response:
    year = local_today().year
    return page.render(
        "downloads.html",
        warehouses=locations.list_warehouses(page.db, page.me),
        years=list(range(year, year - 6, -1)),
        this_year=year,
        closable=[(label, period_words(label, page)) for label in closing.closable(local_today())],
        closings=closing.closings(page.db, page.me, page.lang),
        may_close=can(page.me, "close_ledger"),
        closed=page.request.query_params.get("closed", ""),
    )


def period_words(label: str, page: UserPage) -> str:
    return period_label(label, page.t)


@router.post("/downloads/closings")
def close_ledger(page: FormPage) -> Response:
    """Close the ledger of an ended period (``exports.ledger.closing``); a refusal shows as
    the error page, in the reader's language, and changes nothing."""
    data = validate(
        closing.LedgerClosingCreate,
        {"period": page.field("period"), "warehouse_code": page.field("warehouse_code") or None},
    )
    done = closing.close(page.db, data, page.me)
    return page.redirect(f"/downloads?closed={quote(done.number, safe='')}#closings")


@router.get("/downloads/closings/{closing_id}.pdf")
def closing_pdf(closing_id: int, page: UserPage) -> Response:
    return _stored(closing.closing_pdf(page.db, closing_id, page.me))


@router.get("/downloads/closings/{closing_id}/summary.pdf")
def closing_summary_pdf(closing_id: int, page: UserPage) -> Response:
    return _stored(closing.closing_summary(page.db, closing_id, page.me))


def _stored(doc: OfficialDocument) -> Response:
    return Response(
        doc.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="khoa-so-{doc.number.replace("/", "-")}.pdf"',
            "X-SHA256": doc.sha256,
        },
    )


@router.get("/downloads/ledger")
def ledger_file(page: UserPage) -> Response:
    q = page.request.query_params
    fmt = _format(q.get("format", "xlsx"))
    warehouse = q.get("warehouse_code") or None
    start, end = _day(q.get("from", ""), "from"), _day(q.get("to", ""), "to")
    if start and end and end < start:
        raise Invalid(
            "to",
            "the end of the period is before its start",
            where="query",
            key="keysb_pages.period_reversed",
        )
    content = exports.ledger_file(page.db, page.me, fmt, warehouse, start, end, page.lang)
    return _file(content, f"so-vat-chung-{warehouse or 'tat-ca'}", fmt)


@router.get("/downloads/summary")
def summary_file(page: UserPage) -> Response:
    q = page.request.query_params
    fmt = _format(q.get("format", "xlsx"))
    half = q.get("half", "")  # a period's code: H1, H2, TK6, TK12, or "" (the year)
    period = q.get("year", "") + (f"-{half}" if half and half in exports.period_codes() else "")
    data = exports.summary(page.db, page.me, period)
    render = exports.summary_xlsx if fmt == "xlsx" else exports.summary_pdf
    return _file(render(data, page.lang), f"bao-cao-vat-chung-{data.period}", fmt)
