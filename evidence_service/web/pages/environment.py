"""The environment page for managers: what the destructions of a period (last half-year by
default) released into the air by method, and what a licensed facility would have avoided
(order-of-magnitude estimates); the planner's proposals, each made a draft batch in one click;
the province report as PDF or XLSX."""

from datetime import date, timedelta

from fastapi import APIRouter
from fastapi.responses import Response

from ...auth import require
from ...destruction.methods import load_methods
from ...environment import planner, report, report_files
from ...environment.factors import load_factors
from ...environment.numbers import significant
from ...errors import DomainError, Invalid
from ...legal.holidays import local_today
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain
from ..forms import iso_date
from .charts import HRow, Segment

router = APIRouter(route_class=WebRoute, include_in_schema=False)
HALF_YEAR_DAYS = 182


def _period(date_from: str, date_to: str) -> tuple[date, date]:
    """The period asked, by default the last half-year up to today (in Viet Nam)."""
    end = iso_date(date_to, "to") or local_today()
    start = iso_date(date_from, "from") or end - timedelta(days=HALF_YEAR_DAYS)
    if end < start:
        raise Invalid(
            "to",
            "the period ends before it starts",
            date_to,
            where="query",
            key="keysb_pages.period_reversed",
        )
    return start, end


def method_rows(page: Page, data: report.EnvironmentReport) -> list[HRow]:
    """A bar per method: the weight it destroyed."""
    names = {
        m: report_files.method_name(m, page.lang)
        for m in {c.method for c in data.by_method_material}
    }
    weights: dict[str, float] = {}
    for c in data.by_method_material:
        weights[c.method] = weights.get(c.method, 0.0) + c.weight_kg
    peak = max(weights.values(), default=0.0) or 1.0
    methods = load_methods().methods
    risky = {m: bool(methods[m].environmental_risk) for m in weights if m in methods}
    return [
        HRow(
            label=names[m],
            text=page.t.fmt.weight(w * 1000, unit="kg"),
            segments=[Segment(w, "bar-risky" if risky.get(m) else "bar-used")],
            scale_max=peak,
        )
        for m, w in sorted(weights.items())
    ]


def avoided_rows(page: Page, data: report.EnvironmentReport) -> list[HRow]:
    """A bar per method and pollutant: the release estimated, and below it what the licensed
    incinerator would have released (the difference is what it avoids)."""
    t, rows = page.t, []
    methods = load_methods().methods
    for m in data.releases:
        css = (
            "bar-risky"
            if m.method in methods and methods[m.method].environmental_risk
            else "bar-used"
        )
        at = {(r.profile, r.pollutant): r for r in m.at_alternatives}
        for r in m.actual:
            if r.value is None:
                continue
            alt = at.get(("licensed_incineration", r.pollutant))
            there = alt.value if alt and alt.value is not None else None
            pollutant = load_factors().pollutants[r.pollutant]
            label = f"{report_files.method_name(m.method, page.lang)} · {pollutant.name(page.lang)}"
            text = t(
                "environment_page.avoided_text",
                value=significant(t, r.value),
                unit=r.unit,
                there=significant(t, there),
            )
            rows.append(
                HRow(
                    label=label,
                    text=text,
                    segments=[Segment(r.value, css)],
                    scale_max=r.value or 1.0,
                    marker=there,
                )
            )
    return rows


def render(
    page: Page, date_from: str, date_to: str, province: str, error: DomainError | None = None
) -> Response:
    require(page.me, "audit")
    start, end = _period(date_from, date_to)
    data = report.environment_report(page.db, page.me, start, end, province or None)
    return page.render(
        "environment.html",
        status_code=error.status_code if error else 200,
        errors=explain(error, page.t).messages if error else [],
        data=data,
        start=start,
        end=end,
        province=province,
        method_chart=method_rows(page, data),
        avoided_chart=avoided_rows(page, data),
        sig=lambda v: significant(page.t, v),
        method_name=lambda m: report_files.method_name(m, page.lang),
        group_name=lambda g: report_files.group_name(g, page.lang),
        pollutants=load_factors().pollutants,
        can_prepare=page.can("prepare_destruction"),
    )


@router.get("/environment")
def environment_page(
    page: UserPage, date_from: str = "", date_to: str = "", province: str = ""
) -> Response:
    return render(page, date_from, date_to, province)


@router.post("/environment/plan/batches")
def create_batch(page: FormPage) -> Response:
    proposal = page.field("proposal_id")
    data = planner.PlanBatchCreate(proposal_id=proposal or "-:-")
    warehouse, _, group = proposal.partition(":")
    title = page.t(
        "environment_plan.batch_title",
        group=report_files.group_name(group, "vi"),
        warehouse=warehouse,
    )
    try:
        batch = planner.create_from_plan(page.db, data, page.me, title)
    except DomainError as exc:
        return render(page, "", "", "", exc)
    return page.redirect(f"/destruction/{batch.id}?done=items")


@router.get("/environment/report.{fmt}")
def report_file(
    fmt: str, page: UserPage, date_from: str = "", date_to: str = "", province: str = ""
) -> Response:
    require(page.me, "audit")
    if fmt not in ("pdf", "xlsx"):
        raise Invalid("format", "pdf or xlsx", fmt, where="path", key="keysb_pages.format_xlsx_pdf")
    start, end = _period(date_from, date_to)
    data = report.environment_report(page.db, page.me, start, end, province or None)
    if fmt == "pdf":
        content, media = (
            report_files.report_pdf(data, report_files.report_frame(page.db, page.me, page.lang)),
            "application/pdf",
        )
    else:
        content = report_files.report_xlsx(data, page.lang)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        content,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="environment.{fmt}"',
            "Cache-Control": "no-store",
        },
    )
