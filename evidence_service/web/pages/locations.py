"""The location tree with usage bars and hazard classes, and one location's page."""

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import Response

from ... import custodians, labels, locations
from ...errors import DomainError
from ...items import list_items
from ...models import LocationKind
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain, technical
from ..forms import validate
from .labels import print_dialog

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@dataclass(frozen=True)
class Bar:
    """One usage bar: how much of a limit is used (no limit: just the amount)."""

    label_key: str
    used: float
    limit: float | None
    unit: str

    @property
    def percent(self) -> float:
        return min(100.0, self.used / self.limit * 100) if self.limit else 0.0

    @property
    def level(self) -> str:
        """ok / warn (≥ 80 %) / full (≥ 100 %): the colour of the bar."""
        if not self.limit:
            return "none"
        share = self.used / self.limit
        return "full" if share >= 1 - 1e-9 else "warn" if share >= 0.8 else "ok"


def usage_bars(location: locations.LocationPublic) -> list[Bar]:
    usage = location.usage
    return [
        Bar("location.count", usage.items, location.max_items, ""),
        Bar("location.weight", usage.net_weight_kg, location.max_weight_kg, "kg"),
        Bar("location.volume", usage.volume_l, location.max_volume_l, "L"),
    ]


@dataclass(frozen=True)
class TreeRow:
    location: locations.LocationPublic
    depth: int
    bars: list[Bar]


def tree(page: Page) -> list[tuple[locations.WarehousePublic, list[TreeRow]]]:
    """Warehouses, each with its locations in tree order (parents before children)."""
    everything = locations.list_locations(page.db, page.me, None)
    depth: dict[str, int] = {}
    rows: dict[str, list[TreeRow]] = {}
    for loc in everything:  # ordered by path: a parent comes before its children
        depth[loc.code] = depth[loc.parent_code] + 1 if loc.parent_code in depth else 0
        rows.setdefault(loc.warehouse_code, []).append(
            TreeRow(loc, depth[loc.code], usage_bars(loc))
        )
    return [(w, rows.get(w.code, [])) for w in locations.list_warehouses(page.db, page.me)]


CUSTODIAN_FIELDS = ("name", "representative", "position", "contract")


def render_locations(page: Page, error: DomainError | None = None) -> Response:
    explained = explain(error, page.t) if error else None
    return page.render(
        "locations.html",
        status_code=error.status_code if error else 200,
        warehouses=tree(page),
        templates=labels.template_list(page.settings),
        # The custodian kinds as the data lists them (data/custodian_kinds.toml), with
        # whether each is an outside custodian (then named).
        custodian_kinds=[(r.kind.value, r.held_by_others) for r in custodians.rules().values()],
        can_create=page.can("manage_locations"),
        done=page.request.query_params.get("done", ""),
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
        values=dict(page.form.items()),
    )


@router.get("/locations")
def locations_page(page: UserPage) -> Response:
    return render_locations(page)


@router.post("/locations/warehouses")
def add_warehouse(page: FormPage) -> Response:
    """A manager adds a warehouse: the agency's own or rented one, or the place of an outside
    custodian (custody in place, items left with others), named with its representative
    and the custody contract; with, optionally, its first place (a zone) to put items on."""
    f = page.field
    try:
        data = validate(
            locations.WarehouseCreate,
            {
                "code": f("code"),
                "name": f("name"),
                "address": f("address") or None,
                "custodian": {
                    "kind": f("custodian_kind") or "own",
                    **{name: f(f"custodian_{name}") for name in CUSTODIAN_FIELDS},
                },
            },
        )
        locations.create_warehouse(page.db, data, page.me)
        if f("location_code"):
            place = validate(
                locations.LocationCreate,
                {
                    "warehouse_code": data.code,
                    "code": f("location_code"),
                    "name": f("location_name"),
                    "kind": LocationKind.zone.value,
                },
            )
            locations.create_location(page.db, place, page.me)
    except DomainError as exc:
        page.db.rollback()
        return render_locations(page, exc)
    return page.redirect(f"/locations?done=warehouse#wh-{data.code}")


@router.get("/locations/{code}")
def location_page(code: str, page: UserPage) -> Response:
    location = locations.location_public(page.db, locations.get_location(page.db, code, page.me))
    here = list_items(page.db, page.me, location_code=location.code, limit=200)
    # The children with their limits (the location's own summary carries only their usage).
    children = [
        loc
        for loc in locations.list_locations(page.db, page.me, location.warehouse_code)
        if loc.parent_code == location.code
    ]
    return page.render(
        "location.html",
        location=location,
        bars=usage_bars(location),
        children=[(child, usage_bars(child)) for child in children],
        items=here,
        templates=labels.template_list(page.settings),
        **print_dialog(page),
    )
