"""The estimated releases to air of a set of items destroyed one way, and the same items at a
licensed hazardous-waste incinerator or in a cement kiln: the releases avoided.

Pure arithmetic over ``factors``: release = Σ over material groups of (tonnes of the group ×
the group's factor). A group without a factor for a pollutant is listed in ``missing`` and adds
nothing, so a partial sum says it is partial (``complete: false``); with no factor at all the
value is None, never 0. Every figure is an order-of-magnitude estimate, and says so.

The weight of an item is the one the destruction totals count: measured before destruction,
else recorded (``destruction.totals``)."""

from collections import defaultdict
from dataclasses import dataclass

from pydantic import BaseModel, Field

from .factors import FactorTable, Profile, load_factors

ALTERNATIVES = ("licensed_incineration", "cement_kiln")
NOTE = (
    "Order-of-magnitude estimate from published emission factors (see source_ids); "
    "not a measurement."
)


@dataclass(frozen=True)
class Line:
    """One item as the estimate sees it."""

    code: str
    category: str
    hazard_classes: list[str]
    weight_g: float | None


class PollutantEstimate(BaseModel):
    pollutant: str
    name_vi: str
    name_en: str
    unit: str
    value: float | None = Field(description="None: no factor for any of the items")
    low: float | None
    high: float | None
    range_kind: str = Field(description="source | order_of_magnitude")
    complete: bool = Field(description="every material group of the items had a factor")
    missing_groups: list[str]
    source_ids: list[str]


class ProfileEstimate(BaseModel):
    profile: str | None
    name_vi: str
    name_en: str
    no_air_release: bool
    weight_kg: float
    pollutants: list[PollutantEstimate]


class AvoidedEstimate(BaseModel):
    alternative: str
    pollutant: str
    unit: str
    value: float | None = Field(description="actual − alternative; None when either is unknown")
    low: float | None
    high: float | None


class LineTrace(BaseModel):
    item_code: str
    material_group: str
    weight_kg: float


class EstimatedReleases(BaseModel):
    order_of_magnitude: bool = True
    note: str = NOTE
    method: str | None
    actual: ProfileEstimate
    alternatives: list[ProfileEstimate]
    avoided: list[AvoidedEstimate]
    lines: list[LineTrace]


def _tonnes_by_group(
    table: FactorTable, lines: list[Line]
) -> tuple[dict[str, float], list[LineTrace]]:
    tonnes: dict[str, float] = defaultdict(float)
    trace = []
    for line in lines:
        group = table.group_of(line.category, line.hazard_classes)
        kg = (line.weight_g or 0.0) / 1000
        tonnes[group.id] += kg / 1000
        trace.append(
            LineTrace(item_code=line.code, material_group=group.id, weight_kg=round(kg, 6))
        )
    return dict(tonnes), trace


def profile_estimate(
    table: FactorTable, profile: Profile | None, tonnes: dict[str, float]
) -> ProfileEstimate:
    """The releases of ``tonnes`` (per material group) under one profile."""
    weight_kg = round(sum(tonnes.values()) * 1000, 6)
    if profile is None:
        return ProfileEstimate(
            profile=None,
            name_vi="Không xác định",
            name_en="Not known",
            no_air_release=False,
            weight_kg=weight_kg,
            pollutants=[],
        )
    out = []
    for pollutant in table.pollutants.values():
        value = low = high = 0.0
        found, missing, sources, kinds = False, [], set(), set()
        for group, t in sorted(tonnes.items()):
            if t <= 0:
                continue
            factor = table.factor(profile.id, group, pollutant.id)
            bounds = factor.bounds() if factor else None
            if factor is None or factor.value is None or bounds is None:
                missing.append(group)
                if factor is not None:
                    sources.add(factor.source)
                continue
            found = True
            value += t * factor.value
            low += t * bounds[0]
            high += t * bounds[1]
            sources.add(factor.source)
            kinds.add("source" if factor.low is not None else "order_of_magnitude")
        if profile.no_air_release:
            continue
        out.append(
            PollutantEstimate(
                pollutant=pollutant.id,
                name_vi=pollutant.name_vi,
                name_en=pollutant.name_en,
                unit=pollutant.unit,
                value=value if found else None,
                low=low if found else None,
                high=high if found else None,
                range_kind="order_of_magnitude"
                if "order_of_magnitude" in kinds
                else ("source" if kinds else ""),
                complete=found and not missing,
                missing_groups=missing,
                source_ids=sorted(sources),
            )
        )
    return ProfileEstimate(
        profile=profile.id,
        name_vi=profile.name_vi,
        name_en=profile.name_en,
        no_air_release=profile.no_air_release,
        weight_kg=weight_kg,
        pollutants=out,
    )


def _avoided(actual: ProfileEstimate, other: ProfileEstimate) -> list[AvoidedEstimate]:
    theirs = {p.pollutant: p for p in other.pollutants}
    out = []
    for mine in actual.pollutants:
        alt = theirs.get(mine.pollutant)
        known = alt is not None and mine.value is not None and alt.value is not None
        out.append(
            AvoidedEstimate(
                alternative=other.profile or "",
                pollutant=mine.pollutant,
                unit=mine.unit,
                value=(mine.value - alt.value)
                if known and alt and alt.value is not None and mine.value is not None
                else None,
                low=(mine.low - alt.high)
                if known and alt and alt.high is not None and mine.low is not None
                else None,
                high=(mine.high - alt.low)
                if known and alt and alt.low is not None and mine.high is not None
                else None,
            )
        )
    return out


def estimate(
    lines: list[Line], method: str | None, table: FactorTable | None = None
) -> EstimatedReleases:
    """The releases of ``lines`` destroyed by ``method``, at the two licensed alternatives, and
    what the alternatives would have avoided."""
    table = table or load_factors()
    tonnes, trace = _tonnes_by_group(table, lines)
    actual = profile_estimate(table, table.profile_of(method), tonnes)
    alternatives = [profile_estimate(table, table.profiles[a], tonnes) for a in ALTERNATIVES]
    avoided = [a for alt in alternatives for a in _avoided(actual, alt)]
    return EstimatedReleases(
        method=method, actual=actual, alternatives=alternatives, avoided=avoided, lines=trace
    )
