"""Stocktake discrepancies: when they fall due, how they are resolved, and the open list."""

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..auth import agency_scope, require
from ..custody import EventType, NewEvent, lock_for_write
from ..errors import Conflict, Invalid, NotFound
from ..items import FINAL_STATUSES
from ..items.lifecycle import update_item
from ..items.requests import DocumentDate, document_reference
from ..models import Discrepancy, DiscrepancyKind, DiscrepancyStatus, Item, ItemStatus, User


class Resolution(BaseModel):
    resolution: DiscrepancyStatus
    document_ref: str | None = Field(
        default=None, max_length=100, description="write-off: the head's decision, its number"
    )
    document_date: DocumentDate = None
    document_issuer: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


# The custody event each resolution writes on the item.
_EVENTS = {
    DiscrepancyStatus.found: EventType.stocktake_found,
    DiscrepancyStatus.written_off: EventType.write_off,
    DiscrepancyStatus.escalated: EventType.stocktake_escalated,
}


def working_days_after(start: datetime, days: int) -> datetime:
    """``days`` working days (Monday to Friday) after ``start``; public holidays not counted."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def resolve(session: Session, discrepancy_id: int, data: Resolution, actor: User) -> Discrepancy:
    """Resolve an open discrepancy once, with its custody event on the item. A write-off is a
    manager's, on the head's decision (the document is the second person): the item leaves
    stock (``written_off``). Two resolutions of one discrepancy cannot both win: the update
    only applies to a discrepancy still open (the second one waits for the first's row lock,
    then finds it resolved: 409)."""
    require(actor, "stocktake")
    if data.resolution == DiscrepancyStatus.open:
        raise Invalid(
            "resolution",
            "choose found, written_off or escalated",
            key="keysa_stocktake.choose_resolution",
        )
    document: dict[str, Any] = {}
    if data.resolution == DiscrepancyStatus.written_off:
        require(actor, "write_off")
        document = _write_off_document(data)
    lock_for_write(session, actor.agency_id)
    discrepancy = session.get(Discrepancy, discrepancy_id)
    if discrepancy is None or discrepancy.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"discrepancy {discrepancy_id} not found",
            key="keysa_stocktake.discrepancy_not_found",
            params={"id": discrepancy_id},
        )
    session.refresh(discrepancy)
    if discrepancy.status != DiscrepancyStatus.open:
        raise Conflict(
            f"discrepancy {discrepancy_id} is already {discrepancy.status}",
            key="keysa_stocktake.already_resolved",
            params={"id": discrepancy_id},
        )
    if (
        data.resolution == DiscrepancyStatus.written_off
        and discrepancy.kind == DiscrepancyKind.short
    ):
        # Writing off would take the whole item out of stock, not the missing part.
        raise Conflict(
            f"discrepancy {discrepancy_id} is a shortfall, not a lost item: split off the "
            "missing part and write that off, or resolve this as found or escalated",
            key="lead_stocktake.short_not_written_off",
            params={"id": discrepancy_id},
        )
    now = datetime.now(UTC)
    claimed = session.execute(
        update(Discrepancy)
        .where(col(Discrepancy.id) == discrepancy_id, col(Discrepancy.status) == "open")
        .values(
            status=data.resolution.value,
            document_ref=document.get("document_number", data.document_ref),
            resolution_note=data.note,
            resolved_by_id=actor.id,
            resolved_at=now,
        )
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"discrepancy {discrepancy_id} was resolved by someone else",
            key="keysa_stocktake.resolved_by_other",
            params={"id": discrepancy_id},
        )
    item = session.get(Item, discrepancy.item_id)
    assert item is not None and item.id is not None and actor.id is not None
    session.refresh(item)
    details = {"discrepancy": discrepancy_id, "kind": discrepancy.kind, **document}
    changes: dict[str, Any] = {}
    from_location = None
    if data.resolution == DiscrepancyStatus.written_off:
        if ItemStatus(item.status) in FINAL_STATUSES:
            raise Conflict(
                f"item {item.code} is {item.status}: there is nothing to write off",
                key="keysa_stocktake.nothing_to_write_off",
                params={"code": item.code, "status": item.status},
            )
        changes = {"status": ItemStatus.written_off.value, "location_id": None}
        from_location = item.location_id
    event = NewEvent(
        item.id,
        _EVENTS[data.resolution],
        actor.id,
        from_location_id=from_location,
        reason=data.note,
        details=details,
    )
    update_item(session, item, event, **changes)
    session.refresh(discrepancy)
    return discrepancy


def _write_off_document(data: Resolution) -> dict[str, Any]:
    """The head's decision allowing the write-off, checked as every exit's document is."""
    number = data.document_ref or ""
    return document_reference(number, data.document_date, data.document_issuer, "document_ref")


def discrepancies(session: Session, actor: User, include_resolved: bool) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    query = (
        select(Discrepancy, Item.code)
        .join(Item, col(Item.id) == Discrepancy.item_id)
        .where(col(Discrepancy.agency_id).in_(agency_scope(session, actor)))
        .order_by(col(Discrepancy.due_at))
    )
    if not include_resolved:
        query = query.where(Discrepancy.status == DiscrepancyStatus.open)
    return [
        {
            **d.model_dump(exclude={"agency_id"}),
            "item_code": code,
            "overdue": d.status == DiscrepancyStatus.open and d.due_at < now,
        }
        for d, code in session.execute(query).all()
    ]
