"""Management reports: capacity, hazard conflicts among stored items, ageing.

Plain functions over a session, scoped to the actor's agencies; the routes in
``api/reports.py`` only add the HTTP and CSV shape.

Capacity reads ``location_usage`` (each location's own usage per category and "destroy"
disposition, kept by triggers on ``items``, see migration 0003) and rolls it up the tree
through the materialised paths: a few thousand rows whatever the number of items, so the
report stays far below 100 ms with a million items on SQLite (bench/bench_reports.py:
~12 ms), where grouping the items themselves takes over a second.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import String, and_, cast, or_
from sqlmodel import Session, col, select

from .auth import agency_scope
from .hazards import (
    LEVEL_TEXT_EN,
    LEVEL_TEXT_VI,
    SAME_LOCATION,
    SEPARATE_LOCATION,
    SEPARATE_ROOM,
    UnknownHazardClass,
    check_location_accepts,
    load_hazard_table,
)
from .locations import OCCUPYING_STATUSES, get_warehouse
from .models import (
    FINAL_STATUSES,
    Agency,
    Category,
    Disposition,
    Item,
    Location,
    LocationUsage,
    User,
    Warehouse,
)
from .storage import room_of

CATEGORIES = [c.value for c in Category]


def _round(value: float, digits: int = 6) -> float:
    # Trigger-maintained sums add and subtract floats: hide the last-bit residue.
    return round(value, digits) + 0.0


def _scoped_warehouses(
    session: Session, actor: User, warehouse_code: str | None
) -> list[tuple[Warehouse, str]]:
    """(warehouse, agency code) the actor may see, optionally just one (404 if not visible)."""
    query = (
        select(Warehouse, Agency.code)
        .join(Agency, col(Agency.id) == Warehouse.agency_id)
        .where(col(Warehouse.agency_id).in_(agency_scope(session, actor)))
        .order_by(Warehouse.code)
    )
    if warehouse_code is not None:
        query = query.where(Warehouse.code == get_warehouse(session, warehouse_code, actor).code)
    return [(w, code) for w, code in session.exec(query).all()]


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
            net_weight_kg=_round(self.freed_weight_g / 1000),
            volume_l=_round(self.freed_volume_l),
        )


def _measure(used: float, limit: float | None) -> Measure:
    percent = round(used / limit * 100, 1) if limit else None
    return Measure(used=used, limit=limit, percent=percent)


def capacity_report(
    session: Session, actor: User, warehouse_code: str | None = None
) -> CapacityReport:
    """Used vs limits for every visible warehouse and location, subtree included."""
    warehouses = _scoped_warehouses(session, actor, warehouse_code)
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
            weight = _measure(_round(s.weight_g / 1000), r.max_weight_kg)
            volume = _measure(_round(s.volume_l), r.max_volume_l)
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
                    net_weight_kg=_round(t.weight_g / 1000),
                    volume_l=_round(t.volume_l),
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


def capacity_csv(report: CapacityReport) -> str:
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
    return to_csv(CAPACITY_CSV_COLUMNS, rows)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text starting with a BOM, so Excel reads the Vietnamese in it as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


# -- hazard conflicts --------------------------------------------------------------------------


class ConflictSide(BaseModel):
    location_code: str
    hazard_class: str
    item_codes: list[str]


class SegregationViolation(BaseModel):
    """Items in one room whose classes must be further apart than they are."""

    warehouse_code: str
    room_code: str
    rule: str  # separate_location | separate_room
    overridable: bool
    a: ConflictSide
    b: ConflictSide
    message: str
    message_vi: str


class PlacementViolation(BaseModel):
    """Items in a location that does not accept one of their classes."""

    warehouse_code: str
    location_code: str
    code: str  # class_not_allowed | requires_secure_location | unknown_hazard_class
    hazard_class: str
    item_codes: list[str]
    message: str


class HazardConflictReport(BaseModel):
    generated_at: datetime
    segregation: list[SegregationViolation]
    placement: list[PlacementViolation]
    total: int


def hazard_conflict_report(
    session: Session, actor: User, warehouse_code: str | None = None
) -> HazardConflictReport:
    """Rules broken by items stored now (e.g. placed before a table change, or by hand)."""
    table = load_hazard_table()
    warehouses = {w.id: w.code for w, _ in _scoped_warehouses(session, actor, warehouse_code)}
    locations: dict[int, Location] = {
        loc.id: loc
        for loc in session.exec(
            select(Location).where(col(Location.warehouse_id).in_(list(warehouses)))
        ).all()
        if loc.id is not None
    }
    stored = session.execute(
        select(Item.code, Item.hazard_classes, Item.location_id)
        .where(col(Item.location_id).in_(list(locations)))
        .where(col(Item.status).in_(OCCUPYING_STATUSES))
        .where(cast(Item.hazard_classes, String) != "[]")
        .order_by(Item.code)
    ).all()

    # (location id, canonical class) -> item codes; and per room the keys found in it.
    holders: dict[tuple[int, str], list[str]] = defaultdict(list)
    placement: dict[tuple[int, str, str], tuple[str, list[str]]] = {}
    for code, classes, location_id in stored:
        location = locations[location_id]
        canonical = []
        for cls in classes:
            try:
                canonical.append(table.normalise(cls))
            except UnknownHazardClass:
                key = (location_id, "unknown_hazard_class", cls)
                message = f"hazard class {cls!r} is not in the segregation table"
                placement.setdefault(key, (message, []))[1].append(code)
        for cls in dict.fromkeys(canonical):
            holders[(location_id, cls)].append(code)
        for refusal in check_location_accepts(
            table, canonical, list(location.allowed_hazard_classes), location.secure
        ):
            key = (location_id, refusal.code, refusal.hazard_class)
            placement.setdefault(key, (refusal.message, []))[1].append(code)

    by_room: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for location_id, cls in holders:
        room = room_of(locations[location_id], locations)  # as the placement checks do
        assert room.id is not None
        by_room[room.id].append((location_id, cls))

    segregation = []
    for room_id, keys in by_room.items():
        keys.sort(key=lambda k: (locations[k[0]].code, k[1]))
        for i, (loc_a, cls_a) in enumerate(keys):
            for loc_b, cls_b in keys[i + 1 :]:
                rule = table.rule(cls_a, cls_b)
                if rule == SAME_LOCATION or (rule == SEPARATE_LOCATION and loc_a != loc_b):
                    continue
                a = ConflictSide(
                    location_code=locations[loc_a].code,
                    hazard_class=cls_a,
                    item_codes=holders[(loc_a, cls_a)],
                )
                b = ConflictSide(
                    location_code=locations[loc_b].code,
                    hazard_class=cls_b,
                    item_codes=holders[(loc_b, cls_b)],
                )
                # An item holding both classes conflicts with itself: still worth listing.
                segregation.append(
                    SegregationViolation(
                        warehouse_code=warehouses[locations[room_id].warehouse_id],
                        room_code=locations[room_id].code,
                        rule=rule,
                        overridable=rule != SEPARATE_ROOM,
                        a=a,
                        b=b,
                        message=(
                            f"{cls_a} (in {a.location_code}) and {cls_b} (in {b.location_code}) "
                            f"{LEVEL_TEXT_EN[rule]}"
                        ),
                        message_vi=(
                            f"{cls_a} (tại {a.location_code}) và {cls_b} "
                            f"(tại {b.location_code}) {LEVEL_TEXT_VI[rule]}"
                        ),
                    )
                )
    placements = [
        PlacementViolation(
            warehouse_code=warehouses[locations[location_id].warehouse_id],
            location_code=locations[location_id].code,
            code=kind,
            hazard_class=cls,
            item_codes=codes,
            message=message,
        )
        for (location_id, kind, cls), (message, codes) in sorted(
            placement.items(), key=lambda kv: (locations[kv[0][0]].code, kv[0][1], kv[0][2])
        )
    ]
    segregation.sort(key=lambda v: (v.warehouse_code, v.room_code, v.a.location_code))
    return HazardConflictReport(
        generated_at=datetime.now(UTC),
        segregation=segregation,
        placement=placements,
        total=len(segregation) + len(placements),
    )


# -- ageing ------------------------------------------------------------------------------------

NO_JUDGMENT_LONG = "no_judgment_long"
NO_JUDGMENT_VERY_LONG = "no_judgment_very_long"
DESTRUCTION_OVERDUE = "destruction_overdue"
AGEING_REASONS = (NO_JUDGMENT_VERY_LONG, NO_JUDGMENT_LONG, DESTRUCTION_OVERDUE)


@dataclass(frozen=True)
class AgeingThresholds:
    long_days: int = 365
    very_long_days: int = 5 * 365
    # A single configurable number for now: the per-regime legal deadlines (Case.legal_regime)
    # come with the destruction issue, which will replace this with a per-case deadline.
    destruction_deadline_days: int = 30


class AgedItem(BaseModel):
    code: str
    age_days: int
    reason: str
    threshold_days: int
    message: str
    status: str
    disposition: str
    location_code: str | None
    received_at: datetime


class AgeingGroup(BaseModel):
    warehouse_code: str | None  # null: not in a location now (received, checked out)
    category: str
    count: int
    by_reason: dict[str, int]
    items: list[AgedItem]


class AgeingReport(BaseModel):
    generated_at: datetime
    thresholds: dict[str, int]
    totals: dict[str, int]
    groups: list[AgeingGroup]


def _aged(age: int, disposition: str, t: AgeingThresholds) -> tuple[str, int, str] | None:
    if disposition == Disposition.destroy and age > t.destruction_deadline_days:
        overdue = age - t.destruction_deadline_days
        return (
            DESTRUCTION_OVERDUE,
            t.destruction_deadline_days,
            f"destruction ordered, not done {overdue} day(s) after the "
            f"{t.destruction_deadline_days}-day deadline",
        )
    if disposition == Disposition.pending:
        for reason, days in (
            (NO_JUDGMENT_VERY_LONG, t.very_long_days),
            (NO_JUDGMENT_LONG, t.long_days),
        ):
            if age > days:
                return reason, days, f"held {age} days (over {days}) without a judgment"
    return None


def ageing_report(
    session: Session,
    actor: User,
    thresholds: AgeingThresholds,
    warehouse_code: str | None = None,
    now: datetime | None = None,
) -> AgeingReport:
    """Items still held (not destroyed, released or transferred) past a threshold."""
    now = now or datetime.now(UTC)
    t = thresholds
    scope = agency_scope(session, actor)
    min_pending_days = min(t.long_days, t.very_long_days)
    query = (
        select(  # type: ignore[call-overload]
            Item.code,
            Item.category,
            Item.status,
            Item.disposition,
            Item.received_at,
            Location.code,
            Warehouse.code,
        )
        .outerjoin(Location, col(Location.id) == Item.location_id)
        .outerjoin(Warehouse, col(Warehouse.id) == Location.warehouse_id)
        .where(col(Item.agency_id).in_(scope))
        .where(col(Item.status).not_in([s.value for s in FINAL_STATUSES]))
        .where(
            or_(
                and_(
                    col(Item.disposition) == Disposition.pending.value,
                    col(Item.received_at) < now - timedelta(days=min_pending_days),
                ),
                and_(
                    col(Item.disposition) == Disposition.destroy.value,
                    col(Item.received_at) < now - timedelta(days=t.destruction_deadline_days),
                ),
            )
        )
    )
    if warehouse_code is not None:
        query = query.where(Warehouse.code == get_warehouse(session, warehouse_code, actor).code)
    groups: dict[tuple[str | None, str], list[AgedItem]] = defaultdict(list)
    for code, category, status, disposition, received_at, location, warehouse in session.execute(
        query
    ).all():
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=UTC)
        age = (now - received_at).days
        found = _aged(age, disposition, t)
        if found is None:
            continue
        reason, threshold, message = found
        groups[(warehouse, category)].append(
            AgedItem(
                code=code,
                age_days=age,
                reason=reason,
                threshold_days=threshold,
                message=message,
                status=status,
                disposition=disposition,
                location_code=location,
                received_at=received_at,
            )
        )
    result = []
    totals = dict.fromkeys(AGEING_REASONS, 0)
    for (warehouse, category), aged in sorted(
        groups.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1])
    ):
        aged.sort(key=lambda a: (-a.age_days, a.code))
        by_reason = dict.fromkeys(AGEING_REASONS, 0)
        for a in aged:
            by_reason[a.reason] += 1
            totals[a.reason] += 1
        result.append(
            AgeingGroup(
                warehouse_code=warehouse,
                category=category,
                count=len(aged),
                by_reason=by_reason,
                items=aged,
            )
        )
    return AgeingReport(
        generated_at=now,
        thresholds={
            "long_days": t.long_days,
            "very_long_days": t.very_long_days,
            "destruction_deadline_days": t.destruction_deadline_days,
        },
        totals=totals,
        groups=result,
    )


AGEING_CSV_COLUMNS = [
    "warehouse_code",
    "category",
    "item_code",
    "age_days",
    "reason",
    "threshold_days",
    "status",
    "disposition",
    "location_code",
    "received_at",
    "message",
]


def ageing_csv(report: AgeingReport) -> str:
    """One row per item."""
    return to_csv(
        AGEING_CSV_COLUMNS,
        (
            [
                g.warehouse_code,
                g.category,
                a.code,
                a.age_days,
                a.reason,
                a.threshold_days,
                a.status,
                a.disposition,
                a.location_code,
                a.received_at.isoformat(),
                a.message,
            ]
            for g in report.groups
            for a in g.items
        ),
    )
