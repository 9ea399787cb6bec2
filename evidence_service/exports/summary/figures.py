"""The six-monthly or yearly summary's figures for one period: the balance of the stock
(opening + received − out = closing, counted by ``movements`` exactly as the ledger counts),
every exit kind on its own row, the number of cases (vụ) behind each row, what was received,
what left and what remains by category, destruction by method, the stock at the end by time
held, and the backlog split as provincial reports give it (vn-legal-context §1.2): cases
holding evidence with **no judgment yet** (vụ) and matters with a **judgment not finished**
(việc; one case counts as one matter here, its enforcement decisions are not counted apart).

Sorted queries and plain arithmetic: the same data and period give the same numbers."""

from collections import defaultdict
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from ...destruction.methods import load_methods
from ...i18n import Translator, translator
from ...models import Case, Category, Item
from ...periods import day_start, local_day, period, period_label
from ..ledger.lines import LedgerBalance, Tally, balance_of
from ..movements import EXIT_KINDS, Balance, ItemEvents, events_of, held_in, not_gone_before

AGE_BUCKETS = [  # (key, up to this many days); the words are ``summary.age_<key>``
    ("under_6_months", 182),
    ("6_to_12_months", 365),
    ("1_to_2_years", 730),
    ("2_to_5_years", 1826),
    ("over_5_years", None),
]
ROWS = ["opening", "received", *(f"out_{k}" for k in EXIT_KINDS), "out_total", "closing"]
CATEGORY_MEASURES = ["received", "out_total", "closing"]
BACKLOG = ["no_judgment", "judgment_not_finished"]
CHUNK = 2000


class Line(BaseModel):
    key: str
    label: str
    tally: Tally


class BacklogLine(BaseModel):
    key: str  # no_judgment (counted in cases, vụ), judgment_not_finished (matters, việc)
    cases: int
    tally: Tally


class PeriodFigures(BaseModel):
    period: str
    label: str
    start: date
    end: date  # the day after the period
    last_day: date
    source: str  # where the period comes from
    source_vi: str  # the same, in Vietnamese
    confirmed: bool  # False: "to be confirmed" (the statistical periods)
    balance: LedgerBalance
    totals: dict[str, Tally]  # ROWS → items
    cases: dict[str, int]  # ROWS → number of cases (vụ) with an item in the row
    by_category: dict[str, dict[str, Tally]]  # CATEGORY_MEASURES → category → tally
    destroyed_by_method: list[Line]
    backlog_by_age: list[Line]
    backlog: list[BacklogLine]


class _Count:
    def __init__(self) -> None:
        self.items: dict[str, list[float]] = {r: [0, 0.0] for r in ROWS}
        self.cases: dict[str, set[int]] = {r: set() for r in ROWS}
        self.by_category = {m: {c.value: [0, 0.0] for c in Category} for m in CATEGORY_MEASURES}
        self.by_method: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        self.by_age = {k: [0, 0.0] for k, _ in AGE_BUCKETS}
        self.backlog = {k: [0, 0.0] for k in BACKLOG}
        self.backlog_cases: dict[str, set[int]] = {k: set() for k in BACKLOG}

    def add(self, row: str, case_id: int, category: str, grams: float) -> None:
        self.items[row][0] += 1
        self.items[row][1] += grams
        self.cases[row].add(case_id)
        if row in self.by_category:
            tally = self.by_category[row].setdefault(category, [0, 0.0])
            tally[0] += 1
            tally[1] += grams


def _tally(pair: list[float]) -> Tally:
    return Tally(count=int(pair[0]), weight_kg=round(pair[1] / 1000, 6))


def figures(session: Session, scope: set[int], label: str) -> PeriodFigures:
    p = period(label)
    first, last = p.first, p.last
    end = day_start(p.after)
    query = (
        sa_select(
            col(Item.id),
            col(Item.category),
            col(Item.net_weight_g),
            col(Item.received_at),
            col(Item.case_id),
            col(Case.judgment_number),
        )
        .join(Case, col(Case.id) == Item.case_id)
        .where(col(Item.agency_id).in_(scope), col(Item.received_at) < end)
        .where(not_gone_before(first))
        .order_by(col(Item.id))
    )
    balance, count = Balance(), _Count()
    result = session.execute(query.execution_options(yield_per=CHUNK))
    for part in result.partitions():
        events = events_of(session, [r[0] for r in part])
        for item_id, category, grams, received_at, case_id, judgment in part:
            received_on = local_day(received_at)
            gone = (events.get(item_id) or ItemEvents()).exit
            if not held_in(received_on, gone, first, last):
                continue
            move = balance.add(received_on, gone, grams, first, last)
            g = grams or 0.0
            count.add("opening" if move.opening else "received", case_id, category, g)
            if move.left:
                assert gone is not None
                count.add(f"out_{gone.kind}", case_id, category, g)
                count.add("out_total", case_id, category, g)
                if gone.kind == "destroyed":
                    method = count.by_method[gone.method or ""]
                    method[0] += 1
                    method[1] += g
                continue
            count.add("closing", case_id, category, g)
            age = count.by_age[_bucket((p.after - received_on).days)]
            age[0] += 1
            age[1] += g
            split = "judgment_not_finished" if judgment else "no_judgment"
            count.backlog[split][0] += 1
            count.backlog[split][1] += g
            count.backlog_cases[split].add(case_id)
    vi = translator("vi")
    return PeriodFigures(
        period=p.label,
        label=period_label(p.label, vi),
        start=p.first,
        end=p.after,
        last_day=p.last,
        source=p.kind.source,
        source_vi=p.kind.source_vi,
        confirmed=p.kind.confirmed,
        balance=balance_of(balance),
        totals={r: _tally(v) for r, v in count.items.items()},
        cases={r: len(v) for r, v in count.cases.items()},
        by_category={
            m: {c: _tally(v) for c, v in sorted(cats.items())}
            for m, cats in count.by_category.items()
        },
        destroyed_by_method=[
            Line(key=k, label=method_name(k, vi), tally=_tally(v))
            for k, v in sorted(count.by_method.items())
        ],
        backlog_by_age=[
            Line(key=k, label=vi(f"summary.age_{k}"), tally=_tally(count.by_age[k]))
            for k, _ in AGE_BUCKETS
        ],
        backlog=[
            BacklogLine(key=k, cases=len(count.backlog_cases[k]), tally=_tally(count.backlog[k]))
            for k in BACKLOG
        ],
    )


def method_name(key: str, t: Translator) -> str:
    method = load_methods().methods.get(key)
    return method.name(t.lang) if method else (key or t("summary.unknown_method"))


def _bucket(days: int) -> str:
    for key, limit in AGE_BUCKETS:
        if limit is None or days < limit:
            return key
    return AGE_BUCKETS[-1][0]
