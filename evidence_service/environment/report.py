"""The manager's environment report for a period (local days) and, optionally, a province:
what was destroyed by method and material group, the risky share, the estimated releases and
what a licensed facility would have avoided, the space freed, the items still waiting with
their deadlines, and the appendix tracing every figure to its items and factors.

The counts and weights are the destruction totals' own (``destruction.totals``, the same
rule: measured weight, else recorded), so this report and ``GET /reports/destruction`` agree
for the same period. Releases are order-of-magnitude estimates (``estimate``)."""

from collections import defaultdict
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from ..auth import agency_scope
from ..destruction.totals import DestructionTotals, RiskyShare, Total, destruction_totals
from ..i18n import LOCAL_TIME_ZONE
from ..models import BatchStatus, DestructionBatch, DestructionItem, Item, User, Warehouse
from .batch import destroyed_grams
from .estimate import Line, estimate
from .facilities import sites
from .factors import load_factors
from .planner import Plan, plan


class Cell(BaseModel):
    method: str
    material_group: str
    items: int
    weight_kg: float


class Release(BaseModel):
    profile: str = Field(description="the method's profile, or an alternative's")
    pollutant: str
    unit: str
    value: float | None
    low: float | None
    high: float | None
    complete: bool


class MethodReleases(BaseModel):
    method: str
    weight_kg: float
    actual: list[Release]
    at_alternatives: list[Release]
    avoided: list[Release]


class AppendixLine(BaseModel):
    batch_number: str
    item_code: str
    method: str
    material_group: str
    weight_kg: float
    volume_l: float
    factor_sources: list[str]


class FreedWarehouse(BaseModel):
    warehouse_code: str
    items: int
    weight_kg: float
    volume_l: float


class EnvironmentReport(BaseModel):
    date_from: date | None
    date_to: date | None
    province: str | None
    order_of_magnitude: bool = True
    totals: DestructionTotals
    by_method_material: list[Cell]
    releases: list[MethodReleases]
    freed: list[FreedWarehouse]
    waiting: Plan
    appendix: list[AppendixLine]
    sources: dict[str, str] = Field(description="source id → title and address")


def _sum(rows: list[Release]) -> list[Release]:
    acc: dict[tuple[str, str], list[float | None]] = {}
    units: dict[tuple[str, str], str] = {}
    complete: dict[tuple[str, str], bool] = {}
    for r in rows:
        key = (r.profile, r.pollutant)
        units[key] = r.unit
        complete[key] = complete.get(key, True) and r.complete
        cur = acc.setdefault(key, [None, None, None])
        for n, v in enumerate((r.value, r.low, r.high)):
            if v is not None:
                cur[n] = (cur[n] or 0.0) + v
    return [
        Release(
            profile=k[0],
            pollutant=k[1],
            unit=units[k],
            value=v[0],
            low=v[1],
            high=v[2],
            complete=complete[k] and v[0] is not None,
        )
        for k, v in sorted(acc.items())
    ]


def _merge(parts: list[DestructionTotals], empty: DestructionTotals) -> DestructionTotals:
    """The totals of several warehouses as one (a province's)."""
    if not parts:
        return empty.model_copy(
            update={
                "items": 0,
                "weight_kg": 0.0,
                "by_period": [],
                "by_category": [],
                "by_method": [],
                "by_warehouse": [],
                "environmentally_risky": RiskyShare(
                    items=0, weight_kg=0, items_pct=0, weight_pct=0
                ),
                "weight_discrepancies": [],
            }
        )

    def merged(name: str) -> list[Total]:
        acc: dict[str, Total] = {}
        for part in parts:
            for t in getattr(part, name):
                cur = acc.get(t.key)
                acc[t.key] = (
                    t
                    if cur is None
                    else cur.model_copy(
                        update={
                            "items": cur.items + t.items,
                            "weight_kg": cur.weight_kg + t.weight_kg,
                        }
                    )
                )
        return [acc[k] for k in sorted(acc)]

    items = sum(p.items for p in parts)
    weight = sum(p.weight_kg for p in parts)
    risky_items = sum(p.environmentally_risky.items for p in parts)
    risky_kg = sum(p.environmentally_risky.weight_kg for p in parts)
    return parts[0].model_copy(
        update={
            "items": items,
            "weight_kg": round(weight, 6),
            "by_period": merged("by_period"),
            "by_category": merged("by_category"),
            "by_method": merged("by_method"),
            "by_warehouse": merged("by_warehouse"),
            "environmentally_risky": RiskyShare(
                items=risky_items,
                weight_kg=round(risky_kg, 6),
                items_pct=round(risky_items / items * 100, 2) if items else 0.0,
                weight_pct=round(risky_kg / weight * 100, 2) if weight else 0.0,
            ),
            "weight_discrepancies": [d for p in parts for d in p.weight_discrepancies],
        }
    )


