"""The legal deadlines table (``data/legal_deadlines.toml``), pure: which regime governs an
act of a given date, when a deadline started by it falls due, how late a step was taken.

The regime follows the date of the act that starts the period (never a per-case setting);
the transitional rule for a period running across 2026-07-01 is the file's
``[transition] rule`` (``starting_act`` or ``next_step``), documented there.
"""

import calendar
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ..i18n.formatting import local_day
from ..models import Category, Disposition, LegalRegime
from .holidays import HolidayCalendar, holiday_calendar

DEADLINES_PATH = Path(__file__).resolve().parent.parent / "data" / "legal_deadlines.toml"
TRIGGERS = frozenset({"judgment_effective", "judgment_received", "enforcement_decision", "council"})
STEPS = frozenset(
    {
        "judgment_received",
        "enforcement_decision",
        "council",
        "destruction",
        "release",
        "inventory",
        "ledger_closing",
        "custody_check",
        "not_recorded",
    }
)
APPLIES = frozenset({"case", "item", "batch", "agency"})
EVERY = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
DayKind = Literal["calendar", "working"]
TransitionRule = Literal["starting_act", "next_step"]


@dataclass(frozen=True)
class Period:
    """One regime's version of a deadline."""

    regime: LegalRegime
    months: int
    days: int
    day_kind: DayKind
    every: str | None
    source: str
    confirmed: bool
    source_vi: str = ""  # the same citation in Vietnamese, for the Vietnamese pages

    def due(self, start: date, days_off: HolidayCalendar) -> date:
        """The last day the step may be taken on, ``start`` being the act's date."""
        month = start.month - 1 + self.months
        year, month = start.year + month // 12, month % 12 + 1
        end = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
        if self.day_kind == "working":
            return days_off.add_working_days(end, self.days)
        return end + timedelta(days=self.days)

    def late_by(self, due: date, done: date, days_off: HolidayCalendar) -> int:
        """Days (of this period's kind) the step came after ``due``; 0 when on time."""
        if done <= due:
            return 0
        if self.day_kind == "working":
            return days_off.working_days_between(due, done)
        return (done - due).days

    def text(self) -> str:
        if self.every:
            return self.every
        parts = [f"{self.months} month(s)"] if self.months else []
        if self.days:
            parts.append(f"{self.days} {self.day_kind} day(s)")
        return " + ".join(parts)


@dataclass(frozen=True)
class Deadline:
    id: str
    name_vi: str
    name_en: str
    trigger: str | None
    step: str
    applies: str
    disposition: Disposition | None
    categories: frozenset[Category] | None
    periods: dict[LegalRegime, Period]

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def concerns(self, disposition: str, category: str) -> bool:
        if self.disposition is not None and disposition != self.disposition:
            return False
        return self.categories is None or Category(category) in self.categories


@dataclass(frozen=True)
class DeadlineTable:
    boundary: date
    rule: TransitionRule
    deadlines: tuple[Deadline, ...]

    def regime_on(self, day: date) -> LegalRegime:
        """The regime in force on ``day`` (vn-legal-context §0, the regime timeline)."""
        if day < self.boundary:
            return LegalRegime.before_2026_07_01
        return LegalRegime.from_2026_07_01

    def governing(self, start: date, step_or_today: date) -> LegalRegime:
        """The regime of a period started on ``start`` whose next step came (or is still
        awaited) on ``step_or_today``, by the transitional rule."""
        if self.rule == "next_step":
            return self.regime_on(max(start, step_or_today))
        return self.regime_on(start)

    def by_id(self, deadline_id: str) -> Deadline:
        for deadline in self.deadlines:
            if deadline.id == deadline_id:
                return deadline
        raise KeyError(deadline_id)

    def applying(self, applies: str) -> list[Deadline]:
        return [d for d in self.deadlines if d.applies == applies]


def _period(regime: LegalRegime, raw: dict[str, Any], where: str) -> Period:
    every = raw.get("every")
    if every is not None and every not in EVERY:
        raise ValueError(f"{where}: every must be one of {sorted(EVERY)}")
    day_kind = raw.get("day_kind", "calendar")
    if day_kind not in ("calendar", "working"):
        raise ValueError(f"{where}: day_kind must be calendar or working")
    months, days = int(raw.get("months", 0)), int(raw.get("days", 0))
    if every is None and months <= 0 and days <= 0:
        raise ValueError(f"{where}: a period needs months or days")
    status = raw.get("status")
    if status not in ("confirmed", "to_be_confirmed"):
        raise ValueError(f"{where}: status must be confirmed or to_be_confirmed")
    if not raw.get("source") or not raw.get("source_vi"):
        raise ValueError(f"{where}: every period cites its source, in English and Vietnamese")
    return Period(
        regime,
        months,
        days,
        day_kind,
        every,
        raw["source"],
        status == "confirmed",
        raw["source_vi"],
    )


