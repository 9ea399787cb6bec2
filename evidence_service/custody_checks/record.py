"""Recording a monthly check of an outside custodian's warehouse (Circular 01/2017 Art.
12(2)): the request, its refusals, the row, the custody events and the final record."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session, col, select

from .. import custodians
from .. import documents as docs
from ..auth import agency_scope, require
from ..custody import EventType, NewEvent, append_events, lock_for_write
from ..errors import Invalid, NotFound, value_error
from ..locations import get_warehouse
from ..models import CustodyCheck, Item, OfficialDocument, User, Warehouse
from .paper import KIND, draw, subject

API = "/api/v1/custody-checks"


class CheckRole(StrEnum):
    """Who signs the record: the four of Circular 01/2017 Art. 12(2), and anyone else there."""

    accountant = "accountant"  # kế toán nghiệp vụ thi hành án
    keeper = "keeper"  # thủ kho vật chứng
    head = "head"  # thủ trưởng cơ quan thi hành án dân sự
    custodian = "custodian"  # the custodian's representative
    other = "other"


# Circular 01/2017 Art. 12(2): the check record is signed by the accountant, the
# storekeeper, the head and the custodian (vn-legal-context §3.5).
REQUIRED_ROLES = (CheckRole.accountant, CheckRole.keeper, CheckRole.head, CheckRole.custodian)


class CheckParticipant(BaseModel):
    role: CheckRole
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(default="", max_length=200)


class CheckedItem(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    found: bool
    quantity_found: float | None = Field(
        default=None, ge=0, description="none: as recorded (found) or 0 (not found)"
    )
    condition_found: str = Field(default="", max_length=1000, description="empty: as recorded")
    note: str = Field(default="", max_length=5000)


class CustodyCheckCreate(BaseModel):
    warehouse_code: str = Field(max_length=32, description="the outside custodian's warehouse")
    checked_at: datetime | None = Field(default=None, description="defaults to now")
    place: str = Field(min_length=1, max_length=300)
    items: list[CheckedItem] = Field(min_length=1, max_length=2000)
    participants: list[CheckParticipant] = Field(min_length=1, max_length=20)
    conclusion: str = Field(default="", max_length=5000)
    notes: str = Field(default="", max_length=20000)

    @model_validator(mode="after")
    def _checked(self) -> "CustodyCheckCreate":
        present = {p.role for p in self.participants if p.name.strip()}
        missing = [r.value for r in REQUIRED_ROLES if r not in present]
        if missing:
            raise value_error(
                "the check record is signed by the accountant, the storekeeper, the head and "
                f"the custodian (Circular 01/2017 Art. 12(2)); missing: {', '.join(missing)}",
                "checks15_errors.roles_missing",
                roles=", ".join(missing),
            )
        codes = [i.code for i in self.items]
        if len(set(codes)) != len(codes):
            raise value_error("an item is listed twice", "checks15_errors.item_twice")
        if self.checked_at is not None:
            if self.checked_at.tzinfo is None:
                self.checked_at = self.checked_at.replace(tzinfo=UTC)
            if self.checked_at > datetime.now(UTC):
                raise value_error("checked_at cannot be in the future", "checks15_errors.future")
        return self


class CheckLine(BaseModel):
    code: str
    description: str
    unit: str
    quantity: float
    net_weight_g: float | None
    condition: str
    found: bool
    quantity_found: float
    condition_found: str
    note: str
    discrepancy: bool


class CustodyCheckPublic(BaseModel):
    id: int
    number: str | None
    warehouse_code: str
    custodian: dict[str, Any]
    checked_at: datetime
    place: str
    lines: list[CheckLine]
    participants: list[CheckParticipant]
    discrepancies: int
    conclusion: str
    notes: str
    sha256: str | None
    pdf_url: str


class ExpectedItem(BaseModel):
    """An item expected at the custodian's, as the record has it (what the form pre-lists)."""

    code: str
    description: str
    unit: str
    quantity: float
    net_weight_g: float | None
    condition: str


