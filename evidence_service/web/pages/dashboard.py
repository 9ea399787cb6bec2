"""The manager's dashboard: capacity, the forecast of when each warehouse is full, hazard
conflicts, ageing, overdue check-outs, legal deadlines and destruction totals. Every chart
has its numbers in a table and a CSV download (``/dashboard/<report>.csv``)."""

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response

from ... import destruction, reports
from ...auth import require
from ...i18n import Translator
from ...items import handling
from ..context import Page, UserPage
from ..errors import WebRoute
from ..forms import iso_date
from .charts import Column, ColumnChart, HRow, Segment, scale_for

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Period = Literal["month", "quarter", "half", "year"]
PERIODS: tuple[Period, ...] = ("month", "quarter", "half", "year")
UNITS = {"items": "", "net_weight_kg": "kg", "volume_l": "L"}


def _level(used: float, limit: float | None) -> str:
    if not limit:
        return "bar-used"
    share = used / limit
    return "bar-full" if share >= 1 - 1e-9 else "bar-warn" if share >= 0.8 else "bar-used"


def _amount(page: Page, value: float | None, measure: str) -> str:
    unit = UNITS[measure]
    return f"{page.t.number(value)} {unit}".strip() if value is not None else ""


def capacity_rows(page: Page, warehouse: reports.capacity.WarehouseCapacity) -> list[HRow]:
    """A bar per location and limited measure (or used amount when no limit)."""
    t, rows = page.t, []
    # Amounts without a limit are drawn against the largest such amount of the warehouse.
    peak = {
        measure: max((float(getattr(loc, measure).used) for loc in warehouse.locations), default=0)
        for measure in reports.forecast.MEASURES
    }
    for loc in warehouse.locations:
        for measure in reports.forecast.MEASURES:
            m = getattr(loc, measure)
            if m.limit is None and not m.used:
                continue
            used, limit = float(m.used), float(m.limit) if m.limit is not None else None
            text = _amount(page, used, measure)
            if limit is not None:
                text += f" / {_amount(page, limit, measure)} ({t.number(m.percent, 1)} %)"
                css, scale = _level(used, limit), scale_for(used, limit)
            else:
                text += f" · {t('dashboard.no_limit')}"
                css, scale = "bar-nolimit", peak[measure] or 1.0
            rows.append(
                HRow(
                    label=loc.code,
                    sub=t(f"dashboard.measure_{measure}"),
                    text=text,
                    # No limit: an empty dashed track, never a bar that looks full.
                    segments=[Segment(used, css)] if limit is not None else [],
                    scale_max=scale,
                    marker=limit,
                    depth=min(loc.depth, 4),
                    href=f"/locations/{loc.code}",
                    css="over" if loc.over_limit else "" if limit is not None else "unlimited",
                )
            )
    return rows


def forecast_rows(page: Page, warehouse: reports.WarehouseForecast, window: int) -> list[HRow]:
    """Used now, and the growth over the next ``window`` days at the current rate."""
    t, rows = page.t, []
    for m in warehouse.measures:
        if m.capacity is None:
            continue
        growth = max(m.net_per_day * window, 0.0)
        if m.state == "full":
            when = t("dashboard.full_now")
        elif m.full_on:
            when = t("dashboard.full_on", date=t.date(m.full_on), days=t.number(m.days_left, 0))
        else:
            when = t("dashboard.not_filling")
        rows.append(
            HRow(
                label=t(f"dashboard.measure_{m.measure}"),
                text=f"{_amount(page, m.used, m.measure)} / {_amount(page, m.capacity, m.measure)}"
                f" · {when}",
                segments=[
                    Segment(m.used, _level(m.used, m.capacity)),
                    Segment(growth, "bar-growth"),
                ],
                scale_max=scale_for(m.used, m.capacity, growth),
                marker=m.capacity,
                css="over" if m.state == "full" else "",
            )
        )
    return rows


def ageing_rows(page: Page, report: reports.AgeingReport) -> list[HRow]:
    peak = max(report.totals.values(), default=0) or 1
    return [
        HRow(
            label=page.t(f"dashboard.ageing_{reason}"),
            text=page.t.number(count),
            segments=[Segment(count, "bar-warn" if count else "bar-used")],
            scale_max=peak,
        )
        for reason, count in report.totals.items()
        if reason in reports.AGEING_REASONS
    ]


def method_rows(page: Page, totals: destruction.DestructionTotals) -> list[HRow]:
    methods = destruction.load_methods().methods
    peak = max((m.weight_kg for m in totals.by_method), default=0.0) or 1.0
    rows = []
    for m in totals.by_method:
        base = m.key.removesuffix(" (risky)")
        method = methods.get(base)
        risky = bool(m.environmental_risk)
        rows.append(
            HRow(
                label=method.name(page.lang) if method else base,
                sub=page.t("dashboard.risky") if risky else "",
                text=f"{page.t.number(m.weight_kg)} kg · {counted(page.t, 'n_items', m.items)}",
                segments=[Segment(m.weight_kg, "bar-risky" if risky else "bar-used")],
                scale_max=peak,
                css="risky" if risky else "",
            )
        )
    return rows


