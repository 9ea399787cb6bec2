"""Items (vật chứng): intake, lookup, listing and moves, each with its custody event."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import String, bindparam, cast, func, insert, update
from sqlmodel import Session, col, select

from . import payload
from .auth import agency_scope, require
from .cases import find_case
from .custody import EventType, NewEvent, append_events, lock_for_write
from .errors import Conflict, Invalid, InvalidTransition, NotFound, StaleVersion
from .locations import get_location
from .models import (
    Case,
    Category,
    CodeCounter,
    CustodyEvent,
    Disposition,
    Item,
    ItemStatus,
    Location,
    SealState,
    User,
    Warehouse,
)
from .storage import Placement, check_placements, normalise_hazard_classes

# Units an item's quantity may be counted in; counted units need whole quantities.
COUNTED_UNITS = frozenset(
    {"piece", "pack", "box", "bag", "bottle", "set", "vehicle", "sheet", "roll"}
)
MEASURED_UNITS = frozenset({"g", "kg", "l", "ml"})
MOVABLE_STATUSES = frozenset(
    {ItemStatus.received, ItemStatus.stored, ItemStatus.pending_destruction}
)


class Person(BaseModel):
    name: str = Field(default="", max_length=200)
    position: str = Field(default="", max_length=200)
    id_document: str = Field(default="", max_length=64)


class ItemCreate(BaseModel):
    case_id: int | None = None
    judgment_number: str | None = Field(default=None, examples=["311/2025/HS-ST"])
    category: Category
    description: str = Field(min_length=1, max_length=1000)
    hazard_classes: list[str] = Field(default_factory=list, examples=[["1.4G"]])
    quantity: float = Field(gt=0)
    unit: str = Field(examples=["pack"])
    net_weight_g: float | None = Field(default=None, gt=0)
    gross_weight_g: float | None = Field(default=None, gt=0)
    volume_l: float | None = Field(default=None, gt=0)
    seal_number: str | None = Field(default=None, max_length=64)
    seal_state: SealState | None = None
    condition: str = Field(default="", max_length=500)
    delivered_by: Person = Field(default_factory=Person)
    handover_record_no: str | None = Field(default=None, max_length=64)
    entry_slip_no: str | None = Field(default=None, max_length=64)
    disposition: Disposition | None = Field(default=None, description="defaults to the case's")
    location_code: str | None = Field(default=None, description="omit to leave it in receiving")
    received_at: datetime | None = Field(default=None, description="defaults to now (UTC)")
    external_ref: str | None = Field(
        default=None, max_length=100, description="the item's number in an imported ledger"
    )

    @model_validator(mode="after")
    def _consistent(self) -> "ItemCreate":
        if self.case_id is None and not self.judgment_number:
            raise ValueError("give case_id or judgment_number")
        unit = self.unit.strip().lower()
        if unit not in COUNTED_UNITS | MEASURED_UNITS:
            known = ", ".join(sorted(COUNTED_UNITS | MEASURED_UNITS))
            raise ValueError(f"unknown unit '{self.unit}' (known: {known})")
        if unit in COUNTED_UNITS and self.quantity != int(self.quantity):
            raise ValueError(f"a quantity in '{unit}' must be a whole number")
        self.unit = unit
        if self.net_weight_g and self.gross_weight_g and self.gross_weight_g < self.net_weight_g:
            raise ValueError("gross_weight_g cannot be less than net_weight_g")
        if self.received_at is not None:
            if self.received_at.tzinfo is None:
                self.received_at = self.received_at.replace(tzinfo=UTC)
            if self.received_at > datetime.now(UTC):
                raise ValueError("received_at cannot be in the future")
        return self


class ItemBatchCreate(BaseModel):
    items: list[ItemCreate] = Field(min_length=1, max_length=5000)
    override_reason: str | None = Field(default=None, description="manager override of limits")


class ItemPublic(BaseModel):
    code: str
    label_payload: str
    status: ItemStatus
    location_code: str | None
    case_id: int
    judgment_number: str
    category: Category
    description: str
    hazard_classes: list[str]
    quantity: float
    unit: str
    net_weight_g: float | None
    gross_weight_g: float | None
    seized_net_weight_g: float | None
    seized_gross_weight_g: float | None
    volume_l: float | None
    seal_number: str | None
    seal_state: SealState
    condition: str
    delivered_by: Person
    received_by: str
    handover_record_no: str | None
    entry_slip_no: str | None
    disposition: Disposition
    version: int
    received_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    items: list[ItemPublic]
    total: int
    limit: int
    offset: int


class MoveRequest(BaseModel):
    to_location_code: str
    reason: str = Field(default="", max_length=1000)
    version: int | None = Field(default=None, description="the version you saw; stale → 409")
    override_reason: str | None = Field(default=None, description="manager override of limits")


class CustodyEventPublic(BaseModel):
    seq: int
    event_type: str
    occurred_at: datetime
    actor: str
    from_location_code: str | None
    to_location_code: str | None
    reason: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


def next_item_codes(session: Session, year: int, count: int) -> list[str]:
    name = f"item:{year}"
    counter = session.get(CodeCounter, name)
    if counter is None:
        counter = CodeCounter(name=name, value=0)
        session.add(counter)
    start = counter.value + 1
    counter.value += count
    session.flush()
    return [payload.make_item_code(year, seq) for seq in range(start, start + count)]


def intake_items(
    session: Session,
    items_in: Sequence[ItemCreate],
    actor: User,
    override_reason: str | None = None,
) -> list[int]:
    """Receive items, all or nothing. Returns the new items' ids in input order."""
    require(actor, "intake")
    lock_for_write(session)
    now = datetime.now(UTC)
    cases: dict[tuple[int | None, str | None], Case] = {}
    locations: dict[str, Location] = {}
    agencies: dict[int, int] = {}  # warehouse id → agency id
    rows: list[dict[str, Any]] = []
    placements: list[Placement] = []
    for n, data in enumerate(items_in):
        field = f"items.{n}"
        case_key = (data.case_id, data.judgment_number)
        if case_key not in cases:
            cases[case_key] = find_case(session, actor, data.case_id, data.judgment_number, field)
        case = cases[case_key]
        hazard_classes = normalise_hazard_classes(data.hazard_classes, f"{field}.hazard_classes")
        location = None
        if data.location_code is not None:
            code = data.location_code
            if code not in locations:
                try:
                    locations[code] = get_location(session, code, actor)
                except NotFound:
                    raise Invalid(
                        f"{field}.location_code", f"unknown location '{code}'", code
                    ) from None
            location = locations[code]
            if location.warehouse_id not in agencies:
                agencies[location.warehouse_id] = _warehouse_agency(session, location)
            placements.append(
                Placement(
                    code=f"#{n + 1}",
                    target=location,
                    hazard_classes=tuple(hazard_classes),
                    net_weight_g=data.net_weight_g or 0.0,
                    volume_l=data.volume_l or 0.0,
                )
            )
        rows.append(
            {
                # Items belong to the agency whose warehouse holds them.
                "agency_id": agencies[location.warehouse_id] if location else case.agency_id,
                "case_id": case.id,
                "category": data.category.value,
                "description": data.description,
                "hazard_classes": hazard_classes,
                "quantity": data.quantity,
                "unit": data.unit,
                "net_weight_g": data.net_weight_g,
                "gross_weight_g": data.gross_weight_g,
                "seized_net_weight_g": data.net_weight_g,
                "seized_gross_weight_g": data.gross_weight_g,
                "volume_l": data.volume_l,
                "seal_number": data.seal_number,
                "seal_state": (
                    data.seal_state
                    or (SealState.intact if data.seal_number else SealState.unsealed)
                ).value,
                "condition": data.condition,
                "delivered_by_name": data.delivered_by.name,
                "delivered_by_position": data.delivered_by.position,
                "delivered_by_id_document": data.delivered_by.id_document,
                "received_by_id": actor.id,
                "handover_record_no": data.handover_record_no,
                "entry_slip_no": data.entry_slip_no,
                "disposition": (data.disposition or Disposition(case.disposition)).value,
                "status": (ItemStatus.stored if location else ItemStatus.received).value,
                "location_id": location.id if location else None,
                "version": 1,
                "received_at": data.received_at or now,
                "updated_at": now,
                "external_ref": data.external_ref,
            }
        )
    override = check_placements(session, placements, actor, override_reason)
    codes = next_item_codes(session, now.year, len(rows))
    for row, code in zip(rows, codes, strict=True):
        row["code"] = code
        row["label_key"] = payload.code_key(code)
    # A plain executemany, then the ids by code: ordered RETURNING would make SQLite
    # insert row by row, and the ORM's bulk path costs more than the database.
    connection = session.connection()
    table = Item.__table__  # type: ignore[attr-defined]
    connection.execute(insert(table), rows)
    id_by_code: dict[str, int] = {}
    for start in range(0, len(codes), 1000):
        chunk = codes[start : start + 1000]
        found = select(table.c.code, table.c.id).where(table.c.code.in_(chunk))
        id_by_code.update(connection.execute(found).all())  # type: ignore[arg-type]
    ids = [id_by_code[code] for code in codes]
    append_events(
        session,
        (
            NewEvent(
                item_id=item_id,
                event_type=EventType.intake,
                actor_id=actor.id,  # type: ignore[arg-type]
                to_location_id=row["location_id"],
                details=_intake_details(row, override if row["location_id"] else None),
            )
            for item_id, row in zip(ids, rows, strict=True)
        ),
    )
    return ids


