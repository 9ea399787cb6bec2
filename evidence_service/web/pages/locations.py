"""The location tree with usage bars and hazard classes, and one location's page."""

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import Response

from ... import labels, locations
from ...items import list_items
from ..context import Page, UserPage
from ..errors import WebRoute
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


@router.get("/locations")
def locations_page(page: UserPage) -> Response:
    return page.render(
        "locations.html", warehouses=tree(page), templates=labels.template_list(page.settings)
    )


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
