"""Routes for the official exports; the work is in ``exports``."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from .. import exports
from ..errors import Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, SessionDep

router = APIRouter(prefix="/exports", tags=["exports"])
ERRORS = error_responses(Unauthorized, NotFound, Invalid)
FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            "application/pdf": {},
        },
        "description": "XLSX or PDF (format=), or JSON with format=json",
    }
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Annotated[Literal["xlsx", "pdf", "json"], Query(alias="format")]
Lang = Annotated[Literal["vi", "en"], Query(description="vi: the official file; en: a translation")]


def _file(content: bytes, name: str, fmt: str) -> Response:
    media = XLSX if fmt == "xlsx" else "application/pdf"
    return Response(
        content=content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@router.get(
    "/ledger",
    response_model=exports.Ledger,
    responses={**ERRORS, **FILES},
)
def ledger(
    actor: CurrentUser,
    session: SessionDep,
    warehouse_code: Annotated[str | None, Query(description="one warehouse's ledger")] = None,
    date_from: Annotated[date | None, Query(alias="from", description="period's first day")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="period's last day")] = None,
    fmt: Format = "xlsx",
    lang: Lang = "vi",
) -> exports.Ledger | Response:
    """The evidence ledger (Mẫu 13) of a period: every item held in it, with the opening and
    closing balances and the closing block."""
    if date_from and date_to and date_to < date_from:
        raise Invalid(
            "to",
            "the end of the period is before its start",
            where="query",
            key="keysb_pages.period_reversed",
        )
    name = f"so-vat-chung-{warehouse_code or 'tat-ca'}"
    if fmt == "json":
        return exports.ledger(session, actor, warehouse_code, date_from, date_to, lang)
    content = exports.ledger_file(session, actor, fmt, warehouse_code, date_from, date_to, lang)
    return _file(content, name, fmt)


@router.get(
    "/summary",
    response_model=exports.Summary,
    responses={**ERRORS, **FILES},
)
def summary(
    actor: CurrentUser,
    session: SessionDep,
    period: Annotated[
        str,
        Query(
            description="2026 (year), 2026-H1/H2 (half), 2026-Q1…Q4 (quarter), 2026-TK6 / "
            "2026-TK12 (THADS statistical periods from 01/10, to be confirmed)"
        ),
    ],
    fmt: Format = "xlsx",
    lang: Lang = "vi",
) -> exports.Summary | Response:
    """The six-monthly or yearly report, with the period before alongside."""
    data = exports.summary(session, actor, period)
    if fmt == "json":
        return data
    name = f"bao-cao-vat-chung-{data.period}"
    return _file(
        exports.summary_xlsx(data, lang) if fmt == "xlsx" else exports.summary_pdf(data, lang),
        name,
        fmt,
    )
