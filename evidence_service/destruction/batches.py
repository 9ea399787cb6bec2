"""A destruction batch and its steps: the transitions table (who may take each step, from
which states), the lookup and lock of a batch for a step, and the item changes and custody
events every step writes."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ..auth import agency_scope, can, require
from ..custody import EventType, NewEvent, lock_for_write
from ..errors import InvalidTransition, NotFound
from ..items.leaving import leave_all
from ..models import BatchStatus, DestructionBatch, DestructionItem, Item, User

OPEN_STATUSES = frozenset({BatchStatus.draft, BatchStatus.approved})


@dataclass(frozen=True)
class Transition:
    permission: str
    from_states: frozenset[BatchStatus]
    done: str  # the refusal's words: "batch X is S; it cannot be <done>"


_DRAFT = frozenset({BatchStatus.draft})
# Every step of a batch: who may take it, and from which states. The API's refusals and the
# batch page's buttons both ask this table.
TRANSITIONS: dict[str, Transition] = {
    "add_items": Transition("prepare_destruction", _DRAFT, "given items"),
    "remove_item": Transition("prepare_destruction", _DRAFT, "changed"),
    "approve": Transition("destroy", _DRAFT, "approved"),
    "cancel": Transition("destroy", OPEN_STATUSES, "cancelled"),
    "execute": Transition("record_destruction", frozenset({BatchStatus.approved}), "executed"),
    "close": Transition("record_destruction", frozenset({BatchStatus.executed}), "closed"),
    "add_photo": Transition(
        "record_destruction", OPEN_STATUSES | {BatchStatus.executed}, "given photos"
    ),
}


def allowed_transitions(actor: User, status: str) -> list[str]:
    """The steps this user may take on a batch in this state now."""
    return [
        name
        for name, t in TRANSITIONS.items()
        if BatchStatus(status) in t.from_states and can(actor, t.permission)
    ]


def get_batch(session: Session, batch_id: int, actor: User) -> DestructionBatch:
    batch = session.get(DestructionBatch, batch_id)
    if batch is None or batch.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"destruction batch {batch_id} not found",
            key="keysa_destruction.batch_not_found",
            params={"id": batch_id},
        )
    return batch


def for_change(session: Session, batch_id: int, actor: User, action: str) -> DestructionBatch:
    """The batch, locked for ``action``: the actor's permission and the batch's state checked."""
    transition = TRANSITIONS[action]
    require(actor, transition.permission)
    lock_for_write(session, actor.agency_id)
    batch = get_batch(session, batch_id, actor)
    lock_for_write(session, batch.agency_id)  # an admin's: the batch's province
    session.refresh(batch)  # the latest committed state, now that we hold the lock
    if BatchStatus(batch.status) not in transition.from_states:
        raise InvalidTransition(
            f"batch {batch.number} is {batch.status}; it cannot be {transition.done}"
            + (" (a closed batch is frozen)" if batch.status == BatchStatus.closed else ""),
            key=f"keysa_destruction.batch_{batch.status}",
            params={"batch": batch.number},
        )
    return batch


def bump(session: Session, batch: DestructionBatch, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(batch, name, value)
    batch.version += 1
    session.add(batch)
    session.flush()


def lines(session: Session, batch: DestructionBatch) -> list[tuple[DestructionItem, Item]]:
    rows = session.exec(
        select(DestructionItem, Item)
        .join(Item, col(Item.id) == DestructionItem.item_id)
        .where(DestructionItem.batch_id == batch.id)
        .order_by(col(Item.code))
    ).all()
    return [(line, item) for line, item in rows]


def change_items(
    session: Session, changes: Sequence[tuple[Item, dict[str, Any]]], events: list[NewEvent]
) -> None:
    """The items' versioned updates with their events; the objects hold their new values.
    Through the one exit path: an item destroyed leaves with its exit slip."""
    leave_all(session, changes, events)


def batch_event(
    item: Item, event_type: EventType, actor: User, batch: DestructionBatch, **kw: Any
) -> NewEvent:
    details = {"batch_id": batch.id, "batch_number": batch.number, **kw.pop("details", {})}
    assert item.id is not None and actor.id is not None
    return NewEvent(
        item_id=item.id, event_type=event_type, actor_id=actor.id, details=details, **kw
    )
