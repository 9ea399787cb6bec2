"""Ageing: items held too long without a judgment, or not destroyed in time."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from ..auth import agency_scope
from ..i18n import Translator
from ..items import FINAL_STATUSES
from ..locations import get_warehouse
from ..models import (
    Disposition,
    Item,
    Location,
    User,
    Warehouse,
)
from .common import to_csv

# -- ageing ------------------------------------------------------------------------------------

NO_JUDGMENT_LONG = "no_judgment_long"
NO_JUDGMENT_VERY_LONG = "no_judgment_very_long"
DESTRUCTION_OVERDUE = "destruction_overdue"
AGEING_REASONS = (NO_JUDGMENT_VERY_LONG, NO_JUDGMENT_LONG, DESTRUCTION_OVERDUE)


@dataclass(frozen=True)
class AgeingThresholds:
    long_days: int = 365
    very_long_days: int = 5 * 365
    # A single configurable number for now: the per-regime legal deadlines (Case.legal_regime)
    # come with the destruction issue, which will replace this with a per-case deadline.
    destruction_deadline_days: int = 30


class AgedItem(BaseModel):
    code: str
    age_days: int
    reason: str
    threshold_days: int
    message: str
    status: str
    disposition: str
    location_code: str | None
    received_at: datetime


class AgeingGroup(BaseModel):
    warehouse_code: str | None  # null: not in a location now (received, checked out)
    category: str
    count: int
    by_reason: dict[str, int]
    items: list[AgedItem]


class AgeingReport(BaseModel):
    generated_at: datetime
    thresholds: dict[str, int]
    totals: dict[str, int]
    groups: list[AgeingGroup]


def _aged(age: int, disposition: str, t: AgeingThresholds) -> tuple[str, int, str] | None:
    if disposition == Disposition.destroy and age > t.destruction_deadline_days:
        overdue = age - t.destruction_deadline_days
        return (
            DESTRUCTION_OVERDUE,
            t.destruction_deadline_days,
            f"destruction ordered, not done {overdue} day(s) after the "
            f"{t.destruction_deadline_days}-day deadline",
        )
    if disposition == Disposition.pending:
        for reason, days in (
            (NO_JUDGMENT_VERY_LONG, t.very_long_days),
            (NO_JUDGMENT_LONG, t.long_days),
        ):
            if age > days:
                return reason, days, f"held {age} days (over {days}) without a judgment"
    return None


def ageing_report(
    session: Session,
    actor: User,
    thresholds: AgeingThresholds,
    warehouse_code: str | None = None,
    now: datetime | None = None,
) -> AgeingReport:
    """Items still held (not destroyed, released or transferred) past a threshold."""
    now = now or datetime.now(UTC)
    t = thresholds
    scope = agency_scope(session, actor)
    min_pending_days = min(t.long_days, t.very_long_days)
    query = (
        select(  # type: ignore[call-overload]
            Item.code,
            Item.category,
            Item.status,
            Item.disposition,
            Item.received_at,
            Location.code,
            Warehouse.code,
        )
        .outerjoin(Location, col(Location.id) == Item.location_id)
        .outerjoin(Warehouse, col(Warehouse.id) == Location.warehouse_id)
        .where(col(Item.agency_id).in_(scope))
        .where(col(Item.status).not_in([s.value for s in FINAL_STATUSES]))
        .where(
            or_(
                and_(
                    col(Item.disposition) == Disposition.pending.value,
                    col(Item.received_at) < now - timedelta(days=min_pending_days),
                ),
                and_(
                    col(Item.disposition) == Disposition.destroy.value,
                    col(Item.received_at) < now - timedelta(days=t.destruction_deadline_days),
                ),
            )
        )
    )
    if warehouse_code is not None:
        query = query.where(Warehouse.code == get_warehouse(session, warehouse_code, actor).code)
    groups: dict[tuple[str | None, str], list[AgedItem]] = defaultdict(list)
    for code, category, status, disposition, received_at, location, warehouse in session.execute(
        query
    ).all():
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=UTC)
        age = (now - received_at).days
        found = _aged(age, disposition, t)
        if found is None:
            continue
        reason, threshold, message = found
        groups[(warehouse, category)].append(
            AgedItem(
                code=code,
                age_days=age,
                reason=reason,
                threshold_days=threshold,
                message=message,
                status=status,
                disposition=disposition,
                location_code=location,
                received_at=received_at,
            )
        )
    result = []
    totals = dict.fromkeys(AGEING_REASONS, 0)
    for (warehouse, category), aged in sorted(
        groups.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1])
    ):
        aged.sort(key=lambda a: (-a.age_days, a.code))
        by_reason = dict.fromkeys(AGEING_REASONS, 0)
        for a in aged:
            by_reason[a.reason] += 1
            totals[a.reason] += 1
        result.append(
            AgeingGroup(
                warehouse_code=warehouse,
                category=category,
                count=len(aged),
                by_reason=by_reason,
                items=aged,
            )
        )
    return AgeingReport(
        generated_at=now,
        thresholds={
            "long_days": t.long_days,
            "very_long_days": t.very_long_days,
            "destruction_deadline_days": t.destruction_deadline_days,
        },
        totals=totals,
        groups=result,
    )


AGEING_CSV_COLUMNS = [
    "warehouse_code",
    "category",
    "item_code",
    "age_days",
    "reason",
    "threshold_days",
    "status",
    "disposition",
    "location_code",
    "received_at",
    "message",
]


def ageing_csv(report: AgeingReport, t: Translator | None = None) -> str:
    """One row per item."""
    return to_csv(
        AGEING_CSV_COLUMNS,
        (
            [
                g.warehouse_code,
                g.category,
                a.code,
                a.age_days,
                a.reason,
                a.threshold_days,
                a.status,
                a.disposition,
                a.location_code,
                a.received_at,
                a.message,
            ]
            for g in report.groups
            for a in g.items
        ),
        t,
    )
