"""Handling items in storage: check-out and return, sampling, reweighing, splitting, seal
checks, disposition changes, release and transfer. Weights never change without an event
saying why. What each status allows is :data:`.lifecycle.ITEM_ACTIONS`."""

from datetime import UTC, datetime, time
from typing import Any

from sqlmodel import Session, col, select

from .. import payload
from ..auth import agency_scope
from ..custody import EventType, NewEvent
from ..errors import Conflict, Invalid, InvalidTransition
from ..i18n import LOCAL_TIME_ZONE
from ..locations import (
    Placement,
    awaiting_destruction_locations,
    check_placements,
    get_location,
    warehouse_agency_id,
)
from ..models import (
    ApprovalKind,
    Case,
    Checkout,
    Disposition,
    Item,
    ItemStatus,
    Location,
    User,
)
from . import approvals, unsealing
from .intake import COUNTED_UNITS, item_code_year, next_item_codes
from .leaving import leave
from .lifecycle import FINAL_STATUSES, for_change, update_item, update_items
from .lookup import get_item
from .requests import (
    CheckoutPublic,
    CheckoutRequest,
    ReturnRequest,
    ReweighRequest,
    SampleRequest,
    SealCheckRequest,
    SplitRequest,
    receiver_details,
)
from .requests import (
    CheckoutPurpose as CheckoutPurpose,  # offered with the requests (the check-out form)
)


def _event(
    item: Item,
    actor: User,
    event_type: EventType,
    reason: str,
    details: dict[str, Any],
    from_location_id: int | None = None,
    to_location_id: int | None = None,
) -> NewEvent:
    """The custody event of one handling of ``item``, by ``actor``."""
    assert item.id is not None and actor.id is not None
    return NewEvent(
        item.id, event_type, actor.id, from_location_id, to_location_id, reason, details
    )


def _leave(
    session: Session,
    item: Item,
    actor: User,
    event_type: EventType,
    status: ItemStatus,
    reason: str,
    details: dict[str, Any],
) -> Item:
    """The item leaves its shelf (checked out, released, transferred): the event says from
    where, and the item has no location until it comes back, if ever."""
    event = _event(item, actor, event_type, reason, details, from_location_id=item.location_id)
    return leave(session, item, event, status=status, location_id=None)


def check_out(session: Session, code: str, data: CheckoutRequest, actor: User) -> Item:
    item = for_change(session, code, actor, data.version, "check_out")
    # Due by the end of that day in Viet Nam (23:59:59 there is 16:59:59 UTC).
    due_at = datetime.combine(data.due_date, time(23, 59, 59), LOCAL_TIME_ZONE).astimezone(UTC)
    if due_at < datetime.now(UTC):
        raise Invalid(
            "due_date",
            "the due date is in the past",
            str(data.due_date),
            key="docs15_refusal.due_past",
        )
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
    details = {
        "recipient": data.recipient,
        "purpose": data.purpose.value,
        "document_number": data.document_number,
        "due_date": str(data.due_date),
        **receiver_details(data),
    }
    if data.document_date is not None:  # read by the exit slip (exitslips.issue)
        details["document_date"] = data.document_date.isoformat()
    if data.document_issuer:
        details["document_issuer"] = data.document_issuer
    return _leave(
        session, item, actor, EventType.check_out, ItemStatus.checked_out, data.reason, details
    )


def _open_checkout(session: Session, item: Item) -> Checkout:
    checkout = session.exec(
        select(Checkout).where(Checkout.item_id == item.id, col(Checkout.returned_at).is_(None))
    ).first()
    if checkout is None:
        raise InvalidTransition(
            f"item {item.code} is not checked out",
            key="ledger15_error.not_checked_out",
            params={"code": item.code},
        )
    return checkout


