"""Demo data: an agency tree, two warehouses, cases and items of every category.

The agencies and courts are those of the 2025 structure (vn-legal-context §1.1, §5.1): the
provincial THADS agency over a regional office (Phòng THADS khu vực), regional courts
"TAND khu vực N – tỉnh". One case waits on its transfer decision, before any judgment; one has
a chain of judgments; the cash seized goes to the State Treasury account, not to destruction.
"""

from datetime import date, timedelta

from sqlmodel import Session, col, select

from .agencies import AgencyCreate, create_agency
from .auth import UserCreate, create_user
from .cases import CaseCreate, ItemOrder, TransferDecision, create_case, judgments_of
from .environment.demo import seed_environment
from .handovers import complete, receive_items
from .handovers.schemas import ActRef, Deliverer, HandoverDetails, LineCompletion, Receiver
from .items import ItemCreate, Person, order_dispositions
from .legal.holidays import local_today
from .locations import (
    Custodian,
    LocationCreate,
    WarehouseCreate,
    create_location,
    create_warehouse,
)
from .models import (
    Agency,
    Category,
    CustodianKind,
    Disposition,
    Handover,
    HandoverLine,
    Item,
    LegalRegime,
    LocationKind,
    ReceiverRole,
    Role,
    SealState,
    User,
)

DEMO_PASSWORD = "demo-password"


def _complete_handovers(session: Session, users: dict[Role, User], today: date) -> None:
    """Give the intakes' handovers what their records need, so every demo item has its
    handover record and entry slip (Circular 04/2023 Art. 10–11)."""
    police = "Cơ quan CSĐT Công an tỉnh Lạng Sơn"
    acts = {
        "seizure_record": ActRef(number="15/BB-TG", date=today - timedelta(days=60), issuer=police),
        "transfer_decision": ActRef(
            number="21/QĐ-VKS", date=today - timedelta(days=12), issuer="VKSND khu vực 1"
        ),
        "forensic_conclusion": ActRef(
            number="388/KL-KTHS", date=today - timedelta(days=40), issuer="Phòng Kỹ thuật hình sự"
        ),
    }
    receivers = [
        Receiver(role=ReceiverRole.officer, name="Hoàng Minh Chấp", position="Chấp hành viên"),
        Receiver(role=ReceiverRole.head, name=_DEMO_NAMES[Role.manager], position="Phó Thủ trưởng"),
        Receiver(role=ReceiverRole.keeper, name=_DEMO_NAMES[Role.keeper], position="Thủ kho"),
        Receiver(role=ReceiverRole.accountant, name="Vũ Thị Toán", position="Kế toán"),
    ]
    details = HandoverDetails(
        place="Kho vật chứng THADS tỉnh Lạng Sơn",
        deliverer=Deliverer(
            name="Nguyễn Văn An",
            position="Điều tra viên",
            id_document="CA-LS-0231",
            agency=police,
            introduction_letter="125/GGT-CSĐT",
        ),
        receivers=receivers,
        acts=acts,
    )
    by_id = {u.id: u for u in users.values()}
    for handover in session.exec(select(Handover).where(col(Handover.final_at).is_(None))).all():
        assert handover.id is not None
        codes = session.exec(
            select(Item.code, Item.seal_number)
            .join(HandoverLine, col(HandoverLine.item_id) == Item.id)
            .where(HandoverLine.handover_id == handover.id)
        ).all()
        lines = [
            LineCompletion(item_code=code, seal_state=SealState.intact if seal else None)
            for code, seal in codes
        ]
        here = details.model_copy(update={"place": ""}) if handover.custodian else details
        complete(session, handover.id, here, lines, by_id[handover.created_by_id])


# People, not accounts, sign the papers: each demo login has a person's name.
_DEMO_NAMES = {
    Role.admin: "Đỗ Minh Quản",
    Role.manager: "Lê Thị Hoa",
    Role.keeper: "Phạm Văn Kho",
    Role.council: "Trần Văn Hội",
    Role.auditor: "Ngô Thị Kiểm",
}

