"""Every legal deadline of the cases, items, batches and agencies in scope, computed from the
recorded dates of the acts (``deadlines.compute``). The case page and the legal-deadlines
report both read this; nothing here writes.

Where a start is not known exactly:
- an enforcement decision of known year and unknown day (recorded before dates were kept)
  starts on the earliest day it can have (1 January, or 1 July 2026 for a case recorded under
  the new rules): the deadline is never shown later than the law's, and ``start_exact`` is
  False so the faces say the day is unknown;
- a case with no enforcement decision yet starts no decision-based deadline.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from .. import custodians
from ..i18n.formatting import local_day
from ..models import (
    Agency,
    BatchStatus,
    Case,
    CustodyCheck,
    CustodyEvent,
    DestructionBatch,
    DestructionItem,
    EnforcementDecision,
    Item,
    Judgment,
    LegalRegime,
    OfficialDocument,
    Stocktake,
    StocktakeKind,
)
from ..periods import period
from .deadlines import (
    Computed,
    Deadline,
    DeadlineTable,
    compute,
    load_table,
    period_end,
    period_start,
)
from .holidays import CalendarGap, local_today

COUNCIL_DONE = (BatchStatus.approved, BatchStatus.executed, BatchStatus.closed)
# Which counts meet which inventory duty: a longer period's count covers the shorter ones.
INVENTORY_KINDS = {
    "quarter": {StocktakeKind.quarterly, StocktakeKind.six_monthly, StocktakeKind.yearly},
    "half_year": {StocktakeKind.six_monthly, StocktakeKind.yearly},
    "year": {StocktakeKind.yearly},
}
ONE_DAY = timedelta(days=1)
Subject = Literal["case", "item", "batch", "agency"]


@dataclass(frozen=True)
class Entry:
    computed: Computed
    subject: Subject
    agency_id: int
    case_id: int | None = None
    item_code: str | None = None
    batch_id: int | None = None
    batch_number: str | None = None
    act: str = ""  # the starting act's number, e.g. the judgment's
    warehouse_code: str | None = None  # a duty of one warehouse (the monthly custody check)


@dataclass(frozen=True)
class DecisionStart:
    day: date
    exact: bool
    number: str


def decision_start(decision: EnforcementDecision, case_regime: str) -> DecisionStart:
    number = EnforcementDecision.short_reference(decision.number, decision.year)
    if decision.decision_date is not None:
        return DecisionStart(decision.decision_date, True, number)
    earliest = date(decision.year, 1, 1)
    if case_regime == LegalRegime.from_2026_07_01 and decision.year == 2026:
        earliest = date(2026, 7, 1)
    return DecisionStart(earliest, False, number)


def first_decisions(session: Session, case_ids: set[int]) -> dict[int, DecisionStart]:
    """Each case's first enforcement decision, as a start of the decision-based deadlines."""
    found: dict[int, DecisionStart] = {}
    for decision, regime in session.execute(
        sa_select(EnforcementDecision, col(Case.legal_regime))
        .join(Case, col(Case.id) == EnforcementDecision.case_id)
        .where(col(EnforcementDecision.case_id).in_(case_ids))
        .order_by(col(EnforcementDecision.year), col(EnforcementDecision.decision_date))
    ).all():
        found.setdefault(decision.case_id, decision_start(decision, regime))
    return found


