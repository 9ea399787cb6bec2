"""Two people for every exit. A release, return to owner, confiscation hand-over, transfer,
disposition change, or a sample or reweigh beyond what a keeper may do alone, is *asked* by
one user (:func:`ask`) and done only when a manager who is not that user confirms it
(:func:`confirm`), or not at all (:func:`refuse`).

While a release or transfer waits, the item is ``pending_release``: on its shelf, in stock,
and nothing else may be done to it. A confirmed transfer is ``in_transit`` (still in stock,
seen by both agencies) until the receiving agency's keeper scans it in (:func:`receive`).

What is asked is written down in full when asked (the item's changes and the custody event
they make), and applied as written: a confirmation holds for the item as it was asked about,
so an item changed in between is refused (409), never half-applied.
"""

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, or_, select

from ..auth import agency_scope, can, require
from ..custody import EventType, NewEvent, lock_for_write
from ..errors import Conflict, Forbidden, InvalidTransition, NotFound
from ..locations import Placement, check_placements, get_location, warehouse_agency_id
from ..models import Agency, Approval, ApprovalKind, ApprovalStatus, Item, ItemStatus, User
from . import unsealing
from .leaving import leave
from .lifecycle import update_item
from .lookup import key_of

CONFIRM = "confirm_exit"  # the permission of the second person


class ApprovalPublic(BaseModel):
    id: int
    item_code: str
    kind: ApprovalKind
    status: ApprovalStatus
    details: dict[str, Any]
    reason: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    to_agency_code: str | None
    # Whether the user asking may confirm it: a manager, not the one who asked.
    can_confirm: bool = False


def ask(
    session: Session,
    item: Item,
    kind: ApprovalKind,
    actor: User,
    reason: str,
    changes: dict[str, Any],
    event: tuple[EventType, dict[str, Any]],
    *,
    leaves: bool = False,
    to_agency_id: int | None = None,
) -> Item:
    """Ask for a change of ``item`` (locked by the caller, with its checks done): it waits
    for a second person. ``changes`` are the item's fields to set when confirmed, ``event``
    the custody event to write then; ``leaves``: the item leaves its shelf when confirmed."""
    assert item.id is not None and actor.id is not None
    waiting = session.exec(
        select(Approval.id).where(
            Approval.item_id == item.id, Approval.status == ApprovalStatus.pending
        )
    ).first()
    if waiting is not None:
        raise InvalidTransition(
            f"item {item.code} already has a request waiting for confirmation (#{waiting})",
            key="ledger15_error.request_waiting",
            params={"code": item.code, "number": waiting},
        )
    event_type, details = event
    status_before = item.status
    hold = kind in (ApprovalKind.release, ApprovalKind.transfer)
    asked = NewEvent(
        item.id,
        EventType.approval_requested,
        actor.id,
        reason=reason,
        details={"kind": kind.value, "asked": details},
    )
    if hold:
        update_item(session, item, asked, status=ItemStatus.pending_release)
    else:
        update_item(session, item, asked)
    session.add(
        Approval(
            item_id=item.id,
            agency_id=item.agency_id,
            kind=kind.value,
            details={
                "changes": changes,
                "event_type": event_type.value,
                "event": details,
                "leaves": leaves,
            },
            item_version=item.version,
            item_status=status_before,
            to_agency_id=to_agency_id,
            requested_by_id=actor.id,
            reason=reason,
        )
    )
    session.flush()
    return item


def _pending(session: Session, approval_id: int, actor: User) -> tuple[Approval, Item]:
    """The approval, locked with its item, if it waits and the actor may decide it."""
    require(actor, CONFIRM)
    lock_for_write(session, actor.agency_id)
    approval = session.get(Approval, approval_id)
    if approval is None or approval.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"request #{approval_id} not found",
            key="keysa_items.request_not_found",
            params={"number": approval_id},
        )
    lock_for_write(session, *{approval.agency_id, approval.to_agency_id} - {None})
    session.refresh(approval)
    if approval.status != ApprovalStatus.pending:
        raise InvalidTransition(
            f"request #{approval_id} is already {approval.status}",
            key="keysa_items.request_decided",
            params={"number": approval_id},
        )
    if approval.requested_by_id == actor.id:
        raise Forbidden(
            f"request #{approval_id} is yours: a second person (a manager) must decide it",
            key="keysa_items.request_yours",
            params={"number": approval_id},
        )
    item = session.get(Item, approval.item_id)
    assert item is not None
    session.refresh(item)
    return approval, item


def confirm(session: Session, approval_id: int, actor: User, note: str = "") -> Item:
    """The second person confirms: the change is made as asked."""
    approval, item = _pending(session, approval_id, actor)
    if item.version != approval.item_version:
        raise Conflict(
            f"item {item.code} changed since the request was made; refuse it and ask again",
            key="ledger15_error.changed_since_request",
            params={"code": item.code},
        )
    assert item.id is not None and actor.id is not None
    asked = approval.details
    details = {
        **asked["event"],
        "request": approval.id,
        "requested_by_id": approval.requested_by_id,
        "confirmed_by_id": actor.id,
    }
    changes = dict(asked["changes"])
    facts = details.pop(unsealing.SAMPLING, None)
    if approval.kind == ApprovalKind.sample and facts is not None:
        # The sample is taken now, with its record (asked before records were: none).
        more, seal = unsealing.sampled(session, item, details, changes, facts, actor)
        details |= more
        changes |= seal
    from_location = None
    if asked["leaves"]:
        from_location = item.location_id
        changes["location_id"] = None
    event = NewEvent(
        item.id,
        EventType(asked["event_type"]),
        actor.id,
        from_location_id=from_location,
        reason=approval.reason,
        details=details,
    )
    if asked["leaves"]:
        leave(session, item, event, **changes)
    else:
        update_item(session, item, event, **changes)
    _decide(approval, ApprovalStatus.confirmed, actor, note)
    session.add(approval)
    session.flush()
    return item


