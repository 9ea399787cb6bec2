"""The legal-deadlines report: every deadline of ``data/legal_deadlines.toml`` for the cases,
items, batches and agencies in the user's scope, with what is due, what is overdue and what
was done late in a period (vn-legal-context §4.3: the procuracy checks exactly this), and the
holiday calendar the working-day counts use."""

from datetime import date
from typing import Literal

from pydantic import BaseModel
from sqlmodel import Session, col, select

from ..auth import agency_scope
from ..cases import DeadlinePublic, deadline_public
from ..errors import Invalid
from ..legal.deadlines import load_table
from ..legal.gather import gather
from ..legal.holidays import holiday_calendar, local_today
from ..models import Agency, User

Status = Literal["due", "overdue", "late"]


class LegalDeadlineLine(DeadlinePublic):
    agency_code: str
    case_id: int | None
    batch_id: int | None


class LegalDeadlineReport(BaseModel):
    as_of: date
    transition_rule: str
    kinds: list[str]
    entries: list[LegalDeadlineLine]


def legal_deadline_report(
    session: Session,
    actor: User,
    kind: str | None = None,
    status: Status | None = None,
    since: date | None = None,
    until: date | None = None,
    today: date | None = None,
) -> LegalDeadlineReport:
    """Lines due (not done, not yet past due), overdue (not done, past due) or late (done
    after the due date: remembered after the step, e.g. a council approved late). ``since``
    and ``until`` bound the due date of open lines and the done date of late ones."""
    table = load_table()
    kinds = [d.id for d in table.deadlines]
    if kind is not None and kind not in kinds:
        raise Invalid(
            "kind",
            f"unknown deadline kind (known: {', '.join(kinds)})",
            kind,
            "query",
            key="cases14_errors.unknown_deadline_kind",
            params={"kind": kind},
        )
    if since and until and until < since:
        raise Invalid(
            "to",
            "'to' is before 'from'",
            until.isoformat(),
            "query",
            key="cases14_errors.to_before_from",
        )
    today = today or local_today()
    scope = list(agency_scope(session, actor))
    codes = dict(
        session.exec(select(Agency.id, Agency.code).where(col(Agency.id).in_(scope))).all()
    )
    lines = []
    for entry in gather(session, scope, None, today):
        c = entry.computed
        line_status = c.status
        if line_status == "done":
            continue
        if kind is not None and c.deadline.id != kind:
            continue
        if status is not None and line_status != status:
            continue
        day = c.done_on if line_status == "late" else c.due_on
        assert day is not None
        if (since and day < since) or (until and day > until):
            continue
        lines.append(
            LegalDeadlineLine(
                **deadline_public(entry).model_dump(),
                agency_code=codes.get(entry.agency_id, ""),
                case_id=entry.case_id,
                batch_id=entry.batch_id,
            )
        )
    return LegalDeadlineReport(as_of=today, transition_rule=table.rule, kinds=kinds, entries=lines)


class HolidayPublic(BaseModel):
    date: date
    kind: str
    name_vi: str
    substitute: bool


class HolidayYear(BaseModel):
    year: int
    weekend: list[int]
    days_off: list[HolidayPublic]
    working_days: list[date]


def holidays_of(year: int) -> HolidayYear:
    calendar = holiday_calendar()
    if not calendar.covers(date(year, 1, 1)):
        raise Invalid(
            "year",
            f"the calendar covers {calendar.first_year}-{calendar.last_year}",
            year,
            "query",
            key="cases14_errors.calendar_years",
            params={"first": calendar.first_year, "last": calendar.last_year},
        )
    return HolidayYear(
        year=year,
        weekend=sorted(calendar.weekend),
        days_off=[
            HolidayPublic(date=d.day, kind=d.kind, name_vi=d.name_vi, substitute=d.substitute)
            for d in calendar.year(year)
        ],
        working_days=sorted(d for d in calendar.working_days if d.year == year),
    )
