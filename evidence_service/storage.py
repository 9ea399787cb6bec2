"""Storage rules checked before anything is placed: hazard classes, segregation, capacity.

Callers hold the write lock (``custody.lock_for_write``), so the usage read here cannot
change before the placement commits: of two concurrent moves into the last free slot,
exactly one succeeds.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from .auth import PERMISSIONS
from .errors import Conflict, Invalid
from .hazards import (
    Neighbour,
    UnknownHazardClass,
    check_location_accepts,
    find_conflicts,
    load_hazard_table,
)
from .models import Item, Location, Role, User

ROOM_KINDS = ("room", "building")


@dataclass(frozen=True)
class Placement:
    """An item about to be put somewhere (``code`` is '#n' for items not yet created)."""

    code: str
    hazard_classes: tuple[str, ...]
    net_weight_g: float
    volume_l: float
    current_location_id: int | None = None


class CapacityExceeded(Conflict):
    pass


class HazardConflict(Conflict):
    pass


def normalise_hazard_classes(classes: Sequence[str], field: str) -> list[str]:
    table = load_hazard_table()
    try:
        return sorted({table.normalise(c) for c in classes})
    except UnknownHazardClass as exc:
        raise Invalid(field, str(exc)) from None


def _ancestors(session: Session, location: Location) -> list[Location]:
    """The location and every location above it, top first."""
    ids = [int(s) for s in location.path.strip("/").split("/")]
    rows = {loc.id: loc for loc in session.exec(select(Location).where(col(Location.id).in_(ids)))}
    return [rows[i] for i in ids]


def _capacity_violations(
    session: Session, path: list[Location], placements: Sequence[Placement]
) -> list[dict[str, Any]]:
    from .locations import subtree_usage

    limited = [loc for loc in path if loc.max_items or loc.max_weight_kg or loc.max_volume_l]
    if not limited:
        return []
    usage = subtree_usage(session, limited, within_path=limited[0].path)
    current_paths = {
        loc.id: loc.path
        for loc in session.exec(
            select(Location).where(
                col(Location.id).in_({p.current_location_id for p in placements})
            )
        )
    }
    violations = []
    for loc in limited:
        # Items already inside this subtree do not add to it when they move within it.
        arriving = [
            p
            for p in placements
            if not current_paths.get(p.current_location_id, "").startswith(loc.path)
        ]
        used = usage[loc.id]  # type: ignore[index]
        checks = (
            ("max_items", loc.max_items, used.items, len(arriving)),
            (
                "max_weight_kg",
                loc.max_weight_kg,
                used.net_weight_kg,
                sum(p.net_weight_g for p in arriving) / 1000,
            ),
            ("max_volume_l", loc.max_volume_l, used.volume_l, sum(p.volume_l for p in arriving)),
        )
        for limit_name, limit, current, requested in checks:
            if limit and requested and current + requested > limit + 1e-9:
                violations.append(
                    {
                        "location_code": loc.code,
                        "limit": limit_name,
                        "used": round(current, 6),
                        "limit_value": limit,
                        "requested": round(requested, 6),
                        "free": round(max(limit - current, 0), 6),
                    }
                )
    return violations


def _room(path: list[Location]) -> Location:
    rooms = [loc for loc in path if loc.kind in ROOM_KINDS]
    return rooms[-1] if rooms else path[0]


def _segregation_conflicts(
    session: Session, target: Location, path: list[Location], placements: Sequence[Placement]
) -> list[dict[str, Any]]:
    table = load_hazard_table()
    if not any(p.hazard_classes for p in placements):
        return []
    room = _room(path)
    moving = {p.code for p in placements}
    rows = session.execute(
        select(Item.code, Item.hazard_classes, Item.location_id)
        .join(Location, col(Location.id) == Item.location_id)
        .where(col(Location.path).startswith(room.path))
        .where(cast(Item.hazard_classes, String) != "[]")
    ).all()
    neighbours = [
        Neighbour(
            item_code=code,
            hazard_classes=tuple(classes),
            same_location=location_id == target.id,
            same_room=True,
        )
        for code, classes, location_id in rows
        if code not in moving
    ]
    conflicts = []
    for p in placements:
        for c in find_conflicts(table, list(p.hazard_classes), neighbours):
            conflicts.append({"incoming_item": p.code, **c.to_dict()})
        # Items arriving together end up side by side.
        neighbours.append(Neighbour(p.code, p.hazard_classes, same_location=True, same_room=True))
    return conflicts


def check_placement(
    session: Session,
    target: Location,
    placements: Sequence[Placement],
    actor: User,
    override_reason: str | None,
) -> dict[str, Any] | None:
    """Refuse (409) what the rules forbid; returns the override record if one was used."""
    table = load_hazard_table()
    refusals = [
        {"item": p.code, **r.to_dict()}
        for p in placements
        for r in check_location_accepts(
            table, list(p.hazard_classes), list(target.allowed_hazard_classes), target.secure
        )
    ]
    if refusals:
        raise HazardConflict(
            {
                "code": "location_refuses_hazard",
                "message": f"location {target.code} may not hold these items",
                "location_code": target.code,
                "refusals": refusals,
                "overridable": False,
            }
        )
    path = _ancestors(session, target)
    conflicts = _segregation_conflicts(session, target, path, placements)
    hard = [c for c in conflicts if not c["overridable"]]
    if hard:
        raise HazardConflict(
            {
                "code": "hazard_segregation",
                "message": "these items must be kept in different rooms or buildings",
                "location_code": target.code,
                "conflicts": hard,
                "overridable": False,
            }
        )
    capacity = _capacity_violations(session, path, placements)
    if not conflicts and not capacity:
        return None
    may_override = "override" in PERMISSIONS[Role(actor.role)]
    if override_reason and override_reason.strip() and may_override:
        return {"reason": override_reason.strip(), "capacity": capacity, "segregation": conflicts}
    hint = "a manager may override with a reason" if not may_override or not override_reason else ""
    if capacity:
        first = capacity[0]
        raise CapacityExceeded(
            {
                "code": "capacity_exceeded",
                "message": (
                    f"location {first['location_code']} would exceed {first['limit']}: "
                    f"used {first['used']}, limit {first['limit_value']}, "
                    f"asked {first['requested']}"
                ),
                "violations": capacity,
                "segregation": conflicts,
                "overridable": True,
                "hint": hint,
            }
        )
    raise HazardConflict(
        {
            "code": "hazard_segregation",
            "message": "these items must be kept in different locations of the room",
            "location_code": target.code,
            "conflicts": conflicts,
            "overridable": True,
            "hint": hint,
        }
    )
