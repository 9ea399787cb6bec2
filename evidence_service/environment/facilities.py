"""Licensed facilities (``data/facilities.toml``, with an admin's changes stored in
``environment_facilities``), where each warehouse is (``warehouse_sites``), and the distance
and road time between them.

Distance: the great-circle (straight-line) distance times the road factor of
``data/site_safeguards.toml``; time: that distance at the file's average speed. No map service
is asked; the faces state the factor and the speed next to every figure."""

import math
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from ..auth import agency_scope, require
from ..errors import Invalid, NotFound
from ..models import EnvironmentFacility, FacilityKind, User, Warehouse, WarehouseSite
from .factors import load_factors

DATA = Path(__file__).resolve().parent.parent / "data"
FACILITIES_PATH = DATA / "facilities.toml"
SAFEGUARDS_PATH = DATA / "site_safeguards.toml"
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


@dataclass(frozen=True)
class RoadRule:
    factor: float
    average_speed_kmh: float
    confirmed: bool


class FacilityIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    province: str = Field(default="", max_length=100)
    kind: FacilityKind
    permit_ref: str = Field(default="", max_length=200)
    material_groups: list[str] = Field(default_factory=list, max_length=20)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    source: str = Field(min_length=1, max_length=2000, description="where the facility is named")
    verified: bool = False
    active: bool = True
    note: str = Field(default="", max_length=2000)


class FacilityPublic(FacilityIn):
    id: str
    origin: str = Field(description="file (data/facilities.toml) | admin (stored edit)")
    source_vi: str = Field(default="", description="the file's source in Vietnamese")
    note_vi: str = Field(default="", description="the file's note in Vietnamese")


