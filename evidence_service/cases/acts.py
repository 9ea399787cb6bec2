"""The acts of a case after its transfer decision: the chain of judgments (first instance,
appeal, review: vn-legal-context §5.2) and the enforcement decisions (§5.1: a number is unique
per issuer and year). Each is dated, so every deadline starts from the act itself."""

import datetime as dt

from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session, col, select

from ..auth import require
from ..custody import lock_for_write
from ..errors import Conflict, Invalid, NotFound, value_error
from ..legal.holidays import local_today
from ..models import Case, Disposition, EnforcementDecision, Judgment, JudgmentLevel, User
from .core import DECISION_NUMBER_PATTERN, JUDGMENT_PATTERN, decision_clash, get_case

LEVEL_ORDER = {JudgmentLevel.first_instance: 0, JudgmentLevel.appeal: 1, JudgmentLevel.review: 2}


class ItemOrder(BaseModel):
    """What the judgment orders for one item (its "xử lý vật chứng" section)."""

    item_code: str = Field(min_length=1, max_length=32)
    disposition: Disposition
    document: str | None = Field(
        default=None,
        max_length=100,
        description="the document carrying it out, e.g. the State Treasury deposit slip",
    )


class JudgmentCreate(BaseModel):
    number: str = Field(pattern=JUDGMENT_PATTERN, examples=["311/2025/HS-ST"])
    date: dt.date
    court: str = Field(min_length=1, max_length=200, examples=["TAND khu vực 1 – tỉnh Lạng Sơn"])
    level: JudgmentLevel
    effective_date: dt.date | None = Field(default=None, description="when it took legal effect")
    received_date: dt.date | None = Field(default=None, description="when the agency received it")
    dispositions: list[ItemOrder] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _dates(self) -> "JudgmentCreate":
        today = local_today()
        for name, key in (
            ("date", "judgment_date_future"),
            ("effective_date", "effective_future"),
            ("received_date", "received_future"),
        ):
            value = getattr(self, name)
            if value is not None and value > today:
                raise value_error(f"{name} cannot be in the future", f"cases14_errors.{key}")
        if self.effective_date and self.effective_date < self.date:
            raise value_error(
                "effective_date cannot precede the judgment's date",
                "cases14_errors.effective_before_judgment",
            )
        if self.received_date and self.received_date < self.date:
            raise value_error(
                "received_date cannot precede the judgment's date",
                "cases14_errors.received_before_judgment",
            )
        codes = [o.item_code for o in self.dispositions]
        if len(set(codes)) != len(codes):
            raise value_error("an item is ordered twice", "cases14_errors.ordered_twice")
        return self


class JudgmentPublic(BaseModel):
    id: int
    number: str
    date: dt.date | None
    court: str
    level: JudgmentLevel
    effective_date: dt.date | None
    received_date: dt.date | None


class EnforcementDecisionCreate(BaseModel):
    issuer: str = Field(min_length=1, max_length=200, examples=["THADS tỉnh Lạng Sơn"])
    number: str = Field(
        min_length=1, max_length=32, pattern=DECISION_NUMBER_PATTERN, examples=["45/QĐ-THADS"]
    )
    date: dt.date

    @model_validator(mode="after")
    def _not_future(self) -> "EnforcementDecisionCreate":
        if self.date > local_today():
            raise value_error(
                "the decision cannot be dated in the future", "cases14_errors.decision_future"
            )
        return self


class EnforcementDecisionPublic(BaseModel):
    id: int
    issuer: str
    number: str
    year: int
    date: dt.date | None = Field(description="null: only the year is known (day unknown)")
    day_known: bool


def judgment_public(j: Judgment) -> JudgmentPublic:
    assert j.id is not None
    return JudgmentPublic(
        id=j.id,
        number=j.number,
        date=j.judgment_date,
        court=j.court,
        level=JudgmentLevel(j.level),
        effective_date=j.effective_date,
        received_date=j.received_date,
    )


def decision_public(d: EnforcementDecision) -> EnforcementDecisionPublic:
    assert d.id is not None
    return EnforcementDecisionPublic(
        id=d.id,
        issuer=d.issuer,
        number=d.number,
        year=d.year,
        date=d.decision_date,
        day_known=d.decision_date is not None,
    )


def judgments_of(session: Session, case_id: int) -> list[Judgment]:
    rows = session.exec(select(Judgment).where(Judgment.case_id == case_id)).all()
    return sorted(
        rows,
        key=lambda j: (
            LEVEL_ORDER[JudgmentLevel(j.level)],
            j.judgment_date or dt.date.min,
            j.id or 0,
        ),
    )


def decisions_of(session: Session, case_id: int) -> list[EnforcementDecision]:
    return list(
        session.exec(
            select(EnforcementDecision)
            .where(EnforcementDecision.case_id == case_id)
            .order_by(
                col(EnforcementDecision.year),
                col(EnforcementDecision.decision_date),
                col(EnforcementDecision.id),
            )
        ).all()
    )


def add_judgment(session: Session, case_id: int, data: JudgmentCreate, actor: User) -> Judgment:
    """Attach a judgment to the case's chain; the case's one-line summary shows the latest."""
    require(actor, "manage_cases")
    lock_for_write(session, actor.agency_id)
    case = get_case(session, case_id, actor)
    chain = judgments_of(session, case_id)
    if any(j.number == data.number for j in chain):
        raise Conflict(
            f"judgment {data.number} is already in case {case_id}",
            key="cases14_errors.judgment_exists",
            params={"number": data.number},
        )
    if data.level != JudgmentLevel.first_instance and not chain:
        raise Invalid(
            "level",
            "an appeal or review needs the judgment it follows in the chain",
            data.level,
            key="cases14_errors.appeal_without_judgment",
        )
    judgment = Judgment(
        case_id=case_id,
        number=data.number,
        judgment_date=data.date,
        court=data.court,
        level=data.level.value,
        effective_date=data.effective_date,
        received_date=data.received_date,
        created_by_id=actor.id,
    )
    session.add(judgment)
    session.flush()
    latest = judgments_of(session, case_id)[-1]
    case.judgment_number, case.court = latest.number, latest.court
    session.add(case)
    session.flush()
    return judgment


def get_judgment(session: Session, case: Case, judgment_id: int) -> Judgment:
    judgment = session.get(Judgment, judgment_id)
    if judgment is None or judgment.case_id != case.id:
        raise NotFound(
            f"judgment {judgment_id} not found in case {case.id}",
            key="keysa_cases.judgment_not_found",
            params={"id": judgment_id},
        )
    return judgment


def add_enforcement_decision(
    session: Session, case_id: int, data: EnforcementDecisionCreate, actor: User
) -> EnforcementDecision:
    """Attach an enforcement decision; the first one also fills the case's summary."""
    require(actor, "manage_cases")
    lock_for_write(session, actor.agency_id)
    case = get_case(session, case_id, actor)
    clash = decision_clash(session, actor, data.issuer, data.date.year, data.number)
    if clash is not None:
        raise clash
    decision = EnforcementDecision(
        case_id=case_id,
        issuer=data.issuer,
        number=data.number,
        year=data.date.year,
        decision_date=data.date,
        created_by_id=actor.id,
    )
    session.add(decision)
    if case.decision_number is None:
        case.decision_issuer, case.decision_year = data.issuer, data.date.year
        case.decision_number = data.number
        session.add(case)
    session.flush()
    return decision