def gather(
    session: Session,
    agency_ids: list[int],
    case_ids: list[int] | None = None,
    today: date | None = None,
    with_agency_duties: bool = True,
) -> list[Entry]:
    today = today or local_today()
    table = load_table()
    entries: list[Entry] = []

    def add(entry_for: "_Maker", start: date, done: date | None, exact: bool = True) -> None:
        try:
            computed = compute(table, entry_for.deadline, start, done, today, exact)
        except CalendarGap:
            return
        if computed is not None:
            entries.append(entry_for.entry(computed))

    def remembered(maker: "_Maker", line: DestructionItem, start: date, exact: bool) -> None:
        """The council's lateness as written on the batch line when it was established."""
        assert line.council_due_on is not None
        deadline = maker.deadline
        period = deadline.periods.get(table.regime_on(start))
        if period is None:
            return
        done = councils[line.item_id][1].decision_date
        late = line.council_days_late
        computed = Computed(deadline, period, start, exact, line.council_due_on, done, late, None)
        entries.append(maker.entry(computed))

    # Every query joins the cases in scope rather than listing ids (tens of thousands of
    # items per province, vn-legal-context §1.2).
    in_scope: ColumnElement[bool] = col(Case.agency_id).in_(agency_ids)
    if case_ids is not None:
        in_scope = and_(in_scope, col(Case.id).in_(case_ids))
    cases: dict[int, Case] = {c.id or 0: c for c in session.exec(select(Case).where(in_scope))}
    judgments: dict[int, list[Judgment]] = defaultdict(list)
    for j in session.exec(
        select(Judgment).join(Case, col(Case.id) == Judgment.case_id).where(in_scope)
    ).all():
        judgments[j.case_id].append(j)
    decisions: dict[int, list[EnforcementDecision]] = defaultdict(list)
    for d in session.exec(
        select(EnforcementDecision)
        .join(Case, col(Case.id) == EnforcementDecision.case_id)
        .where(in_scope)
        .order_by(col(EnforcementDecision.year), col(EnforcementDecision.decision_date))
    ).all():
        decisions[d.case_id].append(d)

    # Per case: the court sends the judgment; the agency issues its decision.
    for case_id, case in cases.items():
        dated = [d.decision_date for d in decisions[case_id] if d.decision_date]
        for j in judgments[case_id]:
            base = dict(subject="case", agency_id=case.agency_id, case_id=case_id, act=j.number)
            if j.effective_date is not None:
                add(_Maker(table, "judgment_sent", base), j.effective_date, j.received_date)
                if j.received_date is not None:
                    done = min((d for d in dated if d >= j.received_date), default=None)
                    add(_Maker(table, "enforcement_decision", base), j.received_date, done)

    # Per item: the council (items to destroy), the hand-over (confiscated or returned).
    item_rows = session.execute(
        sa_select(
            col(Item.code),
            col(Item.case_id),
            col(Item.agency_id),
            col(Item.category),
            col(Item.disposition),
            col(Item.id),
        )
        .join(Case, col(Case.id) == Item.case_id)
        .where(in_scope)
        .order_by(col(Item.code))
    ).all()
    councils: dict[int, tuple[DestructionItem, DestructionBatch]] = {}
    for di, batch in session.execute(
        sa_select(DestructionItem, DestructionBatch)
        .join(DestructionBatch, col(DestructionBatch.id) == DestructionItem.batch_id)
        .join(Item, col(Item.id) == DestructionItem.item_id)
        .join(Case, col(Case.id) == Item.case_id)
        .where(
            in_scope,
            col(DestructionBatch.status) != BatchStatus.cancelled.value,
        )
        .order_by(col(DestructionItem.id))
    ).all():
        councils[di.item_id] = (di, batch)
    released: dict[int, datetime] = dict(
        session.execute(  # type: ignore[arg-type]
            sa_select(col(CustodyEvent.item_id), func.min(col(CustodyEvent.occurred_at)))
            .join(Item, col(Item.id) == CustodyEvent.item_id)
            .join(Case, col(Case.id) == Item.case_id)
            .where(
                in_scope,
                col(CustodyEvent.event_type).in_(("release", "transfer")),
            )
            .group_by(col(CustodyEvent.item_id))
        ).all()
    )
    per_item = [d for d in table.applying("item")]
    for code, case_id, agency_id, category, disposition, item_id in item_rows:
        case = cases[case_id]
        if not decisions[case_id]:
            continue  # no enforcement decision yet: nothing has started
        start = decision_start(decisions[case_id][0], case.legal_regime)
        base = dict(
            subject="item", agency_id=agency_id, case_id=case_id, item_code=code, act=start.number
        )
        for deadline in per_item:
            if not deadline.concerns(disposition, category):
                continue
            maker = _Maker(table, deadline.id, base)
            if deadline.step == "council":
                di_batch = councils.get(item_id)
                day, exact = start.day, start.exact
                done = None
                if di_batch is not None:
                    di, batch = di_batch
                    if di.enforcement_decision_date is not None:
                        day, exact = di.enforcement_decision_date, True
                    if batch.status in COUNCIL_DONE:
                        done = batch.decision_date
                if di_batch is not None and di_batch[0].council_due_on is not None:
                    remembered(maker, di_batch[0], day, exact)
                    continue
                add(maker, day, done, exact)
            elif deadline.step == "release":
                moment: datetime | None = released.get(item_id)
                add(maker, start.day, local_day(moment) if moment else None, start.exact)

    # Per batch: destruction after the council, and (new rules) the owner's notice.
    batch_ids = {batch.id for _, batch in councils.values()}
    for batch in session.exec(
        select(DestructionBatch)
        .where(
            col(DestructionBatch.id).in_(batch_ids),
            col(DestructionBatch.status).in_([s.value for s in COUNCIL_DONE]),
        )
        .order_by(col(DestructionBatch.id))
    ).all():
        assert batch.decision_date is not None and batch.id is not None
        base = dict(
            subject="batch",
            agency_id=batch.agency_id,
            batch_id=batch.id,
            batch_number=batch.number,
            act=batch.decision_number or "",
        )
        executed = local_day(batch.executed_at) if batch.executed_at else None
        for deadline in table.applying("batch"):
            if deadline.step == "not_recorded" and executed is not None:
                continue  # moot once destroyed
            done = executed if deadline.step == "destruction" else None
            add(_Maker(table, deadline.id, base), batch.decision_date, done)

    if with_agency_duties and case_ids is None:
        entries.extend(_agency_duties(session, table, agency_ids, today))
    entries.sort(key=lambda e: (e.computed.due_on, e.computed.deadline.id, e.item_code or ""))
    return entries