class SiteIn(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    province: str = Field(default="", max_length=100)


class SitePublic(SiteIn):
    warehouse_code: str


class Distance(BaseModel):
    facility_id: str
    facility_name: str
    straight_km: float
    road_km: float = Field(description="straight_km × road_factor: an estimate, no map service")
    road_hours: float = Field(description="road_km at average_speed_kmh")
    road_factor: float
    average_speed_kmh: float
    assumption_confirmed: bool


@lru_cache(maxsize=1)
def road_rule() -> RoadRule:
    raw = tomllib.loads(SAFEGUARDS_PATH.read_text(encoding="utf-8"))["road"]
    return RoadRule(float(raw["factor"]), float(raw["average_speed_kmh"]), bool(raw["confirmed"]))


@lru_cache(maxsize=1)
def file_facilities() -> tuple[FacilityPublic, ...]:
    raw = tomllib.loads(FACILITIES_PATH.read_text(encoding="utf-8"))
    return tuple(
        FacilityPublic(**{k: v for k, v in f.items() if k != "id"}, id=f["id"], origin="file")
        for f in raw.get("facilities", [])
    )


def _public(row: EnvironmentFacility) -> FacilityPublic:
    return FacilityPublic(
        id=row.key,
        origin="admin",
        name=row.name,
        province=row.province,
        kind=FacilityKind(row.kind),
        permit_ref=row.permit_ref,
        material_groups=list(row.material_groups),
        latitude=row.latitude,
        longitude=row.longitude,
        source=row.source,
        verified=row.verified,
        active=row.active,
        note=row.note,
    )


def facilities(session: Session) -> list[FacilityPublic]:
    """The file's facilities with the admin's changes applied, and the admin's additions."""
    stored = {r.key: _public(r) for r in session.exec(select(EnvironmentFacility)).all()}
    merged = [stored.pop(f.id, f) for f in file_facilities()]
    return merged + sorted(stored.values(), key=lambda f: f.id)


def set_facility(session: Session, key: str, data: FacilityIn, actor: User) -> FacilityPublic:
    """An admin adds a facility or changes one (the file's entry stays as shipped)."""
    require(actor, "manage_agencies")
    key = key.strip()
    if not key or len(key) > 64 or not all(c.isalnum() or c in "-_." for c in key):
        raise Invalid(
            "id",
            "letters, digits, '-', '_' or '.', at most 64",
            key,
            key="keysb_environment.facility_id",
        )
    known = {g.id for g in load_factors().groups}
    unknown = sorted(set(data.material_groups) - known)
    if unknown:
        raise Invalid(
            "material_groups",
            f"unknown group '{unknown[0]}' (known: {', '.join(sorted(known))})",
            key="keysb_environment.unknown_group",
            params={"group": unknown[0]},
        )
    if (data.latitude is None) != (data.longitude is None):
        raise Invalid(
            "latitude",
            "give both latitude and longitude, or neither",
            key="keysb_environment.coordinates",
        )
    row = session.exec(select(EnvironmentFacility).where(EnvironmentFacility.key == key)).first()
    assert actor.id is not None
    values: dict[str, Any] = data.model_dump()
    values["kind"] = data.kind.value
    if row is None:
        row = EnvironmentFacility(key=key, updated_by_id=actor.id, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by_id, row.updated_at = actor.id, datetime.now(UTC)
    session.add(row)
    session.flush()
    return _public(row)


def _warehouse(session: Session, code: str, actor: User) -> Warehouse:
    warehouse = session.exec(select(Warehouse).where(Warehouse.code == code)).first()
    if warehouse is None or warehouse.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"warehouse {code} not found", key="keysb_locations.no_warehouse", params={"code": code}
        )
    return warehouse


def set_site(session: Session, code: str, data: SiteIn, actor: User) -> SitePublic:
    require(actor, "manage_locations")
    warehouse = _warehouse(session, code, actor)
    assert warehouse.id is not None and actor.id is not None
    row = session.get(WarehouseSite, warehouse.id)
    if row is None:
        row = WarehouseSite(warehouse_id=warehouse.id, updated_by_id=actor.id, **data.model_dump())
    else:
        row.latitude, row.longitude, row.province = data.latitude, data.longitude, data.province
        row.updated_by_id, row.updated_at = actor.id, datetime.now(UTC)
    session.add(row)
    session.flush()
    return SitePublic(warehouse_code=code, **data.model_dump())


def sites(session: Session, actor: User) -> dict[str, SitePublic]:
    """The sites of the warehouses in scope, by warehouse code."""
    rows = session.exec(
        select(WarehouseSite, Warehouse.code)
        .join(Warehouse, col(Warehouse.id) == WarehouseSite.warehouse_id)
        .where(col(Warehouse.agency_id).in_(agency_scope(session, actor)))
    ).all()
    return {
        code: SitePublic(
            warehouse_code=code, latitude=s.latitude, longitude=s.longitude, province=s.province
        )
        for s, code in rows
    }


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The haversine distance on a sphere of the Earth's mean radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance(site: SiteIn, facility: FacilityPublic) -> Distance | None:
    if facility.latitude is None or facility.longitude is None:
        return None
    rule = road_rule()
    straight = great_circle_km(site.latitude, site.longitude, facility.latitude, facility.longitude)
    road = straight * rule.factor
    return Distance(
        facility_id=facility.id,
        facility_name=facility.name,
        straight_km=round(straight, 1),
        road_km=round(road, 1),
        road_hours=round(road / rule.average_speed_kmh, 1),
        road_factor=rule.factor,
        average_speed_kmh=rule.average_speed_kmh,
        assumption_confirmed=rule.confirmed,
    )


def nearest(
    site: SiteIn | None, groups: set[str], all_facilities: list[FacilityPublic]
) -> tuple[FacilityPublic | None, Distance | None]:
    """The nearest active facility accepting every group, with its distance; without a site
    (or coordinates) the first suitable facility, distance unknown."""
    suitable = [f for f in all_facilities if f.active and groups <= set(f.material_groups)]
    if not suitable:
        return None, None
    if site is not None:
        measured = [(d, f) for f in suitable if (d := distance(site, f)) is not None]
        if measured:
            d, f = min(measured, key=lambda pair: pair[0].straight_km)
            return f, d
    return suitable[0], None
