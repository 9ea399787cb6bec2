"""The six-monthly or yearly report: the figures of the period and of the one it is compared
with (``figures``), the agency header, the addressee, the date, and each warehouse's use now."""

from datetime import date

from pydantic import BaseModel
from sqlmodel import Session

from ...auth import agency_scope
from ...checkpoints import current_anchor
from ...documents import AgencyHeader
from ...legal.holidays import local_today
from ...models import Agency, User
from ...periods import parse_period, previous_period
from ...reports import capacity_report
from ..ledger.lines import agency_of
from .figures import PeriodFigures, figures


class WarehouseUse(BaseModel):
    code: str
    name: str
    items: int
    net_weight_kg: float
    items_limit: int | None
    items_percent: float | None
    weight_limit_kg: float | None
    weight_percent: float | None


class Summary(BaseModel):
    period: str
    agency: AgencyHeader | None
    chain_head: str | None = None
    addressee: str | None  # the parent agency; None: the central Department (words: i18n)
    made_on: date  # the day the report is made, in Viet Nam
    current: PeriodFigures
    previous: PeriodFigures
    warehouses: list[WarehouseUse]


def summary(session: Session, actor: User, period: str) -> Summary:
    label, _, _ = parse_period(period)
    scope = agency_scope(session, actor)
    agency = session.get(Agency, actor.agency_id)
    parent = session.get(Agency, agency.parent_id) if agency and agency.parent_id else None
    return Summary(
        period=label,
        agency=agency_of(session, actor.agency_id),
        chain_head=current_anchor(session).printed(),
        addressee=parent.name if parent else None,
        made_on=local_today(),
        current=figures(session, scope, label),
        previous=figures(session, scope, previous_period(label)),
        warehouses=_warehouses(session, actor),
    )


def _warehouses(session: Session, actor: User) -> list[WarehouseUse]:
    result = []
    for w in capacity_report(session, actor).warehouses:
        tops = [loc for loc in w.locations if loc.depth == 0]
        items_limit = (
            sum(int(t.items.limit or 0) for t in tops)
            if tops and all(t.items.limit for t in tops)
            else None
        )
        weight_limit = (
            sum(float(t.net_weight_kg.limit or 0) for t in tops)
            if tops and all(t.net_weight_kg.limit for t in tops)
            else None
        )
        result.append(
            WarehouseUse(
                code=w.code,
                name=w.name,
                items=w.totals.items,
                net_weight_kg=w.totals.net_weight_kg,
                items_limit=items_limit,
                items_percent=round(w.totals.items / items_limit * 100, 1) if items_limit else None,
                weight_limit_kg=weight_limit,
                weight_percent=(
                    round(w.totals.net_weight_kg / weight_limit * 100, 1) if weight_limit else None
                ),
            )
        )
    return result
