"""Destruction totals: counts and weights destroyed by period, category, method and
warehouse; the share destroyed by environmentally risky methods; weight discrepancies.

Periods are counted in local time (``i18n.LOCAL_TIME_ZONE``), where the reports are read. The
weight of an item destroyed is its measured weight before destruction (the recorded one if none).
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel import Session, col

from ..auth import agency_scope
from ..i18n import LOCAL_TIME_ZONE, Translator
from ..models import BatchStatus, DestructionBatch, DestructionItem, Item, User, Warehouse
from ..reports import to_csv
from .methods import load_methods

Period = Literal["month", "quarter", "half", "year"]


def period_key(moment: datetime, period: Period) -> str:
    local = moment.astimezone(LOCAL_TIME_ZONE)
    if period == "month":
        return f"{local.year}-{local.month:02d}"
    if period == "quarter":
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    if period == "half":
        return f"{local.year}-H{(local.month - 1) // 6 + 1}"
    return str(local.year)


class Total(BaseModel):
    key: str
    label: str
    items: int
    weight_kg: float
    environmental_risk: bool | None = None


class RiskyShare(BaseModel):
    items: int
    weight_kg: float
    items_pct: float
    weight_pct: float


class WeightDiscrepancy(BaseModel):
    batch_number: str
    item_code: str
    executed_at: datetime
    recorded_weight_g: float | None
    measured_weight_g: float | None
    difference_pct: float | None
    note: str | None
    result: str


class DestructionTotals(BaseModel):
    period: Period
    date_from: date | None
    date_to: date | None
    items: int
    weight_kg: float
    by_period: list[Total]
    by_category: list[Total]
    by_method: list[Total]
    by_warehouse: list[Total]
    environmentally_risky: RiskyShare
    weight_discrepancies: list[WeightDiscrepancy]


def _pct(part: float, whole: float) -> float:
    return round(part / whole * 100, 2) if whole else 0.0


def destruction_totals(
    session: Session,
    actor: User,
    period: Period = "month",
    date_from: date | None = None,
    date_to: date | None = None,
    warehouse_code: str | None = None,
) -> DestructionTotals:
    query = (
        select(
            DestructionItem,
            col(DestructionBatch.number),
            col(DestructionBatch.executed_at),
            col(DestructionBatch.method),
            col(DestructionBatch.environmental_risk),
            col(Item.code),
            col(Item.category),
            col(Warehouse.code),
        )
        .join(DestructionBatch, col(DestructionBatch.id) == DestructionItem.batch_id)
        .join(Item, col(Item.id) == DestructionItem.item_id)
        .outerjoin(Warehouse, col(Warehouse.id) == DestructionItem.warehouse_id)
        .where(col(DestructionBatch.agency_id).in_(agency_scope(session, actor)))
        .where(col(DestructionBatch.status).in_([BatchStatus.executed, BatchStatus.closed]))
        .order_by(col(DestructionBatch.executed_at), col(Item.code))
    )
    if warehouse_code is not None:
        query = query.where(col(Warehouse.code) == warehouse_code)
    methods = load_methods().methods
    groups: dict[str, dict[str, list[float]]] = {
        g: {} for g in ("period", "category", "method", "warehouse")
    }
    risky_by_method: dict[str, bool] = {}
    total_items, total_g, risky_items, risky_g = 0, 0.0, 0, 0.0
    discrepancies = []
    for line, number, executed_at, method, risky, code, category, warehouse in session.execute(
        query
    ).all():
        local_day = executed_at.astimezone(LOCAL_TIME_ZONE).date()
        if (date_from and local_day < date_from) or (date_to and local_day > date_to):
            continue
        if line.weight_flagged:
            discrepancies.append(
                WeightDiscrepancy(
                    batch_number=number,
                    item_code=code,
                    executed_at=executed_at,
                    recorded_weight_g=line.recorded_weight_g,
                    measured_weight_g=line.measured_weight_g,
                    difference_pct=line.weight_difference_pct,
                    note=line.weight_note,
                    result=line.result or "",
                )
            )
        if line.result != "destroyed":
            continue
        grams = (
            line.measured_weight_g if line.measured_weight_g is not None else line.recorded_weight_g
        ) or 0.0
        method_key = f"{method}{' (risky)' if risky else ''}"
        risky_by_method[method_key] = risky
        for group, key in (
            ("period", period_key(executed_at, period)),
            ("category", category),
            ("method", method_key),
            ("warehouse", warehouse or ""),
        ):
            acc = groups[group].setdefault(key, [0, 0.0])
            acc[0] += 1
            acc[1] += grams
        total_items, total_g = total_items + 1, total_g + grams
        if risky:
            risky_items, risky_g = risky_items + 1, risky_g + grams

    def totals(group: str, label: Callable[[str], str] = str) -> list[Total]:
        return [
            Total(
                key=k,
                label=label(k),
                items=int(v[0]),
                weight_kg=round(v[1] / 1000, 6),
                environmental_risk=risky_by_method.get(k) if group == "method" else None,
            )
            for k, v in sorted(groups[group].items())
        ]

    def method_label(key: str) -> str:
        base = key.removesuffix(" (risky)")
        return methods[base].name_vi if base in methods else base

    return DestructionTotals(
        period=period,
        date_from=date_from,
        date_to=date_to,
        items=total_items,
        weight_kg=round(total_g / 1000, 6),
        by_period=totals("period"),
        by_category=totals("category"),
        by_method=totals("method", method_label),
        by_warehouse=totals("warehouse"),
        environmentally_risky=RiskyShare(
            items=risky_items,
            weight_kg=round(risky_g / 1000, 6),
            items_pct=_pct(risky_items, total_items),
            weight_pct=_pct(risky_g, total_g),
        ),
        weight_discrepancies=discrepancies,
    )


def totals_csv(report: DestructionTotals, t: Translator | None = None) -> str:
    rows: list[list[object]] = []
    for section, entries in (
        ("period", report.by_period),
        ("category", report.by_category),
        ("method", report.by_method),
        ("warehouse", report.by_warehouse),
    ):
        rows += [[section, t.key, t.label, t.items, t.weight_kg, ""] for t in entries]
    risky = report.environmentally_risky
    rows.append(["environmentally_risky", "items", "", risky.items, "", risky.items_pct])
    rows.append(["environmentally_risky", "weight", "", "", risky.weight_kg, risky.weight_pct])
    rows.append(["total", "", "", report.items, report.weight_kg, ""])
    rows += [
        [
            "weight_discrepancy",
            d.item_code,
            d.batch_number,
            1,
            round((d.measured_weight_g or 0) / 1000, 6),
            d.difference_pct,
        ]
        for d in report.weight_discrepancies
    ]
    return to_csv(["section", "key", "label", "items", "weight_kg", "pct"], rows, t)
