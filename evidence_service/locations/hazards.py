"""Hazard classes and storage segregation rules.

Pure logic: no database, no web framework. The rules themselves live in
``evidence_service/data/hazard_segregation.toml`` (sources and level mapping are cited there);
this module loads and validates that table and answers three questions:

* which canonical hazard class does a user-typed value mean (:meth:`HazardTable.normalise`),
* may an incoming item share a location/room with what is already there (:func:`find_conflicts`),
* does a location accept the item's classes at all (:func:`check_location_accepts`).

Levels, from least to most strict:

``same_location``
    may share a location;
``separate_location``
    must be in different locations of the same room (a manager may override with a reason);
``separate_room``
    must be in different rooms or buildings (nobody may override).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "LEVELS",
    "SAME_LOCATION",
    "SEPARATE_LOCATION",
    "SEPARATE_ROOM",
    "Conflict",
    "ClassPattern",
    "HazardClass",
    "HazardTable",
    "HazardTableError",
    "LocationRefusal",
    "Neighbour",
    "UnknownHazardClass",
    "check_location_accepts",
    "compact_class",
    "find_conflicts",
    "pair_key",
]

SAME_LOCATION = "same_location"
SEPARATE_LOCATION = "separate_location"
SEPARATE_ROOM = "separate_room"
#: All levels, least strict first.
LEVELS: tuple[str, ...] = (SAME_LOCATION, SEPARATE_LOCATION, SEPARATE_ROOM)

LEVEL_TEXT_EN = {
    SAME_LOCATION: "may share a location",
    SEPARATE_LOCATION: "must be in different locations of the same room",
    SEPARATE_ROOM: "must be in different rooms or buildings",
}
LEVEL_TEXT_VI = {
    SAME_LOCATION: "có thể để chung một vị trí",
    SEPARATE_LOCATION: "phải để ở vị trí khác nhau trong cùng phòng",
    SEPARATE_ROOM: "phải để ở phòng hoặc nhà kho khác nhau",
}


class HazardTableError(ValueError):
    """The segregation table file is missing, malformed, incomplete or contradictory."""


class UnknownHazardClass(ValueError):
    """A hazard class value that the table does not know."""

    def __init__(self, value: str, known: list[str]) -> None:
        self.value = value
        self.known = list(known)
        super().__init__(f"unknown hazard class {value!r}; known classes: {', '.join(known)}")


@dataclass(frozen=True)
class HazardClass:
    id: str
    name_en: str
    name_vi: str
    requires_secure: bool
    group: str
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name_en": self.name_en,
            "name_vi": self.name_vi,
            "requires_secure": self.requires_secure,
            "group": self.group,
            "aliases": list(self.aliases),
        }


@dataclass(frozen=True)
class ClassPattern:
    regex: re.Pattern[str]
    group: str
    description: str
    name_en: str
    name_vi: str
    requires_secure: bool


def pair_key(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def compact_class(value: str) -> str:
    """Form used for matching UN codes: no whitespace, upper case, decimal comma -> point."""
    return re.sub(r"\s+", "", value).replace(",", ".").upper()


class HazardTable:
    """A validated segregation table. Build it with :func:`load_hazard_table`."""

    def __init__(
        self,
        classes: list[HazardClass],
        patterns: list[ClassPattern],
        pairs: Mapping[frozenset[str], str],
        non_hazardous: frozenset[str],
        always_allowed: frozenset[str],
        source: Path | None = None,
    ) -> None:
        self._classes = list(classes)
        self._by_id = {c.id: c for c in classes}
        self._lookup: dict[str, str] = {}
        for c in classes:
            self._lookup[c.id.casefold()] = c.id
            self._lookup[compact_class(c.id).casefold()] = c.id
            for alias in c.aliases:
                self._lookup[alias.casefold()] = c.id
        self._patterns = list(patterns)
        self._pairs = dict(pairs)
        self._groups = list(dict.fromkeys(c.group for c in classes))
        self.non_hazardous = non_hazardous
        self.always_allowed = always_allowed
        self.source = source

    # -- vocabulary --------------------------------------------------------------------------

    @property
    def classes(self) -> list[HazardClass]:
        """The explicitly listed classes, in file order."""
        return list(self._classes)

    @property
    def groups(self) -> list[str]:
        """The segregation groups (keys of the pair table), in file order."""
        return list(self._groups)

    def known_ids(self) -> list[str]:
        """Canonical ids plus a description of each accepted pattern (for messages)."""
        return [c.id for c in self._classes] + [p.description for p in self._patterns]

    def normalise(self, cls: str) -> str:
        """Map a user-typed class (``" 1.4g "``, ``"6,1"``, ``"Narcotics"``) to its canonical id.

        Raises :class:`UnknownHazardClass` if the value is not known.
        """
        if not isinstance(cls, str):
            raise UnknownHazardClass(repr(cls), self.known_ids())
        stripped = cls.strip()
        found = self._lookup.get(stripped.casefold()) or self._lookup.get(
            compact_class(stripped).casefold()
        )
        if found is not None:
            return found
        compact = compact_class(stripped)
        for pattern in self._patterns:
            if pattern.regex.fullmatch(compact):
                return compact
        raise UnknownHazardClass(cls, self.known_ids())

    def normalise_all(self, classes: Iterable[str]) -> list[str]:
        """Normalise several values, dropping duplicates (first occurrence wins)."""
        return list(dict.fromkeys(self.normalise(c) for c in classes))

    def get(self, cls: str) -> HazardClass:
        """The :class:`HazardClass` for any accepted value, including pattern-only codes."""
        cid = self.normalise(cls)
        known = self._by_id.get(cid)
        if known is not None:
            return known
        for pattern in self._patterns:
            if pattern.regex.fullmatch(cid):
                return HazardClass(
                    id=cid,
                    name_en=pattern.name_en.format(id=cid),
                    name_vi=pattern.name_vi.format(id=cid),
                    requires_secure=pattern.requires_secure,
                    group=pattern.group,
                )
        raise UnknownHazardClass(cls, self.known_ids())  # pragma: no cover - normalise matched

    def group_of(self, cls: str) -> str:
        return self.get(cls).group

    # -- rules -------------------------------------------------------------------------------

    def rule(self, a: str, b: str) -> str:
        """The segregation level between two classes (order does not matter)."""
        ga, gb = self.group_of(a), self.group_of(b)
        if ga == gb:
            return SAME_LOCATION
        return self._pairs.get(pair_key(ga, gb), SAME_LOCATION)

    def requires_secure(self, classes: Iterable[str]) -> list[str]:
        """The canonical ids among ``classes`` that may only be stored in secure locations."""
        return [c for c in self.normalise_all(classes) if self.get(c).requires_secure]

    def to_dict(self) -> dict[str, Any]:
        """The whole table as JSON-ready data (e.g. for a reference endpoint)."""
        rules = []
        for a, b in itertools.combinations(self._groups, 2):
            rules.append({"a": a, "b": b, "rule": self.rule(a, b)})
        return {
            "levels": [
                {"id": lv, "en": LEVEL_TEXT_EN[lv], "vi": LEVEL_TEXT_VI[lv]} for lv in LEVELS
            ],
            "classes": [c.to_dict() for c in self._classes],
            "patterns": [{"group": p.group, "description": p.description} for p in self._patterns],
            "always_allowed": sorted(self.always_allowed),
            "rules": rules,
        }


# -- conflicts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbour:
    """An item already stored near the target location.

    ``same_location``: it is in the exact target location. ``same_room``: it is somewhere in
    the target's room subtree (an item in the same location counts as in the same room too).
    The caller leaves out the item being moved itself.
    """

    item_code: str
    hazard_classes: tuple[str, ...]
    same_location: bool
    same_room: bool


@dataclass(frozen=True)
class Conflict:
    item_code: str
    incoming_class: str
    present_class: str
    rule: str
    overridable: bool

    @property
    def message(self) -> str:
        return (
            f"{self.incoming_class} (incoming) and {self.present_class} (item "
            f"{self.item_code}) {LEVEL_TEXT_EN[self.rule]}"
        )

    @property
    def message_vi(self) -> str:
        return (
            f"{self.incoming_class} (vật chứng nhập) và {self.present_class} (vật chứng "
            f"{self.item_code}) {LEVEL_TEXT_VI[self.rule]}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_code": self.item_code,
            "incoming_class": self.incoming_class,
            "present_class": self.present_class,
            "rule": self.rule,
            "overridable": self.overridable,
            "message": self.message,
            "message_vi": self.message_vi,
        }


def find_conflicts(
    table: HazardTable, incoming_classes: list[str], neighbours: Iterable[Neighbour]
) -> list[Conflict]:
    """Segregation rules the incoming item would break next to ``neighbours``.

    A ``separate_location`` rule is broken by a neighbour in the same location (overridable by
    a manager); a ``separate_room`` rule by a neighbour anywhere in the same room, including the
    same location (never overridable). Classes are normalised; an unknown one raises
    :class:`UnknownHazardClass`. The result is de-duplicated and keeps input order.
    """
    incoming = table.normalise_all(incoming_classes)
    conflicts: dict[Conflict, None] = {}
    for n in neighbours:
        in_room = n.same_room or n.same_location
        if not in_room:
            continue
        for present in table.normalise_all(n.hazard_classes):
            for cls in incoming:
                level = table.rule(cls, present)
                if level == SEPARATE_ROOM or (level == SEPARATE_LOCATION and n.same_location):
                    conflict = Conflict(
                        item_code=n.item_code,
                        incoming_class=cls,
                        present_class=present,
                        rule=level,
                        overridable=level == SEPARATE_LOCATION,
                    )
                    conflicts[conflict] = None
    return list(conflicts)


# -- location acceptance -----------------------------------------------------------------------


@dataclass(frozen=True)
class LocationRefusal:
    """Why a location does not accept one of the incoming classes."""

    code: str  # "class_not_allowed" | "requires_secure_location"
    hazard_class: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "hazard_class": self.hazard_class, "message": self.message}


CLASS_NOT_ALLOWED = "class_not_allowed"
REQUIRES_SECURE_LOCATION = "requires_secure_location"


def check_location_accepts(
    table: HazardTable, incoming_classes: list[str], allowed_classes: list[str], secure: bool
) -> list[LocationRefusal]:
    """Reasons the location refuses the incoming classes; an empty list means it accepts them.

    ``allowed_classes`` is the location's list. An entry that is a group id (e.g. ``"1"``)
    accepts every class of that group (``"1.4G"``, ``"1.1D"`` ...); a narrower entry such as
    ``"1.4G"`` accepts only itself. An empty list means "no hazardous items": only the table's
    ``always_allowed`` classes (``general``) go there. Classes that require security go only to
    ``secure`` locations, whatever the list says.
    """
    incoming = table.normalise_all(incoming_classes)
    allowed = set(table.normalise_all(allowed_classes))
    refusals: list[LocationRefusal] = []
    for cls in incoming:
        hc = table.get(cls)
        # Every group id is also the id of a class (the loader checks), so an allowed entry
        # equal to the group accepts the whole group.
        if not (cls in table.always_allowed or cls in allowed or hc.group in allowed):
            listed = ", ".join(sorted(allowed | table.always_allowed))
            refusals.append(
                LocationRefusal(
                    CLASS_NOT_ALLOWED,
                    cls,
                    f"location does not accept hazard class {cls} ({hc.name_en}); "
                    f"it accepts: {listed}",
                )
            )
        if hc.requires_secure and not secure:
            refusals.append(
                LocationRefusal(
                    REQUIRES_SECURE_LOCATION,
                    cls,
                    f"{cls} ({hc.name_en}) may only be stored in a secure location",
                )
            )
    return refusals
