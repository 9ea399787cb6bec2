"""The one way an item leaves the warehouse (a confirmed release or transfer, a check-out, a
destruction executed): its versioned update with the exit's custody event, and its exit slip
(with the hand-over record where the law asks), in the same transaction (``exitslips.issue``)."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from ..custody import NewEvent
from ..exitslips.issue import Leaving, exit_kind, issue
from ..models import Item
from .lifecycle import update_items


def leave(session: Session, item: Item, event: NewEvent, **changes: Any) -> Item:
    """Apply ``changes`` (the status it leaves to, no location) with ``event``; an exit
    (``exitslips.issue.exit_kind``) gets its slip."""
    leave_all(session, [(item, changes)], [event])
    session.refresh(item)
    return item


def leave_all(
    session: Session, changes: Sequence[tuple[Item, dict[str, Any]]], events: Sequence[NewEvent]
) -> None:
    """Several items' versioned updates with their events (``lifecycle.update_items``);
    each item whose change is an exit gets its slip, naming its event's seq on its chain."""
    rows = update_items(session, changes, events)
    seq_of = {row["item_id"]: row["seq"] for row in rows if row["item_id"] is not None}
    event_of = {event.item_id: event for event in events}
    leaving = []
    for item, _ in changes:
        kind = exit_kind(item.status, item.disposition)
        if kind is not None:
            leaving.append(Leaving(item, kind, event_of[item.id], seq_of.get(item.id)))
    if leaving:
        issue(session, leaving)
