"""Handling items in storage: check-out and return, sampling, reweighing, splitting, seal
checks and disposition changes. Weights never change without an event saying why."""

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlmodel import Session, col, select

from . import payload
from .auth import agency_scope, require
from .custody import EventType, NewEvent, append_event, append_events, lock_for_write
from .errors import Conflict, Invalid, InvalidTransition, StaleVersion
from .items import COUNTED_UNITS, get_item, next_item_codes
from .locations import get_location
from .models import (
    FINAL_STATUSES,
    Case,
    Checkout,
    Disposition,
    Item,
    ItemStatus,
    Location,
    SealState,
    User,
    Warehouse,
)
from .storage import Placement, check_placements

IN_STORAGE = frozenset({ItemStatus.stored, ItemStatus.pending_destruction})


class CheckoutPurpose(StrEnum):
    court = "court"
    forensic_lab = "forensic_lab"
    other_agency = "other_agency"
    other = "other"


class Versioned(BaseModel):
    version: int | None = Field(default=None, description="the version you saw; stale → 409")
    reason: str = Field(default="", max_length=1000)


class CheckoutRequest(Versioned):
    recipient: str = Field(min_length=1, max_length=200, examples=["TAND tỉnh Lạng Sơn"])
    purpose: CheckoutPurpose
    document_number: str = Field(min_length=1, max_length=64, examples=["123/QĐ-THA"])
    due_date: date


class ReturnRequest(Versioned):
    to_location_code: str | None = Field(default=None, description="default: where it came from")
    override_reason: str | None = None


class SampleRequest(Versioned):
    taken_g: float = Field(gt=0, description="net weight taken for testing, grams")
    recipient: str = Field(default="", max_length=200)


class ReweighRequest(Versioned):
    net_weight_g: float = Field(gt=0)
    gross_weight_g: float | None = Field(default=None, gt=0)


class SplitRequest(Versioned):
    net_weight_g: float = Field(gt=0, description="net weight of the part split off")
    quantity: float = Field(default=1, gt=0, description="how much of the quantity goes with it")
    volume_l: float | None = Field(
        default=None, ge=0, description="default: the item's volume in proportion to the weight"
    )
    description: str | None = Field(default=None, max_length=1000)


class SealCheckRequest(Versioned):
    seal_state: SealState
    seal_number: str | None = Field(default=None, max_length=64, description="a new seal")


class DispositionRequest(Versioned):
    disposition: Disposition
    document_number: str = Field(min_length=1, max_length=64, description="judgment or decision")


class ReleaseRequest(Versioned):
    recipient: str = Field(min_length=1, max_length=200, description="owner, buyer, State body")
    document_number: str = Field(min_length=1, max_length=64, description="handover record")


class TransferRequest(Versioned):
    to_agency: str = Field(min_length=1, max_length=200, examples=["Chi cục THADS huyện Lộc Bình"])
    document_number: str = Field(min_length=1, max_length=64, description="transfer decision")


# What a judgment must have ordered before an item may leave for good (not by destruction).
RELEASABLE = frozenset(
    {
        Disposition.return_to_owner,
        Disposition.confiscate,
        Disposition.sell,
        Disposition.keep_with_file,
    }
)


class CheckoutPublic(BaseModel):
    item_code: str
    recipient: str
    purpose: str
    document_number: str
    due_at: datetime
    checked_out_at: datetime
    from_location_code: str
    overdue_days: int


def _for_change(session: Session, code: str, actor: User, version: int | None) -> Item:
    require(actor, "move")
    lock_for_write(session)
    item = get_item(session, code, actor)
    session.refresh(item)  # the latest committed state, now that we hold the lock
    if version is not None and version != item.version:
        raise StaleVersion(
            f"item {item.code} changed since you read it (your version {version}, "
            f"current {item.version}); reload and retry"
        )
    return item