def _warehouse_agency(session: Session, location: Location) -> int:
    warehouse = session.get(Warehouse, location.warehouse_id)
    assert warehouse is not None
    return warehouse.agency_id


def _intake_details(row: dict[str, Any], override: dict[str, Any] | None) -> dict[str, Any]:
    details = {
        "code": row["code"],
        "case_id": row["case_id"],
        "net_weight_g": row["net_weight_g"],
        "gross_weight_g": row["gross_weight_g"],
        "quantity": row["quantity"],
        "unit": row["unit"],
        "seal_number": row["seal_number"],
        "seal_state": row["seal_state"],
        "received_at": row["received_at"].isoformat(),
    }
    if override:
        details["override"] = override
    return details


# Built once: constructing a statement costs more than running it on the hot lookup path.
_ITEM_QUERY = (
    select(Item, Location.code, Case.judgment_number, User.username)
    .join(Case, col(Case.id) == Item.case_id)
    .join(User, col(User.id) == Item.received_by_id)
    .outerjoin(Location, col(Location.id) == Item.location_id)
)
_ITEM_BY_KEY = _ITEM_QUERY.where(col(Item.label_key) == bindparam("key"))


def _public(item: Item, location_code: str | None, judgment: str, receiver: str) -> ItemPublic:
    return ItemPublic(
        code=item.code,
        label_payload=payload.make_payload("I", item.code),
        status=ItemStatus(item.status),
        location_code=location_code,
        case_id=item.case_id,
        judgment_number=judgment,
        category=Category(item.category),
        description=item.description,
        hazard_classes=list(item.hazard_classes),
        quantity=item.quantity,
        unit=item.unit,
        net_weight_g=item.net_weight_g,
        gross_weight_g=item.gross_weight_g,
        seized_net_weight_g=item.seized_net_weight_g,
        seized_gross_weight_g=item.seized_gross_weight_g,
        volume_l=item.volume_l,
        seal_number=item.seal_number,
        seal_state=SealState(item.seal_state),
        condition=item.condition,
        delivered_by=Person(
            name=item.delivered_by_name,
            position=item.delivered_by_position,
            id_document=item.delivered_by_id_document,
        ),
        received_by=receiver,
        handover_record_no=item.handover_record_no,
        entry_slip_no=item.entry_slip_no,
        disposition=Disposition(item.disposition),
        version=item.version,
        received_at=item.received_at,
        updated_at=item.updated_at,
    )


