"""Moving items between locations, all or nothing, with one custody event each."""

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from ..auth import agency_scope, require
from ..custody import EventType, NewEvent, lock_for_write
from ..errors import Conflict, Invalid
from ..locations import Placement, check_placements, get_location, warehouse_agency_id
from ..models import ItemStatus, User
from .lifecycle import check_version, require_allowed, update_items
from .lookup import get_items, key_of


class MoveRequest(BaseModel):
    to_location_code: str
    reason: str = Field(default="", max_length=1000)
    version: int | None = Field(default=None, description="the version you saw; stale → 409")
    override_reason: str | None = Field(default=None, description="manager override of limits")


def move_items(
    session: Session,
    codes: Sequence[str],
    to_location_code: str,
    actor: User,
    *,
    reason: str = "",
    versions: dict[str, int] | None = None,
    override_reason: str | None = None,
) -> list[int]:
    """Move items to one location, all or nothing; one custody event each."""
    require(actor, "move")
    lock_for_write(session, actor.agency_id)
    scope = agency_scope(session, actor)
    target = get_location(session, to_location_code, actor, scope)
    items = get_items(session, codes, actor, scope)
    expected_versions = {key_of(code): version for code, version in (versions or {}).items()}
    target_agency = warehouse_agency_id(session, target)
    if len({i.id for i in items}) != len(items):
        raise Invalid(
            "codes", "the same item is listed twice", key="docs15_refusal.same_item_twice"
        )
    placements = []
    for item in items:
        require_allowed(item, "move")
        check_version(item, expected_versions.get(item.label_key))
        if item.location_id == target.id:
            raise Conflict(
                f"item {item.code} is already at {target.code}",
                key="ledger15_error.already_there",
                params={"code": item.code, "location": target.code},
            )
        placements.append(Placement.of_item(item, target))
    override = check_placements(session, placements, actor, override_reason)
    changes, events = [], []
    for item in items:
        assert item.id is not None and actor.id is not None
        new_status = ItemStatus.stored if item.status == ItemStatus.received else item.status
        # Items belong to the agency whose warehouse holds them.
        changes.append(
            (item, {"location_id": target.id, "status": new_status, "agency_id": target_agency})
        )
        details: dict[str, Any] = {"status": str(new_status)}
        if item.agency_id != target_agency:
            details["agency_id"] = {"from": item.agency_id, "to": target_agency}
        if override:
            details["override"] = override
        events.append(
            NewEvent(
                item_id=item.id,
                event_type=EventType.move,
                actor_id=actor.id,
                from_location_id=item.location_id,
                to_location_id=target.id,
                reason=reason,
                details=details,
            )
        )
    update_items(session, changes, events)
    return [i.id for i in items if i.id is not None]