def return_item(session: Session, code: str, data: ReturnRequest, actor: User) -> Item:
    item = for_change(session, code, actor, data.version, "return")
    checkout = _open_checkout(session, item)
    if data.to_location_code:
        target = get_location(session, data.to_location_code, actor)
    else:
        target = session.get(Location, checkout.from_location_id)  # type: ignore[assignment]
    assert target is not None and item.id is not None and actor.id is not None
    override = check_placements(
        session, [Placement.of_item(item, target)], actor, data.override_reason
    )
    checkout.returned_at, checkout.returned_by_id = datetime.now(UTC), actor.id
    checkout.returned_to_location_id = target.id
    details: dict[str, Any] = {"checkout_document": checkout.document_number}
    if override:
        details["override"] = override
    event = _event(item, actor, EventType.return_, data.reason, details, to_location_id=target.id)
    # Items belong to the agency whose warehouse holds them.
    return update_item(
        session,
        item,
        event,
        status=ItemStatus.stored,
        location_id=target.id,
        agency_id=warehouse_agency_id(session, target),
    )


def _less(measure: float | None, taken: float, digits: int = 3) -> float | None:
    """What is left of a measure the item may not have, rounded against float dust."""
    return None if measure is None else round(measure - taken, digits)


def take_sample(
    session: Session, code: str, data: SampleRequest, actor: User, max_share: float = 1.0
) -> Item:
    """Take part of an item for testing. More than ``max_share`` of its net weight waits
    for a manager's confirmation (two people)."""
    item = for_change(session, code, actor, data.version, "sample")
    if item.net_weight_g is None:
        raise Conflict(
            f"item {item.code} has no recorded net weight; reweigh it first",
            key="ledger15_error.no_net_weight",
            params={"code": item.code},
        )
    if data.taken_g >= item.net_weight_g:
        raise Invalid(
            "taken_g",
            f"cannot take {data.taken_g} g of {item.net_weight_g} g; split it instead",
            key="docs15_refusal.sample_too_large",
            params={"code": item.code},
        )
    # Its record's facts, checked now: a refusal writes nothing, even when it would wait.
    facts = unsealing.sampling_facts(item, data)
    after = round(item.net_weight_g - data.taken_g, 3)
    gross = _less(item.gross_weight_g, data.taken_g)
    details: dict[str, Any] = {
        "taken_g": data.taken_g,
        "net_weight_before_g": item.net_weight_g,
        "net_weight_after_g": after,
        "recipient": data.recipient,
    }
    changes = {"net_weight_g": after, "gross_weight_g": gross}
    if data.taken_g > item.net_weight_g * max_share:
        # Taken once a manager confirms: its record is made then (``approvals.confirm``).
        details["share_limit"] = max_share
        details[unsealing.SAMPLING] = facts
        return approvals.ask(
            session,
            item,
            ApprovalKind.sample,
            actor,
            data.reason,
            changes,
            (EventType.sample, details),
        )
    more, seal = unsealing.sampled(session, item, details, changes, facts, actor)
    event = _event(item, actor, EventType.sample, data.reason, details | more)
    return update_item(session, item, event, **changes, **seal)


def reweigh(
    session: Session, code: str, data: ReweighRequest, actor: User, tolerance_pct: float
) -> Item:
    item = for_change(session, code, actor, data.version, "reweigh")
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
            key="docs15_refusal.reweigh_reason",
            params={"code": item.code},
        )
    gross_after = data.gross_weight_g or item.gross_weight_g
    details = {
        "net_weight_before_g": before,
        "net_weight_after_g": data.net_weight_g,
        "gross_weight_before_g": item.gross_weight_g,
        "gross_weight_after_g": gross_after,
        "difference_pct": difference_pct,
        "flagged": flagged,
    }
    changes = {"net_weight_g": data.net_weight_g, "gross_weight_g": gross_after}
    if flagged:  # beyond tolerance: a second person confirms the new weight
        return approvals.ask(
            session,
            item,
            ApprovalKind.reweigh,
            actor,
            data.reason,
            changes,
            (EventType.reweigh, details),
        )
    event = _event(item, actor, EventType.reweigh, data.reason, details)
    return update_item(session, item, event, **changes)


