"""Agencies (THADS offices): a tree from the provincial office down to district offices."""

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from .auth import agency_scope, require
from .errors import Conflict, Invalid
from .models import Agency, User

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{0,31}$"


class AgencyCreate(BaseModel):
    code: str = Field(pattern=CODE_PATTERN, examples=["THADS-LS"])
    name: str = Field(min_length=1, max_length=200, examples=["Cục THADS tỉnh Lạng Sơn"])
    parent_code: str | None = None


class AgencyPublic(BaseModel):
    code: str
    name: str
    parent_code: str | None


def create_agency(session: Session, data: AgencyCreate, actor: User | None) -> Agency:
    """``actor`` is None only from the command line, which sets up the first agencies."""
    if actor is not None:
        require(actor, "manage_agencies")
    parent_id = None
    if data.parent_code is not None:
        parent = session.exec(select(Agency).where(Agency.code == data.parent_code)).first()
        if parent is None or (actor is not None and parent.id not in agency_scope(session, actor)):
            raise Invalid(
                "parent_code",
                f"unknown agency '{data.parent_code}'",
                data.parent_code,
                key="keysb_agencies.unknown_parent",
                params={"code": data.parent_code},
            )
        parent_id = parent.id
    elif actor is not None:
        raise Invalid(
            "parent_code",
            "a new agency must belong to one you administer",
            key="keysb_agencies.parent_required",
        )
    if session.exec(select(Agency).where(Agency.code == data.code)).first():
        raise Conflict(
            f"agency '{data.code}' already exists",
            key="keysb_agencies.exists",
            params={"code": data.code},
        )
    agency = Agency(code=data.code, name=data.name, parent_id=parent_id)
    session.add(agency)
    session.flush()
    return agency


def list_agencies(session: Session, actor: User) -> list[AgencyPublic]:
    scope = agency_scope(session, actor)
    rows = session.exec(select(Agency).where(Agency.id.in_(scope)).order_by(Agency.code)).all()  # type: ignore[union-attr]
    codes = {a.id: a.code for a in session.exec(select(Agency)).all()}
    return [
        AgencyPublic(code=a.code, name=a.name, parent_code=codes.get(a.parent_id)) for a in rows
    ]


def agency_public(session: Session, agency: Agency) -> AgencyPublic:
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    return AgencyPublic(
        code=agency.code, name=agency.name, parent_code=parent.code if parent else None
    )
