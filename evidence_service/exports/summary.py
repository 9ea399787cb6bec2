"""The six-monthly or yearly report an office sends upward: received, in store at the end,
returned, confiscated and destroyed (count and weight, by category and destruction method),
the backlog by age and the use of each warehouse, beside the period before.

Counts come from the items, the custody events (an item leaves the store with a destruction,
release or transfer event) and the destruction batches (method, measured weight), always
sorted, so the same data and period give the same numbers and the same bytes. Words: the
``summary`` and ``period`` keys of the translation files; the JSON's labels are Vietnamese.
"""

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from .. import pdfdoc
from ..auth import agency_scope
from ..custody import EventType
from ..destruction.methods import load_methods
from ..i18n import Translator, translator
from ..models import (
    BatchStatus,
    Category,
    CustodyEvent,
    DestructionBatch,
    DestructionItem,
    Item,
    User,
)
from ..reports import capacity_report
from .common import day_start, parse_period, period_label, previous_period
from .stable import Kilograms, text_cell, workbook_bytes

FINAL_EVENTS = (str(EventType.destruction), str(EventType.release), str(EventType.transfer))
RETURNED = frozenset({"return_to_owner"})
CONFISCATED = frozenset({"confiscate", "sell"})
AGE_BUCKETS = [  # (key, up to this many days); the words are ``summary.age_<key>``
    ("under_6_months", 182),
    ("6_to_12_months", 365),
    ("1_to_2_years", 730),
    ("2_to_5_years", 1826),
    ("over_5_years", None),
]
MEASURES = ["received", "stored_end", "returned", "confiscated", "destroyed"]


class Tally(BaseModel):
    count: int = 0
    weight_kg: float = 0.0

    def add(self, grams: float | None) -> None:
        self.count += 1
        self.weight_kg = round(self.weight_kg + (grams or 0.0) / 1000, 6)


class Line(BaseModel):
    key: str
    label: str
    tally: Tally


class PeriodFigures(BaseModel):
    period: str
    label: str
    start: date
    end: date  # the day after the period
    totals: dict[str, Tally]
    by_category: dict[str, dict[str, Tally]]  # measure → category → tally
    destroyed_by_method: list[Line]
    backlog_by_age: list[Line]


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
    current: PeriodFigures
    previous: PeriodFigures
    warehouses: list[WarehouseUse]


def summary(session: Session, actor: User, period: str) -> Summary:
    label, _, _ = parse_period(period)
    scope = agency_scope(session, actor)
    current = _figures(session, scope, label)
    previous = _figures(session, scope, previous_period(label))
    return Summary(
        period=label, current=current, previous=previous, warehouses=_warehouses(session, actor)
    )


def _figures(session: Session, scope: set[int], label: str) -> PeriodFigures:
    _, first, after = parse_period(label)
    start, end = day_start(first), day_start(after)
    items = {
        row[0]: row
        for row in session.exec(
            select(  # type: ignore[call-overload]
                Item.id, Item.category, Item.net_weight_g, Item.received_at, Item.disposition
            )
            .where(col(Item.agency_id).in_(scope), col(Item.received_at) < end)
            .order_by(col(Item.id))
        ).all()
    }
    left: dict[int, tuple[datetime, str]] = {}  # item → its first final event
    for item_id, at, kind in session.exec(
        select(CustodyEvent.item_id, CustodyEvent.occurred_at, CustodyEvent.event_type)
        .join(Item, col(Item.id) == CustodyEvent.item_id)
        .where(col(Item.agency_id).in_(scope), col(CustodyEvent.event_type).in_(FINAL_EVENTS))
        .where(col(CustodyEvent.occurred_at) < end)
        .order_by(col(CustodyEvent.id))  # ids follow time across chains
    ).all():
        if item_id is not None:  # always, by the join: events about records have none
            left.setdefault(item_id, (at, kind))
    totals = {m: Tally() for m in MEASURES}
    by_category: dict[str, dict[str, Tally]] = {
        m: {c.value: Tally() for c in Category} for m in MEASURES
    }
    backlog = {key: Tally() for key, _ in AGE_BUCKETS}

    def count(measure: str, category: str, grams: float | None) -> None:
        totals[measure].add(grams)
        by_category[measure].setdefault(category, Tally()).add(grams)

    for item_id, category, grams, received_at, disposition in items.values():
        if received_at >= start:
            count("received", category, grams)
        gone = left.get(item_id)
        if gone is None:
            count("stored_end", category, grams)
            backlog[_bucket((end - received_at).days)].add(grams)
        elif gone[0] >= start and gone[1] != EventType.destruction:
            if disposition in RETURNED:
                count("returned", category, grams)
            elif disposition in CONFISCATED:
                count("confiscated", category, grams)
    by_method: dict[str, Tally] = defaultdict(Tally)
    for category, method, measured, recorded in session.exec(
        select(
            Item.category,
            DestructionBatch.method,
            DestructionItem.measured_weight_g,
            DestructionItem.recorded_weight_g,
        )
        .join(DestructionBatch, col(DestructionBatch.id) == DestructionItem.batch_id)
        .join(Item, col(Item.id) == DestructionItem.item_id)
        .where(col(Item.agency_id).in_(scope), DestructionItem.result == "destroyed")
        .where(col(DestructionBatch.status).in_([BatchStatus.executed, BatchStatus.closed]))
        .where(col(DestructionBatch.executed_at) >= start, col(DestructionBatch.executed_at) < end)
        .order_by(col(DestructionItem.id))
    ).all():
        grams = measured if measured is not None else recorded
        count("destroyed", category, grams)
        by_method[method or ""].add(grams)
    vi = translator("vi")
    return PeriodFigures(
        period=label,
        label=period_label(label, vi),
        start=first,
        end=after,
        totals=totals,
        by_category=by_category,
        destroyed_by_method=[
            Line(key=k, label=_method_name(k, vi), tally=t) for k, t in sorted(by_method.items())
        ],
        backlog_by_age=[
            Line(key=k, label=vi(f"summary.age_{k}"), tally=backlog[k]) for k, _ in AGE_BUCKETS
        ],
    )