def items_public(session: Session, ids: Sequence[int]) -> list[ItemPublic]:
    rows = session.execute(_ITEM_QUERY.where(col(Item.id).in_(ids))).all()
    by_id = {row[0].id: _public(*row) for row in rows}
    return [by_id[i] for i in ids]


def _key(code: str) -> str:
    try:
        return payload.code_key(code)
    except ValueError:
        raise NotFound(f"item '{code}' not found") from None


def get_item(session: Session, code: str, actor: User) -> Item:
    """An item the actor may see, by code (with or without dashes, any case)."""
    item = session.exec(select(Item).where(Item.label_key == _key(code))).first()
    if item is None or item.agency_id not in agency_scope(session, actor):
        raise NotFound(f"item '{code}' not found")
    return item


def item_public(session: Session, code: str, actor: User) -> ItemPublic:
    row = session.execute(_ITEM_BY_KEY, {"key": _key(code)}).first()
    if row is None or row[0].agency_id not in agency_scope(session, actor):
        raise NotFound(f"item '{code}' not found")
    return _public(*row)


def list_items(
    session: Session,
    actor: User,
    *,
    status: ItemStatus | None = None,
    category: Category | None = None,
    location_code: str | None = None,
    warehouse_code: str | None = None,
    case_id: int | None = None,
    hazard_class: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ItemPage:
    query = _ITEM_QUERY.where(col(Item.agency_id).in_(agency_scope(session, actor)))
    if status is not None:
        query = query.where(Item.status == status.value)
    if category is not None:
        query = query.where(Item.category == category.value)
    if case_id is not None:
        query = query.where(Item.case_id == case_id)
    if location_code is not None:
        within = get_location(session, location_code, actor)
        query = query.where(col(Location.path).startswith(within.path))
    if warehouse_code is not None:
        query = query.join(Warehouse, col(Warehouse.id) == Location.warehouse_id).where(
            Warehouse.code == warehouse_code
        )
    if hazard_class is not None:
        (normalised,) = normalise_hazard_classes([hazard_class], "hazard_class", where="query")
        # The list is stored as JSON text; a quoted match finds the exact class.
        query = query.where(cast(Item.hazard_classes, String).contains(f'"{normalised}"'))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(col(Item.id)).limit(limit).offset(offset)).all()
    return ItemPage(items=[_public(*r) for r in rows], total=total, limit=limit, offset=offset)