def _monthly_warehouse(session: Session, code: str, actor: User) -> Warehouse:
    warehouse = get_warehouse(session, code, actor)
    rule = custodians.rule(warehouse.custodian_kind)
    if not rule.monthly_check:
        raise Invalid(
            "warehouse_code",
            f"warehouse {code} is not kept by an outside custodian checked monthly "
            "(Circular 01/2017 Art. 12(2): the owner or a relative, the local authority, a "
            "hired custodian)",
            code,
            key="checks15_errors.not_monthly",
            params={"code": code},
        )
    return warehouse


def expected_items(session: Session, code: str, actor: User) -> list[ExpectedItem]:
    """The items on the custodian's shelves now, by code (what a check must cover)."""
    warehouse = _monthly_warehouse(session, code, actor)
    return [
        ExpectedItem(
            code=item.code,
            description=item.description,
            unit=item.unit,
            quantity=item.quantity,
            net_weight_g=item.net_weight_g,
            condition=item.condition,
        )
        for item, _ in _held(session, warehouse)
    ]


def _held(session: Session, warehouse: Warehouse) -> list[tuple[Item, Warehouse]]:
    return custodians.items_held_by_others(
        session, [warehouse.agency_id], warehouse_id=warehouse.id, monthly_check=True
    )


def _line(item: Item, checked: CheckedItem) -> dict[str, Any]:
    quantity = (
        (item.quantity if checked.quantity_found is None else checked.quantity_found)
        if checked.found
        else 0.0
    )
    condition = checked.condition_found.strip() or (item.condition if checked.found else "")
    changed = (
        checked.found
        and bool(checked.condition_found.strip())
        and (checked.condition_found.strip() != item.condition.strip())
    )
    return {
        "item_id": item.id,
        "code": item.code,
        "description": item.description,
        "unit": item.unit,
        "quantity": item.quantity,
        "net_weight_g": item.net_weight_g,
        "condition": item.condition,
        "found": checked.found,
        "quantity_found": quantity,
        "condition_found": condition,
        "note": checked.note.strip(),
        # Not found, fewer or more than recorded, or the condition changed.
        "discrepancy": (not checked.found) or quantity != item.quantity or changed,
    }


def record_check(session: Session, data: CustodyCheckCreate, actor: User) -> CustodyCheck:
    """Record the check of every item expected at the custodian's, with its final record
    and one ``custody_check`` event per item; refused (422) when an expected item is not
    listed, a listed one is not expected there, or the warehouse is not checked monthly."""
    require(actor, "stocktake")
    warehouse = _monthly_warehouse(session, data.warehouse_code, actor)
    lock_for_write(session, warehouse.agency_id)
    held = {item.code: item for item, _ in _held(session, warehouse)}
    if not held:
        raise Invalid(
            "warehouse_code",
            f"no item is kept at {warehouse.code}: there is nothing to check",
            warehouse.code,
            key="checks15_errors.nothing_held",
            params={"code": warehouse.code},
        )
    given = {i.code: i for i in data.items}
    strangers = sorted(set(given) - set(held))
    if strangers:
        raise Invalid(
            "items",
            f"not kept at {warehouse.code}: {', '.join(strangers)}",
            strangers,
            key="checks15_errors.not_there",
            params={"codes": ", ".join(strangers), "code": warehouse.code},
        )
    unchecked = sorted(set(held) - set(given))
    if unchecked:
        raise Invalid(
            "items",
            f"every item kept there is checked; not listed: {', '.join(unchecked)}",
            unchecked,
            key="checks15_errors.not_listed",
            params={"codes": ", ".join(unchecked)},
        )
    assert actor.id is not None and warehouse.id is not None
    lines = [_line(held[code], given[code]) for code in sorted(held)]
    row = CustodyCheck(
        agency_id=warehouse.agency_id,
        warehouse_id=warehouse.id,
        checked_at=data.checked_at or datetime.now(UTC),
        place=data.place.strip(),
        custodian={
            "kind": warehouse.custodian_kind,
            "name": warehouse.custodian_name,
            "representative": warehouse.custodian_representative,
            "position": warehouse.custodian_position,
            "contract": warehouse.custody_contract,
            "warehouse": warehouse.name,
        },
        lines=lines,
        participants=[p.model_dump(mode="json") for p in data.participants],
        discrepancies=sum(1 for line in lines if line["discrepancy"]),
        conclusion=data.conclusion.strip(),
        notes=data.notes,
        created_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    document = draw(session, row, warehouse, "vi")

    def final(number: docs.Number) -> bytes:
        return document(number.printed)

    kept = docs.finalise(session, KIND, row.agency_id, subject(row), final, actor)
    row.number = kept.number
    session.add(row)
    append_events(
        session,
        [
            NewEvent(
                line["item_id"],
                EventType.custody_check,
                actor.id,
                details={
                    "custody_check": row.id,
                    "document_number": kept.number,
                    "warehouse": warehouse.code,
                    "found": line["found"],
                    "quantity_found": line["quantity_found"],
                    "condition_found": line["condition_found"],
                    "discrepancy": line["discrepancy"],
                },
            )
            for line in lines
        ],
    )
    session.flush()
    return row


def get_check(session: Session, check_id: int, actor: User) -> CustodyCheck:
    row = session.get(CustodyCheck, check_id)
    if row is None or row.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"custody check {check_id} not found",
            key="checks15_errors.not_found",
            params={"id": check_id},
        )
    return row