def period_words(t: Translator, key: str) -> str:
    """A period key of the totals in words: ``2026-12`` → "tháng 12/2026", ``2026-H2`` →
    "6 tháng cuối năm 2026", ``2026-Q1`` → "quý 1/2026", ``2026`` → "năm 2026"."""
    year, _, part = key.partition("-")
    if not part:
        return t("keeper_period.year", year=year)
    if part.isdigit():
        return t(
            "keeper_period.month", year=year, month=int(part), name=t(f"keeper_period.m{int(part)}")
        )
    kind, number = part[0], part[1:]
    return t(f"keeper_period.{'quarter' if kind == 'Q' else 'half_' + number}", year=year, n=number)


def counted(t: Translator, key: str, n: int, **values: Any) -> str:
    """``dashboard.<key>`` with its count, in the singular where the language has one."""
    if n == 1 and t.has(f"keeper_plural.{key}_one"):
        return t(f"keeper_plural.{key}_one", n=n, **values)
    return t(f"dashboard.{key}", n=n, **values)


def period_chart(page: Page, totals: destruction.DestructionTotals) -> ColumnChart:
    return ColumnChart(
        [
            Column(
                label=period_words(page.t, p.key),
                value=p.weight_kg,
                text=page.t.number(p.weight_kg, 1),
            )
            for p in totals.by_period[-12:]
        ]
    )


@dataclass
class Totals:
    report: destruction.DestructionTotals
    period: Period
    date_from: date | None
    date_to: date | None

    @property
    def query(self) -> str:
        parts = [f"period={self.period}"]
        if self.date_from:
            parts.append(f"date_from={self.date_from.isoformat()}")
        if self.date_to:
            parts.append(f"date_to={self.date_to.isoformat()}")
        return "&".join(parts)


def _totals(page: Page, period: Period, date_from: str, date_to: str) -> Totals:
    start, end = iso_date(date_from, "date_from"), iso_date(date_to, "date_to")
    report = destruction.destruction_totals(page.db, page.me, period, start, end)
    return Totals(report, period, start, end)


def _thresholds(page: Page) -> reports.AgeingThresholds:
    s = page.settings
    return reports.AgeingThresholds(
        s.ageing_long_days, s.ageing_very_long_days, s.destruction_deadline_days
    )


@router.get("/dashboard")
def dashboard(
    page: UserPage,
    period: Period = "month",
    date_from: str = "",
    date_to: str = "",
) -> Response:
    require(page.me, "audit")
    db, me = page.db, page.me
    capacity = reports.capacity_report(db, me)
    forecast = reports.capacity_forecast(db, me)
    ageing = reports.ageing_report(db, me, _thresholds(page))
    totals = _totals(page, period, date_from, date_to)
    return page.render(
        "dashboard.html",
        period_words=period_words,
        capacity=capacity,
        capacity_charts={w.code: capacity_rows(page, w) for w in capacity.warehouses},
        forecast=forecast,
        forecast_charts={
            w.code: forecast_rows(page, w, forecast.window_days) for w in forecast.warehouses
        },
        hazards=reports.hazard_conflict_report(db, me),
        ageing=ageing,
        ageing_chart=ageing_rows(page, ageing),
        overdue=handling.overdue_checkouts(db, me),
        deadlines=destruction.deadline_report(
            db, me, page.settings.destruction_deadline_warning_days
        ),
        legal=reports.legal_deadline_report(db, me),
        totals=totals,
        method_chart=method_rows(page, totals.report),
        period_chart=period_chart(page, totals.report),
        periods=PERIODS,
        deadline_names={
            key: names["en" if page.lang == "en" else "vi"]
            for key, names in destruction.load_deadlines().items()
        },
    )


def _csv(text: str, name: str) -> Response:
    """A download for people: the page's language and formats (the API's CSV is for machines)."""
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/dashboard/capacity.csv")
def capacity_csv(page: UserPage) -> Response:
    require(page.me, "audit")
    return _csv(reports.capacity_csv(reports.capacity_report(page.db, page.me), page.t), "capacity")


@router.get("/dashboard/forecast.csv")
def forecast_csv(page: UserPage) -> Response:
    require(page.me, "audit")
    return _csv(
        reports.forecast_csv(reports.capacity_forecast(page.db, page.me), page.t), "forecast"
    )


@router.get("/dashboard/ageing.csv")
def ageing_csv(page: UserPage) -> Response:
    require(page.me, "audit")
    report = reports.ageing_report(page.db, page.me, _thresholds(page))
    return _csv(reports.ageing_csv(report, page.t), "ageing")


@router.get("/dashboard/destruction.csv")
def destruction_csv(
    page: UserPage,
    period: Period = "month",
    date_from: str = "",
    date_to: str = "",
) -> Response:
    require(page.me, "audit")
    totals = _totals(page, period, date_from, date_to)
    return _csv(destruction.totals_csv(totals.report, page.t), "destruction")