def _save(session: Session, item: Item, event: NewEvent, **changes: Any) -> Item:
    """Apply changes with a version check and write the event, in one transaction."""
    result = session.execute(
        update(Item)
        .where(col(Item.id) == item.id, col(Item.version) == item.version)
        .values(**changes, version=item.version + 1, updated_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleVersion(f"item {item.code} was changed by someone else; reload and retry")
    append_event(session, event)
    session.refresh(item)
    return item


def _require_status(item: Item, allowed: frozenset[ItemStatus], action: str) -> None:
    if ItemStatus(item.status) not in allowed:
        raise InvalidTransition(f"item {item.code} is {item.status}; it cannot be {action}")


def check_out(session: Session, code: str, data: CheckoutRequest, actor: User) -> Item:
    item = _for_change(session, code, actor, data.version)
    _require_status(item, frozenset({ItemStatus.stored}), "checked out")
    due_at = datetime.combine(data.due_date, time(23, 59, 59), UTC)
    if due_at < datetime.now(UTC):
        raise Invalid("due_date", "the due date is in the past", str(data.due_date))
    assert item.location_id is not None and item.id is not None and actor.id is not None
    session.add(
        Checkout(
            item_id=item.id,
            recipient=data.recipient,
            purpose=data.purpose.value,
            document_number=data.document_number,
            due_at=due_at,
            checked_out_by_id=actor.id,
            from_location_id=item.location_id,
        )
    )
    event = NewEvent(
        item_id=item.id,
        event_type=EventType.check_out,
        actor_id=actor.id,
        from_location_id=item.location_id,
        reason=data.reason,
        details={
            "recipient": data.recipient,
            "purpose": data.purpose.value,
            "document_number": data.document_number,
            "due_date": str(data.due_date),
        },
    )
    return _save(session, item, event, status=ItemStatus.checked_out, location_id=None)


def _open_checkout(session: Session, item: Item) -> Checkout:
    checkout = session.exec(
        select(Checkout).where(Checkout.item_id == item.id, col(Checkout.returned_at).is_(None))
    ).first()
    if checkout is None:
        raise InvalidTransition(f"item {item.code} is not checked out")
    return checkout


def return_item(session: Session, code: str, data: ReturnRequest, actor: User) -> Item:
    item = _for_change(session, code, actor, data.version)
    _require_status(item, frozenset({ItemStatus.checked_out}), "returned")
    checkout = _open_checkout(session, item)
    if data.to_location_code:
        target = get_location(session, data.to_location_code, actor)
    else:
        target = session.get(Location, checkout.from_location_id)  # type: ignore[assignment]
    assert target is not None and item.id is not None and actor.id is not None
    override = check_placements(
        session,
        [
            Placement(
                item.code,
                target,
                tuple(item.hazard_classes),
                item.net_weight_g or 0.0,
                item.volume_l or 0.0,
            )
        ],
        actor,
        data.override_reason,
    )
    now = datetime.now(UTC)
    checkout.returned_at, checkout.returned_by_id = now, actor.id
    checkout.returned_to_location_id = target.id
    details: dict[str, Any] = {"checkout_document": checkout.document_number}
    if override:
        details["override"] = override
    event = NewEvent(
        item_id=item.id,
        event_type=EventType.return_,
        actor_id=actor.id,
        to_location_id=target.id,
        reason=data.reason,
        details=details,
    )
    warehouse = session.get(Warehouse, target.warehouse_id)
    assert warehouse is not None
    # Items belong to the agency whose warehouse holds them.
    return _save(
        session,
        item,
        event,
        status=ItemStatus.stored,
        location_id=target.id,
        agency_id=warehouse.agency_id,
    )


def take_sample(session: Session, code: str, data: SampleRequest, actor: User) -> Item:
    item = _for_change(session, code, actor, data.version)
    _require_status(item, IN_STORAGE, "sampled")
    if item.net_weight_g is None:
        raise Conflict(f"item {item.code} has no recorded net weight; reweigh it first")
    if data.taken_g >= item.net_weight_g:
        raise Invalid(
            "taken_g", f"cannot take {data.taken_g} g of {item.net_weight_g} g; split it instead"
        )
    after = round(item.net_weight_g - data.taken_g, 3)
    gross = None if item.gross_weight_g is None else round(item.gross_weight_g - data.taken_g, 3)
    assert item.id is not None and actor.id is not None
    event = NewEvent(
        item_id=item.id,
        event_type=EventType.sample,
        actor_id=actor.id,
        reason=data.reason,
        details={
            "taken_g": data.taken_g,
            "net_weight_before_g": item.net_weight_g,
            "net_weight_after_g": after,
            "recipient": data.recipient,
        },
    )
    return _save(session, item, event, net_weight_g=after, gross_weight_g=gross)


def reweigh(
    session: Session, code: str, data: ReweighRequest, actor: User, tolerance_pct: float
) -> Item:
    item = _for_change(session, code, actor, data.version)
    _require_status(item, IN_STORAGE | {ItemStatus.received}, "reweighed")
    before = item.net_weight_g
    difference_pct = (
        None if not before else round(abs(data.net_weight_g - before) / before * 100, 3)
    )
    flagged = difference_pct is not None and difference_pct > tolerance_pct
    if flagged and not data.reason.strip():
        raise Invalid(
            "reason",
            f"the new weight differs from the recorded {before} g by {difference_pct} % "
            f"(tolerance {tolerance_pct} %): say why",
        )
    assert item.id is not None and actor.id is not None
    event = NewEvent(
        item_id=item.id,
        event_type=EventType.reweigh,
        actor_id=actor.id,
        reason=data.reason,
        details={
            "net_weight_before_g": before,
            "net_weight_after_g": data.net_weight_g,
            "gross_weight_before_g": item.gross_weight_g,
            "gross_weight_after_g": data.gross_weight_g or item.gross_weight_g,
            "difference_pct": difference_pct,
            "flagged": flagged,
        },
    )
    return _save(
        session,
        item,
        event,
        net_weight_g=data.net_weight_g,
        gross_weight_g=data.gross_weight_g or item.gross_weight_g,
    )


def split(session: Session, code: str, data: SplitRequest, actor: User) -> tuple[Item, Item]:
    """Split part of an item off into a new item with its own code and label."""
    item = _for_change(session, code, actor, data.version)
    _require_status(item, frozenset({ItemStatus.stored}), "split")
    if item.net_weight_g is None or data.net_weight_g >= item.net_weight_g:
        raise Invalid("net_weight_g", "the part split off must weigh less than the item")
    if item.unit in COUNTED_UNITS and data.quantity != int(data.quantity):
        raise Invalid("quantity", f"a quantity in '{item.unit}' must be a whole number")
    share = data.net_weight_g / item.net_weight_g
    child_volume = data.volume_l
    if child_volume is None and item.volume_l is not None:
        child_volume = round(item.volume_l * share, 6)
    if child_volume is not None and item.volume_l is not None and child_volume > item.volume_l:
        raise Invalid("volume_l", f"the item holds only {item.volume_l} L")
    assert item.id is not None and actor.id is not None and item.location_id is not None
    here = session.get(Location, item.location_id)
    assert here is not None
    # One more item in the place; the weight only moves from one item to the other.
    check_placements(
        session, [Placement("#split", here, tuple(item.hazard_classes), 0.0, 0.0)], actor, None
    )
    (child_code,) = next_item_codes(session, datetime.now(UTC).year, 1)
    now = datetime.now(UTC)
    child = Item(
        **item.model_dump(
            exclude={
                "id",
                "code",
                "label_key",
                "version",
                "received_at",
                "updated_at",
                "seized_net_weight_g",
                "seized_gross_weight_g",
                "net_weight_g",
                "gross_weight_g",
                "quantity",
                "description",
                "received_by_id",
                "parent_item_id",
                "volume_l",
            }
        ),
        code=child_code,
        label_key=payload.code_key(child_code),
        parent_item_id=item.id,
        net_weight_g=data.net_weight_g,
        seized_net_weight_g=data.net_weight_g,
        quantity=data.quantity,
        volume_l=child_volume,
        received_by_id=actor.id,
        received_at=now,
        updated_at=now,
        description=data.description or f"{item.description} (tách từ {item.code})",
    )
    session.add(child)
    session.flush()
    assert child.id is not None
    remaining = round(item.net_weight_g - data.net_weight_g, 3)
    # Weight, quantity and volume move to the new item; nothing is counted twice.
    parent_changes: dict[str, Any] = {
        "net_weight_g": remaining,
        # Some of several units go with the part; a part of a single unit (5 g out of one
        # pack for the lab) becomes a unit of its own and the pack stays one pack.
        "quantity": item.quantity - data.quantity
        if data.quantity < item.quantity
        else item.quantity,
        "gross_weight_g": None
        if item.gross_weight_g is None
        else round(item.gross_weight_g - data.net_weight_g, 3),
        "volume_l": None
        if item.volume_l is None
        else round(item.volume_l - (child_volume or 0.0), 6),
    }
    result = session.execute(
        update(Item)
        .where(col(Item.id) == item.id, col(Item.version) == item.version)
        .values(**parent_changes, version=item.version + 1, updated_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleVersion(f"item {item.code} was changed by someone else; reload and retry")
    common = {
        "parent": item.code,
        "child": child.code,
        "split_off_g": data.net_weight_g,
        "quantity": data.quantity,
        "volume_l": child_volume,
    }
    append_events(
        session,
        [
            NewEvent(
                item.id,
                EventType.split_item,
                actor.id,
                reason=data.reason,
                details={
                    **common,
                    "net_weight_before_g": item.net_weight_g,
                    "net_weight_after_g": remaining,
                },
            ),
            NewEvent(
                child.id,
                EventType.intake,
                actor.id,
                to_location_id=child.location_id,
                reason=data.reason,
                details={**common, "code": child.code},
            ),
        ],
    )
    session.refresh(item)
    return item, child


def seal_check(session: Session, code: str, data: SealCheckRequest, actor: User) -> Item:
    item = _for_change(session, code, actor, data.version)
    _require_status(item, IN_STORAGE | {ItemStatus.received}, "seal-checked")
    assert item.id is not None and actor.id is not None
    new_number = data.seal_number or item.seal_number
    event = NewEvent(
        item_id=item.id,
        event_type=EventType.seal_check,
        actor_id=actor.id,
        reason=data.reason,
        details={
            "seal_state_before": item.seal_state,
            "seal_state": data.seal_state.value,
            "seal_number_before": item.seal_number,
            "seal_number": new_number,
        },
    )
    return _save(session, item, event, seal_state=data.seal_state.value, seal_number=new_number)


def change_disposition(
    session: Session, code: str, data: DispositionRequest, actor: User
) -> tuple[Item, list[str]]:
    """Record the disposition a judgment ordered. Returns the item and advice for the keeper:
    items to be destroyed should wait in a secure awaiting-destruction location."""
    require(actor, "manage_cases")
    item = _for_change(session, code, actor, data.version)
    if ItemStatus(item.status) in FINAL_STATUSES:
        raise InvalidTransition(f"item {item.code} is {item.status}; nothing can change it")
    if item.status == ItemStatus.pending_destruction:
        raise InvalidTransition(
            f"item {item.code} is in a destruction batch; remove it from the batch first"
        )
    assert item.id is not None and actor.id is not None
    event = NewEvent(
        item_id=item.id,
        event_type=EventType.disposition,
        actor_id=actor.id,
        reason=data.reason,
        details={
            "before": item.disposition,
            "after": data.disposition.value,
            "document_number": data.document_number,
        },
    )
    _save(session, item, event, disposition=data.disposition.value)
    advice = []
    if data.disposition == Disposition.destroy:
        location = session.get(Location, item.location_id) if item.location_id else None
        if location is None or not (location.awaiting_destruction and location.secure):
            suggestions = awaiting_destruction_locations(session, actor, location)
            advice.append(
                "move this item to a secure awaiting-destruction location"
                + (f": {', '.join(suggestions)}" if suggestions else " (none is set up yet)")
            )
    return item, advice


def awaiting_destruction_locations(
    session: Session, actor: User, near: Location | None
) -> list[str]:
    query = (
        select(Location.code)
        .join(Warehouse, col(Warehouse.id) == Location.warehouse_id)
        .where(col(Location.awaiting_destruction), col(Location.secure))
        .where(col(Warehouse.agency_id).in_(agency_scope(session, actor)))
    )
    if near is not None:
        query = query.where(Location.warehouse_id == near.warehouse_id)
    return list(session.exec(query.order_by(Location.code)).all())


def overdue_checkouts(session: Session, actor: User) -> list[CheckoutPublic]:
    now = datetime.now(UTC)
    rows = session.execute(
        select(Checkout, Item.code, Location.code)
        .join(Item, col(Item.id) == Checkout.item_id)
        .join(Location, col(Location.id) == Checkout.from_location_id)
        .join(Case, col(Case.id) == Item.case_id)
        .where(col(Checkout.returned_at).is_(None), col(Checkout.due_at) < now)
        .where(col(Item.agency_id).in_(agency_scope(session, actor)))
        .order_by(col(Checkout.due_at))
    ).all()
    return [
        CheckoutPublic(
            item_code=code,
            recipient=c.recipient,
            purpose=c.purpose,
            document_number=c.document_number,
            due_at=c.due_at,
            checked_out_at=c.checked_out_at,
            from_location_code=location_code,
            overdue_days=(now - c.due_at).days,
        )
        for c, code, location_code in rows
    ]


def release(session: Session, code: str, data: ReleaseRequest, actor: User) -> Item:
    """Hand the item over as the judgment ordered (return, confiscation, sale): it leaves
    the warehouse for good."""
    require(actor, "release")
    item = _for_change(session, code, actor, data.version)
    _require_status(item, frozenset({ItemStatus.stored}), "released")
    if Disposition(item.disposition) not in RELEASABLE:
        raise InvalidTransition(
            f"item {item.code} has disposition '{item.disposition}': record the judgment's "
            f"order (return, confiscation, sale) before releasing it"
        )
    assert item.id is not None and actor.id is not None
    event = NewEvent(
        item_id=item.id,
        event_type=EventType.release,
        actor_id=actor.id,
        from_location_id=item.location_id,
        reason=data.reason,
        details={
            "disposition": item.disposition,
            "recipient": data.recipient,
            "document_number": data.document_number,
        },
    )
    return _save(session, item, event, status=ItemStatus.released, location_id=None)


def transfer(session: Session, code: str, data: TransferRequest, actor: User) -> Item:
    """Hand the item to another agency that will keep it from now on."""
    require(actor, "release")
    item = _for_change(session, code, actor, data.version)
    _require_status(item, frozenset({ItemStatus.stored}), "transferred")
    assert item.id is not None and actor.id is not None
    event = NewEvent(
        item_id=item.id,
        event_type=EventType.transfer,
        actor_id=actor.id,
        from_location_id=item.location_id,
        reason=data.reason,
        details={"to_agency": data.to_agency, "document_number": data.document_number},
    )
    return _save(session, item, event, status=ItemStatus.transferred, location_id=None)
