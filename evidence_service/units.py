"""Units of quantity (đơn vị tính) as an open vocabulary with a kind (``data/units.toml``, plus
those an agency adds): every unit maps to count, mass, volume or length, so quantities in
different units of one kind add up (:func:`totals`), and a unit is printed as recorded."""

import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from .auth import agency_scope, require
from .errors import Conflict, Invalid
from .models import AgencyUnit, UnitKind, User

UNITS_PATH = Path(__file__).resolve().parent / "data" / "units.toml"
BASE = {UnitKind.count_: "", UnitKind.mass: "g", UnitKind.volume: "l", UnitKind.length: "m"}


@dataclass(frozen=True)
class Unit:
    code: str
    kind: UnitKind
    factor: float  # how many of the kind's base unit one of it is
    vi: str
    en: str
    built_in: bool = True

    @property
    def whole(self) -> bool:
        return self.kind == UnitKind.count_

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


def normalise(code: str) -> str:
    return " ".join(code.strip().lower().split())


@lru_cache(maxsize=1)
def built_in_units() -> dict[str, Unit]:
    raw = tomllib.loads(UNITS_PATH.read_text(encoding="utf-8"))["units"]
    units = {}
    for code, body in raw.items():
        if normalise(code) != code:
            raise ValueError(f"units: '{code}' is not in normal form (lower case, trimmed)")
        units[code] = Unit(
            code, UnitKind(body["kind"]), float(body.get("factor", 1)), body["vi"], body["en"]
        )
    return units


def units_for(session: Session, agency_ids: Iterable[int]) -> dict[str, Unit]:
    """The built-in units and those the agencies added."""
    units = dict(built_in_units())
    for row in session.exec(
        select(AgencyUnit).where(col(AgencyUnit.agency_id).in_(list(agency_ids)))
    ).all():
        units.setdefault(
            row.code, Unit(row.code, UnitKind(row.kind), row.factor, row.code, row.code, False)
        )
    return units


def check_quantity(units: dict[str, Unit], code: str, quantity: float, field: str) -> str:
    """The unit's code in normal form; Invalid if unknown or a count is not whole."""
    unit = units.get(normalise(code))
    if unit is None:
        known = ", ".join(sorted(units))
        raise Invalid(
            f"{field}.unit",
            f"unknown unit '{code}' (known: {known})",
            code,
            key="keysb_units.unknown",
            params={"code": code},
        )
    if unit.whole and quantity != int(quantity):
        raise Invalid(
            f"{field}.quantity",
            f"a quantity in '{unit.code}' must be a whole number",
            quantity,
            key="ledger15_validation.whole_quantity",
            params={"unit": unit.code},
        )
    return unit.code


def totals(units: dict[str, Unit], lines: Iterable[tuple[float, str]]) -> dict[str, float]:
    """Quantities added up per kind, in the kind's base unit (g, l, m; counts as such).
    Unknown units are left out rather than guessed."""
    out: dict[str, float] = defaultdict(float)
    for quantity, code in lines:
        unit = units.get(normalise(code))
        if unit is not None:
            out[unit.kind.value] += quantity * unit.factor
    return dict(out)


class UnitCreate(BaseModel):
    code: str = Field(min_length=1, max_length=16, examples=["bó"])
    kind: UnitKind
    factor: float = Field(default=1.0, gt=0, description="in g, l or m; 1 for a count")


class UnitPublic(BaseModel):
    code: str
    kind: UnitKind
    factor: float
    name_vi: str
    name_en: str
    built_in: bool


def unit_public(unit: Unit) -> UnitPublic:
    return UnitPublic(
        code=unit.code,
        kind=unit.kind,
        factor=unit.factor,
        name_vi=unit.vi,
        name_en=unit.en,
        built_in=unit.built_in,
    )


def list_units(session: Session, actor: User) -> list[UnitPublic]:
    return [unit_public(u) for u in units_for(session, agency_scope(session, actor)).values()]


def add_unit(session: Session, data: UnitCreate, actor: User) -> UnitPublic:
    """An agency's own unit (e.g. "bó", "thùng"), with its kind."""
    require(actor, "manage_cases")
    code = normalise(data.code)
    if data.kind == UnitKind.count_ and data.factor != 1:
        raise Invalid("factor", "a count has factor 1", data.factor, key="keysb_units.count_factor")
    if code in units_for(session, [actor.agency_id]):
        raise Conflict(
            f"unit '{code}' already exists", key="keysb_units.exists", params={"code": code}
        )
    assert actor.id is not None
    row = AgencyUnit(
        agency_id=actor.agency_id,
        code=code,
        kind=data.kind.value,
        factor=data.factor,
        created_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    return unit_public(Unit(code, data.kind, data.factor, code, code, False))
