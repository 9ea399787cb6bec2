"""The days off of Viet Nam (``data/holidays_vn.toml``) and counts of working days over them,
and "today" as the offices see it (Asia/Ho_Chi_Minh), not the server's UTC date.

A working day is a day that is neither a weekend day nor a day off, or a weekend day the
Government's notice made a working day (worked in exchange for a day off). Counting past the
years the file covers raises :class:`CalendarGap` rather than guess (a count that skipped an
unknown Tết would be days late).
"""

import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..i18n.formatting import local_day

HOLIDAYS_PATH = Path(__file__).resolve().parent.parent / "data" / "holidays_vn.toml"


def local_today(now: datetime | None = None) -> date:
    """The date in Viet Nam now: from 00:00 to 07:00 there the UTC date is still yesterday's."""
    return local_day(now or datetime.now(UTC))


class CalendarGap(ValueError):
    """A working-day count reached a year the holiday calendar does not cover."""


@dataclass(frozen=True)
class DayOff:
    day: date
    kind: str
    name_vi: str
    substitute: bool = False


@dataclass(frozen=True)
class HolidayCalendar:
    first_year: int
    last_year: int
    weekend: frozenset[int]
    days_off: dict[date, DayOff]
    working_days: frozenset[date]

    def covers(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year

    def is_working_day(self, day: date) -> bool:
        if not self.covers(day):
            raise CalendarGap(
                f"the holiday calendar covers {self.first_year}-{self.last_year}, not {day.year}"
            )
        if day in self.working_days:
            return True
        return day.weekday() not in self.weekend and day not in self.days_off

    def add_working_days(self, start: date, count: int) -> date:
        """The day ``count`` working days after ``start`` (the day of the act itself does not
        count; a period of N working days ends on the N-th working day after it)."""
        day = start
        left = count
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(n))
        )

    def year(self, year: int) -> list[DayOff]:
        return sorted((d for d in self.days_off.values() if d.day.year == year), key=_day)


def _day(d: DayOff) -> date:
    return d.day


def parse_calendar(data: dict[str, Any]) -> HolidayCalendar:
    first, last = int(data["first_year"]), int(data["last_year"])
    days_off: dict[date, DayOff] = {}
    worked: set[date] = set()
    for key, body in data["years"].items():
        year = int(key)
        for raw in body.get("days_off", []):
            day = raw["date"]
            if not isinstance(day, date) or day.year != year:
                raise ValueError(f"holidays {year}: {day!r} is not a date of {year}")
            days_off[day] = DayOff(day, raw["kind"], raw["name_vi"], raw.get("substitute", False))
        for day in body.get("working_days", []):
            if not isinstance(day, date) or day.year != year:
                raise ValueError(f"holidays {year}: working day {day!r} is not a date of {year}")
            worked.add(day)
    missing = set(range(first, last + 1)) - {int(y) for y in data["years"]}
    if missing:
        raise ValueError(f"holidays: no days off given for {sorted(missing)}")
    return HolidayCalendar(first, last, frozenset(data["weekend"]), days_off, frozenset(worked))


@lru_cache(maxsize=1)
def holiday_calendar() -> HolidayCalendar:
    return parse_calendar(tomllib.loads(HOLIDAYS_PATH.read_text(encoding="utf-8")))
