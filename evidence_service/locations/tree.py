"""Warehouses and the location tree inside them (room/zone → shelf → bin), with usage."""

from collections import defaultdict
from dataclasses import dataclass

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import func
from sqlmodel import Session, col, select

from .. import chains, custodians, payload
from ..auth import agency_by_code, agency_scope, require
from ..errors import Conflict, Invalid, NotFound, value_error
from ..models import (
    Agency,
    CustodianKind,
    Location,
    LocationKind,
    LocationUsage,
    User,
    Warehouse,
)
from .hazard_table import normalise_hazard_classes

LOCATION_CODE_PATTERN = r"^[A-Z0-9]+(-[A-Z0-9]+)*$"


class Custodian(BaseModel):
    """Who keeps the warehouse's items (data/custodian_kinds.toml): the agency itself (own,
    rented) or an outside custodian, who is then named."""

    kind: CustodianKind = CustodianKind.own
    name: str = Field(default="", max_length=200, description="the outside custodian")
    representative: str = Field(default="", max_length=200, description="who signs for it")
    position: str = Field(default="", max_length=200)
    contract: str = Field(
        default="", max_length=200, description="the custody or storage contract: number, date"
    )

    @model_validator(mode="after")
    def _outside_custodian_named(self) -> "Custodian":
        if custodians.rule(self.kind).held_by_others and not self.name.strip():
            raise value_error(
                "an outside custodian needs its name", "lead_custodian_error.name_required"
            )
        return self


class WarehouseCreate(BaseModel):
    code: str = Field(pattern=LOCATION_CODE_PATTERN, max_length=32, examples=["KHO-LS1"])
    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    agency_code: str | None = Field(default=None, description="defaults to the user's agency")
    custodian: Custodian = Field(default_factory=Custodian)


class WarehousePublic(BaseModel):
    code: str
    name: str
    address: str | None
    agency_code: str
    custodian: Custodian
    held_by_others: bool


class LocationCreate(BaseModel):
    warehouse_code: str
    code: str = Field(pattern=LOCATION_CODE_PATTERN, max_length=32, examples=["LS1-A-03"])
    parent_code: str | None = None
    name: str = Field(default="", max_length=200)
    kind: LocationKind = LocationKind.shelf
    max_items: int | None = Field(default=None, gt=0)
    max_weight_kg: float | None = Field(default=None, gt=0)
    max_volume_l: float | None = Field(default=None, gt=0)
    allowed_hazard_classes: list[str] = Field(
        default_factory=list, description="empty: no hazardous items may be stored here"
    )
    secure: bool = False
    awaiting_destruction: bool = Field(
        default=False, description="where items approved for destruction wait (secure)"
    )

    @field_validator("code")
    @classmethod
    def _not_like_a_label(cls, code: str) -> str:
        if payload.looks_like_payload(code):
            raise value_error(
                "a location code cannot start like a label payload (EV + digit)",
                "keysb_validation.location_code_like_label",
            )
        return code


class Usage(BaseModel):
    items: int = 0
    net_weight_kg: float = 0.0
    volume_l: float = 0.0


class LocationSummary(BaseModel):
    code: str
    name: str
    kind: LocationKind
    usage: Usage


class LocationPublic(BaseModel):
    code: str
    label_payload: str
    warehouse_code: str
    parent_code: str | None
    name: str
    kind: LocationKind
    max_items: int | None
    max_weight_kg: float | None
    max_volume_l: float | None
    allowed_hazard_classes: list[str]
    secure: bool
    usage: Usage
    children: list[LocationSummary] = []


def create_warehouse(session: Session, data: WarehouseCreate, actor: User) -> Warehouse:
    require(actor, "manage_locations")
    agency_id = actor.agency_id
    if data.agency_code is not None:
        agency_id = agency_by_code(session, data.agency_code, actor).id or agency_id
    if session.exec(select(Warehouse).where(Warehouse.code == data.code)).first():
        raise Conflict(
            f"warehouse '{data.code}' already exists",
            key="keysb_locations.warehouse_exists",
            params={"code": data.code},
        )
    keeper = data.custodian
    warehouse = Warehouse(
        code=data.code,
        name=data.name,
        address=data.address,
        agency_id=agency_id,
        custodian_kind=keeper.kind,
        custodian_name=keeper.name.strip(),
        custodian_representative=keeper.representative.strip(),
        custodian_position=keeper.position.strip(),
        custody_contract=keeper.contract.strip(),
    )
    session.add(warehouse)
    session.flush()
    return warehouse


