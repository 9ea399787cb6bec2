"""The destruction deadlines (council after the enforcement decision, destruction after the
council: ``data/legal_deadlines.toml``, computed by ``legal``), the report of items and
batches approaching or past them, and the lateness each step is remembered with.

Where a deadline starts:
- ``council``: the enforcement decision ordering destruction: the date given when the item was
  added to a batch, else the case's first enforcement decision (year only: its earliest day,
  flagged ``start_exact: false``). An item whose case has no decision yet starts nothing.
- ``destruction``: the decision establishing the council (the batch's approval).
- ``owner_notice`` (rules from 2026-07-01): the owner is told before the destruction, so it
  runs from the council to the destruction's due date (Decree 152/2026 Art. 41(5)); the
  service keeps no record of the notice, so it stays due until the batch is destroyed.

When the council is established (approval) each item's due date and days late are written on
its batch line, and when the batch is destroyed the batch's; they stay in this report as
``late`` and print on the destruction record (vn-legal-context §4.3).
"""

from datetime import date
from typing import Literal

from pydantic import BaseModel
from sqlmodel import Session, col, select

from ..auth import agency_scope
from ..legal.deadlines import compute, load_table
from ..legal.gather import Entry, first_decisions, gather
from ..legal.holidays import CalendarGap, local_today
from ..models import DestructionBatch, DestructionItem, Item, LegalRegime, User

# The deadlines of data/legal_deadlines.toml this report (and the dashboard's card) lists.
DESTRUCTION_DEADLINES = ("council", "destruction", "owner_notice")


def load_deadlines() -> dict[str, dict[str, str]]:
    """The names of the destruction deadlines, per id (for the faces)."""
    return {
        d.id: {"vi": d.name_vi, "en": d.name_en}
        for d in load_table().deadlines
        if d.id in DESTRUCTION_DEADLINES
    }


class DeadlineEntry(BaseModel):
    kind: Literal["item", "batch"]
    deadline: str
    deadline_name: str
    legal_regime: LegalRegime
    starts_on: date
    start_exact: bool = True
    due_on: date
    days_left: int
    state: Literal["approaching", "overdue", "late"]
    days_late: int | None = None
    done_on: date | None = None
    source: str = ""
    source_vi: str = ""  # the same citation in Vietnamese
    confirmed: bool = True
    item_codes: list[str]
    batch_id: int | None = None
    batch_number: str | None = None


class DeadlineReport(BaseModel):
    as_of: date
    within_days: int
    entries: list[DeadlineEntry]


def _entry(e: Entry, today: date, codes: list[str]) -> DeadlineEntry:
    c = e.computed
    state: Literal["approaching", "overdue", "late"] = (
        "late" if c.status == "late" else ("overdue" if c.status == "overdue" else "approaching")
    )
    return DeadlineEntry(
        kind="batch" if e.subject == "batch" else "item",
        deadline=c.deadline.id,
        deadline_name=c.deadline.name_vi,
        legal_regime=c.period.regime,
        starts_on=c.starts_on,
        start_exact=c.start_exact,
        due_on=c.due_on,
        days_left=(c.due_on - today).days,
        state=state,
        days_late=c.days_late,
        done_on=c.done_on,
        source=c.period.source,
        source_vi=c.period.source_vi,
        confirmed=c.period.confirmed,
        item_codes=codes,
        batch_id=e.batch_id,
        batch_number=e.batch_number,
    )


def deadline_report(
    session: Session, actor: User, within_days: int, today: date | None = None
) -> DeadlineReport:
    """Council, destruction and owner's notice deadlines due within ``within_days`` or past,
    and those met late (kept after the step, so a late council does not drop out once
    approved)."""
    today = today or local_today()
    scope = list(agency_scope(session, actor))
    shown = [
        e
        for e in gather(session, scope, None, today, with_agency_duties=False)
        if e.computed.deadline.id in DESTRUCTION_DEADLINES
        and e.computed.status != "done"
        and (e.computed.status == "late" or (e.computed.due_on - today).days <= within_days)
    ]
    # A batch's items are its lines, closed or not: a batch destroyed late keeps them.
    batch_codes: dict[int, list[str]] = {}
    for batch_id, code in session.exec(
        select(DestructionItem.batch_id, Item.code)
        .join(Item, col(Item.id) == DestructionItem.item_id)
        .where(col(DestructionItem.batch_id).in_({e.batch_id for e in shown if e.batch_id}))
        .order_by(col(Item.code))
    ).all():
        batch_codes.setdefault(batch_id, []).append(code)
    entries = [
        _entry(
            e,
            today,
            batch_codes.get(e.batch_id or 0, []) if e.subject == "batch" else [e.item_code or ""],
        )
        for e in shown
    ]
    entries.sort(key=lambda e: (e.due_on, e.kind, e.batch_number or "", e.item_codes))
    return DeadlineReport(as_of=today, within_days=within_days, entries=entries)


def remember_council(session: Session, batch: DestructionBatch) -> None:
    """On approval: each line's council due date and days late, from its decision."""
    assert batch.decision_date is not None
    table = load_table()
    deadline = table.by_id("council")
    rows = session.exec(
        select(DestructionItem, Item.case_id)
        .join(Item, col(Item.id) == DestructionItem.item_id)
        .where(DestructionItem.batch_id == batch.id, col(DestructionItem.open))
    ).all()
    starts = first_decisions(session, {case_id for _, case_id in rows})
    for line, case_id in rows:
        start = starts.get(case_id)
        day = line.enforcement_decision_date or (start.day if start else None)
        if day is None:
            continue
        exact = line.enforcement_decision_date is not None or bool(start and start.exact)
        try:
            computed = compute(
                table, deadline, day, batch.decision_date, batch.decision_date, exact
            )
        except CalendarGap:
            continue
        if computed is None:
            continue
        line.council_due_on, line.council_days_late = computed.due_on, computed.days_late
        session.add(line)
    session.flush()


def remember_destruction(session: Session, batch: DestructionBatch, executed_on: date) -> None:
    """On execution: the batch's destruction due date and days late."""
    assert batch.decision_date is not None
    table = load_table()
    try:
        computed = compute(
            table, table.by_id("destruction"), batch.decision_date, executed_on, executed_on
        )
    except CalendarGap:
        return
    if computed is not None:
        batch.destruction_due_on, batch.destruction_days_late = (
            computed.due_on,
            computed.days_late,
        )
        session.add(batch)