def environment_report(
    session: Session,
    user: User,
    date_from: date | None,
    date_to: date | None,
    province: str | None = None,
) -> EnvironmentReport:
    warehouse_codes: list[str] | None = None
    totals = destruction_totals(session, user, "half", date_from, date_to)
    if province is not None:
        warehouse_codes = sorted(
            c for c, s in sites(session, user).items() if s.province == province
        )
        totals = _merge(
            [
                destruction_totals(session, user, "half", date_from, date_to, c)
                for c in warehouse_codes
            ],
            totals,
        )
    rows = session.execute(
        select(DestructionItem, DestructionBatch, Item, Warehouse.code)
        .join(DestructionBatch, col(DestructionBatch.id) == DestructionItem.batch_id)
        .join(Item, col(Item.id) == DestructionItem.item_id)
        .outerjoin(Warehouse, col(Warehouse.id) == DestructionItem.warehouse_id)
        .where(col(DestructionBatch.agency_id).in_(agency_scope(session, user)))
        .where(col(DestructionBatch.status).in_([BatchStatus.executed, BatchStatus.closed]))
        .where(DestructionItem.result == "destroyed")
        .order_by(col(DestructionBatch.executed_at), col(Item.code))
    ).all()
    table = load_factors()
    by_batch: dict[str, list[Line]] = defaultdict(list)
    method_of: dict[str, str] = {}
    cells: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    freed: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    appendix = []
    for line, batch, item, warehouse in rows:
        assert batch.executed_at is not None
        day = batch.executed_at.astimezone(LOCAL_TIME_ZONE).date()
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        if warehouse_codes is not None and warehouse not in warehouse_codes:
            continue
        grams = destroyed_grams(line, item) or 0.0
        group = table.group_of(item.category, list(item.hazard_classes))
        method = batch.method or ""
        by_batch[batch.number].append(
            Line(item.code, item.category, list(item.hazard_classes), grams)
        )
        method_of[batch.number] = method
        cells[(method, group.id)][0] += 1
        cells[(method, group.id)][1] += grams
        f = freed[warehouse or ""]
        f[0] += 1
        f[1] += grams
        f[2] += item.volume_l or 0.0
        profile = table.profile_of(method)
        sources = sorted(
            {
                fac.source
                for p in table.pollutants
                if profile
                and (fac := table.factor(profile.id, group.id, p))
                and fac.value is not None
            }
        )
        appendix.append(
            AppendixLine(
                batch_number=batch.number,
                item_code=item.code,
                method=method,
                material_group=group.id,
                weight_kg=round(grams / 1000, 6),
                volume_l=item.volume_l or 0.0,
                factor_sources=sources,
            )
        )
    per_method: dict[str, dict[str, list[Release]]] = defaultdict(lambda: defaultdict(list))
    weight: dict[str, float] = defaultdict(float)
    for number, lines in by_batch.items():
        method = method_of[number]
        e = estimate(lines, method, table)
        weight[method] += e.actual.weight_kg
        target = per_method[method]
        for p in e.actual.pollutants:
            target["actual"].append(
                Release(
                    profile=e.actual.profile or "",
                    pollutant=p.pollutant,
                    unit=p.unit,
                    value=p.value,
                    low=p.low,
                    high=p.high,
                    complete=p.complete,
                )
            )
        for alt in e.alternatives:
            for p in alt.pollutants:
                target["alt"].append(
                    Release(
                        profile=alt.profile or "",
                        pollutant=p.pollutant,
                        unit=p.unit,
                        value=p.value,
                        low=p.low,
                        high=p.high,
                        complete=p.complete,
                    )
                )
        for a in e.avoided:
            target["avoided"].append(
                Release(
                    profile=a.alternative,
                    pollutant=a.pollutant,
                    unit=a.unit,
                    value=a.value,
                    low=a.low,
                    high=a.high,
                    complete=a.value is not None,
                )
            )
    releases = [
        MethodReleases(
            method=m,
            weight_kg=round(weight[m], 6),
            actual=_sum(parts["actual"]),
            at_alternatives=_sum(parts["alt"]),
            avoided=_sum(parts["avoided"]),
        )
        for m, parts in sorted(per_method.items())
    ]
    return EnvironmentReport(
        date_from=date_from,
        date_to=date_to,
        province=province,
        totals=totals,
        by_method_material=[
            Cell(method=k[0], material_group=k[1], items=int(v[0]), weight_kg=round(v[1] / 1000, 6))
            for k, v in sorted(cells.items())
        ],
        releases=releases,
        freed=[
            FreedWarehouse(
                warehouse_code=k,
                items=int(v[0]),
                weight_kg=round(v[1] / 1000, 6),
                volume_l=round(v[2], 6),
            )
            for k, v in sorted(freed.items())
        ],
        waiting=plan(session, user, None, province),
        appendix=appendix,
        sources={s.id: f"{s.title} — {s.url}" for s in table.sources.values()},
    )
