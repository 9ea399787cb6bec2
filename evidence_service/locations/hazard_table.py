"""Loading the segregation table (``data/hazard_segregation.toml``) and checking it whole:
every class known once, every pair of groups given a level, no contradiction. The rules it
holds are asked through :mod:`.hazards`; :func:`normalise_hazard_classes` turns what a
user typed into canonical classes, or a 422 naming the field."""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import Invalid
from .hazards import (
    LEVELS,
    ClassPattern,
    HazardClass,
    HazardTable,
    HazardTableError,
    UnknownHazardClass,
    compact_class,
    pair_key,
)

DEFAULT_TABLE_PATH = Path(__file__).resolve().parent.parent / "data" / "hazard_segregation.toml"


def normalise_hazard_classes(classes: Sequence[str], field: str, where: str = "body") -> list[str]:
    """The canonical classes, sorted and without repeats; an unknown one → 422 on ``field``."""
    table = load_hazard_table()
    try:
        return sorted({table.normalise(c) for c in classes})
    except UnknownHazardClass as exc:
        raise Invalid(
            field,
            str(exc),
            where=where,
            key="keysb_locations.unknown_hazard",
            params={"value": exc.value},
        ) from None


def load_hazard_table(path: Path | None = None) -> HazardTable:
    """Load and validate a segregation table; ``None`` means the packaged one (cached)."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@functools.lru_cache(maxsize=1)
def _load_default() -> HazardTable:
    return _load(DEFAULT_TABLE_PATH)


def _load(path: Path) -> HazardTable:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise HazardTableError(f"{path}: cannot read hazard table: {exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise HazardTableError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return _build(data, path)
    except HazardTableError as exc:
        raise HazardTableError(f"{path}: {exc}") from None


def _str(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise HazardTableError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _bool(entry: Mapping[str, Any], key: str, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise HazardTableError(f"{where}: '{key}' must be true or false")
    return value


def _str_list(data: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise HazardTableError(f"{where}: '{key}' must be a list of strings")
    return [v.strip() for v in value]


def _build(data: Mapping[str, Any], path: Path) -> HazardTable:
    raw_classes = data.get("class")
    if not isinstance(raw_classes, list) or not raw_classes:
        raise HazardTableError("no [[class]] entries")

    classes: list[HazardClass] = []
    names: dict[str, str] = {}  # casefolded id/alias -> owning class id
    for i, entry in enumerate(raw_classes):
        if not isinstance(entry, dict):
            raise HazardTableError(f"class #{i + 1}: must be a table")
        where = f"class #{i + 1}"
        cid = _str(entry, "id", where)
        where = f"class {cid!r}"
        hc = HazardClass(
            id=cid,
            name_en=_str(entry, "name_en", where),
            name_vi=_str(entry, "name_vi", where),
            requires_secure=_bool(entry, "requires_secure", where),
            group=_str(entry, "group", where),
            aliases=tuple(_str_list(entry, "aliases", where)),
        )
        for name in (hc.id, *hc.aliases):
            owner = names.get(name.casefold())
            if owner is not None:
                raise HazardTableError(
                    f"{where}: id or alias {name!r} is already used by class {owner!r}"
                )
            names[name.casefold()] = hc.id
        classes.append(hc)

    by_id = {c.id: c for c in classes}
    groups = list(dict.fromkeys(c.group for c in classes))
    for g in groups:
        if g not in by_id:
            raise HazardTableError(
                f"group {g!r} has no class with id {g!r} (every group needs one)"
            )
        if by_id[g].group != g:
            raise HazardTableError(f"class {g!r} names a group but belongs to {by_id[g].group!r}")

    patterns: list[ClassPattern] = []
    raw_patterns = data.get("class_pattern", [])
    if not isinstance(raw_patterns, list):
        raise HazardTableError("'class_pattern' must be an array of tables")
    for i, entry in enumerate(raw_patterns):
        where = f"class_pattern #{i + 1}"
        if not isinstance(entry, dict):
            raise HazardTableError(f"{where}: must be a table")
        try:
            regex = re.compile(_str(entry, "regex", where), re.IGNORECASE)
        except re.error as exc:
            raise HazardTableError(f"{where}: bad regex: {exc}") from None
        group = _str(entry, "group", where)
        if group not in groups:
            raise HazardTableError(f"{where}: unknown group {group!r}")
        patterns.append(
            ClassPattern(
                regex=regex,
                group=group,
                description=_str(entry, "description", where),
                name_en=_str(entry, "name_en", where),
                name_vi=_str(entry, "name_vi", where),
                requires_secure=_bool(entry, "requires_secure", where),
            )
        )
    for c in classes:
        for p in patterns:
            if p.regex.fullmatch(compact_class(c.id)) and p.group != c.group:
                raise HazardTableError(
                    f"class {c.id!r} is in group {c.group!r} but matches a pattern of "
                    f"group {p.group!r}"
                )

    non_hazardous = _str_list(data, "non_hazardous", "top level")
    for g in non_hazardous:
        if g not in groups:
            raise HazardTableError(f"non_hazardous: unknown group {g!r}")
    always_allowed = _str_list(data, "always_allowed", "top level")
    for cid in always_allowed:
        if cid not in by_id:
            raise HazardTableError(f"always_allowed: unknown class {cid!r}")

    pairs = _build_pairs(data.get("pairs"), groups)

    missing = [
        f"{a} / {b}"
        for a, b in itertools.combinations(groups, 2)
        if pair_key(a, b) not in pairs and not (a in non_hazardous and b in non_hazardous)
    ]
    if missing:
        raise HazardTableError(
            f"pair table is incomplete, {len(missing)} pair(s) missing: {', '.join(missing)}"
        )

    return HazardTable(
        classes=classes,
        patterns=patterns,
        pairs=pairs,
        non_hazardous=frozenset(non_hazardous),
        always_allowed=frozenset(always_allowed),
        source=path,
    )


def _build_pairs(raw: Any, groups: list[str]) -> dict[frozenset[str], str]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise HazardTableError("'pairs' must be a table of tables")
    pairs: dict[frozenset[str], str] = {}
    seen_as: dict[frozenset[str], str] = {}
    for a, row in raw.items():
        if a not in groups:
            raise HazardTableError(
                f"[pairs.{a!r}]: unknown class {a!r} (known groups: {', '.join(groups)})"
            )
        if not isinstance(row, dict):
            raise HazardTableError(f"[pairs.{a!r}]: must be a table of class = level")
        for b, level in row.items():
            where = f"[pairs.{a!r}] {b!r}"
            if isinstance(level, dict):
                raise HazardTableError(
                    f"{where}: expected a level, got a table; quote keys containing a dot, "
                    f'e.g. "2.1" = "separate_location"'
                )
            if b not in groups:
                raise HazardTableError(
                    f"{where}: unknown class {b!r} (known groups: {', '.join(groups)})"
                )
            if level not in LEVELS:
                raise HazardTableError(
                    f"{where}: unknown level {level!r} (expected one of {', '.join(LEVELS)})"
                )
            if a == b:
                raise HazardTableError(
                    f"{where}: a class with itself is always same_location; remove this entry"
                )
            key = pair_key(a, b)
            if key in pairs and pairs[key] != level:
                raise HazardTableError(
                    f"pair {a} / {b} is not symmetric: {seen_as[key]} says {pairs[key]!r} "
                    f"but {where} says {level!r}"
                )
            pairs[key] = level
            seen_as.setdefault(key, where)
    return pairs