@dataclass(frozen=True)
class _Maker:
    table: DeadlineTable
    deadline_id: str
    base: dict[str, Any]

    @property
    def deadline(self) -> Deadline:
        return self.table.by_id(self.deadline_id)

    def entry(self, computed: Computed) -> Entry:
        return Entry(computed=computed, **self.base)


def _agency_duties(
    session: Session, table: DeadlineTable, agency_ids: list[int], today: date
) -> list[Entry]:
    """The recurring duties: this period's (due or done), and the last one's if a recorded
    duty was not met in it (overdue)."""
    counts: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for agency_id, kind, closed in session.execute(
        sa_select(col(Stocktake.agency_id), col(Stocktake.kind), col(Stocktake.closed_at)).where(
            col(Stocktake.agency_id).in_(agency_ids), col(Stocktake.closed_at).is_not(None)
        )
    ).all():
        counts[agency_id].append((kind, local_day(closed)))
    closed = _closings(session, agency_ids)
    since = {
        agency_id: local_day(created)
        for agency_id, created in session.execute(
            sa_select(col(Agency.id), col(Agency.created_at)).where(col(Agency.id).in_(agency_ids))
        ).all()
    }
    out: list[Entry] = []
    for deadline in table.applying("agency"):
        if deadline.step == "custody_check":
            out += _custody_checks(session, table, deadline, agency_ids, today)
            continue
        for agency_id in agency_ids:
            every = _period_at(table, deadline, today)
            if every is None:
                continue
            for day in (today, period_start(every, today) - ONE_DAY):
                current = day == today
                kind = _period_at(table, deadline, day)
                if kind is None or (not current and deadline.step == "not_recorded"):
                    continue  # not recorded: only this period's duty is listed
                first, last = period_start(kind, day), period_end(kind, day)
                if last < since.get(agency_id, first):
                    continue  # the agency did not exist yet
                period = deadline.periods[table.regime_on(day)]
                done = None
                if deadline.step == "inventory":
                    done = min(
                        (
                            d
                            for k, d in counts[agency_id]
                            if k in INVENTORY_KINDS[kind] and first <= d <= last
                        ),
                        default=None,
                    )
                if deadline.step == "ledger_closing":
                    done = closed.get((agency_id, last))
                if not current and done is not None:
                    continue  # the last period's duty was met: nothing to list
                left = None if done else (last - today).days
                computed = Computed(
                    deadline, period, first, True, last, done, 0 if done else None, left
                )
                out.append(Entry(computed=computed, subject="agency", agency_id=agency_id))
    return out


