"""An item's lifecycle: the sets of statuses, what each status allows, and the one way an
item changes (a versioned update written with its custody event).

The faces ask :data:`ITEM_ACTIONS`: the scan's answer, the buttons of the item page and the
refusals of the handling functions all come from it, so they cannot disagree.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from ..auth import can, require
from ..custody import NewEvent, append_events, lock_for_write, with_changes
from ..errors import InvalidTransition, StaleVersion
from ..models import Item, ItemStatus, User
from .lookup import get_item

# On a shelf: the item has a location (the items table CHECKs it) and counts towards that
# location's usage (the location_usage triggers of migration 0003 list the same two).
# A release or transfer waiting for its second person keeps its shelf (migration 0010).
ON_SHELF = frozenset(
    {ItemStatus.stored, ItemStatus.pending_destruction, ItemStatus.pending_release}
)
# In the warehouse: on a shelf or still in receiving.
IN_WAREHOUSE = ON_SHELF | {ItemStatus.received}
# Left for good: nothing changes these items again.
FINAL_STATUSES = frozenset(
    {ItemStatus.destroyed, ItemStatus.released, ItemStatus.transferred, ItemStatus.written_off}
)
# Still the agency's responsibility, wherever the item is now.
IN_CUSTODY = frozenset(ItemStatus) - FINAL_STATUSES


@dataclass(frozen=True)
class ItemAction:
    permission: str
    statuses: frozenset[ItemStatus]
    done: str  # the refusal's words: "item X is S; it cannot be <done>"


# Waiting for a second person, or on the road: nothing else is done to it meanwhile.
_WAITING = frozenset({ItemStatus.pending_release, ItemStatus.in_transit})
_WORKABLE = IN_WAREHOUSE - _WAITING
_SHELVED = ON_SHELF - _WAITING
# What may be done to an item, by whom and in which statuses; in the order offered.
ITEM_ACTIONS: dict[str, ItemAction] = {
    "move": ItemAction("move", _WORKABLE, "moved"),
    "check_out": ItemAction("move", frozenset({ItemStatus.stored}), "checked out"),
    "return": ItemAction("move", frozenset({ItemStatus.checked_out}), "returned"),
    "sample": ItemAction("move", _SHELVED, "sampled"),
    "reweigh": ItemAction("move", _WORKABLE, "reweighed"),
    "seal_check": ItemAction("move", _WORKABLE, "seal-checked"),
    "split": ItemAction("move", frozenset({ItemStatus.stored}), "split"),
    "print_label": ItemAction("label", IN_CUSTODY, "relabelled"),
    "photo": ItemAction("intake", IN_CUSTODY, "photographed"),
    # A destruction batch decides the fate of the items in it.
    "disposition": ItemAction(
        "manage_cases",
        IN_CUSTODY - {ItemStatus.pending_destruction} - _WAITING,
        "given a disposition",
    ),
    "release": ItemAction("release", frozenset({ItemStatus.stored}), "released"),
    "transfer": ItemAction("release", frozenset({ItemStatus.stored}), "transferred"),
    # The receiving agency's keeper scans a transferred item in (items/approvals.py).
    "receive": ItemAction("move", frozenset({ItemStatus.in_transit}), "received"),
}
# Said with a refusal, by the status that caused it.
_WHY_NOT = {
    ItemStatus.pending_destruction: " (it is in a destruction batch; remove it from the batch "
    "first)",
    ItemStatus.pending_release: " (a release or transfer waits for a manager's confirmation)",
    ItemStatus.in_transit: " (it is in transit to another agency)",
    **{status: " (it has left for good)" for status in FINAL_STATUSES},
}


def allows(action: str, status: str) -> bool:
    return ItemStatus(status) in ITEM_ACTIONS[action].statuses


def allowed_actions(actor: User, status: str) -> list[str]:
    """What this user may do to an item in this status now."""
    return [
        name
        for name, action in ITEM_ACTIONS.items()
        if ItemStatus(status) in action.statuses and can(actor, action.permission)
    ]


def require_allowed(item: Item, action: str) -> None:
    """Refuse (409) an action the item's status does not allow."""
    if not allows(action, item.status):
        status = ItemStatus(item.status)
        raise InvalidTransition(
            f"item {item.code} is {status}; it cannot be {ITEM_ACTIONS[action].done}"
            + _WHY_NOT.get(status, ""),
            key="ledger15_error.not_allowed",
            params={"code": item.code, "status": status.value},
        )


