"""Site safeguards for destructions on open ground (``data/site_safeguards.toml``): burial and
open-burning sites carry their distance to the nearest homes and water source, and the wind;
a site closer than a threshold is flagged, and the execution must say why (``site_note``).

The distances are read from the method's fields (``method_details``) where the method has
them, else from the environmental record (``environment``)."""

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..errors import Invalid

SAFEGUARDS_PATH = Path(__file__).resolve().parent.parent / "data" / "site_safeguards.toml"
NOTE_FIELD = "site_note"


@dataclass(frozen=True)
class Threshold:
    field: str
    min_m: float
    reference: str
    confirmed: bool
    reference_vi: str = ""


@dataclass(frozen=True)
class Safeguards:
    methods: frozenset[str]
    require_wind: bool
    thresholds: tuple[Threshold, ...]


class SiteFlag(BaseModel):
    field: str
    distance_m: float
    threshold_m: float
    reference: str
    reference_vi: str
    threshold_confirmed: bool
    note: str

    def reference_in(self, lang: str) -> str:
        return self.reference if lang == "en" else self.reference_vi or self.reference


@lru_cache(maxsize=1)
def load_safeguards() -> Safeguards:
    raw = tomllib.loads(SAFEGUARDS_PATH.read_text(encoding="utf-8"))
    return Safeguards(
        methods=frozenset(raw["methods"]),
        require_wind=bool(raw.get("require_wind", False)),
        thresholds=tuple(
            Threshold(
                t["field"],
                float(t["min_m"]),
                t["reference"],
                bool(t["confirmed"]),
                t.get("reference_vi", ""),
            )
            for t in raw["thresholds"]
        ),
    )


def _where(field: str, details: dict[str, Any], environment: dict[str, Any]) -> tuple[str, Any]:
    if details.get(field) is not None:
        return f"method_details.{field}", details[field]
    return f"environment.{field}", environment.get(field)


def site_flags(
    method: str | None, details: dict[str, Any], environment: dict[str, Any]
) -> list[SiteFlag]:
    """The thresholds a recorded site falls below (none for other methods)."""
    rules = load_safeguards()
    if method not in rules.methods:
        return []
    flags = []
    for t in rules.thresholds:
        _, value = _where(t.field, details, environment)
        if isinstance(value, int | float) and value < t.min_m:
            flags.append(
                SiteFlag(
                    field=t.field,
                    distance_m=float(value),
                    threshold_m=t.min_m,
                    reference=t.reference,
                    reference_vi=t.reference_vi,
                    threshold_confirmed=t.confirmed,
                    note=str(environment.get(NOTE_FIELD) or ""),
                )
            )
    return flags


def check_site(method: str, details: dict[str, Any], environment: dict[str, Any]) -> None:
    """Refuse (422) an open-ground destruction whose distances or wind are not recorded, or
    whose site is below a threshold without a note saying why."""
    rules = load_safeguards()
    if method not in rules.methods:
        return
    for t in rules.thresholds:
        where, value = _where(t.field, details, environment)
        if value is None:
            raise Invalid(
                where,
                f"record the distance ({t.field}) for this method",
                key=f"keysb_environment.no_{t.field}",
            )
    if rules.require_wind and not (environment.get("wind_direction") or "").strip():
        raise Invalid(
            "environment.wind_direction",
            "record the wind for this method",
            key="keysb_environment.no_wind",
        )
    flags = site_flags(method, details, environment)
    if flags and not str(environment.get(NOTE_FIELD) or "").strip():
        f = flags[0]
        raise Invalid(
            f"environment.{NOTE_FIELD}",
            f"{f.field} is {f.distance_m:g} m, below {f.threshold_m:g} m ({f.reference}): "
            "say why this site was used and what was done",
            key=f"keysb_environment.below_{f.field}",
            params={"distance": f.distance_m, "threshold": f.threshold_m},
        )
