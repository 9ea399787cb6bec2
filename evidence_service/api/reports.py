"""Routes for management reports; the work is in ``reports``."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from .. import reports
from ..errors import NotFound, Unauthorized, error_responses
from .deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(prefix="/reports", tags=["reports"])
ERRORS = error_responses(Unauthorized, NotFound)
CSV_RESPONSE = {200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with ?format=csv"}}
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
    response_model=reports.CapacityReport,
    responses={**ERRORS, **CSV_RESPONSE},  # type: ignore[dict-item]
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


@router.get("/hazard-conflicts", responses=ERRORS)
def hazard_conflicts(
    actor: CurrentUser, session: SessionDep, warehouse_code: WarehouseFilter = None
) -> reports.HazardConflictReport:
    """Segregation and placement rules broken by items stored now."""
    return reports.hazard_conflict_report(session, actor, warehouse_code)


@router.get(
    "/ageing",
    response_model=reports.AgeingReport,
    responses={**ERRORS, **CSV_RESPONSE},  # type: ignore[dict-item]
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
