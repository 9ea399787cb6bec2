"""The one way an item leaves the warehouse (a confirmed release or transfer, a check-out):
its versioned update with the exit's custody event, and its exit slip (with the hand-over
record where the law asks), in the same transaction (``exitslips.issue``)."""

from typing import Any

from sqlmodel import Session, col, select

from ..custody import NewEvent
from ..exitslips.issue import Leaving, exit_kind, issue
from ..models import CustodyEvent, Item
from .lifecycle import update_item


def leave(session: Session, item: Item, event: NewEvent, **changes: Any) -> Item:
    """Apply ``changes`` (the status it leaves to, no location) with ``event``; an exit
    (``exitslips.issue.exit_kind``) gets its slip."""
    update_item(session, item, event, **changes)
    kind = exit_kind(item.status, item.disposition)
    if kind is not None:
        # The exit's event, appended just now on the item's chain.
        seq = session.exec(
            select(CustodyEvent.seq)
            .where(CustodyEvent.item_id == item.id)
            .order_by(col(CustodyEvent.id).desc())
        ).first()
        issue(session, [Leaving(item, kind, event, seq)])
    return item