_OUTSIDE_CUSTODIANS = [
    (
        "KHO-CA",
        "Kho vật chứng Công an tỉnh Lạng Sơn",
        "Phường Tam Thanh",
        Custodian(
            kind=CustodianKind.police,
            name="Phòng Hậu cần Công an tỉnh Lạng Sơn",
            representative="Hoàng Văn Nam",
            position="Thủ kho vật chứng",
        ),
    ),
    (
        "UBND-HL",
        "Trụ sở UBND xã Hữu Lũng",
        "Xã Hữu Lũng",
        Custodian(
            kind=CustodianKind.local_authority,
            name="Ủy ban nhân dân xã Hữu Lũng",
            representative="Lý Thị Hoa",
            position="Phó Chủ tịch",
            contract="Biên bản giao bảo quản số 03/BB-THADS ngày 15/09/2026",
        ),
    ),
]

_LOCATIONS = [
    # warehouse, code, parent, name, kind, limits, hazard classes, secure
    (
        "KHO-LS1",
        "LS1-P1",
        None,
        "Phòng 1 – vật chứng thông thường",
        LocationKind.room,
        {},
        [],
        False,
    ),
    ("KHO-LS1", "LS1-P1-K01", "LS1-P1", "Kệ K01", LocationKind.shelf, {"max_items": 40}, [], False),
    ("KHO-LS1", "LS1-P1-K02", "LS1-P1", "Kệ K02", LocationKind.shelf, {"max_items": 3}, [], False),
    (
        "KHO-LS1",
        "LS1-P2",
        None,
        "Phòng 2 – pháo nổ",
        LocationKind.room,
        {"max_weight_kg": 2000},
        ["1"],
        False,
    ),
    (
        "KHO-LS1",
        "LS1-P2-K01",
        "LS1-P2",
        "Kệ pháo K01",
        LocationKind.shelf,
        {"max_weight_kg": 500},
        ["1"],
        False,
    ),
    (
        "KHO-LS1",
        "LS1-P3",
        None,
        "Phòng 3 – hóa chất",
        LocationKind.room,
        {},
        ["3", "6.1", "8"],
        False,
    ),
    (
        "KHO-LS1",
        "LS1-P3-K01",
        "LS1-P3",
        "Kệ hóa chất K01",
        LocationKind.shelf,
        {"max_volume_l": 200},
        ["3", "6.1", "8"],
        False,
    ),
    (
        "KHO-LS1",
        "LS1-AT",
        None,
        "Phòng an toàn (ma túy, vũ khí, tiền)",
        LocationKind.room,
        {},
        ["narcotics", "weapons", "cash"],
        True,
    ),
    (
        "KHO-LS1",
        "LS1-AT-T01",
        "LS1-AT",
        "Tủ sắt T01",
        LocationKind.bin,
        {"max_items": 100},
        ["narcotics", "weapons", "cash"],
        True,
    ),
    # where items approved for destruction wait (awaiting_destruction: codes ending -CHO)
    (
        "KHO-LS1",
        "LS1-AT-CHO",
        "LS1-AT",
        "Khu vực chờ tiêu hủy",
        LocationKind.zone,
        {"max_items": 200},
        ["narcotics", "weapons", "cash"],
        True,
    ),
    ("KHO-CL", "CL-A", None, "Kho A", LocationKind.room, {}, [], False),
    ("KHO-CL", "CL-A-01", "CL-A", "Kệ A-01", LocationKind.shelf, {"max_items": 20}, [], False),
    ("KHO-CL", "CL-BAI", None, "Bãi xe", LocationKind.zone, {"max_items": 10}, [], False),
    ("KHO-CA", "CA-BAI", None, "Bãi xe vật chứng", LocationKind.zone, {}, [], False),
    ("UBND-HL", "HL-SAN", None, "Sân trụ sở UBND xã", LocationKind.zone, {}, [], False),
]


