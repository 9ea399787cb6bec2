"""Cases: opened on the transfer decision, before any judgment (vn-legal-context §2.1), or on
a judgment and an enforcement decision as before. The judgments and decisions themselves are
in ``acts``; here the case, its lookup and its one-line public shape."""

from datetime import date, datetime

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import or_
from sqlmodel import Session, col, select

from ..auth import agency_by_code, agency_scope, require
from ..errors import Conflict, Invalid, NotFound, value_error
from ..legal.deadlines import load_table
from ..legal.holidays import local_today
from ..models import Agency, Case, Disposition, EnforcementDecision, Judgment, LegalRegime, User

JUDGMENT_PATTERN = r"^\d{1,6}/\d{4}/[A-Z0-9ĐÐ-]{1,20}$"
DECISION_NUMBER_PATTERN = r"^[0-9A-Za-zĐđ/.-]+$"


class TransferDecision(BaseModel):
    """The procuracy's (or investigating body's) decision transferring the evidence
    (quyết định chuyển vật chứng, vn-legal-context §2.1, §5.2)."""

    issuer: str = Field(min_length=1, max_length=200, examples=["VKSND khu vực 1 – tỉnh Lạng Sơn"])
    number: str = Field(min_length=1, max_length=64, examples=["12/QĐ-VKS"])
    date: date
    investigating_body: str | None = Field(
        default=None, max_length=200, examples=["Cơ quan CSĐT Công an tỉnh Lạng Sơn"]
    )

    @model_validator(mode="after")
    def _not_future(self) -> "TransferDecision":
        if self.date > local_today():
            raise value_error(
                "the transfer decision cannot be dated in the future",
                "cases14_errors.transfer_future",
            )
        return self


class CaseCreate(BaseModel):
    """A case from its transfer decision alone, or (as before) with the judgment and the
    enforcement decision; both may be given."""

    transfer_decision: TransferDecision | None = None
    judgment_number: str | None = Field(
        default=None, pattern=JUDGMENT_PATTERN, examples=["311/2025/HS-ST"]
    )
    court: str | None = Field(
        default=None, min_length=1, max_length=200, examples=["TAND khu vực 1 – tỉnh Lạng Sơn"]
    )
    decision_issuer: str | None = Field(
        default=None, min_length=1, max_length=200, examples=["THADS tỉnh Lạng Sơn"]
    )
    decision_year: int | None = Field(default=None, ge=1990, le=2100)
    decision_number: str | None = Field(
        default=None, min_length=1, max_length=32, pattern=DECISION_NUMBER_PATTERN
    )
    decision_date: date | None = Field(default=None, description="omit if only the year is known")
    legal_regime: LegalRegime | None = Field(
        default=None, description="defaults to the rules in force on the earliest act's date"
    )
    disposition: Disposition = Field(
        default=Disposition.pending, description="the default of the case's items"
    )
    notes: str = Field(default="", max_length=4000)
    agency_code: str | None = Field(default=None, description="defaults to the user's agency")

    @model_validator(mode="after")
    def _consistent(self) -> "CaseCreate":
        judgment = (self.judgment_number, self.court)
        decision = (self.decision_issuer, self.decision_year, self.decision_number)
        if any(judgment) and not all(judgment):
            raise value_error(
                "a judgment needs judgment_number and court", "cases14_errors.judgment_incomplete"
            )
        if any(decision) and not all(decision):
            raise value_error(
                "an enforcement decision needs decision_issuer, _year and _number",
                "cases14_errors.decision_incomplete",
            )
        if self.decision_date and self.decision_date.year != self.decision_year:
            raise value_error(
                "decision_date is not in decision_year", "cases14_errors.decision_date_year"
            )
        if self.transfer_decision is None and not all(judgment):
            raise value_error(
                "give the transfer_decision, or the judgment (judgment_number, court)",
                "cases14_errors.transfer_or_judgment",
            )
        return self


class TransferPublic(BaseModel):
    issuer: str
    number: str
    date: date
    investigating_body: str | None


class CasePublic(BaseModel):
    id: int
    agency_code: str
    transfer_decision: TransferPublic | None
    judgment_number: str | None
    court: str | None
    decision_issuer: str | None
    decision_year: int | None
    decision_number: str | None
    legal_regime: LegalRegime
    disposition: Disposition
    notes: str
    created_at: datetime


def judgment_level(number: str) -> str:
    """The level a judgment number states: ``…-PT`` appeal, ``…-GĐT``/``…-TT`` review, else
    first instance (vn-legal-context §5.1)."""
    suffix = number.rsplit("/", 1)[-1].upper().replace("-", "")
    if suffix.endswith("PT"):
        return "appeal"
    if suffix.endswith(("GĐT", "GÐT", "TT")):
        return "review"
    return "first_instance"


