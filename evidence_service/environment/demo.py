"""The environment's part of the demo world: where the two warehouses are, and two
destructions of the last half-year, one burnt in the open 150 m from homes (flagged, with its
note) and one at a licensed incinerator, so the environment page has something to show.

The coordinates are the demo's (the centre of Lạng Sơn city and of Cao Lộc), not surveyed
addresses; no facility is invented: the one shipped in data/facilities.toml stays as sourced."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from ..cases import CaseCreate, create_case
from ..destruction.execution import execute
from ..destruction.schemas import (
    AddItemsRequest,
    ApproveRequest,
    BatchCreate,
    ExecutedItem,
    ExecuteRequest,
    ItemResult,
    MemberIn,
)
from ..destruction.workflow import add_items, approve, create_batch
from ..items import ItemCreate, Person, intake_items
from ..legal.holidays import local_today
from ..models import Category, CouncilRole, Disposition, Item, LegalRegime, Role, User
from .facilities import SiteIn, set_site

SITES = {
    "KHO-LS1": SiteIn(latitude=21.8537, longitude=106.7615, province="Lạng Sơn"),
    "KHO-CL": SiteIn(latitude=21.8860, longitude=106.8280, province="Lạng Sơn"),
}
MEMBERS = [
    MemberIn(
        name="Hoàng Văn Minh",
        position="Chấp hành viên",
        organisation="THADS tỉnh Lạng Sơn",
        role=CouncilRole.chair,
    ),
    MemberIn(
        name="Lý Thị Hoa",
        position="Kế toán",
        organisation="THADS tỉnh Lạng Sơn",
        role=CouncilRole.member,
    ),
    MemberIn(
        name="Nông Văn Tuấn",
        position="Cán bộ",
        organisation="Công an tỉnh Lạng Sơn",
        role=CouncilRole.member,
    ),
    MemberIn(
        name="Vi Thị Lan",
        position="Kiểm sát viên",
        organisation="VKSND tỉnh Lạng Sơn",
        role=CouncilRole.procuracy,
    ),
]


def seed_environment(session: Session, users: dict[Role, User]) -> None:
    manager, keeper = users[Role.manager], users[Role.keeper]
    admin = users[Role.admin]
    for code, site in SITES.items():
        set_site(session, code, site, admin)
    today = local_today()
    case = create_case(
        session,
        CaseCreate(
            judgment_number="05/2026/HS-ST",
            court="TAND khu vực 1 - Lạng Sơn",
            decision_issuer="THADS tỉnh Lạng Sơn",
            decision_year=today.year,
            decision_number="3/QĐ-THADS",
            decision_date=today - timedelta(days=20),
            legal_regime=LegalRegime.from_2026_07_01,
            disposition=Disposition.destroy,
        ),
        manager,
    )
    officer = Person(name="Nguyễn Văn An", position="Điều tra viên", id_document="CA-LS-0231")
    specs = [
        (Category.drug, "Cần sa khô, 5 bao", ["narcotics"], 12500.0, "LS1-AT-T01"),
        (Category.other, "Thuốc lá điếu nhập lậu, 40 cây", [], 8000.0, "LS1-P1-K01"),
        (Category.other, "Bao bì, nhãn giả", [], 3500.0, "LS1-P1-K01"),
    ]
    ids = intake_items(
        session,
        [
            ItemCreate(
                case_id=case.id,
                category=category,
                description=description,
                hazard_classes=hazards,
                quantity=1,
                unit="bag",
                net_weight_g=weight,
                seal_number=f"NP-9{n:04d}",
                delivered_by=officer,
                location_code=location,
            )
            for n, (category, description, hazards, weight, location) in enumerate(specs)
        ],
        keeper,
    )
    items = [session.get(Item, i) for i in ids]
    burnt, incinerated = items[:2], items[2:]
    common = {
        "weather": "Nắng, khô",
        "residue_quantity_kg": 2.0,
        "residue_destination": "Chôn tại chỗ",
        "wind_direction": "Đông Bắc, cấp 2",
        "distance_to_water_m": 400,
    }
    _destroy(
        session,
        manager,
        burnt,
        "open_burning",
        {"distance_to_homes_m": 150, "fuel": "Dầu diesel"},
        {**common, "site_note": "Khu đất trống của đơn vị; đã báo trước cho các hộ dân gần nhất"},
        "Bãi đất sau trụ sở",
    )
    _destroy(
        session,
        manager,
        incinerated,
        "hazardous_waste_contractor",
        {"company": "(demo)", "licence_number": "(demo)", "manifest_number": "(demo)"},
        {**common, "residue_destination": "Đơn vị xử lý tiếp nhận"},
        "Cơ sở xử lý chất thải nguy hại (demo)",
    )


def _destroy(
    session: Session,
    manager: User,
    items: list[Item | None],
    method: str,
    details: dict[str, object],
    environment: dict[str, object],
    site: str,
) -> None:
    batch = create_batch(session, BatchCreate(title=f"Demo: {method}"), manager)
    assert batch.id is not None
    codes = [i.code for i in items if i is not None]
    add_items(session, batch.id, AddItemsRequest(codes=codes), manager)
    approve(
        session,
        batch.id,
        ApproveRequest(
            decision_number="12/QĐ-THADS",
            decision_date=local_today(),
            decision_issuer="Thủ trưởng THADS tỉnh Lạng Sơn",
            members=MEMBERS,
        ),
        manager,
        3,
        False,
    )
    execute(
        session,
        batch.id,
        ExecuteRequest(
            executed_at=datetime.now(UTC) - timedelta(minutes=1),
            site=site,
            method=method,
            method_details=details,
            environment=environment,
            items=[
                ExecutedItem(
                    code=i.code,
                    seal_intact=True,
                    measured_weight_g=i.net_weight_g,
                    result=ItemResult.destroyed,
                )
                for i in items
                if i is not None
            ],
        ),
        manager,
        2.0,
    )
