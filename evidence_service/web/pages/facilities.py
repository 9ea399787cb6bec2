"""Licensed facilities and warehouse sites: everyone reads the list; an admin adds or changes
a facility (stored in the database, for every process), a manager places a warehouse (its
coordinates and province), from which the planner measures distances."""

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import col, select

from ...auth import agency_scope
from ...environment import facilities
from ...environment.factors import load_factors
from ...errors import DomainError
from ...models import FacilityKind, Warehouse
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain
from ..forms import number, validate

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def render(page: Page, error: DomainError | None = None, done: str = "") -> Response:
    warehouses = page.db.exec(
        select(Warehouse)
        .where(col(Warehouse.agency_id).in_(agency_scope(page.db, page.me)))
        .order_by(col(Warehouse.code))
    ).all()
    return page.render(
        "facilities.html",
        status_code=error.status_code if error else 200,
        errors=explain(error, page.t).messages if error else [],
        done=done,
        facilities=facilities.facilities(page.db),
        sites=facilities.sites(page.db, page.me),
        warehouses=warehouses,
        kinds=list(FacilityKind),
        groups=load_factors().groups,
        road=facilities.road_rule(),
        can_edit=page.can("manage_agencies"),
        can_place=page.can("manage_locations"),
        values=dict(page.form.items()),
    )


@router.get("/environment/facilities")
def facilities_page(page: UserPage) -> Response:
    return render(page, done=page.request.query_params.get("done", ""))


@router.post("/environment/facilities")
def save_facility(page: FormPage) -> Response:
    try:
        data = validate(
            facilities.FacilityIn,
            {
                "name": page.field("name"),
                "province": page.field("province"),
                "kind": page.field("kind"),
                "permit_ref": page.field("permit_ref"),
                "material_groups": page.fields("material_groups"),
                "latitude": number(page.field("latitude"), "latitude"),
                "longitude": number(page.field("longitude"), "longitude"),
                "source": page.field("source"),
                "verified": page.field("verified") == "1",
                "active": page.field("active", "1") == "1",
                "note": page.field("note"),
            },
        )
        facilities.set_facility(page.db, page.field("id"), data, page.me)
    except DomainError as exc:
        return render(page, exc)
    return page.redirect("/environment/facilities?done=facility")


@router.post("/environment/sites/{code}")
def save_site(code: str, page: FormPage) -> Response:
    try:
        data = validate(
            facilities.SiteIn,
            {
                "latitude": number(page.field("latitude"), "latitude"),
                "longitude": number(page.field("longitude"), "longitude"),
                "province": page.field("province"),
            },
        )
        facilities.set_site(page.db, code, data, page.me)
    except DomainError as exc:
        return render(page, exc)
    return page.redirect("/environment/facilities?done=site")