def split(session: Session, code: str, data: SplitRequest, actor: User) -> tuple[Item, Item]:
    """Split part of an item off into a new item with its own code and label."""
    item = for_change(session, code, actor, data.version, "split")
    if item.net_weight_g is None or data.net_weight_g >= item.net_weight_g:
        raise Invalid(
            "net_weight_g",
            "the part split off must weigh less than the item",
            key="docs15_refusal.split_weight",
        )
    if item.unit in COUNTED_UNITS and data.quantity != int(data.quantity):
        raise Invalid(
            "quantity",
            f"a quantity in '{item.unit}' must be a whole number",
            key="ledger15_validation.whole_quantity",
            params={"unit": item.unit},
        )
    share = data.net_weight_g / item.net_weight_g
    child_volume = data.volume_l
    if child_volume is None and item.volume_l is not None:
        child_volume = round(item.volume_l * share, 6)
    if child_volume is not None and item.volume_l is not None and child_volume > item.volume_l:
        raise Invalid(
            "volume_l",
            f"the item holds only {item.volume_l} L",
            key="docs15_refusal.split_volume",
        )
    assert item.id is not None and actor.id is not None and item.location_id is not None
    here = session.get(Location, item.location_id)
    assert here is not None
    # One more item in the place; the weight only moves from one item to the other.
    check_placements(
        session, [Placement("#split", here, tuple(item.hazard_classes), 0.0, 0.0)], actor, None
    )
    now = datetime.now(UTC)
    (child_code,) = next_item_codes(session, item_code_year(now), 1)
    child = Item(
        # The parent's columns, but for what the part has of its own.
        **{
            column.name: getattr(item, column.name)
            for column in Item.__table__.columns  # type: ignore[attr-defined]
            if column.name
            not in {
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
        },
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
    # Some of several units go with the part; a part of a single unit (5 g out of one
    # pack for the lab) becomes a unit of its own and the pack stays one pack.
    units_left = item.quantity - data.quantity if data.quantity < item.quantity else item.quantity
    parent_changes: dict[str, Any] = {
        "net_weight_g": remaining,
        "quantity": units_left,
        "gross_weight_g": _less(item.gross_weight_g, data.net_weight_g),
        "volume_l": _less(item.volume_l, child_volume or 0.0, digits=6),
    }
    common = {
        "parent": item.code,
        "child": child.code,
        "split_off_g": data.net_weight_g,
        "quantity": data.quantity,
        "volume_l": child_volume,
    }
    update_items(
        session,
        [(item, parent_changes)],
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
    item = for_change(session, code, actor, data.version, "seal_check")
    new_number = data.seal_number or item.seal_number
    details = {
        "seal_state_before": item.seal_state,
        "seal_state": data.seal_state.value,
        "seal_number_before": item.seal_number,
        "seal_number": new_number,
    }
    event = _event(item, actor, EventType.seal_check, data.reason, details)
    return update_item(
        session, item, event, seal_state=data.seal_state.value, seal_number=new_number
    )


def places_to_await_destruction(session: Session, actor: User, item: Item) -> list[str] | None:
    """Where an item ordered destroyed should wait: the codes of the secure
    awaiting-destruction locations of its warehouse (possibly none), or None when it need
    not move (not ordered destroyed, gone for good, or already waiting in such a place)."""
    if item.disposition != Disposition.destroy or item.status in FINAL_STATUSES:
        return None
    here = session.get(Location, item.location_id) if item.location_id else None
    if here is not None and here.awaiting_destruction and here.secure:
        return None
    return awaiting_destruction_locations(session, actor, here)


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


def current_checkout(session: Session, code: str, actor: User) -> CheckoutPublic | None:
    """Who holds a checked-out item now, and until when (None if it is not out)."""
    item = get_item(session, code, actor)
    if item.status != ItemStatus.checked_out:
        return None
    c = _open_checkout(session, item)
    location = session.get(Location, c.from_location_id)
    now = datetime.now(UTC)
    due_at = c.due_at if c.due_at.tzinfo else c.due_at.replace(tzinfo=UTC)
    return CheckoutPublic(
        item_code=item.code,
        recipient=c.recipient,
        purpose=c.purpose,
        document_number=c.document_number,
        due_at=due_at,
        checked_out_at=c.checked_out_at,
        from_location_code=location.code if location else "",
        overdue_days=max((now - due_at).days, 0) if due_at < now else 0,
    )
