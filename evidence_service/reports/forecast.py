"""Forecast: when each warehouse will be full at its recent net intake rate, and what the
open destruction batches would free.

The method, in the words the dashboard shows:

1. **Which space counts.** Warehouses have no limits of their own; locations do. For each
   measure (item count, net weight kg, volume L) a location's *effective* limit is its own
   limit, or, when it has none, the sum of its children's effective limits if every child
   has one. The warehouse's capacity for the measure is the sum over its *capped* locations:
   the highest locations with an effective limit. Space under no limit at all cannot fill up
   and is left out (used and flows alike).
2. **The rate.** Over the last ``window_days`` (90 by default) every custody event that
   moves an item (intake, move, check-out, return, split, destruction, release, transfer)
   and crosses the border of that capped space counts: in when it ends inside, out when it
   starts inside. Net rate per day = (in − out) / window. An item counts with its current
   net weight and volume (what it will occupy now, not what it weighed back then).
3. **The date.** Free = capacity − used. With a positive net rate the space is full after
   free / rate days; with a zero or negative rate it is not filling up. Already at or over
   the limit: full now.
4. **What destruction would free.** Items in open batches (draft or approved) still stand on
   the shelves; the forecast is computed again as if they were gone today.

The warehouse's date is the earliest of its measures. ``project`` is the arithmetic alone,
``capacity_forecast`` gathers the numbers from the database.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from ..auth import agency_scope
from ..i18n import Translator
from ..models import (
    BatchStatus,
    CustodyEvent,
    DestructionBatch,
    DestructionItem,
    Item,
    Location,
    User,
)
from .capacity import LocationCapacity, capacity_report
from .common import round_sum, to_csv

MEASURES: tuple[str, ...] = ("items", "net_weight_kg", "volume_l")
# Custody events that change where an item is (the others only record what happened there).
MOVING_EVENTS = frozenset(
    {"intake", "move", "check_out", "return", "split", "destruction", "release", "transfer"}
)
OPEN_BATCH_STATUSES = (BatchStatus.draft.value, BatchStatus.approved.value)
State = Literal["full", "filling", "stable", "no_limit"]


@dataclass(frozen=True)
class Projection:
    state: State
    days_left: float | None  # None: not filling up (or no limit)
    full_on: date | None


def project(
    capacity: float | None, used: float, net_per_day: float, today: date, freed: float = 0.0
) -> Projection:
    """When ``used`` reaches ``capacity`` growing by ``net_per_day``, after freeing ``freed``.

    >>> project(100, 40, 2, date(2026, 1, 1))
    Projection(state='filling', days_left=30.0, full_on=datetime.date(2026, 1, 31))
    """
    if capacity is None:
        return Projection("no_limit", None, None)
    left = capacity - (used - freed)
    if left <= 1e-9:
        return Projection("full", 0.0, today)
    if net_per_day <= 1e-12:
        return Projection("stable", None, None)
    days = left / net_per_day
    if days > 365 * 100:  # a century away: not filling up in any sense that matters
        return Projection("stable", None, None)
    return Projection("filling", round(days, 1), today + timedelta(days=math.ceil(days)))


class MeasureForecast(BaseModel):
    measure: str  # items | net_weight_kg | volume_l
    capacity: float | None  # None: no location of the warehouse limits this measure
    used: float  # in the capped locations
    free: float | None
    moved_in: float  # over the window, into the capped locations
    moved_out: float
    net_per_day: float
    state: State
    days_left: float | None
    full_on: date | None
    freed_by_batches: float
    state_after_batches: State
    days_left_after_batches: float | None
    full_on_after_batches: date | None
    capped_locations: list[str]
    # The unrounded numbers the dates were projected from, for whoever projects again (the
    # destruction planner): projecting the rounded ones above can land a day or more off.
    exact_capacity: float | None = Field(default=None, exclude=True)
    exact_used: float = Field(default=0.0, exclude=True)
    exact_net_per_day: float = Field(default=0.0, exclude=True)


class WarehouseForecast(BaseModel):
    code: str
    name: str
    full_on: date | None  # the earliest of the measures
    full_on_after_batches: date | None
    items_in: int  # item movements into the warehouse over the window (any location)
    items_out: int
    open_batches: list[str]
    freed_items: int
    freed_net_weight_kg: float
    freed_volume_l: float
    measures: list[MeasureForecast]


class ForecastReport(BaseModel):
    generated_at: datetime
    window_days: int
    window_start: datetime
    warehouses: list[WarehouseForecast]


def _limit(loc: LocationCapacity, measure: str) -> float | None:
    value = getattr(loc, measure).limit
    return float(value) if value is not None else None


def _used(loc: LocationCapacity, measure: str) -> float:
    return float(getattr(loc, measure).used)


def capped_locations(locations: list[LocationCapacity], measure: str) -> list[LocationCapacity]:
    """The highest locations with an effective limit for ``measure`` (see the module doc)."""
    return [loc for loc, _ in capped_limits(locations, measure)]


def capped_limits(
    locations: list[LocationCapacity], measure: str
) -> list[tuple[LocationCapacity, float]]:
    """The capped locations with their effective limits: a parent without a limit of its own
    counts with the sum of its children's, never with its own (absent) limit."""
    children: dict[str | None, list[LocationCapacity]] = defaultdict(list)
    for loc in locations:
        children[loc.parent_code].append(loc)
    effective: dict[str, float | None] = {}

    def resolve(loc: LocationCapacity) -> float | None:
        own = _limit(loc, measure)
        below = [resolve(child) for child in children[loc.code]]
        if own is not None:
            effective[loc.code] = own
        elif below and all(v is not None for v in below):
            effective[loc.code] = sum(v for v in below if v is not None)
        else:
            effective[loc.code] = None
        return effective[loc.code]

    roots = [loc for loc in locations if loc.parent_code is None]
    for root in roots:
        resolve(root)
    found: list[tuple[LocationCapacity, float]] = []

    def walk(loc: LocationCapacity) -> None:
        limit = effective.get(loc.code)
        if limit is not None:
            found.append((loc, limit))
            return
        for child in children[loc.code]:
            walk(child)

    for root in roots:
        walk(root)
    return found


