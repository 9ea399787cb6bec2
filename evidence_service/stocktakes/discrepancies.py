"""Stocktake discrepancies: when they fall due, how they are resolved, and the open list."""

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from ..auth import agency_scope, require
from ..errors import Conflict, Invalid, NotFound
from ..models import Discrepancy, DiscrepancyStatus, Item, User


class Resolution(BaseModel):
    resolution: DiscrepancyStatus
    document_ref: str | None = Field(default=None, max_length=100)
    note: str = Field(default="", max_length=2000)


def working_days_after(start: datetime, days: int) -> datetime:
    """``days`` working days (Monday to Friday) after ``start``; public holidays not counted."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def resolve(session: Session, discrepancy_id: int, data: Resolution, actor: User) -> Discrepancy:
    require(actor, "stocktake")
    discrepancy = session.get(Discrepancy, discrepancy_id)
    if discrepancy is None or discrepancy.agency_id not in agency_scope(session, actor):
        raise NotFound(f"discrepancy {discrepancy_id} not found")
    if discrepancy.status != DiscrepancyStatus.open:
        raise Conflict(f"discrepancy {discrepancy_id} is already {discrepancy.status}")
    if data.resolution == DiscrepancyStatus.open:
        raise Invalid("resolution", "choose found, written_off or escalated")
    if data.resolution == DiscrepancyStatus.written_off and not data.document_ref:
        raise Invalid("document_ref", "a write-off needs the decision that allows it")
    discrepancy.status = data.resolution.value
    discrepancy.document_ref, discrepancy.resolution_note = data.document_ref, data.note
    discrepancy.resolved_by_id, discrepancy.resolved_at = actor.id, datetime.now(UTC)
    session.add(discrepancy)
    session.flush()
    return discrepancy


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
