"""Receiving items (nhập kho), all or nothing, with one intake event each."""

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, select

from .. import chains, payload
from ..auth import agency_scope, require
from ..bulk import insert_rows
from ..cases.core import find_case
from ..custody import EventType, NewEvent, append_events, lock_for_write
from ..errors import Invalid, NotFound, value_error
from ..legal.holidays import local_today
from ..locations import (
    Placement,
    check_placements,
    get_location,
    normalise_hazard_classes,
    warehouse_agency_id,
)
from ..models import (
    Case,
    CodeCounter,
    Disposition,
    Item,
    ItemBase,
    ItemStatus,
    Location,
    SealState,
    User,
)
from ..units import built_in_units, check_quantity, units_for
from ..units import normalise as normalise_unit
from .categories import hazard_classes_for
from .lookup import ITEM_FIELDS, Person
from .requests import CLOCK_SKEW, EARLIEST_DATE

# The built-in units (data/units.toml); an agency may add its own (units.add_unit). Counted
# units need whole quantities.
COUNTED_UNITS = frozenset(u.code for u in built_in_units().values() if u.whole)
MEASURED_UNITS = frozenset(u.code for u in built_in_units().values() if not u.whole)


class ItemCreate(ItemBase):
    """An item as received: its own fields (``ItemBase``), its case, where it goes."""

    case_id: int | None = None
    judgment_number: str | None = Field(default=None, examples=["311/2025/HS-ST"])
    seal_state: SealState | None = None
    delivered_by: Person = Field(default_factory=Person)
    disposition: Disposition | None = Field(default=None, description="defaults to the case's")
    location_code: str | None = Field(default=None, description="omit to leave it in receiving")
    received_at: datetime | None = Field(default=None, description="defaults to now (UTC)")
    external_ref: str | None = Field(
        default=None, max_length=100, description="the item's number in an imported ledger"
    )

    @model_validator(mode="after")
    def _consistent(self) -> "ItemCreate":
        if self.case_id is None and not self.judgment_number:
            raise value_error("give case_id or judgment_number", "ledger15_validation.case_needed")
        # Known units and whole counts are checked at intake, with the agency's own units.
        unit = normalise_unit(self.unit)
        if unit in COUNTED_UNITS and self.quantity != int(self.quantity):
            raise value_error(
                f"a quantity in '{unit}' must be a whole number",
                "ledger15_validation.whole_quantity",
                unit=unit,
            )
        self.unit = unit
        if self.net_weight_g and self.gross_weight_g and self.gross_weight_g < self.net_weight_g:
            raise value_error(
                "gross_weight_g cannot be less than net_weight_g",
                "ledger15_validation.gross_below_net",
            )
        if self.received_at is not None:
            if self.received_at.tzinfo is None:
                self.received_at = self.received_at.replace(tzinfo=UTC)
            if self.received_at > datetime.now(UTC) + CLOCK_SKEW:
                raise value_error(
                    "received_at cannot be in the future", "ledger15_validation.received_future"
                )
            if self.received_at.date() < EARLIEST_DATE:
                raise value_error(
                    f"received_at cannot be before {EARLIEST_DATE}",
                    "ledger15_validation.received_too_old",
                    earliest=EARLIEST_DATE.strftime("%d/%m/%Y"),
                )
        return self


class ItemBatchCreate(BaseModel):
    items: list[ItemCreate] = Field(min_length=1, max_length=5000)
    override_reason: str | None = Field(default=None, description="manager override of limits")


def item_code_year(now: datetime) -> int:
    """The year an item's code is numbered in: the year in Viet Nam (from 17:00 UTC on 31
    December it is already the next one there)."""
    return local_today(now).year


def next_item_codes(session: Session, year: int, count: int) -> list[str]:
    """``count`` new item codes of ``year`` (``item_code_year``). Item numbers are one
    series for every province, while provinces write at the same time (one chain and lock
    each): on PostgreSQL they are taken in a transaction of their own, committed at once,
    so an import in one province does not hold the counter (a refused intake leaves a gap
    in the numbers). SQLite has one writer at a time: its numbers come from the work's own
    transaction."""
    name = f"item:{year}"
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        table = CodeCounter.__table__  # type: ignore[attr-defined]
        with bind.engine.begin() as own:
            own.execute(
                pg_insert(table).values(name=name, value=0).on_conflict_do_nothing(),
            )
            taken = own.execute(
                table.update()
                .where(table.c.name == name)
                .values(value=table.c.value + count)
                .returning(table.c.value)
            ).scalar_one()
        start = taken - count + 1
        return [payload.make_item_code(year, seq) for seq in range(start, start + count)]
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
    return [row["id"] for row in intake_rows(session, items_in, actor, override_reason)]


# An item's own fields as intake takes them, and those of them that are enums (stored by value).
_OWN_FIELDS = tuple(sorted(ITEM_FIELDS))
_ENUM_FIELDS = tuple(
    name
    for name in _OWN_FIELDS
    if isinstance(ItemBase.model_fields[name].annotation, type)
    and issubclass(ItemBase.model_fields[name].annotation, Enum)  # type: ignore[arg-type]
)