def _amount(measure: str, weight_g: float | None, volume_l: float | None) -> float:
    if measure == "items":
        return 1.0
    if measure == "net_weight_kg":
        return (weight_g or 0.0) / 1000
    return volume_l or 0.0


def capacity_forecast(
    session: Session, actor: User, window_days: int = 90, now: datetime | None = None
) -> ForecastReport:
    now = now or datetime.now(UTC)
    start = now - timedelta(days=window_days)
    today = now.date()
    capacity = capacity_report(session, actor)
    codes = {loc.code for w in capacity.warehouses for loc in w.locations}
    rows = (
        session.exec(
            select(Location.id, Location.code, Location.path, Location.warehouse_id).where(
                col(Location.code).in_(codes)
            )
        ).all()
        if codes
        else []
    )
    path_of = {code: path for _, code, path, _ in rows}
    id_path = {loc_id: path for loc_id, _, path, _ in rows}
    id_warehouse = {loc_id: warehouse_id for loc_id, _, _, warehouse_id in rows}
    warehouse_of_code = {code: warehouse_id for _, code, _, warehouse_id in rows}

    events = session.execute(
        select(
            CustodyEvent.from_location_id,
            CustodyEvent.to_location_id,
            Item.net_weight_g,
            Item.volume_l,
        )
        .join(Item, col(Item.id) == CustodyEvent.item_id)
        .where(col(CustodyEvent.occurred_at) >= start, col(CustodyEvent.occurred_at) <= now)
        .where(col(CustodyEvent.event_type).in_(MOVING_EVENTS))
        .where(col(Item.agency_id).in_(agency_scope(session, actor)))
    ).all()
    pending = session.execute(
        select(Item.location_id, Item.net_weight_g, Item.volume_l, DestructionBatch.number)
        .join(DestructionItem, col(DestructionItem.item_id) == Item.id)
        .join(DestructionBatch, col(DestructionBatch.id) == DestructionItem.batch_id)
        .where(col(DestructionItem.open), col(DestructionBatch.status).in_(OPEN_BATCH_STATUSES))
        .where(col(DestructionBatch.agency_id).in_(agency_scope(session, actor)))
    ).all()

    def inside(location_id: int | None, prefixes: list[str]) -> bool:
        path = id_path.get(location_id) if location_id is not None else None
        return path is not None and any(path.startswith(p) for p in prefixes)

    result = []
    for warehouse in capacity.warehouses:
        warehouse_ids = {warehouse_of_code[loc.code] for loc in warehouse.locations}
        items_in = items_out = 0
        for origin, target, _, _ in events:
            was = origin is not None and id_warehouse.get(origin) in warehouse_ids
            becomes = target is not None and id_warehouse.get(target) in warehouse_ids
            items_in += int(becomes and not was)
            items_out += int(was and not becomes)
        here = [p for p in pending if id_warehouse.get(p[0]) in warehouse_ids]
        measures = []
        for measure in MEASURES:
            capped_with_limits = capped_limits(warehouse.locations, measure)
            capped = [loc for loc, _ in capped_with_limits]
            prefixes = [path_of[loc.code] for loc in capped]
            limit = sum(lim for _, lim in capped_with_limits) if capped else None
            used = sum(_used(loc, measure) for loc in capped)
            moved_in = moved_out = 0.0
            for origin, target, weight_g, volume_l in events:
                was, becomes = inside(origin, prefixes), inside(target, prefixes)
                if becomes and not was:
                    moved_in += _amount(measure, weight_g, volume_l)
                elif was and not becomes:
                    moved_out += _amount(measure, weight_g, volume_l)
            freed = sum(
                _amount(measure, w, v) for loc_id, w, v, _ in here if inside(loc_id, prefixes)
            )
            rate = (moved_in - moved_out) / window_days
            before = project(limit, used, rate, today)
            after = project(limit, used, rate, today, freed)
            measures.append(
                MeasureForecast(
                    measure=measure,
                    capacity=round_sum(limit) if limit is not None else None,
                    used=round_sum(used),
                    free=round_sum(limit - used) if limit is not None else None,
                    moved_in=round_sum(moved_in),
                    moved_out=round_sum(moved_out),
                    net_per_day=round(rate, 4),
                    state=before.state,
                    days_left=before.days_left,
                    full_on=before.full_on,
                    freed_by_batches=round_sum(freed),
                    state_after_batches=after.state,
                    days_left_after_batches=after.days_left,
                    full_on_after_batches=after.full_on,
                    capped_locations=[loc.code for loc in capped],
                    exact_capacity=limit,
                    exact_used=used,
                    exact_net_per_day=rate,
                )
            )
        dates = [m.full_on for m in measures if m.full_on is not None]
        dates_after = [m.full_on_after_batches for m in measures if m.full_on_after_batches]
        result.append(
            WarehouseForecast(
                code=warehouse.code,
                name=warehouse.name,
                full_on=min(dates, default=None),
                full_on_after_batches=min(dates_after, default=None),
                items_in=items_in,
                items_out=items_out,
                open_batches=sorted({p[3] for p in here}),
                freed_items=len(here),
                freed_net_weight_kg=round_sum(sum((p[1] or 0.0) for p in here) / 1000),
                freed_volume_l=round_sum(sum((p[2] or 0.0) for p in here)),
                measures=measures,
            )
        )
    return ForecastReport(
        generated_at=now, window_days=window_days, window_start=start, warehouses=result
    )


FORECAST_CSV_COLUMNS = [
    "warehouse_code",
    "warehouse_name",
    "measure",
    "capacity",
    "used",
    "free",
    "moved_in",
    "moved_out",
    "net_per_day",
    "state",
    "days_left",
    "full_on",
    "freed_by_batches",
    "days_left_after_batches",
    "full_on_after_batches",
    "capped_locations",
]


def forecast_csv(report: ForecastReport, t: Translator | None = None) -> str:
    """One row per warehouse and measure."""
    rows = [
        [
            w.code,
            w.name,
            m.measure,
            m.capacity,
            m.used,
            m.free,
            m.moved_in,
            m.moved_out,
            m.net_per_day,
            m.state,
            m.days_left,
            m.full_on,
            m.freed_by_batches,
            m.days_left_after_batches,
            m.full_on_after_batches,
            " ".join(m.capped_locations),
        ]
        for w in report.warehouses
        for m in w.measures
    ]
    return to_csv(FORECAST_CSV_COLUMNS, rows, t)