def move_items(
    session: Session,
    codes: Sequence[str],
    to_location_code: str,
    actor: User,
    *,
    reason: str = "",
    versions: dict[str, int] | None = None,
    override_reason: str | None = None,
) -> list[int]:
    """Move items to one location, all or nothing; one custody event each."""
    require(actor, "move")
    lock_for_write(session)
    target = get_location(session, to_location_code, actor)
    items = [get_item(session, code, actor) for code in codes]
    expected_versions = {_key(code): version for code, version in (versions or {}).items()}
    target_agency = _warehouse_agency(session, target)
    if len({i.id for i in items}) != len(items):
        raise Invalid("codes", "the same item is listed twice")
    placements = []
    for item in items:
        if ItemStatus(item.status) not in MOVABLE_STATUSES:
            raise InvalidTransition(f"item {item.code} is {item.status} and cannot be moved")
        expected = expected_versions.get(item.label_key)
        if expected is not None and expected != item.version:
            raise StaleVersion(
                f"item {item.code} changed since you read it "
                f"(your version {expected}, current {item.version}); reload and retry"
            )
        if item.location_id == target.id:
            raise Conflict(f"item {item.code} is already at {target.code}")
        placements.append(
            Placement(
                code=item.code,
                target=target,
                hazard_classes=tuple(item.hazard_classes),
                net_weight_g=item.net_weight_g or 0.0,
                volume_l=item.volume_l or 0.0,
                current_location_id=item.location_id,
            )
        )
    override = check_placements(session, placements, actor, override_reason)
    now = datetime.now(UTC)
    events = []
    for item in items:
        item_id: int = item.id  # type: ignore[assignment]
        from_location_id = item.location_id  # the update below refreshes the object
        new_status = ItemStatus.stored if item.status == ItemStatus.received else item.status
        updated = session.execute(
            update(Item)
            .where(col(Item.id) == item.id, col(Item.version) == item.version)
            .values(
                location_id=target.id,
                status=new_status,
                # Items belong to the agency whose warehouse holds them.
                agency_id=target_agency,
                version=item.version + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if updated.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleVersion(f"item {item.code} was changed by someone else; reload and retry")
        details: dict[str, Any] = {"status": str(new_status)}
        if item.agency_id != target_agency:
            details["agency_id"] = {"from": item.agency_id, "to": target_agency}
        if override:
            details["override"] = override
        events.append(
            NewEvent(
                item_id=item_id,
                event_type=EventType.move,
                actor_id=actor.id,  # type: ignore[arg-type]
                from_location_id=from_location_id,
                to_location_id=target.id,
                reason=reason,
                details=details,
            )
        )
    append_events(session, events)
    session.expire_all()
    return [i.id for i in items if i.id is not None]


def custody_history(session: Session, code: str, actor: User) -> list[CustodyEventPublic]:
    item = get_item(session, code, actor)
    rows = session.exec(
        select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(col(CustodyEvent.seq))
    ).all()
    location_ids = {r.from_location_id for r in rows} | {r.to_location_id for r in rows}
    locations = {
        loc.id: loc.code
        for loc in session.exec(select(Location).where(col(Location.id).in_(location_ids))).all()
    }
    users = {
        u.id: u.username
        for u in session.exec(
            select(User).where(col(User.id).in_({r.actor_id for r in rows}))
        ).all()
    }
    return [
        CustodyEventPublic(
            seq=r.seq,
            event_type=r.event_type,
            occurred_at=r.occurred_at,
            actor=users[r.actor_id],
            from_location_code=locations.get(r.from_location_id),
            to_location_code=locations.get(r.to_location_id),
            reason=r.reason,
            details=r.details,
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in rows
    ]