def decision_clash(
    session: Session, actor: User, issuer: str, year: int, number: str
) -> Conflict | None:
    clash = session.exec(
        select(EnforcementDecision).where(
            EnforcementDecision.issuer == issuer,
            EnforcementDecision.year == year,
            EnforcementDecision.number == number,
        )
    ).first()
    if clash is None:
        return None
    owner = session.get(Case, clash.case_id)
    # Name the case only to those who may see it.
    which = (
        f" (case {clash.case_id})"
        if owner and owner.agency_id in agency_scope(session, actor)
        else ""
    )
    return Conflict(
        f"enforcement decision {number}/{year} of '{issuer}' is already recorded{which}"
    )


def create_case(session: Session, data: CaseCreate, actor: User) -> Case:
    require(actor, "manage_cases")
    agency_id = actor.agency_id
    if data.agency_code is not None:
        agency_id = agency_by_code(session, data.agency_code, actor).id or agency_id
    if data.decision_number is not None:
        assert data.decision_issuer is not None and data.decision_year is not None
        clash = decision_clash(
            session, actor, data.decision_issuer, data.decision_year, data.decision_number
        )
        if clash is not None:
            raise clash
    transfer = data.transfer_decision
    regime = data.legal_regime
    if regime is None:
        acts = [d for d in (transfer.date if transfer else None, data.decision_date) if d]
        regime = load_table().regime_on(min(acts) if acts else local_today())
    case = Case(
        agency_id=agency_id,
        judgment_number=data.judgment_number,
        court=data.court,
        decision_issuer=data.decision_issuer,
        decision_year=data.decision_year,
        decision_number=data.decision_number,
        transfer_issuer=transfer.issuer if transfer else None,
        transfer_number=transfer.number if transfer else None,
        transfer_date=transfer.date if transfer else None,
        investigating_body=transfer.investigating_body if transfer else None,
        legal_regime=regime.value,
        disposition=data.disposition.value,
        notes=data.notes,
    )
    session.add(case)
    session.flush()
    assert case.id is not None
    if data.judgment_number and data.court:
        session.add(
            Judgment(
                case_id=case.id,
                number=data.judgment_number,
                court=data.court,
                level=judgment_level(data.judgment_number),
                created_by_id=actor.id,
            )
        )
    if data.decision_number and data.decision_issuer and data.decision_year:
        session.add(
            EnforcementDecision(
                case_id=case.id,
                issuer=data.decision_issuer,
                number=data.decision_number,
                year=data.decision_year,
                decision_date=data.decision_date,
                created_by_id=actor.id,
            )
        )
    session.flush()
    return case


def get_case(session: Session, case_id: int, actor: User) -> Case:
    case = session.get(Case, case_id)
    if case is None or case.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"case {case_id} not found", key="keysa_cases.not_found", params={"id": case_id}
        )
    return case


def find_case(
    session: Session, actor: User, case_id: int | None, judgment_number: str | None, field: str
) -> Case:
    """The case an intake refers to, by id or by the number of any judgment of its chain
    (which must be unambiguous)."""
    if case_id is not None:
        try:
            return get_case(session, case_id, actor)
        except NotFound:
            raise Invalid(
                f"{field}.case_id",
                f"unknown case {case_id}",
                case_id,
                key="keysa_cases.not_found",
                params={"id": case_id},
            ) from None
    in_chain = select(Judgment.case_id).where(Judgment.number == judgment_number)
    matches = session.exec(
        select(Case).where(
            or_(col(Case.judgment_number) == judgment_number, col(Case.id).in_(in_chain)),
            col(Case.agency_id).in_(agency_scope(session, actor)),
        )
    ).all()
    if len(matches) != 1:
        problem = "no case has" if not matches else "several cases have"
        raise Invalid(
            f"{field}.judgment_number",
            f"{problem} judgment number '{judgment_number}'",
            judgment_number,
            key=f"keysa_cases.{'no_case' if not matches else 'several_cases'}",
            params={"number": judgment_number},
        )
    return matches[0]


def case_public(session: Session, case: Case) -> CasePublic:
    agency = session.get(Agency, case.agency_id)
    assert agency is not None and case.id is not None
    transfer = None
    if case.transfer_issuer and case.transfer_number and case.transfer_date:
        transfer = TransferPublic(
            issuer=case.transfer_issuer,
            number=case.transfer_number,
            date=case.transfer_date,
            investigating_body=case.investigating_body,
        )
    return CasePublic(
        agency_code=agency.code,
        transfer_decision=transfer,
        **case.model_dump(
            exclude={
                "agency_id",
                "transfer_issuer",
                "transfer_number",
                "transfer_date",
                "investigating_body",
            }
        ),
    )


def list_cases(
    session: Session, actor: User, judgment_number: str | None, limit: int, offset: int
) -> list[CasePublic]:
    query = select(Case).where(col(Case.agency_id).in_(agency_scope(session, actor)))
    if judgment_number:
        in_chain = select(Judgment.case_id).where(Judgment.number == judgment_number)
        query = query.where(
            or_(col(Case.judgment_number) == judgment_number, col(Case.id).in_(in_chain))
        )
    rows = session.exec(query.order_by(col(Case.id).desc()).limit(limit).offset(offset)).all()
    return [case_public(session, c) for c in rows]