def seed_demo(session: Session) -> bool:
    """Create the demo data unless it exists; returns whether it created anything."""
    if session.exec(select(Agency).where(Agency.code == "THADS-LS")).first():
        return False
    create_agency(
        session, AgencyCreate(code="THADS-LS", name="Thi hành án dân sự tỉnh Lạng Sơn"), None
    )
    create_agency(
        session,
        AgencyCreate(
            code="THADS-CL", name="Phòng THADS khu vực 2 – tỉnh Lạng Sơn", parent_code="THADS-LS"
        ),
        None,
    )
    users = {}
    for role in Role:
        username = f"demo-{role.value}"
        users[role] = create_user(
            session,
            UserCreate(
                username=username,
                full_name=_DEMO_NAMES[role],
                role=role,
                agency_code="THADS-LS",
                password=DEMO_PASSWORD,
            ),
        )
    manager = users[Role.manager]
    create_warehouse(
        session,
        WarehouseCreate(
            code="KHO-LS1", name="Kho vật chứng THADS tỉnh Lạng Sơn", address="Phường Lương Văn Tri"
        ),
        manager,
    )
    create_warehouse(
        session,
        WarehouseCreate(code="KHO-CL", name="Kho Phòng THADS khu vực 2", agency_code="THADS-CL"),
        manager,
    )
    # Kept in place by others: a truck in the police warehouse (Decree 152/2026 Art. 37) and
    # a motorbike at the commune (Circular 01/2017 Art. 12(2), checked monthly).
    for code, name, address, custodian in _OUTSIDE_CUSTODIANS:
        create_warehouse(
            session,
            WarehouseCreate(code=code, name=name, address=address, custodian=custodian),
            manager,
        )
    for warehouse, code, parent, name, kind, limits, hazards, secure in _LOCATIONS:
        create_location(
            session,
            LocationCreate(
                warehouse_code=warehouse,
                code=code,
                parent_code=parent,
                name=name,
                kind=kind,
                allowed_hazard_classes=hazards,
                secure=secure,
                awaiting_destruction=code.endswith("-CHO"),
                **limits,
            ),
            manager,
        )
    cases = [
        (
            "311/2025/HS-ST",
            "TAND tỉnh Lạng Sơn",
            45,
            Disposition.destroy,
            LegalRegime.before_2026_07_01,
        ),
        (
            "27/2026/HS-ST",
            "TAND khu vực 2 – tỉnh Lạng Sơn",
            112,
            Disposition.destroy,
            LegalRegime.from_2026_07_01,
        ),
        (
            "58/2026/HS-PT",
            "TAND tỉnh Lạng Sơn",
            9,
            Disposition.pending,
            LegalRegime.from_2026_07_01,
        ),
    ]
    today = local_today()
    made = {}
    for n, (judgment, court, number, disposition, regime) in enumerate(cases):
        # The 2025 decision is of the provincial department before July 2025 (QĐ-CTHADS).
        old = regime == LegalRegime.before_2026_07_01
        decided = today - timedelta(days=50 - 20 * n) if not old else None
        made[judgment] = create_case(
            session,
            CaseCreate(
                judgment_number=judgment,
                court=court,
                decision_issuer="Cục THADS tỉnh Lạng Sơn" if old else "THADS tỉnh Lạng Sơn",
                decision_year=decided.year if decided else int(judgment.split("/")[1]),
                decision_number=f"{number}/QĐ-CTHADS" if old else f"{number}/QĐ-THADS",
                decision_date=decided,
                legal_regime=regime,
                disposition=disposition,
            ),
            manager,
        )
    # Received on the procuracy's transfer decision: no judgment yet (the usual case).
    waiting = create_case(
        session,
        CaseCreate(
            transfer_decision=TransferDecision(
                issuer="VKSND khu vực 1 – tỉnh Lạng Sơn",
                number="21/QĐ-VKS",
                date=today - timedelta(days=12),
                investigating_body="Cơ quan CSĐT Công an tỉnh Lạng Sơn",
            ),
        ),
        manager,
    )
    officer = Person(name="Nguyễn Văn An", position="Điều tra viên", id_document="CA-LS-0231")
    assert waiting.id is not None
    # Each line's case: a judgment number, or (before any judgment) the case's id.
    items: list[tuple[str | int, Category, str, list[str], int, str, float, str]] = [
        (
            "311/2025/HS-ST",
            Category.drug,
            "Ma túy đá (methamphetamine), 3 gói niêm phong",
            ["narcotics"],
            3,
            "pack",
            125.5,
            "LS1-AT-T01",
        ),
        (
            "311/2025/HS-ST",
            Category.cash,
            "Tiền Việt Nam thu giữ",
            ["cash"],
            1,
            "bag",
            850,
            "LS1-AT-T01",
        ),
        (
            "27/2026/HS-ST",
            Category.fireworks,
            "Pháo hoa nổ tự chế",
            ["1.4G"],
            12,
            "box",
            36000,
            "LS1-P2-K01",
        ),
        (
            "27/2026/HS-ST",
            Category.chemical,
            "Axit sunfuric đậm đặc",
            ["8"],
            2,
            "can",
            3600,
            "LS1-P3-K01",
        ),
        (
            "58/2026/HS-PT",
            Category.weapon,
            "Dao tự chế dài 45 cm",
            ["weapons"],
            1,
            "piece",
            420,
            "LS1-AT-T01",
        ),
        (
            "58/2026/HS-PT",
            Category.document,
            "Sổ sách kế toán, 4 quyển",
            [],
            4,
            "quyển",
            2100,
            "LS1-P1-K01",
        ),
        (
            "58/2026/HS-PT",
            Category.other,
            "Điện thoại di động Samsung",
            [],
            2,
            "piece",
            380,
            "LS1-P1-K02",
        ),
        (
            "27/2026/HS-ST",
            Category.vehicle,
            "Xe ô tô tải Hyundai biển 12C-045.89",
            [],
            1,
            "vehicle",
            2_450_000,
            "CA-BAI",
        ),
        (
            "58/2026/HS-PT",
            Category.vehicle,
            "Xe máy Yamaha Sirius biển 12H1-208.31",
            [],
            1,
            "vehicle",
            96000,
            "HL-SAN",
        ),
        (
            "27/2026/HS-ST",
            Category.vehicle,
            "Xe máy Honda Wave biển 12B1-345.67",
            [],
            1,
            "vehicle",
            98000,
            "CL-BAI",
        ),
    ]
    items += [
        (
            waiting.id,
            Category.drug,
            "Heroin, 2 bánh niêm phong",
            ["narcotics"],
            2,
            "bánh",
            700,
            "LS1-AT-T01",
        ),
        (
            waiting.id,
            Category.drug,
            "Ma túy tổng hợp dạng viên nén",
            ["narcotics"],
            150,
            "viên",
            45,
            "LS1-AT-T01",
        ),
    ]
    specs = [
        ItemCreate(
            judgment_number=judgment if isinstance(judgment, str) else None,
            case_id=judgment if isinstance(judgment, int) else None,
            category=category,
            description=description,
            hazard_classes=hazards,
            quantity=quantity,
            unit=unit,
            net_weight_g=weight,
            gross_weight_g=round(weight * 1.05, 1),
            seal_number=f"NP-{n:05d}",
            delivered_by=officer,
            location_code=location,
        )
        for n, (
            judgment,
            category,
            description,
            hazards,
            quantity,
            unit,
            weight,
            location,
        ) in enumerate(items, start=1)
    ]
    # The district warehouse is outside the provincial keeper's agency; its manager sees both.
    # One handover per keeping: the agency's warehouse (its keeper), the district's (outside
    # the keeper's agency: its manager), and each outside custodian's (received in place).
    apart = {"CL-BAI": manager, "CA-BAI": users[Role.keeper], "HL-SAN": users[Role.keeper]}
    receive_items(
        session, [s for s in specs if s.location_code not in apart], users[Role.keeper], None
    )
    for place, who in apart.items():
        receive_items(session, [s for s in specs if s.location_code == place], who, None)
    # The judgment orders the seized cash into the State Treasury account (§2.1, §2.3(1)).
    case = made["311/2025/HS-ST"]
    assert case.id is not None
    cash = session.exec(
        select(Item.code).where(Item.case_id == case.id, Item.category == Category.cash.value)
    ).one()
    order = ItemOrder(
        item_code=cash,
        disposition=Disposition.deposit_to_treasury,
        document="Giấy nộp tiền vào tài khoản tạm giữ số 0012",
    )
    order_dispositions(session, case, judgments_of(session, case.id)[0], [order], manager)
    _complete_handovers(session, users, today)
    seed_environment(session, users)  # warehouse sites, two destructions of the half-year
    return True