def stored(session: Session, row: CustodyCheck) -> OfficialDocument | None:
    return docs.stored(session, KIND, subject(row))


def check_pdf(session: Session, check_id: int, actor: User) -> OfficialDocument:
    """The record as it was issued (its bytes read here)."""
    row = get_check(session, check_id, actor)
    kept = stored(session, row)
    found = session.get(OfficialDocument, kept.id) if kept else None
    if found is None:
        raise NotFound(
            f"custody check {check_id} has no record",
            key="checks15_errors.not_found",
            params={"id": check_id},
        )
    return found


def public(session: Session, row: CustodyCheck) -> CustodyCheckPublic:
    warehouse = session.get(Warehouse, row.warehouse_id)
    kept = stored(session, row)
    assert warehouse is not None and row.id is not None
    return CustodyCheckPublic(
        id=row.id,
        number=row.number,
        warehouse_code=warehouse.code,
        custodian=row.custodian,
        checked_at=row.checked_at,
        place=row.place,
        lines=[
            CheckLine(**{k: v for k, v in line.items() if k != "item_id"}) for line in row.lines
        ],
        participants=[CheckParticipant(**p) for p in row.participants],
        discrepancies=row.discrepancies,
        conclusion=row.conclusion,
        notes=row.notes,
        sha256=kept.sha256 if kept else None,
        pdf_url=f"{API}/{row.id}.pdf",
    )


def checks(
    session: Session, actor: User, warehouse_code: str | None = None
) -> list[CustodyCheckPublic]:
    """The checks of the reader's agencies (of one warehouse), newest first."""
    query = select(CustodyCheck).where(
        col(CustodyCheck.agency_id).in_(agency_scope(session, actor))
    )
    if warehouse_code:
        query = query.where(
            CustodyCheck.warehouse_id == get_warehouse(session, warehouse_code, actor).id
        )
    rows = session.exec(query.order_by(col(CustodyCheck.id).desc())).all()
    return [public(session, row) for row in rows]


def checks_of_item(session: Session, item_id: int) -> list[CustodyCheck]:
    """The checks that covered the item (its ``custody_check`` events), oldest first."""
    rows = session.exec(
        select(CustodyCheck)
        .where(col(CustodyCheck.agency_id).in_(select(Item.agency_id).where(Item.id == item_id)))
        .order_by(col(CustodyCheck.id))
    ).all()
    return [row for row in rows if any(line.get("item_id") == item_id for line in row.lines)]
