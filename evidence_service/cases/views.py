"""What ``GET /cases/{id}`` shows: the case, its chain of judgments, its enforcement
decisions, its case file and every deadline computed for it (``legal.gather``)."""

from datetime import date

from pydantic import BaseModel
from sqlmodel import Session, select

from ..legal.gather import Entry, gather
from ..models import Case, DestructionItem, Item, LegalRegime, User
from .acts import (
    EnforcementDecisionPublic,
    JudgmentPublic,
    decision_public,
    decisions_of,
    judgment_public,
    judgments_of,
)
from .attachments import AttachmentPublic, list_attachments
from .core import CasePublic, case_public, get_case


class DeadlinePublic(BaseModel):
    """One computed deadline: its rule (id, period, source, confirmed), its start and due
    dates, and whether it was met, late or is still running."""

    deadline: str
    name_vi: str
    name_en: str
    subject: str
    item_code: str | None
    batch_number: str | None
    act: str
    legal_regime: LegalRegime
    period: str
    day_kind: str
    source: str
    source_vi: str  # the same citation in Vietnamese
    confirmed: bool
    starts_on: date
    start_exact: bool
    due_on: date
    done_on: date | None
    days_late: int | None
    days_left: int | None
    status: str
    warehouse_code: str | None = None  # a warehouse's duty (the monthly custody check)


class CaseDetail(CasePublic):
    judgments: list[JudgmentPublic]
    enforcement_decisions: list[EnforcementDecisionPublic]
    attachments: list[AttachmentPublic]
    deadlines: list[DeadlinePublic]


def deadline_public(entry: Entry) -> DeadlinePublic:
    c = entry.computed
    return DeadlinePublic(
        deadline=c.deadline.id,
        name_vi=c.deadline.name_vi,
        name_en=c.deadline.name_en,
        subject=entry.subject,
        item_code=entry.item_code,
        batch_number=entry.batch_number,
        act=entry.act,
        legal_regime=c.period.regime,
        period=c.period.text(),
        day_kind=c.period.day_kind,
        source=c.period.source,
        source_vi=c.period.source_vi,
        confirmed=c.period.confirmed,
        starts_on=c.starts_on,
        start_exact=c.start_exact,
        due_on=c.due_on,
        done_on=c.done_on,
        days_late=c.days_late,
        days_left=c.days_left,
        status=c.status,
        warehouse_code=entry.warehouse_code,
    )


def case_detail(
    session: Session, case_id: int, actor: User, today: date | None = None
) -> CaseDetail:
    case = get_case(session, case_id, actor)
    entries = gather(session, [case.agency_id], [case_id], today)
    return CaseDetail(
        **case_public(session, case).model_dump(),
        judgments=[judgment_public(j) for j in judgments_of(session, case_id)],
        enforcement_decisions=[decision_public(d) for d in decisions_of(session, case_id)],
        attachments=list_attachments(session, case_id, actor),
        deadlines=[deadline_public(e) for e in entries],
    )


def item_deadlines(session: Session, item: Item, today: date | None = None) -> list[DeadlinePublic]:
    """The deadlines of one item (the caller has checked the user may see it): its own,
    and those of the destruction batches it was put in, lateness included, after the step."""
    case = session.get(Case, item.case_id)
    if case is None:
        return []
    batches = set(
        session.exec(select(DestructionItem.batch_id).where(DestructionItem.item_id == item.id))
    )
    return [
        deadline_public(e)
        for e in gather(session, [case.agency_id], [item.case_id], today)
        if e.item_code == item.code or (e.subject == "batch" and e.batch_id in batches)
    ]
