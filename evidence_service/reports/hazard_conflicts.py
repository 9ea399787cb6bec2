"""Hazard conflicts among stored items (e.g. after the table changed)."""

from collections import defaultdict
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from ..items import ON_SHELF
from ..locations import load_hazard_table, room_of
from ..locations.hazards import (
    LEVEL_TEXT_EN,
    LEVEL_TEXT_VI,
    SAME_LOCATION,
    SEPARATE_LOCATION,
    SEPARATE_ROOM,
    UnknownHazardClass,
    check_location_accepts,
)
from ..models import (
    Item,
    Location,
    User,
)
from .common import scoped_warehouses

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
    warehouses = {w.id: w.code for w, _ in scoped_warehouses(session, actor, warehouse_code)}
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
        .where(col(Item.status).in_(ON_SHELF))
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