def _custody_checks(
    session: Session, table: DeadlineTable, deadline: Deadline, agency_ids: list[int], today: date
) -> list[Entry]:
    """The monthly check of items held by others (Circular 01/2017 Art. 12(2)), one duty per
    outside custodian's warehouse that keeps items checked monthly: this month's (due by its
    last day in Viet Nam, or met by a check recorded in it), and last month's when no check
    was recorded in it (overdue). A warehouse whose items all left has no duty."""
    warehouses = {
        w.id or 0: w
        for _, w in custodians.items_held_by_others(session, agency_ids, monthly_check=True)
    }
    if not warehouses:
        return []
    checked: dict[int, list[date]] = defaultdict(list)
    for warehouse_id, at in session.execute(
        sa_select(col(CustodyCheck.warehouse_id), col(CustodyCheck.checked_at))
        .where(col(CustodyCheck.warehouse_id).in_(list(warehouses)))
        .order_by(col(CustodyCheck.id))
    ).all():
        checked[warehouse_id].append(local_day(at))
    out: list[Entry] = []
    for warehouse_id, warehouse in sorted(warehouses.items(), key=lambda w: w[1].code):
        since = local_day(warehouse.created_at)
        for day in (today, period_start("month", today) - ONE_DAY):
            current = day == today
            every = _period_at(table, deadline, day)
            if every is None:
                continue
            first, last = period_start(every, day), period_end(every, day)
            if last < since:
                continue  # the custodian's place was not recorded yet
            done = min((d for d in checked[warehouse_id] if first <= d <= last), default=None)
            if not current and done is not None:
                continue  # last month's check was made: nothing to list
            period = deadline.periods[table.regime_on(day)]
            left = None if done else (last - today).days
            computed = Computed(
                deadline, period, first, True, last, done, 0 if done else None, left
            )
            out.append(
                Entry(
                    computed=computed,
                    subject="agency",
                    agency_id=warehouse.agency_id,
                    act=warehouse.custodian_name,
                    warehouse_code=warehouse.code,
                )
            )
    return out


def _closings(session: Session, agency_ids: list[int]) -> dict[tuple[int, date], date]:
    """(agency, last day of a closed period) → the day of its first closing: the duty of a
    quarter is met by the closing of a period that ends with it (the quarter, its half-year,
    its year), made once it is over (``exports.ledger.closing``)."""
    out: dict[tuple[int, date], date] = {}
    for agency_id, about, at in session.execute(
        sa_select(
            col(OfficialDocument.agency_id),
            col(OfficialDocument.subject),
            col(OfficialDocument.finalised_at),
        )
        .where(
            col(OfficialDocument.kind) == "ledger_closing",
            col(OfficialDocument.agency_id).in_(agency_ids),
        )
        .order_by(col(OfficialDocument.id))
    ).all():
        out.setdefault((agency_id, period(about.rsplit(":", 1)[-1]).last), local_day(at))
    return out


def _period_at(table: DeadlineTable, deadline: Deadline, day: date) -> str | None:
    """How often the duty recurs under the rules in force on ``day`` (None: no such duty)."""
    period = deadline.periods.get(table.regime_on(day))
    return period.every if period else None