def warehouse_public(session: Session, warehouse: Warehouse) -> WarehousePublic:
    agency = session.get(Agency, warehouse.agency_id)
    assert agency is not None
    return WarehousePublic(
        code=warehouse.code,
        name=warehouse.name,
        address=warehouse.address,
        agency_code=agency.code,
        custodian=Custodian.model_construct(
            kind=CustodianKind(warehouse.custodian_kind),
            name=warehouse.custodian_name,
            representative=warehouse.custodian_representative,
            position=warehouse.custodian_position,
            contract=warehouse.custody_contract,
        ),
        held_by_others=custodians.held_by_others(warehouse),
    )


def list_warehouses(session: Session, actor: User) -> list[WarehousePublic]:
    scope = agency_scope(session, actor)
    rows = session.exec(
        select(Warehouse).where(col(Warehouse.agency_id).in_(scope)).order_by(Warehouse.code)
    ).all()
    return [warehouse_public(session, w) for w in rows]


def get_warehouse(session: Session, code: str, actor: User) -> Warehouse:
    warehouse = session.exec(select(Warehouse).where(Warehouse.code == code)).first()
    if warehouse is None or warehouse.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"warehouse '{code}' not found",
            key="keysb_locations.no_warehouse",
            params={"code": code},
        )
    return warehouse


def get_location(
    session: Session, code: str, actor: User, scope: set[int] | None = None
) -> Location:
    """A location the actor may see, by its code or by its label key (code without dashes);
    ``scope``: the actor's agency scope, if the caller has it already."""
    try:
        key = payload.code_key(code)
    except ValueError:
        raise NotFound(
            f"location '{code}' not found",
            key="docs15_refusal.unknown_location",
            params={"location": code},
        ) from None
    found = session.exec(
        select(Location, Warehouse.agency_id)
        .join(Warehouse, col(Warehouse.id) == Location.warehouse_id)
        .where((Location.code == code.upper()) | (Location.label_key == key))
    ).first()
    if found is not None:
        location, agency_id = found
        if agency_id in (agency_scope(session, actor) if scope is None else scope):
            return location
    raise NotFound(
        f"location '{code}' not found",
        key="docs15_refusal.unknown_location",
        params={"location": code},
    )


def warehouse_agency_id(session: Session, location: Location) -> int:
    """The agency of the location's warehouse: items belong to the agency that holds them.
    Asked of the chains' per-session cache, which the placement check's lock asks again."""
    agency_id = chains.agency_of(session, "warehouses", location.warehouse_id)
    assert agency_id is not None
    return agency_id


def awaiting_destruction_locations(
    session: Session, actor: User, near: Location | None
) -> list[str]:
    """Codes of the secure locations where items ordered destroyed wait, in the actor's
    scope; only in ``near``'s warehouse when given."""
    query = (
        select(Location.code)
        .join(Warehouse, col(Warehouse.id) == Location.warehouse_id)
        .where(col(Location.awaiting_destruction), col(Location.secure))
        .where(col(Warehouse.agency_id).in_(agency_scope(session, actor)))
    )
    if near is not None:
        query = query.where(Location.warehouse_id == near.warehouse_id)
    return list(session.exec(query.order_by(Location.code)).all())


def create_location(session: Session, data: LocationCreate, actor: User) -> Location:
    require(actor, "manage_locations")
    warehouse = get_warehouse(session, data.warehouse_code, actor)
    parent = None
    if data.parent_code is not None:
        parent = get_location(session, data.parent_code, actor)
        if parent.warehouse_id != warehouse.id:
            raise Invalid(
                "parent_code",
                "the parent location is in another warehouse",
                key="keysb_locations.parent_elsewhere",
                params={"parent": data.parent_code, "warehouse": data.warehouse_code},
            )
    key = payload.code_key(data.code)
    clash = session.exec(
        select(Location).where((Location.code == data.code) | (Location.label_key == key))
    ).first()
    if clash is not None:
        # Another agency's location is not named to this user.
        mine = warehouse_agency_id(session, clash) in agency_scope(session, actor)
        raise Conflict(
            f"location code '{data.code}' is already used"
            + (f" (by '{clash.code}')" if mine else ""),
            key="keysb_locations.code_used",
            params={"code": data.code},
        )
    assert warehouse.id is not None
    location = Location(
        code=data.code,
        label_key=key,
        name=data.name,
        kind=data.kind.value,
        warehouse_id=warehouse.id,
        parent_id=parent.id if parent else None,
        max_items=data.max_items,
        max_weight_kg=data.max_weight_kg,
        max_volume_l=data.max_volume_l,
        allowed_hazard_classes=normalise_hazard_classes(
            data.allowed_hazard_classes, "allowed_hazard_classes"
        ),
        secure=data.secure,
        awaiting_destruction=data.awaiting_destruction,
    )
    session.add(location)
    session.flush()
    location.path = f"{parent.path if parent else '/'}{location.id}/"
    session.flush()
    return location


