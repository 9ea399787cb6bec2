"""The holiday calendar (data/holidays_vn.toml) against the holidays library, working-day
counts around weekends, Tết and substitute days, the deadlines table driven from its data file
(both regimes, both sides of 2026-07-01), and "today" in Viet Nam."""

import calendar
import tomllib
from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from holidays.calendars.chinese import VIETNAMESE_CALENDAR, _ChineseLunisolar

from evidence_service.legal.deadlines import (
    DEADLINES_PATH,
    compute,
    load_table,
    parse_table,
)
from evidence_service.legal.holidays import CalendarGap, holiday_calendar, local_today
from evidence_service.models import LegalRegime

YEARS = range(2020, 2036)


@pytest.mark.parametrize("year", YEARS)
def test_days_off_of_each_year_are_the_libraries(year):
    ours = {d.day for d in holiday_calendar().year(year)}
    theirs = set(holidays.Vietnam(years=year))
    assert ours == theirs


@pytest.mark.parametrize("year", YEARS)
def test_tet_and_hung_kings_day_are_the_vietnamese_lunar_dates(year):
    # The library's lunisolar calendar in its Vietnamese (UTC+7) variant.
    lunar = _ChineseLunisolar(calendar=VIETNAMESE_CALENDAR)
    new_year = lunar.lunar_new_year_date(year)[0]
    hung_kings = lunar.hung_kings_date(year)[0]
    days = {d.day: d for d in holiday_calendar().year(year)}
    assert new_year is not None and hung_kings is not None
    assert days[new_year].kind == "tet" and "mùng 1" in days[new_year].name_vi
    assert days[hung_kings].kind == "hung_kings"


def test_working_days_skip_weekends_tet_and_substitute_days_and_count_worked_saturdays():
    cal = holiday_calendar()
    # Thursday 12/2/2026, then Friday; Tết 16-20/2; the count resumes on Monday 23/2.
    assert cal.add_working_days(date(2026, 2, 12), 1) == date(2026, 2, 13)
    assert cal.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    # Friday to Monday over a plain weekend.
    assert cal.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    # Hùng Kings' day on Sunday 26/4/2026 is taken on Monday 27/4 (substitute day).
    assert not cal.is_working_day(date(2026, 4, 27))
    assert cal.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)
    # Saturday 22/8/2026 is worked in exchange for Monday 31/8.
    assert cal.is_working_day(date(2026, 8, 22)) and not cal.is_working_day(date(2026, 8, 31))
    assert cal.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    with pytest.raises(CalendarGap):
        cal.add_working_days(date(2035, 12, 28), 10)


def _reference_due(start: date, months: int, days: int, working: bool) -> date:
    """An independent count: months by the calendar, then days, working days skipping the
    weekend and whatever the holidays library says is a day off."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    day = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    if not working:
        return day + timedelta(days=days)
    off = holidays.Vietnam(years=range(start.year, start.year + 2))
    worked = {date(2024, 5, 4), date(2025, 4, 26), date(2026, 8, 22)}
    left = days
    while left:
        day += timedelta(days=1)
        if day in worked or (day.weekday() < 5 and day not in off):
            left -= 1
    return day


RAW = tomllib.loads(DEADLINES_PATH.read_text(encoding="utf-8"))
STARTS = [
    date(2026, 6, 15),  # old rules
    date(2026, 6, 30),  # the last day of the old rules
    date(2026, 7, 1),  # the first of the new
    date(2026, 2, 11),  # before Tết
    date(2026, 8, 20),  # before the worked Saturday and the substitute day
    date(2027, 1, 29),  # a Friday before Tết 2027
]
CASES = [(raw["id"], start) for raw in RAW["deadlines"] if raw.get("trigger") for start in STARTS]


@pytest.mark.parametrize(("deadline_id", "start"), CASES)
def test_every_deadline_of_the_data_file_falls_due_as_its_period_says(deadline_id, start):
    table = load_table()
    raw = next(r for r in RAW["deadlines"] if r["id"] == deadline_id)
    regime = (
        LegalRegime.before_2026_07_01 if start < date(2026, 7, 1) else LegalRegime.from_2026_07_01
    )
    computed = compute(table, table.by_id(deadline_id), start, None, start)
    body = raw["regimes"].get(regime.value)
    if body is None:  # the duty does not exist under the rules in force on that date
        assert computed is None
        return
    assert computed is not None and computed.period.regime == regime
    expected = _reference_due(
        start, body.get("months", 0), body.get("days", 0), body.get("day_kind") == "working"
    )
    assert computed.due_on == expected
    assert computed.period.confirmed == (body["status"] == "confirmed")
    assert computed.period.source == body["source"]
    # Done on the due date: on time; a day later: late by one day of the period's kind.
    on_time = compute(table, table.by_id(deadline_id), start, expected, expected)
    assert on_time is not None and on_time.days_late == 0
    after = compute(table, table.by_id(deadline_id), start, expected + timedelta(days=3), start)
    assert after is not None and after.status == "late" and after.days_late


def test_every_deadline_the_issue_lists_is_in_the_data_file_with_a_source():
    ids = {d.id for d in load_table().deadlines}
    assert {
        "judgment_sent",
        "enforcement_decision",
        "council",
        "destruction",
        "owner_notice",
        "confiscation_handover",
        "return_money",
        "return_property",
        "return_papers",
        "external_check",
        "inventory_quarter",
        "inventory_half_year",
        "inventory_year",
        "ledger_closing",
    } <= ids
    council = load_table().by_id("council")
    new = council.periods[LegalRegime.from_2026_07_01]
    assert not new.confirmed and "Art. 58" in new.source  # present, marked to be confirmed


def test_the_regime_follows_the_date_of_the_act_and_the_transitional_rule_is_a_setting():
    table = load_table()
    destruction = table.by_id("destruction")
    # One batch, two councils a day apart: 10 days under Decree 62, 20 under Decree 152.
    old = compute(table, destruction, date(2026, 6, 30), None, date(2026, 6, 30))
    new = compute(table, destruction, date(2026, 7, 1), None, date(2026, 7, 1))
    assert old and new and (old.due_on, new.due_on) == (date(2026, 7, 10), date(2026, 7, 21))
    assert table.rule == "starting_act"
    nxt = parse_table({**RAW, "transition": {**RAW["transition"], "rule": "next_step"}})
    # Started under the old rules, still running on 2026-07-05: the new rules reach it.
    reached = compute(nxt, nxt.by_id("destruction"), date(2026, 6, 30), None, date(2026, 7, 5))
    assert reached and reached.period.regime == LegalRegime.from_2026_07_01
    with pytest.raises(ValueError):
        parse_table({**RAW, "transition": {**RAW["transition"], "rule": "guess"}})


def test_a_period_without_its_source_or_status_is_refused():
    broken = {**RAW, "deadlines": [dict(RAW["deadlines"][0])]}
    broken["deadlines"][0]["regimes"] = {"before_2026_07_01": {"days": 3}}
    with pytest.raises(ValueError):
        parse_table(broken)


def test_today_is_the_date_in_viet_nam_not_the_utc_date():
    # 23:30 UTC on 30/11 is 06:30 on 1/12 in Hà Nội; 16:59 UTC is still 23:59 the same day.
    assert local_today(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == date(2026, 12, 1)
    assert local_today(datetime(2026, 11, 30, 16, 59, tzinfo=UTC)) == date(2026, 11, 30)
    assert local_today(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == date(2026, 12, 1)