def _method_name(key: str, t: Translator) -> str:
    method = load_methods().methods.get(key)
    return method.name(t.lang) if method else (key or t("summary.unknown_method"))


def _bucket(days: int) -> str:
    for key, limit in AGE_BUCKETS:
        if limit is None or days < limit:
            return key
    return AGE_BUCKETS[-1][0]


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


# -- files -------------------------------------------------------------------------------------


def _pair(cur: Tally, prev: Tally) -> list[Any]:
    return [cur.count, Kilograms(cur.weight_kg), prev.count, Kilograms(prev.weight_kg)]


def _sections(data: Summary, t: Translator) -> list[tuple[str, list[str], list[list[Any]]]]:
    cur, prev = data.current, data.previous
    head = [
        "",
        t("summary.col_count", period=cur.period),
        t("summary.col_weight", period=cur.period),
        t("summary.col_count", period=prev.period),
        t("summary.col_weight", period=prev.period),
    ]

    def measure(m: str) -> str:
        return t(f"summary.measure_{m}")

    sections = [
        (
            t("summary.section_totals"),
            head,
            [[measure(m), *_pair(cur.totals[m], prev.totals[m])] for m in MEASURES],
        )
    ]
    for m in MEASURES:
        rows = [
            [t.maybe(f"category.{c}", c), *_pair(cur.by_category[m][c], prev.by_category[m][c])]
            for c in sorted(cur.by_category[m])
            if cur.by_category[m][c].count or prev.by_category[m][c].count
        ]
        sections.append((t("summary.by_category", measure=measure(m)), head, rows))
    methods = sorted({line.key for line in cur.destroyed_by_method + prev.destroyed_by_method})
    cur_m = {line.key: line for line in cur.destroyed_by_method}
    prev_m = {line.key: line for line in prev.destroyed_by_method}
    sections.append(
        (
            t("summary.section_methods"),
            head,
            [
                [
                    _method_name(k, t),
                    *_pair(
                        cur_m[k].tally if k in cur_m else Tally(),
                        prev_m[k].tally if k in prev_m else Tally(),
                    ),
                ]
                for k in methods
            ],
        )
    )
    sections.append(
        (
            t("summary.section_backlog"),
            head,
            [
                [t(f"summary.age_{a.key}"), *_pair(a.tally, b.tally)]
                for a, b in zip(cur.backlog_by_age, prev.backlog_by_age, strict=True)
            ],
        )
    )
    sections.append(
        (
            t("summary.section_warehouses"),
            [
                t("summary.col_warehouse"),
                t("summary.col_items"),
                t("summary.col_items_limit"),
                t("summary.col_percent"),
                t("summary.col_weight_used"),
                t("summary.col_weight_limit"),
                t("summary.col_percent"),
            ],
            [
                [
                    f"{w.code} – {w.name}",
                    w.items,
                    w.items_limit,
                    w.items_percent,
                    Kilograms(w.net_weight_kg),
                    Kilograms(w.weight_limit_kg) if w.weight_limit_kg is not None else None,
                    w.weight_percent,
                ]
                for w in data.warehouses
            ],
        )
    )
    return sections


def _title(data: Summary, t: Translator) -> str:
    return t("summary.title", period=period_label(data.current.period, t).upper())


def summary_xlsx(data: Summary, lang: str = "vi") -> bytes:
    t = translator(lang)
    previous = t("summary.previous", period=period_label(data.previous.period, t))
    rows: list[list[Any]] = [[_title(data, t)], [previous], []]
    for name, head, body in _sections(data, t):
        rows += [[name], head, *body, []]
    stamp = datetime.combine(data.current.end, datetime.min.time(), UTC)
    widths = [44, 16, 18, 16, 18, 16, 12]
    return workbook_bytes([(t("summary.sheet"), rows, widths)], _title(data, t), stamp)


def summary_pdf(data: Summary, lang: str = "vi") -> bytes:
    t = translator(lang)
    previous = period_label(data.previous.period, t)
    story: list[Any] = [
        pdfdoc.para(_title(data, t), "title"),
        pdfdoc.para(t("summary.compared", period=previous), "center"),
        pdfdoc.spacer(),
    ]
    for name, head, body in _sections(data, t):
        widths = [60, 28, 28, 28, 28] if len(head) == 5 else [50, 20, 22, 18, 22, 22, 20]
        cells = [[text_cell(c, t) for c in r] for r in body] or [
            [t("summary.none")] + [""] * (len(head) - 1)
        ]
        story += [pdfdoc.para(name, "heading"), pdfdoc.table(head, cells, widths)]
    story += [
        pdfdoc.spacer(10),
        pdfdoc.signatures([(t("summary.signer_maker"), ""), (t("summary.signer_head"), "")]),
    ]
    return pdfdoc.build(story, _title(data, t))