class Versioned(BaseModel):
    """What every change of one item carries: the version seen, and why."""

    version: int | None = Field(default=None, description="the version you saw; stale → 409")
    reason: str = Field(default="", max_length=1000)


def check_version(item: Item, version: int | None) -> None:
    if version is not None and version != item.version:
        raise StaleVersion(
            f"item {item.code} changed since you read it (your version {version}, "
            f"current {item.version}); reload and retry",
            key="keysa_items.changed",
            params={"code": item.code},
        )


def for_change(session: Session, code: str, actor: User, version: int | None, action: str) -> Item:
    """The item, locked for ``action``: permission, version and status checked."""
    require(actor, ITEM_ACTIONS[action].permission)
    lock_for_write(session, actor.agency_id)
    item = get_item(session, code, actor)
    lock_for_write(session, item.agency_id)  # an admin's: the item's province, not theirs
    session.refresh(item)  # the latest committed state, now that we hold the lock
    check_version(item, version)
    require_allowed(item, action)
    return item


def update_items(
    session: Session, changes: Sequence[tuple[Item, dict[str, Any]]], events: Sequence[NewEvent]
) -> list[dict[str, Any]]:
    """Apply each item's changes if its version is still the one read, bump the version,
    and write the custody events, in the caller's transaction. One executemany per set of
    changed fields; the objects are given their new values, nothing is read back. Returns
    the events' rows as appended (``custody.append_events``: each with its chain and seq)."""
    now = datetime.now(UTC)
    groups: dict[tuple[str, ...], list[tuple[Item, dict[str, Any]]]] = defaultdict(list)
    for item, values in changes:
        groups[tuple(sorted(values))].append((item, values))
    connection = session.connection()
    for names, group in groups.items():
        params = [
            {
                "_id": item.id,
                "_seen": item.version,
                "_next": item.version + 1,
                "_now": now,
                **{f"_set_{name}": value for name, value in values.items()},
            }
            for item, values in group
        ]
        result = connection.execute(_versioned_update(names), params)
        if result.rowcount != len(params):
            raise _stale(connection, [item for item, _ in group], now)
    # Each event carries what it did to its item: every changed field, before and after.
    done = {
        item.id: {n: (getattr(item, n), v) for n, v in values.items()} for item, values in changes
    }
    for item, values in changes:
        done[item.id]["version"] = (item.version, item.version + 1)
        for name, value in {**values, "version": item.version + 1, "updated_at": now}.items():
            set_committed_value(item, name, value)
    return append_events(session, [with_changes(ev, done.pop(ev.item_id, None)) for ev in events])


@cache  # built once per set of fields: a statement costs more to build than to run
def _versioned_update(names: tuple[str, ...]) -> Any:
    """UPDATE items SET <names>, version, updated_at WHERE id = ? AND version = ?"""
    table = Item.__table__  # type: ignore[attr-defined]
    return (
        update(table)
        .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_seen"))
        .values(
            {
                **{name: bindparam(f"_set_{name}", type_=table.c[name].type) for name in names},
                "version": bindparam("_next"),
                "updated_at": bindparam("_now", type_=table.c.updated_at.type),
            }
        )
    )


def _stale(connection: Connection, items: list[Item], now: datetime) -> StaleVersion:
    """The refusal naming the first item the update did not find at the version read: an
    item updated here has the next version and this update's time, the others not."""
    table = Item.__table__  # type: ignore[attr-defined]
    written = {
        row.id: (row.version, row.updated_at)
        for row in connection.execute(
            select(table.c.id, table.c.version, table.c.updated_at).where(
                table.c.id.in_([item.id for item in items])
            )
        )
    }
    stale = next(i for i in items if written.get(i.id) != (i.version + 1, now))
    return StaleVersion(f"item {stale.code} was changed by someone else; reload and retry")


def update_item(session: Session, item: Item, event: NewEvent, **changes: Any) -> Item:
    """One item's versioned update with its event; returns the item as it is now."""
    update_items(session, [(item, changes)], [event])
    session.refresh(item)
    return item
