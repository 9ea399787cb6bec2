"""A ledger line imported before and changed since: the item corrected to what the ledger now
says, through the item's versioned update and a ``correction`` custody event that records
each field before and after and where the correction came from."""

from typing import Any

from sqlmodel import Session, col, select

from ..custody import EventType, NewEvent, lock_for_write
from ..errors import NotFound
from ..items.lifecycle import update_item
from ..models import Item, User

# Stored field → the field a correction sets with it (what intake records as seized).
ALSO = {"net_weight_g": "seized_net_weight_g", "gross_weight_g": "seized_gross_weight_g"}


def describe_changes(changes: dict[str, list[Any]]) -> str:
    return ", ".join(f"{name} {_show(a)} → {_show(b)}" for name, (a, b) in changes.items())


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return f"'{value}'" if isinstance(value, str) else str(value)


def apply_correction(
    session: Session, correction: tuple[str, dict[str, list[Any]]], actor: User
) -> Item:
    """Set the item's fields to the ledger's values, under the write lock."""
    code, changes = correction
    lock_for_write(session, actor.agency_id)
    item = session.exec(select(Item).where(col(Item.code) == code)).first()
    if item is None:
        raise NotFound(f"item {code} not found", key="keysb_imports.no_item", params={"code": code})
    session.refresh(item)
    values: dict[str, Any] = {}
    for name, (before, after) in changes.items():
        values[name] = after
        if name in ALSO and getattr(item, ALSO[name]) == before:
            values[ALSO[name]] = after
    event = NewEvent(
        item_id=item.id,  # type: ignore[arg-type]
        event_type=EventType.correction,
        actor_id=actor.id,  # type: ignore[arg-type]
        reason="ledger import",
        details={"source": "import", "changes": changes},
    )
    return update_item(session, item, event, **values)