def intake_rows(
    session: Session,
    items_in: Sequence[ItemCreate],
    actor: User,
    override_reason: str | None = None,
) -> list[dict[str, Any]]:
    """``intake_items``, returning the items' rows as written (with their ids), in input
    order: what a caller needs of them without reading them back."""
    require(actor, "intake")
    lock_for_write(session, actor.agency_id)
    now = datetime.now(UTC)
    cases: dict[tuple[int | None, str | None], Case] = {}
    locations: dict[str, Location] = {}
    agencies: dict[int, int] = {}  # warehouse id → agency id
    # Each distinct list of classes is normalised once (the first row with it names the error).
    normalised: dict[tuple[str, ...], list[str]] = {}
    rows: list[dict[str, Any]] = []
    placements: list[Placement] = []
    known_units = units_for(session, agency_scope(session, actor))
    quantities: set[tuple[str, float]] = set()  # (unit, quantity) pairs found good
    for n, data in enumerate(items_in):
        field = f"items.{n}"
        if (data.unit, data.quantity) not in quantities:
            check_quantity(known_units, data.unit, data.quantity, field)
            quantities.add((data.unit, data.quantity))
        case_key = (data.case_id, data.judgment_number)
        if case_key not in cases:
            cases[case_key] = find_case(session, actor, data.case_id, data.judgment_number, field)
        case = cases[case_key]
        classes = hazard_classes_for(data.category, data.hazard_classes)
        if classes not in normalised:
            normalised[classes] = normalise_hazard_classes(classes, f"{field}.hazard_classes")
        hazard_classes = normalised[classes]
        location = None
        if data.location_code is not None:
            code = data.location_code
            if code not in locations:
                try:
                    locations[code] = get_location(session, code, actor)
                except NotFound:
                    raise Invalid(
                        f"{field}.location_code",
                        f"unknown location '{code}'",
                        code,
                        key="docs15_refusal.unknown_location",
                        params={"location": code},
                    ) from None
            location = locations[code]
            if location.warehouse_id not in agencies:
                agencies[location.warehouse_id] = warehouse_agency_id(session, location)
            placements.append(
                Placement(
                    code=f"#{n + 1}",
                    target=location,
                    hazard_classes=tuple(hazard_classes),
                    net_weight_g=data.net_weight_g or 0.0,
                    volume_l=data.volume_l or 0.0,
                )
            )
        own = data.__dict__  # the model's field values, read without a getattr each
        row = {name: own[name] for name in _OWN_FIELDS}
        for name in _ENUM_FIELDS:
            row[name] = _plain(row[name])
        rows.append(
            row
            | {
                # Items belong to the agency whose warehouse holds them.
                "agency_id": agencies[location.warehouse_id] if location else case.agency_id,
                "case_id": case.id,
                "hazard_classes": hazard_classes,  # shared by rows with the same classes
                "seized_net_weight_g": data.net_weight_g,
                "seized_gross_weight_g": data.gross_weight_g,
                "seal_state": (
                    data.seal_state
                    or (SealState.intact if data.seal_number else SealState.unsealed)
                ).value,
                "delivered_by_name": data.delivered_by.name,
                "delivered_by_position": data.delivered_by.position,
                "delivered_by_id_document": data.delivered_by.id_document,
                "received_by_id": actor.id,
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
    codes = next_item_codes(session, item_code_year(now), len(rows))
    for row, code in zip(rows, codes, strict=True):
        row["code"] = code
        row["label_key"] = payload.code_key(code)
    # A plain executemany, then the new ids by code from one range read above the highest id
    # before: ordered RETURNING would make SQLite insert row by row, and the ORM's bulk path
    # costs more than the database.
    connection = session.connection()
    table = Item.__table__  # type: ignore[attr-defined]
    highest = connection.execute(select(func.max(table.c.id))).scalar() or 0
    insert_rows(connection, table, rows)
    id_by_code = dict(
        connection.execute(select(table.c.code, table.c.id).where(table.c.id > highest)).all()  # type: ignore[arg-type]
    )
    missing = [code for code in codes if code not in id_by_code]
    if missing:  # ids not above the highest (a sequence set back): by code, then
        for start in range(0, len(missing), 1000):
            chunk = missing[start : start + 1000]
            found = select(table.c.code, table.c.id).where(table.c.code.in_(chunk))
            id_by_code.update(connection.execute(found).all())  # type: ignore[arg-type]
    # Each event goes on its item's province's chain, known from the row (no lookup).
    province: dict[int, int] = {}
    events = []
    for row, code in zip(rows, codes, strict=True):
        row["id"] = id_by_code[code]
        agency_id = row["agency_id"]
        if agency_id not in province:
            province[agency_id] = chains.province_of(session, agency_id)
        events.append(
            NewEvent(
                item_id=row["id"],
                event_type=EventType.intake,
                actor_id=actor.id,
                to_location_id=row["location_id"],
                details=_intake_details(row, override if row["location_id"] else None),
                record=row,
                chain=province[agency_id],
            )
        )
    append_events(session, events)
    return rows


def _plain(value: Any) -> Any:
    """A field's value as the row stores it (an enum by its value)."""
    return value.value if isinstance(value, Enum) else value


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
