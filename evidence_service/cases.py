"""Cases: the judgment and the enforcement decision an item is held under."""

from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from .auth import agency_by_code, agency_scope, require
from .errors import Conflict, Invalid, NotFound
from .models import Agency, Case, Disposition, LegalRegime, User

JUDGMENT_PATTERN = r"^\d{1,6}/\d{4}/[A-Z0-9ĐÐ-]{1,20}$"


class CaseCreate(BaseModel):
    judgment_number: str = Field(pattern=JUDGMENT_PATTERN, examples=["311/2025/HS-ST"])
    court: str = Field(min_length=1, max_length=200, examples=["TAND tỉnh Lạng Sơn"])
    decision_issuer: str = Field(min_length=1, max_length=200, examples=["Cục THADS tỉnh Lạng Sơn"])
    decision_year: int = Field(ge=1990, le=2100)
    decision_number: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-zĐđ/.-]+$")
    legal_regime: LegalRegime = LegalRegime.from_2026_07_01
    disposition: Disposition = Disposition.pending
    notes: str = Field(default="", max_length=4000)
    agency_code: str | None = Field(default=None, description="defaults to the user's agency")


class CasePublic(BaseModel):
    id: int
    agency_code: str
    judgment_number: str
    court: str
    decision_issuer: str
    decision_year: int
    decision_number: str
    legal_regime: LegalRegime
    disposition: Disposition
    notes: str
    created_at: datetime


def create_case(session: Session, data: CaseCreate, actor: User) -> Case:
    require(actor, "manage_cases")
    agency_id = actor.agency_id
    if data.agency_code is not None:
        agency_id = agency_by_code(session, data.agency_code, actor).id or agency_id
    clash = session.exec(
        select(Case).where(
            Case.decision_issuer == data.decision_issuer,
            Case.decision_year == data.decision_year,
            Case.decision_number == data.decision_number,
        )
    ).first()
    if clash is not None:
        # Name the case only to those who may see it.
        which = f" (case {clash.id})" if clash.agency_id in agency_scope(session, actor) else ""
        raise Conflict(
            f"enforcement decision {data.decision_number}/{data.decision_year} of "
            f"'{data.decision_issuer}' is already recorded{which}"
        )
    case = Case(
        agency_id=agency_id,
        **data.model_dump(exclude={"agency_code", "legal_regime", "disposition"}),
        legal_regime=data.legal_regime.value,
        disposition=data.disposition.value,
    )
    session.add(case)
    session.flush()
    return case


def get_case(session: Session, case_id: int, actor: User) -> Case:
    case = session.get(Case, case_id)
    if case is None or case.agency_id not in agency_scope(session, actor):
        raise NotFound(f"case {case_id} not found")
    return case


def find_case(
    session: Session, actor: User, case_id: int | None, judgment_number: str | None, field: str
) -> Case:
    """The case an intake refers to, by id or by judgment number (which must be unambiguous)."""
    if case_id is not None:
        try:
            return get_case(session, case_id, actor)
        except NotFound:
            raise Invalid(f"{field}.case_id", f"unknown case {case_id}", case_id) from None
    matches = session.exec(
        select(Case).where(
            Case.judgment_number == judgment_number,
            col(Case.agency_id).in_(agency_scope(session, actor)),
        )
    ).all()
    if len(matches) != 1:
        problem = "no case has" if not matches else "several cases have"
        raise Invalid(
            f"{field}.judgment_number",
            f"{problem} judgment number '{judgment_number}'",
            judgment_number,
        )
    return matches[0]


def case_public(session: Session, case: Case) -> CasePublic:
    agency = session.get(Agency, case.agency_id)
    assert agency is not None and case.id is not None
    return CasePublic(agency_code=agency.code, **case.model_dump(exclude={"agency_id"}))


def list_cases(
    session: Session, actor: User, judgment_number: str | None, limit: int, offset: int
) -> list[CasePublic]:
    query = select(Case).where(col(Case.agency_id).in_(agency_scope(session, actor)))
    if judgment_number:
        query = query.where(Case.judgment_number == judgment_number)
    rows = session.exec(query.order_by(col(Case.id).desc()).limit(limit).offset(offset)).all()
    return [case_public(session, c) for c in rows]
