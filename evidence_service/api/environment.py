"""Routes of the environment: emission factors, licensed facilities and warehouse sites, the
destruction planner and the environment report. The work is in ``environment``."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from .. import destruction
from ..environment import facilities, planner, report, report_files
from ..environment.factors import load_factors
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..i18n import translator
from .deps import CurrentUser, IdempotencyKeyHeader, SessionDep, create_once

router = APIRouter(tags=["environment"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {XLSX: {}, "application/pdf": {}},
        "description": "JSON, or XLSX / PDF with format=",
    }
}
Lang = Annotated[Literal["vi", "en"], Query(description="vi: the official report")]


@router.get("/environment/emission-factors", responses=ERRORS)
def emission_factors(actor: CurrentUser) -> dict[str, Any]:
    """The emission factors as loaded from data/emission_factors.toml: every value with its
    source, table, page, class and uncertainty; factors without a value say why. Order of
    magnitude estimates only."""
    table = load_factors()
    return {
        "order_of_magnitude": True,
        "sources": [vars(s) for s in table.sources.values()],
        "pollutants": [vars(p) for p in table.pollutants.values()],
        "material_groups": [vars(g) for g in table.groups],
        "profiles": [vars(p) for p in table.profiles.values()],
        "factors": [vars(f) for f in table.factors],
    }


@router.get("/environment/facilities", responses=ERRORS)
def list_facilities(actor: CurrentUser, session: SessionDep) -> list[facilities.FacilityPublic]:
    """Licensed facilities: data/facilities.toml with the admins' changes and additions."""
    return facilities.facilities(session)


@router.put("/environment/facilities/{facility_id}", responses=ERRORS)
def put_facility(
    facility_id: str, data: facilities.FacilityIn, actor: CurrentUser, session: SessionDep
) -> facilities.FacilityPublic:
    """An admin adds or changes a facility (stored in the database, for every process)."""
    return facilities.set_facility(session, facility_id, data, actor)


@router.get("/environment/warehouse-sites", responses=ERRORS)
def list_sites(actor: CurrentUser, session: SessionDep) -> list[facilities.SitePublic]:
    """Where each warehouse in scope is, and its province."""
    return list(facilities.sites(session, actor).values())


@router.put("/warehouses/{code}/site", responses=ERRORS)
def put_site(
    code: str, data: facilities.SiteIn, actor: CurrentUser, session: SessionDep
) -> facilities.SitePublic:
    """A warehouse's coordinates (WGS 84) and province: its distances to the facilities."""
    return facilities.set_site(session, code, data, actor)


@router.get("/destruction-plan", responses=ERRORS)
def destruction_plan(
    actor: CurrentUser,
    session: SessionDep,
    warehouse_code: Annotated[str | None, Query(description="one warehouse")] = None,
    province: Annotated[str | None, Query(description="the warehouses of a province")] = None,
) -> planner.Plan:
    """The next batches to destroy: eligible items only (stored, disposition destroy, an
    enforcement decision on the case, not in an open batch, no pending two-person request),
    grouped by material, by legal deadline then fullness; per batch the space freed, the new
    "full on" date, the nearest licensed facility and the estimated releases (order of
    magnitude) by the usual local method and at the facility."""
    return planner.plan(session, actor, warehouse_code, province)


@router.post("/destruction-plan/batches", status_code=201, responses=ERRORS)
def create_planned_batch(
    data: planner.PlanBatchCreate,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> destruction.BatchPublic:
    """One call: the draft batch of a proposal (its id from GET /destruction-plan)."""

    def run() -> destruction.BatchPublic:
        t = translator("vi")
        warehouse, _, group = data.proposal_id.partition(":")
        names = {g.id: g.name_vi for g in load_factors().groups}
        title = t(
            "environment_plan.batch_title", group=names.get(group, group), warehouse=warehouse
        )
        batch = planner.create_from_plan(session, data, actor, title)
        return destruction.batch_public(session, batch)

    return create_once(
        session, actor, key, "POST /destruction-plan/batches", data, destruction.BatchPublic, run
    )


@router.get(
    "/reports/environment",
    response_model=report.EnvironmentReport,
    responses={**ERRORS, **FILES},
)
def environment_report(
    actor: CurrentUser,
    session: SessionDep,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    province: Annotated[str | None, Query(description="the warehouses of a province")] = None,
    fmt: Annotated[Literal["json", "xlsx", "pdf"], Query(alias="format")] = "json",
    lang: Lang = "vi",
) -> report.EnvironmentReport | Response:
    """What was destroyed by method and material, the risky share, the estimated releases
    (order of magnitude) and what a licensed facility would have avoided, the space freed, the
    items waiting and their deadlines; the appendix traces every figure to its items and
    factors. Counts and weights equal GET /reports/destruction for the same period."""
    if date_from and date_to and date_to < date_from:
        raise Invalid(
            "to",
            "the period ends before it starts",
            str(date_to),
            where="query",
            key="keysb_pages.period_reversed",
        )
    data = report.environment_report(session, actor, date_from, date_to, province)
    if fmt == "json":
        return data
    content = (
        report_files.report_xlsx(data, lang)
        if fmt == "xlsx"
        else report_files.report_pdf(data, report_files.report_frame(session, actor, lang))
    )
    return Response(
        content=content,
        media_type=XLSX if fmt == "xlsx" else "application/pdf",
        headers={"Content-Disposition": f'attachment; filename="environment.{fmt}"'},
    )
