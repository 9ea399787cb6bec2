"""Legal deadlines of destruction, as data per legal regime (``data/legal_deadlines.toml``),
and the report of items and batches approaching or past them.

Where a deadline starts:
- ``enforcement_decision``: cases keep the enforcement decision's year and number but not
  its date. An item in a batch carries the date given when it was added; any other item
  falls back on the day its case was recorded (the decision exists by then, so the real
  deadline is never later than the one reported: the report errs on the early side).
- ``council``: the date of the decision establishing the council (the batch's approval).
"""

import calendar
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ..auth import agency_scope
from ..items import IN_CUSTODY
from ..models import (
    BatchStatus,
    Case,
    DestructionBatch,
    DestructionItem,
    Disposition,
    Item,
    LegalRegime,
    User,
)

DEADLINES_PATH = Path(__file__).resolve().parent.parent / "data" / "legal_deadlines.toml"
EVENTS = frozenset({"enforcement_decision", "council", "destruction"})


@dataclass(frozen=True)
class Deadline:
    id: str
    name_vi: str
    name_en: str
    start: str
    end: str
    months: int = 0
    days: int = 0

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def due(self, start: date) -> date:
        month = start.month - 1 + self.months
        year, month = start.year + month // 12, month % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(days=self.days)


def parse_deadlines(data: dict[str, Any]) -> dict[str, tuple[Deadline, ...]]:
    regimes = {}
    for regime, body in data["regimes"].items():
        LegalRegime(regime)  # every regime in the file is one the cases know
        deadlines = []
        for raw in body.get("deadlines", []):
            if raw["from"] not in EVENTS or raw["to"] not in EVENTS:
                raise ValueError(f"{regime}/{raw['id']}: unknown event")
            deadlines.append(
                Deadline(
                    id=raw["id"],
                    name_vi=raw["name_vi"],
                    name_en=raw["name_en"],
                    start=raw["from"],
                    end=raw["to"],
                    months=raw.get("months", 0),
                    days=raw.get("days", 0),
                )
            )
        regimes[regime] = tuple(deadlines)
    return regimes


@lru_cache(maxsize=1)
def load_deadlines() -> dict[str, tuple[Deadline, ...]]:
    return parse_deadlines(tomllib.loads(DEADLINES_PATH.read_text(encoding="utf-8")))


class DeadlineEntry(BaseModel):
    kind: Literal["item", "batch"]
    deadline: str
    deadline_name: str
    legal_regime: LegalRegime
    starts_on: date
    due_on: date
    days_left: int
    state: Literal["approaching", "overdue"]
    item_codes: list[str]
    batch_id: int | None = None
    batch_number: str | None = None


class DeadlineReport(BaseModel):
    as_of: date
    within_days: int
    entries: list[DeadlineEntry]


def deadline_report(
    session: Session, actor: User, within_days: int, today: date | None = None
) -> DeadlineReport:
    today = today or datetime.now(UTC).date()
    scope = agency_scope(session, actor)
    table = load_deadlines()
    entries: list[DeadlineEntry] = []

    def consider(
        deadline: Deadline,
        regime: str,
        start: date,
        codes: list[str],
        batch: DestructionBatch | None = None,
    ) -> None:
        due = deadline.due(start)
        left = (due - today).days
        if left > within_days:
            return
        entries.append(
            DeadlineEntry(
                kind="batch" if batch else "item",
                deadline=deadline.id,
                deadline_name=deadline.name_vi,
                legal_regime=LegalRegime(regime),
                starts_on=start,
                due_on=due,
                days_left=left,
                state="overdue" if left < 0 else "approaching",
                item_codes=codes,
                batch_id=batch.id if batch else None,
                batch_number=batch.number if batch else None,
            )
        )

    # Items the council has not been established for yet.
    rows = session.execute(
        sa_select(
            col(Item.code),
            col(Case.legal_regime),
            col(Case.created_at),
            col(DestructionItem.enforcement_decision_date),
            col(DestructionBatch.status),
        )
        .join(Case, col(Case.id) == Item.case_id)
        .outerjoin(
            DestructionItem, (col(DestructionItem.item_id) == Item.id) & col(DestructionItem.open)
        )
        .outerjoin(DestructionBatch, col(DestructionBatch.id) == DestructionItem.batch_id)
        .where(
            col(Item.agency_id).in_(scope),
            col(Item.disposition) == Disposition.destroy.value,
            col(Item.status).in_(IN_CUSTODY),
        )
        .order_by(col(Item.code))
    ).all()
    for code, regime, case_created, decided, batch_status in rows:
        if batch_status == BatchStatus.approved:
            continue
        start = decided or case_created.date()
        for deadline in table.get(regime, ()):
            if deadline.start == "enforcement_decision":
                consider(deadline, regime, start, [code])

    # Approved batches not destroyed yet, per legal regime of their items.
    batches = session.exec(
        select(DestructionBatch)
        .where(
            col(DestructionBatch.agency_id).in_(scope),
            DestructionBatch.status == BatchStatus.approved.value,
        )
        .order_by(col(DestructionBatch.id))
    ).all()
    for batch in batches:
        assert batch.decision_date is not None
        by_regime: dict[str, list[str]] = {}
        for code, regime in session.execute(
            select(Item.code, Case.legal_regime)
            .join(DestructionItem, col(DestructionItem.item_id) == Item.id)
            .join(Case, col(Case.id) == Item.case_id)
            .where(DestructionItem.batch_id == batch.id)
            .order_by(col(Item.code))
        ).all():
            by_regime.setdefault(regime, []).append(code)
        for regime, codes in by_regime.items():
            for deadline in table.get(regime, ()):
                if deadline.start == "council":
                    consider(deadline, regime, batch.decision_date, codes, batch)
    entries.sort(key=lambda e: (e.due_on, e.kind, e.batch_number or "", e.item_codes))
    return DeadlineReport(as_of=today, within_days=within_days, entries=entries)
