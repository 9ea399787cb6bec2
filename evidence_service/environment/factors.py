"""Emission factors as data (``data/emission_factors.toml``): per destruction profile, material
group and pollutant, the release to air per tonne destroyed, with its source, table, page,
class and uncertainty. A factor without a value is one the sources read did not give; it stays
in the table with the reason (``missing``), so the faces say "no factor" rather than zero.

Everything here is an order-of-magnitude estimate (see the data file's header)."""

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

FACTORS_PATH = Path(__file__).resolve().parent.parent / "data" / "emission_factors.toml"
ANY = "*"


@dataclass(frozen=True)
class Source:
    """Where factors were read. ``verified_against_primary`` is false when what was read is a
    transcription (a tool, a note quoting the table): ``url`` and ``read`` are then the
    transcription's, ``primary`` the document it transcribes, to be checked."""

    id: str
    title: str
    url: str
    read: str
    primary: str = ""
    verified_against_primary: bool = True


@dataclass(frozen=True)
class Pollutant:
    id: str
    name_vi: str
    name_en: str
    unit: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class MaterialGroup:
    id: str
    name_vi: str
    name_en: str
    categories: tuple[str, ...]
    hazard_classes: tuple[str, ...] = ()
    usual_method: str = ""
    usual_source: str = ""

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def matches(self, category: str, hazard_classes: list[str]) -> bool:
        if ANY not in self.categories and category not in self.categories:
            return False
        return not self.hazard_classes or any(
            h == c or h.startswith(f"{c}.") for h in hazard_classes for c in self.hazard_classes
        )


@dataclass(frozen=True)
class Profile:
    id: str
    name_vi: str
    name_en: str
    methods: tuple[str, ...]
    no_air_release: bool = False

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class Factor:
    profile: str
    material_group: str
    pollutant: str
    source: str
    table: str
    value: float | None = None  # per tonne destroyed, in the pollutant's unit
    low: float | None = None
    high: float | None = None
    range: str = ""  # "order_of_magnitude" when the source gives no range
    page: str = ""
    klass: str = ""
    uncertainty: str = ""
    missing: str = ""

    def bounds(self) -> tuple[float, float] | None:
        """The range per tonne: the source's, else the order-of-magnitude band."""
        if self.value is None:
            return None
        if self.low is not None and self.high is not None:
            return self.low, self.high
        return self.value / 10, self.value * 10


@dataclass(frozen=True)
class FactorTable:
    sources: dict[str, Source]
    pollutants: dict[str, Pollutant]
    groups: tuple[MaterialGroup, ...]
    profiles: dict[str, Profile]
    factors: tuple[Factor, ...]

    def group_of(self, category: str, hazard_classes: list[str]) -> MaterialGroup:
        for group in self.groups:
            if group.matches(category, hazard_classes):
                return group
        return self.groups[-1]

    def profile_of(self, method_id: str | None) -> Profile | None:
        for profile in self.profiles.values():
            if method_id in profile.methods:
                return profile
        return None

    def factor(self, profile: str, group: str, pollutant: str) -> Factor | None:
        """The group's own factor for the pollutant, else the profile's factor for any group."""
        found = None
        for f in self.factors:
            if f.profile == profile and f.pollutant == pollutant:
                if f.material_group == group:
                    return f
                if f.material_group == ANY:
                    found = f
        return found


def _tuple(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(v) for v in raw.get(key, []))


def _source(raw: dict[str, Any]) -> Source:
    verified = raw.get("verified_against_primary", True)
    if not isinstance(verified, bool):
        raise ValueError(f"sources '{raw.get('id')}': verified_against_primary is true or false")
    if not verified and not raw.get("primary"):
        raise ValueError(f"sources '{raw.get('id')}': a transcription must name its primary")
    return Source(
        raw["id"],
        raw["title"],
        raw["url"],
        raw.get("read", ""),
        raw.get("primary", ""),
        verified,
    )


def parse_factors(data: dict[str, Any]) -> FactorTable:
    """The table, checked: every factor names a known profile, group, pollutant and source, and
    has either a value or the reason it has none."""
    sources = {s["id"]: _source(s) for s in data["sources"]}
    pollutants = {
        p["id"]: Pollutant(p["id"], p["name_vi"], p["name_en"], p["unit"])
        for p in data["pollutants"]
    }
    groups = tuple(
        MaterialGroup(
            g["id"],
            g["name_vi"],
            g["name_en"],
            _tuple(g, "categories"),
            _tuple(g, "hazard_classes"),
            g.get("usual_method", ""),
            g.get("usual_source", ""),
        )
        for g in data["material_groups"]
    )
    profiles = {
        p["id"]: Profile(
            p["id"], p["name_vi"], p["name_en"], _tuple(p, "methods"), bool(p.get("no_air_release"))
        )
        for p in data["profiles"]
    }
    group_ids = {g.id for g in groups} | {ANY}
    factors = []
    for n, raw in enumerate(data.get("factors", [])):
        where = f"factors[{n}]"
        for key, known in (
            ("profile", profiles),
            ("material_group", group_ids),
            ("pollutant", pollutants),
            ("source", sources),
        ):
            if raw.get(key) not in known:
                raise ValueError(f"{where}: unknown {key} '{raw.get(key)}'")
        value = raw.get("value")
        if value is None and not raw.get("missing"):
            raise ValueError(f"{where}: a factor without a value must say why (missing)")
        if value is not None and (not raw.get("table") or not raw.get("class")):
            raise ValueError(f"{where}: a value needs its table and class")
        factors.append(
            Factor(
                profile=raw["profile"],
                material_group=raw["material_group"],
                pollutant=raw["pollutant"],
                source=raw["source"],
                table=raw.get("table", ""),
                value=float(value) if value is not None else None,
                low=raw.get("low"),
                high=raw.get("high"),
                range=raw.get("range", ""),
                page=raw.get("page", ""),
                klass=raw.get("class", ""),
                uncertainty=raw.get("uncertainty", ""),
                missing=raw.get("missing", ""),
            )
        )
    return FactorTable(sources, pollutants, groups, profiles, tuple(factors))


@lru_cache(maxsize=1)
def load_factors() -> FactorTable:
    return parse_factors(tomllib.loads(FACTORS_PATH.read_text(encoding="utf-8")))
