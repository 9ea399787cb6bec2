"""Plain factory functions for tests."""

import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from PIL import Image
from sqlmodel import Session, select

from evidence_service.agencies import AgencyCreate, create_agency
from evidence_service.auth import hash_password, issue_token
from evidence_service.cases import CaseCreate, create_case
from evidence_service.config import DEMO_SECRET_KEY
from evidence_service.items import ItemCreate, intake_items
from evidence_service.legal.holidays import local_today
from evidence_service.locations import (
    LocationCreate,
    WarehouseCreate,
    create_location,
    create_warehouse,
)
from evidence_service.models import Agency, Case, Item, LocationKind, Role, User

PASSWORD = "test-password-1"


@lru_cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # Argon2 is slow on purpose: hash once per run


def make_user(session: Session, username: str, role: Role, agency: Agency) -> User:
    assert agency.id is not None
    user = User(
        username=username,
        full_name=username.title(),
        role=role.value,
        agency_id=agency.id,
        password_hash=_password_hash(),
    )
    session.add(user)
    session.flush()
    return user


@dataclass
class World:
    agencies: dict[str, Agency]
    users: dict[str, User]
    cases: dict[str, Case]
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, username: str = "keeper") -> dict[str, str]:
        if username not in self.tokens:
            self.tokens[username] = issue_token(self.users[username], DEMO_SECRET_KEY, 60)
        return {"Authorization": f"Bearer {self.tokens[username]}"}


LOCATIONS: list[tuple[str, str, str | None, LocationKind, dict[str, Any], list[str], bool]] = [
    ("W1", "R1", None, LocationKind.room, {}, [], False),
    ("W1", "S1", "R1", LocationKind.shelf, {"max_items": 2}, [], False),
    ("W1", "S2", "R1", LocationKind.shelf, {}, [], False),
    ("W1", "R2", None, LocationKind.room, {"max_weight_kg": 100}, ["1"], False),
    ("W1", "F1", "R2", LocationKind.shelf, {}, ["1"], False),
    ("W1", "R3", None, LocationKind.room, {}, ["3", "5.1", "6.1", "8"], False),
    ("W1", "C1", "R3", LocationKind.shelf, {}, ["3", "5.1", "6.1", "8"], False),
    ("W1", "C2", "R3", LocationKind.shelf, {}, ["3", "5.1", "6.1", "8"], False),
    ("W1", "SEC", None, LocationKind.room, {}, ["narcotics", "weapons", "cash"], True),
    ("W1", "SEC-1", "SEC", LocationKind.bin, {}, ["narcotics", "weapons", "cash"], True),
    ("W2", "D1", None, LocationKind.room, {}, [], False),
    ("W9", "X1", None, LocationKind.room, {}, [], False),
]


def make_world(session: Session) -> World:
    agencies = {
        "parent": create_agency(session, AgencyCreate(code="A-PROV", name="Cục THADS A"), None),
        "other": create_agency(session, AgencyCreate(code="B-PROV", name="Cục THADS B"), None),
    }
    agencies["child"] = create_agency(
        session, AgencyCreate(code="A-DIST", name="Chi cục A1", parent_code="A-PROV"), None
    )
    users = {role.value: make_user(session, role.value, role, agencies["parent"]) for role in Role}
    users["child-keeper"] = make_user(session, "child-keeper", Role.keeper, agencies["child"])
    # A second manager: two people for every exit (one asks, another confirms).
    users["manager2"] = make_user(session, "manager2", Role.manager, agencies["parent"])
    users["other-manager"] = make_user(session, "other-manager", Role.manager, agencies["other"])
    users["other-keeper"] = make_user(session, "other-keeper", Role.keeper, agencies["other"])
    manager = users["manager"]
    create_warehouse(session, WarehouseCreate(code="W1", name="Kho Một"), manager)
    create_warehouse(
        session, WarehouseCreate(code="W2", name="Kho Hai", agency_code="A-DIST"), manager
    )
    create_warehouse(session, WarehouseCreate(code="W9", name="Kho B"), users["other-manager"])
    for warehouse, code, parent, kind, limits, hazards, secure in LOCATIONS:
        actor = users["other-manager"] if warehouse == "W9" else manager
        create_location(
            session,
            LocationCreate(
                warehouse_code=warehouse,
                code=code,
                parent_code=parent,
                kind=kind,
                allowed_hazard_classes=hazards,
                secure=secure,
                **limits,
            ),
            actor,
        )
    cases = {
        "destroy": create_case(session, _case("1/2026/HS-ST", 1, "destroy"), manager),
        "pending": create_case(session, _case("2/2026/HS-ST", 2, "pending"), manager),
        "other": create_case(session, _case("9/2026/HS-ST", 9, "destroy"), users["other-manager"]),
    }
    session.commit()
    return World(agencies=agencies, users=users, cases=cases)


# The world's keys: what load_world finds it by in a copy of the database it was built in.
WORLD_AGENCIES = {"parent": "A-PROV", "other": "B-PROV", "child": "A-DIST"}
WORLD_CASES = {"destroy": "1/2026/HS-ST", "pending": "2/2026/HS-ST", "other": "9/2026/HS-ST"}


def exit_document(number: str) -> dict[str, str]:
    """An exit's document as the law requires it: its number, date (today in Viet Nam) and
    issuer."""
    return {
        "document_number": number,
        "document_date": local_today().isoformat(),
        "document_issuer": "Thủ trưởng THADS A",
    }


def load_world(session: Session) -> World:
    """The world ``make_world`` built (once per run, in the template database), as objects
    of this test's session."""
    agencies = {
        key: session.exec(select(Agency).where(Agency.code == code)).one()
        for key, code in WORLD_AGENCIES.items()
    }
    users = {user.username: user for user in session.exec(select(User)).all()}
    cases = {
        key: session.exec(select(Case).where(Case.judgment_number == number)).one()
        for key, number in WORLD_CASES.items()
    }
    return World(agencies=agencies, users=users, cases=cases)


def _case(judgment: str, number: int, disposition: str) -> CaseCreate:
    return CaseCreate(
        judgment_number=judgment,
        court="TAND tỉnh A",
        decision_issuer="Cục THADS A",
        decision_year=2026,
        decision_number=str(number),
        disposition=disposition,  # type: ignore[arg-type]
    )


def item_data(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "case_id": world.cases["destroy"].id,
        "category": "other",
        "description": "Điện thoại di động",
        "quantity": 1,
        "unit": "piece",
        "net_weight_g": 1000.0,
        "gross_weight_g": 1100.0,
        "location_code": "S2",
    }
    data.update(overrides)
    return data


def make_item(session: Session, world: World, actor: str = "keeper", **overrides: Any) -> Item:
    (item_id,) = intake_items(
        session, [ItemCreate(**item_data(world, **overrides))], world.users[actor]
    )
    session.commit()
    return session.exec(select(Item).where(Item.id == item_id)).one()


def tiny_image(kind: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    """A real, decodable image (``"PNG"`` or ``"JPEG"``) for photo uploads."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def confirm_request(client: Any, world: World, code: str, user: str = "manager2") -> Any:
    """The second person confirms the request waiting for item ``code`` (through the API)."""
    headers = world.headers(user)
    waiting = client.get("/api/v1/approvals", headers=headers).json()
    (approval,) = [a for a in waiting if a["item_code"] == code]
    return client.post(f"/api/v1/approvals/{approval['id']}/confirm", json={}, headers=headers)