def refuse(session: Session, approval_id: int, actor: User, note: str = "") -> Item:
    """The second person refuses: nothing is done, and a held item is back as it was."""
    approval, item = _pending(session, approval_id, actor)
    assert item.id is not None and actor.id is not None
    event = NewEvent(
        item.id,
        EventType.approval_refused,
        actor.id,
        reason=note,
        details={"request": approval.id, "kind": approval.kind},
    )
    if item.status == ItemStatus.pending_release:
        update_item(session, item, event, status=approval.item_status)
    else:
        update_item(session, item, event)
    _decide(approval, ApprovalStatus.refused, actor, note)
    session.add(approval)
    session.flush()
    return item


def _decide(approval: Approval, status: ApprovalStatus, actor: User, note: str) -> None:
    approval.status = status.value
    approval.decided_by_id = actor.id
    approval.decided_at = datetime.now(UTC)
    approval.decision_note = note


def receive(
    session: Session, code: str, location_code: str, actor: User, override_reason: str | None
) -> Item:
    """The receiving agency's keeper scans a transferred item in: it is stored in one of
    their locations and belongs to their agency from now on."""
    require(actor, "move")
    lock_for_write(session, actor.agency_id)
    scope = agency_scope(session, actor)
    item = session.exec(select(Item).where(Item.label_key == key_of(code))).first()
    approval = (
        session.exec(
            select(Approval).where(
                Approval.item_id == item.id,
                Approval.kind == ApprovalKind.transfer,
                Approval.status == ApprovalStatus.confirmed,
            )
        ).first()
        if item is not None
        else None
    )
    if item is not None:  # a transfer between provinces: both chains, in their fixed order
        lock_for_write(session, item.agency_id, actor.agency_id)
        session.refresh(item)
    if item is None or approval is None or approval.to_agency_id not in scope:
        if item is not None and item.agency_id in scope:
            raise InvalidTransition(
                f"item {item.code} is not in transit to your agency",
                key="keysa_items.not_coming_here",
                params={"code": item.code},
            )
        raise NotFound(
            f"item '{code}' not found", key="keysa_items.not_found", params={"code": code}
        )
    session.refresh(item)
    if item.status != ItemStatus.in_transit:
        raise InvalidTransition(
            f"item {item.code} is {item.status}, not in transit",
            key="keysa_items.not_in_transit",
            params={"code": item.code, "status": item.status},
        )
    target = get_location(session, location_code, actor, scope)
    agency_id = warehouse_agency_id(session, target)
    if agency_id != approval.to_agency_id:
        raise InvalidTransition(
            f"location {target.code} is not the receiving agency's: store it in one of theirs",
            key="keysa_items.not_receiving_location",
            params={"location": target.code},
        )
    override = check_placements(session, [Placement.of_item(item, target)], actor, override_reason)
    assert item.id is not None and actor.id is not None
    details: dict[str, Any] = {"request": approval.id, "from_agency_id": item.agency_id}
    if override:
        details["override"] = override
    event = NewEvent(
        item.id, EventType.transfer_received, actor.id, to_location_id=target.id, details=details
    )
    update_item(
        session, item, event, status=ItemStatus.stored, location_id=target.id, agency_id=agency_id
    )
    approval.status = ApprovalStatus.received.value
    approval.received_by_id = actor.id
    approval.received_at = datetime.now(UTC)
    session.add(approval)
    session.flush()
    return item


def list_approvals(
    session: Session, actor: User, status: ApprovalStatus | None = ApprovalStatus.pending
) -> list[ApprovalPublic]:
    """Requests of the actor's agencies, and transfers coming to them (newest first)."""
    scope = agency_scope(session, actor)
    query = select(Approval).where(
        or_(col(Approval.agency_id).in_(scope), col(Approval.to_agency_id).in_(scope))
    )
    if status is not None:
        query = query.where(Approval.status == status)
    rows = session.exec(query.order_by(col(Approval.id).desc()).limit(500)).all()
    return [approval_public(session, a, actor) for a in rows]


def approval_public(session: Session, approval: Approval, actor: User) -> ApprovalPublic:
    item = session.get(Item, approval.item_id)
    requested = session.get(User, approval.requested_by_id)
    decided = session.get(User, approval.decided_by_id) if approval.decided_by_id else None
    to_agency = session.get(Agency, approval.to_agency_id) if approval.to_agency_id else None
    assert item is not None and requested is not None and approval.id is not None
    return ApprovalPublic(
        id=approval.id,
        item_code=item.code,
        kind=ApprovalKind(approval.kind),
        status=ApprovalStatus(approval.status),
        details=approval.details.get("event", {}),
        reason=approval.reason,
        requested_by=requested.username,
        requested_at=approval.requested_at,
        decided_by=decided.username if decided else None,
        decided_at=approval.decided_at,
        decision_note=approval.decision_note,
        to_agency_code=to_agency.code if to_agency else None,
        can_confirm=may_decide(actor, approval),
    )


def may_decide(actor: User, approval: Approval) -> bool:
    return (
        approval.status == ApprovalStatus.pending
        and can(actor, CONFIRM)
        and approval.requested_by_id != actor.id
    )