@dataclass
class _Tally:
    items: int = 0
    weight_g: float = 0.0
    volume_l: float = 0.0

    def usage(self) -> Usage:
        return Usage(items=self.items, net_weight_kg=self.weight_g / 1000, volume_l=self.volume_l)


def subtree_usage(
    session: Session, locations: list[Location], within_path: str | None = None
) -> dict[int, Usage]:
    """Usage of each location including everything below it; ``within_path`` narrows the scan."""
    if not locations:
        return {}
    wanted = {loc.id for loc in locations}
    # location_usage is kept current by triggers on items (also inside this transaction),
    # so this reads a few rows per location instead of every item.
    query = (
        select(
            Location.path,
            func.sum(LocationUsage.item_count),
            func.sum(LocationUsage.net_weight_g),
            func.sum(LocationUsage.volume_l),
        )
        .join(LocationUsage, col(LocationUsage.location_id) == Location.id)
        .group_by(Location.path)
    )
    if within_path is not None:
        query = query.where(col(Location.path).startswith(within_path))
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    for path, count, weight, volume in session.execute(query).all():
        # Each row counts towards every location on its path that was asked about.
        for segment in path.strip("/").split("/"):
            if int(segment) in wanted:
                t = tallies[int(segment)]
                t.items += count
                t.weight_g += float(weight)
                t.volume_l += float(volume)
    return {loc.id: tallies[loc.id].usage() for loc in locations if loc.id is not None}


def _public(
    location: Location,
    warehouse_code: str,
    parent_code: str | None,
    usage: Usage,
    children: list[LocationSummary] | None = None,
) -> LocationPublic:
    return LocationPublic(
        code=location.code,
        label_payload=payload.make_payload("L", location.code),
        warehouse_code=warehouse_code,
        parent_code=parent_code,
        name=location.name,
        kind=LocationKind(location.kind),
        max_items=location.max_items,
        max_weight_kg=location.max_weight_kg,
        max_volume_l=location.max_volume_l,
        allowed_hazard_classes=list(location.allowed_hazard_classes),
        secure=location.secure,
        usage=usage,
        children=children or [],
    )


def location_public(session: Session, location: Location) -> LocationPublic:
    """A location with its usage and its children's."""
    warehouse = session.get(Warehouse, location.warehouse_id)
    parent = session.get(Location, location.parent_id) if location.parent_id else None
    assert warehouse is not None and location.id is not None
    children = list(
        session.exec(
            select(Location).where(Location.parent_id == location.id).order_by(Location.code)
        ).all()
    )
    usage = subtree_usage(session, [location, *children], within_path=location.path)
    summaries = [
        LocationSummary(code=c.code, name=c.name, kind=LocationKind(c.kind), usage=usage[c.id])  # type: ignore[index]
        for c in children
    ]
    return _public(
        location, warehouse.code, parent.code if parent else None, usage[location.id], summaries
    )


def list_locations(
    session: Session, actor: User, warehouse_code: str | None
) -> list[LocationPublic]:
    query = select(Location).join(Warehouse, col(Warehouse.id) == Location.warehouse_id)
    query = query.where(col(Warehouse.agency_id).in_(agency_scope(session, actor)))
    if warehouse_code is not None:
        query = query.where(Warehouse.code == warehouse_code)
    locations = list(session.exec(query.order_by(Location.path)).all())
    usage = subtree_usage(session, locations)
    codes = {loc.id: loc.code for loc in locations}
    warehouses = {w.id: w.code for w in session.exec(select(Warehouse)).all()}
    return [
        _public(loc, warehouses[loc.warehouse_id], codes.get(loc.parent_id), usage[loc.id])  # type: ignore[index]
        for loc in locations
    ]
