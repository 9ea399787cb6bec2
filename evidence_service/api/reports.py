"""Every ``/reports/*`` route: capacity, hazard conflicts, ageing, overdue check-outs,
discrepancies, destruction deadlines and totals. The work is in the domain modules; the
reports that belong to one domain keep its tag beside ``reports``."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from .. import destruction, reports, stocktakes
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..items import handling
from .deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(prefix="/reports")
ERRORS = error_responses(Unauthorized, NotFound)
# The destruction reports declared the destruction routes' errors; kept so the spec stays.
DESTRUCTION_ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with ?format=csv"}
}
Format = Annotated[
    Literal["json", "csv"], Query(alias="format", description="csv: UTF-8 with BOM, for Excel")
]
WarehouseFilter = Annotated[str | None, Query(description="only this warehouse")]


def _csv(text: str, name: str) -> Response:
    return Response(
        content=text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get(
    "/capacity",
    tags=["reports"],
    response_model=reports.CapacityReport,
    responses={**ERRORS, **CSV_RESPONSE},
)
def capacity(
    actor: CurrentUser,
    session: SessionDep,
    warehouse_code: WarehouseFilter = None,
    fmt: Format = "json",
) -> reports.CapacityReport | Response:
    """Used and limit per location (subtree included), by category, and what destroying
    the items ordered destroyed would free."""
    report = reports.capacity_report(session, actor, warehouse_code)
    return _csv(reports.capacity_csv(report), "capacity") if fmt == "csv" else report


@router.get("/hazard-conflicts", tags=["reports"], responses=ERRORS)
def hazard_conflicts(
    actor: CurrentUser, session: SessionDep, warehouse_code: WarehouseFilter = None
) -> reports.HazardConflictReport:
    """Segregation and placement rules broken by items stored now."""
    return reports.hazard_conflict_report(session, actor, warehouse_code)


@router.get(
    "/ageing",
    tags=["reports"],
    response_model=reports.AgeingReport,
    responses={**ERRORS, **CSV_RESPONSE},
)
def ageing(
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    warehouse_code: WarehouseFilter = None,
    long_days: Annotated[int | None, Query(ge=1, description="no judgment after")] = None,
    very_long_days: Annotated[int | None, Query(ge=1, description="no judgment after")] = None,
    destruction_deadline_days: Annotated[int | None, Query(ge=1)] = None,
    fmt: Format = "json",
) -> reports.AgeingReport | Response:
    """Items held past the thresholds (defaults from the settings), by warehouse and
    category."""
    thresholds = reports.AgeingThresholds(
        long_days=long_days or settings.ageing_long_days,
        very_long_days=very_long_days or settings.ageing_very_long_days,
        destruction_deadline_days=(destruction_deadline_days or settings.destruction_deadline_days),
    )
    report = reports.ageing_report(session, actor, thresholds, warehouse_code)
    return _csv(reports.ageing_csv(report), "ageing") if fmt == "csv" else report


@router.get("/overdue-checkouts", tags=["handling", "reports"])
def overdue_checkouts(actor: CurrentUser, session: SessionDep) -> list[handling.CheckoutPublic]:
    """Items checked out and not back by their due date, most overdue first."""
    return handling.overdue_checkouts(session, actor)


@router.get("/discrepancies", tags=["stocktakes", "reports"])
def discrepancies(
    actor: CurrentUser, session: SessionDep, include_resolved: bool = False
) -> list[dict[str, Any]]:
    """Open discrepancies (missing items, broken seals), with their deadlines; overdue flagged."""
    return stocktakes.discrepancies(session, actor, include_resolved)


@router.get("/destruction-deadlines", tags=["destruction", "reports"], responses=DESTRUCTION_ERRORS)
def deadlines(
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    within_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
) -> destruction.DeadlineReport:
    """Items and batches approaching (within ``within_days``, default from the settings) or
    past a legal deadline of their regime (council established, destruction done, from
    2026-07-01 the owner notified before it), and those met late."""
    days = settings.destruction_deadline_warning_days if within_days is None else within_days
    return destruction.deadline_report(session, actor, days)


@router.get("/legal-deadlines", tags=["reports"], responses=error_responses(Unauthorized, Invalid))
def legal_deadlines(
    actor: CurrentUser,
    session: SessionDep,
    kind: Annotated[str | None, Query(description="a deadline id of the data file")] = None,
    status: Literal["due", "overdue", "late"] | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> reports.LegalDeadlineReport:
    """Every legal deadline (data/legal_deadlines.toml) of the cases, items, batches and
    agencies in scope: due, overdue, or done late (``from``/``to`` bound the due date of open
    lines and the done date of late ones). "Today" is the date in Viet Nam."""
    return reports.legal_deadline_report(session, actor, kind, status, date_from, date_to)


@router.get(
    "/destruction",
    tags=["destruction", "reports"],
    response_model=destruction.DestructionTotals,
    responses={**DESTRUCTION_ERRORS, **CSV_RESPONSE},
)
def totals(
    actor: CurrentUser,
    session: SessionDep,
    period: Literal["month", "quarter", "half", "year"] = "month",
    date_from: date | None = None,
    date_to: date | None = None,
    warehouse_code: WarehouseFilter = None,
    fmt: Format = "json",
) -> destruction.DestructionTotals | Response:
    """Counts and weights destroyed by period, category, method and warehouse; the share
    destroyed by environmentally risky methods; weight discrepancies."""
    report = destruction.destruction_totals(
        session, actor, period, date_from, date_to, warehouse_code
    )
    return _csv(destruction.totals_csv(report), "destruction") if fmt == "csv" else report