def parse_table(data: dict[str, Any]) -> DeadlineTable:
    rule = data["transition"]["rule"]
    if rule not in ("starting_act", "next_step"):
        raise ValueError("transition.rule must be starting_act or next_step")
    for regime in data["regimes"]:
        LegalRegime(regime)
    deadlines = []
    for raw in data["deadlines"]:
        where = f"deadline {raw['id']}"
        trigger = raw.get("trigger")
        if trigger is not None and trigger not in TRIGGERS:
            raise ValueError(f"{where}: unknown trigger {trigger!r}")
        if raw["step"] not in STEPS or raw["applies"] not in APPLIES:
            raise ValueError(f"{where}: unknown step or applies")
        periods = {
            LegalRegime(r): _period(LegalRegime(r), body, f"{where}/{r}")
            for r, body in raw["regimes"].items()
        }
        if (trigger is None) != all(p.every for p in periods.values()):
            raise ValueError(f"{where}: a recurring duty has `every` and no trigger")
        categories = raw.get("categories")
        deadlines.append(
            Deadline(
                id=raw["id"],
                name_vi=raw["name_vi"],
                name_en=raw["name_en"],
                trigger=trigger,
                step=raw["step"],
                applies=raw["applies"],
                disposition=Disposition(raw["disposition"]) if "disposition" in raw else None,
                categories=frozenset(Category(c) for c in categories) if categories else None,
                periods=periods,
            )
        )
    ids = [d.id for d in deadlines]
    if len(set(ids)) != len(ids):
        raise ValueError("legal deadlines: duplicate id")
    return DeadlineTable(data["transition"]["boundary"], rule, tuple(deadlines))


def regime_on(day: date) -> LegalRegime:
    """The rules in force on ``day``: the one home of the 01/07/2026 boundary (the data's
    ``transition``), which handovers, exit slips and imports ask."""
    return load_table().regime_on(day)


def regime_at(moment: datetime) -> LegalRegime:
    """The rules in force at ``moment``, by its day in Viet Nam."""
    return regime_on(local_day(moment))


@lru_cache(maxsize=1)
def load_table() -> DeadlineTable:
    return parse_table(tomllib.loads(DEADLINES_PATH.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Computed:
    """One deadline for one start: when it fell due, and whether and how late it was met."""

    deadline: Deadline
    period: Period
    starts_on: date
    start_exact: bool  # False: only the year of the starting act is known
    due_on: date
    done_on: date | None
    days_late: int | None  # set once done; 0 = on time
    days_left: int | None  # set while not done: negative = overdue

    @property
    def status(self) -> Literal["due", "overdue", "done", "late"]:
        if self.done_on is not None:
            return "late" if self.days_late else "done"
        return "overdue" if (self.days_left or 0) < 0 else "due"


def compute(
    table: DeadlineTable,
    deadline: Deadline,
    start: date,
    done: date | None,
    today: date,
    start_exact: bool = True,
    days_off: HolidayCalendar | None = None,
) -> Computed | None:
    """The deadline started on ``start`` (None if no regime in force then has the duty)."""
    days_off = days_off or holiday_calendar()
    period = deadline.periods.get(table.governing(start, done or today))
    if period is None:
        return None
    due = period.due(start, days_off)
    return Computed(
        deadline=deadline,
        period=period,
        starts_on=start,
        start_exact=start_exact,
        due_on=due,
        done_on=done,
        days_late=period.late_by(due, done, days_off) if done else None,
        days_left=None if done else (due - today).days,
    )


def period_end(every: str, day: date) -> date:
    """The last day of the ``every`` period holding ``day`` (month, quarter, half, year)."""
    months = EVERY[every]
    first_month = (day.month - 1) // months * months + 1
    last_month = first_month + months - 1
    return date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])


def period_start(every: str, day: date) -> date:
    months = EVERY[every]
    return date(day.year, (day.month - 1) // months * months + 1, 1)
