"""Capacity: used against limits per warehouse and location; what destruction would free."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from ..i18n import Translator
from ..models import (
    Location,
    LocationUsage,
    User,
)
from .common import CATEGORIES, round_sum, scoped_warehouses, to_csv

# -- capacity ----------------------------------------------------------------------------------


class Measure(BaseModel):
    used: int | float
    limit: int | float | None
    percent: float | None  # used / limit × 100; null when the location has no such limit


class Freed(BaseModel):
    """What destroying every item whose disposition is "destroy" would free."""

    items: int
    net_weight_kg: float
    volume_l: float


class LocationCapacity(BaseModel):
    code: str
    name: str
    kind: str
    parent_code: str | None
    depth: int
    items: Measure
    net_weight_kg: Measure
    volume_l: Measure
    over_limit: bool
    by_category: dict[str, int]
    freed_by_destruction: Freed


class WarehouseTotals(BaseModel):
    items: int
    net_weight_kg: float
    volume_l: float
    by_category: dict[str, int]
    freed_by_destruction: Freed


class WarehouseCapacity(BaseModel):
    code: str
    name: str
    agency_code: str
    totals: WarehouseTotals
    locations: list[LocationCapacity]


class CapacityReport(BaseModel):
    generated_at: datetime
    warehouses: list[WarehouseCapacity]


@dataclass
class _Sum:
    items: int = 0
    weight_g: float = 0.0
    volume_l: float = 0.0
    freed_items: int = 0
    freed_weight_g: float = 0.0
    freed_volume_l: float = 0.0
    by_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))

    def add(self, category: str, destroy: bool, items: int, weight_g: float, volume: float) -> None:
        self.items += items
        self.weight_g += weight_g
        self.volume_l += volume
        self.by_category[category] = self.by_category.get(category, 0) + items
        if destroy:
            self.freed_items += items
            self.freed_weight_g += weight_g
            self.freed_volume_l += volume

    def freed(self) -> Freed:
        return Freed(
            items=self.freed_items,
            net_weight_kg=round_sum(self.freed_weight_g / 1000),
            volume_l=round_sum(self.freed_volume_l),
        )


def _measure(used: float, limit: float | None) -> Measure:
    percent = round(used / limit * 100, 1) if limit else None
    return Measure(used=used, limit=limit, percent=percent)


def capacity_report(
    session: Session, actor: User, warehouse_code: str | None = None
) -> CapacityReport:
    """Used vs limits for every visible warehouse and location, subtree included."""
    warehouses = scoped_warehouses(session, actor, warehouse_code)
    ids = [w.id for w, _ in warehouses]
    loc = Location.__table__.c  # type: ignore[attr-defined]
    locations = session.execute(
        select(  # type: ignore[call-overload]
            loc.id,
            loc.code,
            loc.name,
            loc.kind,
            loc.parent_id,
            loc.path,
            loc.warehouse_id,
            loc.max_items,
            loc.max_weight_kg,
            loc.max_volume_l,
        ).where(loc.warehouse_id.in_(ids))
    ).all()
    usage = LocationUsage.__table__.c  # type: ignore[attr-defined]
    rows = session.execute(
        select(  # type: ignore[call-overload]
            usage.location_id,
            usage.category,
            usage.destroy,
            usage.item_count,
            usage.net_weight_g,
            usage.volume_l,
        )
        .join(Location.__table__, loc.id == usage.location_id)  # type: ignore[attr-defined]
        .where(loc.warehouse_id.in_(ids), usage.item_count != 0)
    ).all()

    ancestors = {r.id: [int(s) for s in r.path.strip("/").split("/")] for r in locations}
    sums: dict[int, _Sum] = defaultdict(_Sum)
    totals: dict[int, _Sum] = defaultdict(_Sum)
    warehouse_of = {r.id: r.warehouse_id for r in locations}
    for location_id, category, destroy, items, weight_g, volume in rows:
        values = (category, bool(destroy), int(items), float(weight_g), float(volume))
        # A location's usage is its own plus everything below it.
        for ancestor in ancestors[location_id]:
            sums[ancestor].add(*values)
        totals[warehouse_of[location_id]].add(*values)

    by_id = {r.id: r for r in locations}
    children: dict[int | None, list[Any]] = defaultdict(list)
    for r in locations:
        children[r.parent_id].append(r)
    for siblings in children.values():
        siblings.sort(key=lambda r: r.code)

    def tree(parent: int | None, warehouse_id: int) -> Iterable[Any]:
        for r in children[parent]:
            if r.warehouse_id == warehouse_id:
                yield r
                yield from tree(r.id, warehouse_id)

    result = []
    for warehouse, agency_code in warehouses:
        assert warehouse.id is not None
        entries = []
        for r in tree(None, warehouse.id):
            s = sums[r.id]
            items = _measure(s.items, r.max_items)
            weight = _measure(round_sum(s.weight_g / 1000), r.max_weight_kg)
            volume = _measure(round_sum(s.volume_l), r.max_volume_l)
            entries.append(
                LocationCapacity(
                    code=r.code,
                    name=r.name,
                    kind=r.kind,
                    parent_code=by_id[r.parent_id].code if r.parent_id else None,
                    depth=len(ancestors[r.id]) - 1,
                    items=items,
                    net_weight_kg=weight,
                    volume_l=volume,
                    over_limit=any(
                        m.limit is not None and m.used > m.limit + 1e-9
                        for m in (items, weight, volume)
                    ),
                    by_category=dict(s.by_category),
                    freed_by_destruction=s.freed(),
                )
            )
        t = totals[warehouse.id]
        result.append(
            WarehouseCapacity(
                code=warehouse.code,
                name=warehouse.name,
                agency_code=agency_code,
                totals=WarehouseTotals(
                    items=t.items,
                    net_weight_kg=round_sum(t.weight_g / 1000),
                    volume_l=round_sum(t.volume_l),
                    by_category=dict(t.by_category),
                    freed_by_destruction=t.freed(),
                ),
                locations=entries,
            )
        )
    return CapacityReport(generated_at=datetime.now(UTC), warehouses=result)


CAPACITY_CSV_COLUMNS = [
    "warehouse_code",
    "warehouse_name",
    "location_code",
    "location_name",
    "kind",
    "parent_code",
    "depth",
    "items_used",
    "items_limit",
    "items_percent",
    "net_weight_kg_used",
    "net_weight_kg_limit",
    "net_weight_kg_percent",
    "volume_l_used",
    "volume_l_limit",
    "volume_l_percent",
    "over_limit",
    "freed_items",
    "freed_net_weight_kg",
    "freed_volume_l",
    *(f"category_{c}" for c in CATEGORIES),
]


def capacity_csv(report: CapacityReport, t: Translator | None = None) -> str:
    """One row per location."""
    rows = []
    for w in report.warehouses:
        for loc in w.locations:
            rows.append(
                [
                    w.code,
                    w.name,
                    loc.code,
                    loc.name,
                    loc.kind,
                    loc.parent_code,
                    loc.depth,
                    *(
                        value
                        for m in (loc.items, loc.net_weight_kg, loc.volume_l)
                        for value in (m.used, m.limit, m.percent)
                    ),
                    loc.over_limit,
                    loc.freed_by_destruction.items,
                    loc.freed_by_destruction.net_weight_kg,
                    loc.freed_by_destruction.volume_l,
                    *(loc.by_category.get(c, 0) for c in CATEGORIES),
                ]
            )
    return to_csv(CAPACITY_CSV_COLUMNS, rows, t)
