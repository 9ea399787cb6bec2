"""Storage rules checked before anything is placed: hazard classes, segregation, capacity.

Callers hold the write lock (``custody.lock_for_write``), so the usage read here cannot
change before the placement commits: of two concurrent moves into the last free slot,
exactly one succeeds. A batch is checked as a whole: its items count together against
every limit above their targets, and against each other for segregation.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from .. import chains
from ..auth import can
from ..errors import Conflict
from ..models import Item, Location, User
from .hazard_table import load_hazard_table
from .hazards import Neighbour, check_location_accepts, find_conflicts
from .tree import subtree_usage

ROOM_KINDS = ("room", "building")


@dataclass(frozen=True)
class Placement:
    """An item about to be put at ``target`` (``code`` is '#n' for items not yet created)."""

    code: str
    target: Location
    hazard_classes: tuple[str, ...]
    net_weight_g: float
    volume_l: float
    current_location_id: int | None = None

    @classmethod
    def of_item(cls, item: Item, target: Location) -> "Placement":
        """A stored item about to go to ``target``, with what it brings there."""
        return cls(
            item.code,
            target,
            tuple(item.hazard_classes),
            item.net_weight_g or 0.0,
            item.volume_l or 0.0,
            item.location_id,
        )


class CapacityExceeded(Conflict):
    pass


class HazardConflict(Conflict):
    pass


def _path_ids(location: Location) -> list[int]:
    return [int(s) for s in location.path.strip("/").split("/")]


def _targets(placements: Sequence[Placement]) -> list[Location]:
    """The distinct locations the placements go to."""
    return list({id(p.target): p.target for p in placements}.values())


def _locations(session: Session, ids: set[int]) -> dict[int, Location]:
    found = session.exec(select(Location).where(col(Location.id).in_(ids))).all()
    return {loc.id: loc for loc in found if loc.id is not None}


def _capacity_violations(
    session: Session, placements: Sequence[Placement], by_id: dict[int, Location]
) -> list[dict[str, Any]]:
    above = {i for t in _targets(placements) for i in _path_ids(t)}
    limited = [
        by_id[i]
        for i in sorted(above)
        if by_id[i].max_items or by_id[i].max_weight_kg or by_id[i].max_volume_l
    ]
    if not limited:
        return []
    # One aggregate per top-level subtree involved, not over the whole database.
    usage: dict[int, Any] = {}
    for top in {loc.path.split("/")[1] for loc in limited}:
        group = [loc for loc in limited if loc.path.split("/")[1] == top]
        usage.update(subtree_usage(session, group, within_path=f"/{top}/"))
    current = _locations(
        session, {p.current_location_id for p in placements if p.current_location_id}
    )
    violations = []
    for loc in limited:
        # What ends up below this location, minus what is already below it.
        arriving = [
            p
            for p in placements
            if p.target.path.startswith(loc.path)
            and not (
                p.current_location_id in current
                and current[p.current_location_id].path.startswith(loc.path)
            )
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
        for limit_name, limit, in_use, requested in checks:
            if limit and requested and in_use + requested > limit + 1e-9:
                violations.append(
                    {
                        "location_code": loc.code,
                        "limit": limit_name,
                        "used": round(in_use, 6),
                        "limit_value": limit,
                        "requested": round(requested, 6),
                        "free": round(max(limit - in_use, 0), 6),
                    }
                )
    return violations


def room_of(location: Location, by_id: dict[int, Location]) -> Location:
    """The nearest room or building above (or at) a location; else its top-level location."""
    path = [by_id[i] for i in _path_ids(location)]
    rooms = [loc for loc in path if loc.kind in ROOM_KINDS]
    return rooms[-1] if rooms else path[0]


# Conflicts listed per incoming item and kind of neighbour; the rest are counted.
MAX_LISTED = 20


def _segregation_conflicts(
    session: Session, placements: Sequence[Placement], by_id: dict[int, Location]
) -> list[dict[str, Any]]:
    """Segregation rules broken by the placements. Neighbours are grouped by their classes
    and where they are, and each rule is looked up once per group: a room with thousands of
    hazardous items costs one pass, not one per incoming item."""
    if not any(p.hazard_classes for p in placements):
        return []
    table = load_hazard_table()
    moving = {p.code for p in placements}
    rooms = {p.code: room_of(p.target, by_id) for p in placements}
    # room id -> (classes, location id) -> item codes
    present: dict[int, dict[tuple[tuple[str, ...], int], list[str]]] = {}
    for room in {r.id: r for r in rooms.values()}.values():
        groups: dict[tuple[tuple[str, ...], int], list[str]] = defaultdict(list)
        rows = session.execute(
            select(Item.code, Item.hazard_classes, Item.location_id)
            .join(Location, col(Location.id) == Item.location_id)
            .where(col(Location.path).startswith(room.path))
            .where(cast(Item.hazard_classes, String) != "[]")
        ).all()
        for code, classes, location_id in rows:
            if code not in moving:
                groups[(tuple(classes), location_id)].append(code)
        present[room.id] = groups  # type: ignore[index]
    rules: dict[tuple[tuple[str, ...], tuple[str, ...], bool, bool], list[Any]] = {}

    def broken(
        incoming: tuple[str, ...], classes: tuple[str, ...], here: bool, room: bool
    ) -> list[Any]:
        key = (incoming, classes, here, room)
        if key not in rules:
            probe = Neighbour("", classes, same_location=here, same_room=room)
            rules[key] = find_conflicts(table, list(incoming), [probe])
        return rules[key]

    conflicts: list[dict[str, Any]] = []
    batch: dict[tuple[tuple[str, ...], int, int], list[str]] = defaultdict(list)
    for p in placements:
        room = rooms[p.code]
        neighbours = [
            (codes, classes, location_id == p.target.id, True)
            for (classes, location_id), codes in present[room.id].items()  # type: ignore[index]
        ] + [
            # Items of the same batch end up beside each other too.
            (codes, classes, target_id == p.target.id, room_id == room.id)
            for (classes, target_id, room_id), codes in batch.items()
        ]
        for codes, classes, here, same_room in neighbours:
            for rule in broken(p.hazard_classes, classes, here, same_room):
                for code in codes[:MAX_LISTED]:
                    named = replace(rule, item_code=code).to_dict()
                    conflicts.append(
                        {"incoming_item": p.code, "location_code": p.target.code, **named}
                    )
                if len(codes) > MAX_LISTED:
                    conflicts[-1]["and_more_items"] = len(codes) - MAX_LISTED
        if p.hazard_classes:
            batch[(p.hazard_classes, p.target.id, room.id)].append(p.code)  # type: ignore[index]
    return conflicts


def check_placements(
    session: Session, placements: Sequence[Placement], actor: User, override_reason: str | None
) -> dict[str, Any] | None:
    """Refuse (409) what the rules forbid; returns the override record if one was used."""
    # Usage and neighbours are read under the lock of the targets' provinces (a location
    # belongs to one agency), whoever the actor is: capacity and segregation stay race-free.
    targets = _targets(placements)
    chains.lock_chains(
        session,
        {
            chains.chain_of_row(session, "locations", {"warehouse_id": warehouse_id})
            for warehouse_id in {t.warehouse_id for t in targets}
        },
    )
    table = load_hazard_table()
    # Each target asked once per list of classes (a bulk intake brings thousands alike).
    accepts: dict[tuple[tuple[str, ...], int], list[dict[str, Any]]] = {}
    refusals = []
    for p in placements:
        key = (p.hazard_classes, id(p.target))
        if key not in accepts:
            target = p.target
            accepts[key] = [
                r.to_dict()
                for r in check_location_accepts(
                    table,
                    list(p.hazard_classes),
                    list(target.allowed_hazard_classes),
                    target.secure,
                )
            ]
        refusals += [{"item": p.code, "location_code": p.target.code, **r} for r in accepts[key]]
    if refusals:
        raise HazardConflict(
            {
                "code": "location_refuses_hazard",
                "message": f"location {refusals[0]['location_code']} may not hold "
                f"item {refusals[0]['item']}: {refusals[0]['message']}",
                "location_code": refusals[0]["location_code"],
                "refusals": refusals,
                "overridable": False,
            }
        )
    by_id = _locations(session, {i for t in targets for i in _path_ids(t)})
    conflicts = _segregation_conflicts(session, placements, by_id)
    hard = [c for c in conflicts if not c["overridable"]]
    if hard:
        raise HazardConflict(
            {
                "code": "hazard_segregation",
                "message": "these items must be kept in different rooms or buildings",
                "location_code": hard[0]["location_code"],
                "conflicts": hard,
                "overridable": False,
            }
        )
    capacity = _capacity_violations(session, placements, by_id)
    if not conflicts and not capacity:
        return None
    may_override = can(actor, "override")
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
            "location_code": conflicts[0]["location_code"],
            "conflicts": conflicts,
            "overridable": True,
            "hint": hint,
        }
    )
