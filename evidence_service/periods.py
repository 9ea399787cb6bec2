"""The ledger's and the summary's periods (data/report_periods.toml): calendar years, halves and
quarters, and the statistical periods of civil judgment enforcement that start on 01/10; days
in local time."""

import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from .errors import Invalid
from .i18n import Translator, day_start, local_day

__all__ = [
    "Period",
    "day_start",
    "local_day",
    "parse_period",
    "period_codes",
    "period_label",
    "previous_period",
]

PERIODS_PATH = Path(__file__).resolve().parent / "data" / "report_periods.toml"
_PERIOD = re.compile(r"^(\d{4})(?:-([A-Z0-9]+))?$")


@dataclass(frozen=True)
class PeriodKind:
    key: str  # the table's name: "year", "H1", "Q3", "TK6", …
    code: str  # what follows the year in a period's label ("" for the year)
    start: int  # month it starts in, counted from January of the label's year
    months: int
    previous: str  # "before" or "year_before"
    source: str
    confirmed: bool
    source_vi: str  # the same citation in Vietnamese, for the Vietnamese documents


@dataclass(frozen=True)
class Period:
    label: str  # "2026-H2", "2026", "2026-TK12"
    kind: PeriodKind
    year: int
    first: date
    after: date  # the day after its last

    @property
    def last(self) -> date:
        return self.after - timedelta(days=1)


@cache
def _kinds() -> dict[str, PeriodKind]:
    data = tomllib.loads(PERIODS_PATH.read_text(encoding="utf-8"))
    return {
        spec["code"]: PeriodKind(
            key,
            spec["code"],
            int(spec["start"]),
            int(spec["months"]),
            spec["previous"],
            spec["source"],
            bool(spec["confirmed"]),
            spec["source_vi"],
        )
        for key, spec in data["periods"].items()
    }


def period_codes() -> list[str]:
    """What may follow the year: "" (the year), "H1", "Q1", "TK6", …"""
    return list(_kinds())


def _month(year: int, month: int) -> date:
    """The first day of ``month`` counted from January of ``year`` (0 is December before)."""
    y, m = divmod(month - 1, 12)
    return date(year + y, m + 1, 1)


def period(text: str) -> Period:
    """'2026-H1' → first half of 2026; '2026' → the year; '2026-Q4', '2026-TK6' (01/10/2025 to
    31/03/2026), '2026-TK12' (01/10/2025 to 30/09/2026)."""
    m = _PERIOD.match(text.strip().upper())
    kind = _kinds().get(m.group(2) or "") if m else None
    if m is None or kind is None:
        raise Invalid(
            "period",
            "a period is a year (2026), a half year (2026-H1), a quarter (2026-Q4) or a "
            "statistical period (2026-TK6, 2026-TK12)",
            text,
            where="query",
            key="ledger15_error.period",
        )
    year = int(m.group(1))
    label = f"{year}-{kind.code}" if kind.code else str(year)
    first = _month(year, kind.start)
    return Period(label, kind, year, first, _month(year, kind.start + kind.months))


def parse_period(text: str) -> tuple[str, date, date]:
    """(label, first day, day after), see :func:`period`."""
    p = period(text)
    return p.label, p.first, p.after


def previous_period(label: str) -> str:
    """The period a report compares with: the one just before, or the same a year earlier."""
    p = period(label)
    if p.kind.previous == "year_before":
        return f"{p.year - 1}-{p.kind.code}"
    before = p.first - timedelta(days=1)
    for kind in _kinds().values():
        if kind.months == p.kind.months and kind.previous == "before":
            candidate = period(f"{before.year}-{kind.code}" if kind.code else str(before.year))
            if candidate.first <= before < candidate.after:
                return candidate.label
    raise AssertionError(f"no period before {label}")  # every calendar period has one


def period_label(label: str, t: Translator) -> str:
    """'2026-H1' → '6 tháng đầu năm 2026' (vi), 'first half of 2026' (en); a statistical period
    names its days too."""
    p = period(label)
    if p.kind.key == "year":
        return t("period.year", year=p.year)
    if p.kind.key in ("H1", "H2"):
        return t(f"period.{p.kind.key.lower()}", year=p.year)
    return t(
        f"ledger15_period.{p.kind.key.lower()}",
        year=p.year,
        start=t.date(p.first),
        end=t.date(p.last),
    )
