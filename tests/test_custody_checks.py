"""The monthly check of items held by others (Circular 01/2017 Art. 12(2)): recorded for an
outside custodian's warehouse, refused without the four signatories, on the custody chain,
printed through the document engine, listed with the item's documents, and meeting the
monthly duty of the legal deadlines."""

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import func, select

from evidence_service import replay
from evidence_service.i18n.formatting import local_day
from evidence_service.legal.holidays import local_today
from evidence_service.models import CustodyCheck, CustodyEvent, Item, OfficialDocument
from tests.docs_output import pages_text, save_pages, text
from tests.factories import World, item_data

API = "/api/v1"
PEOPLE = [
    {"role": "accountant", "name": "Nguyễn Thị Lan", "position": "Kế toán nghiệp vụ"},
    {"role": "keeper", "name": "Trần Văn Hùng", "position": "Thủ kho vật chứng"},
    {"role": "head", "name": "Lê Minh Đức", "position": "Chi cục trưởng"},
    {"role": "custodian", "name": "Hoàng Văn Nam", "position": "Phó Chủ tịch UBND xã"},
]


def custodian_place(
    client: Any, world: World, code: str = "UBND-HL", kind: str = "local_authority"
) -> list[str]:
    """An outside custodian's warehouse with a place and two items kept there; their codes."""
    r = client.post(
        f"{API}/warehouses",
        json={
            "code": code,
            "name": f"Nơi bảo quản {code}",
            "custodian": {
                "kind": kind,
                "name": "UBND xã Hữu Lũng",
                "representative": "Hoàng Văn Nam",
                "position": "Phó Chủ tịch",
                "contract": "HĐ 12/2026/HĐBQ ngày 05/11/2026",
            },
        },
        headers=world.headers("manager"),
    )
    assert r.status_code == 201, r.text
    r = client.post(
        f"{API}/locations",
        json={"warehouse_code": code, "code": f"{code}-SAN", "kind": "zone"},
        headers=world.headers("manager"),
    )
    assert r.status_code == 201, r.text
    codes = []
    for description, qty, weight, condition in (
        ("Xe máy Honda Wave biển số 12B1-345.67", 1, 98500.0, "Cũ, trầy xước yếm trái"),
        ("Máy cày Kubota", 2, 1234567.5, "Còn hoạt động"),
    ):
        r = client.post(
            f"{API}/items",
            json=item_data(
                world,
                location_code=f"{code}-SAN",
                description=description,
                quantity=qty,
                net_weight_g=weight,
                gross_weight_g=weight,
                condition=condition,
            ),
            headers=world.headers("keeper"),
        )
        assert r.status_code == 201, r.text
        codes.append(r.json()["code"])
    return codes


def check_body(codes: list[str], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "warehouse_code": "UBND-HL",
        "checked_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "place": "Trụ sở UBND xã Hữu Lũng, tỉnh Lạng Sơn",
        "items": [
            {"code": codes[0], "found": True},
            {
                "code": codes[1],
                "found": True,
                "quantity_found": 1,
                "condition_found": "Một chiếc hỏng động cơ",
                "note": "Bên bảo quản trình bày đã chuyển một chiếc đi sửa",
            },
        ],
        "participants": PEOPLE,
        "conclusion": "Đề nghị bên bảo quản đưa máy cày về nơi bảo quản trong 05 ngày.",
    }
    body.update(overrides)
    return body


def _counts(session: Any) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.exec(select(func.count()).select_from(CustodyCheck)).one(),
        session.exec(
            select(func.count())
            .select_from(CustodyEvent)
            .where(CustodyEvent.event_type == "custody_check")
        ).one(),
        session.exec(
            select(func.count())
            .select_from(OfficialDocument)
            .where(OfficialDocument.kind == "custody_check_record")
        ).one(),
    )


def test_a_check_is_recorded_with_its_discrepancies_and_events(client, world, session):
    codes = custodian_place(client, world)
    expected = client.get(
        f"{API}/custody-checks/expected",
        params={"warehouse_code": "UBND-HL"},
        headers=world.headers("keeper"),
    )
    assert expected.status_code == 200, expected.text
    assert [e["code"] for e in expected.json()] == sorted(codes)
    r = client.post(
        f"{API}/custody-checks", json=check_body(codes), headers=world.headers("keeper")
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["number"].endswith("/BB-KT") and body["sha256"]
    assert body["discrepancies"] == 1
    lines = {line["code"]: line for line in body["lines"]}
    assert lines[codes[0]]["discrepancy"] is False
    assert (
        lines[codes[0]]["quantity_found"] == 1
        and lines[codes[0]]["condition_found"] == "Cũ, trầy xước yếm trái"
    )
    assert lines[codes[1]]["discrepancy"] is True and lines[codes[1]]["quantity_found"] == 1
    assert body["custodian"]["name"] == "UBND xã Hữu Lũng"
    # One custody event per item checked, citing the record's number.
    events = session.exec(
        select(CustodyEvent)
        .where(CustodyEvent.event_type == "custody_check")
        .order_by(CustodyEvent.id)  # type: ignore[arg-type]
    ).all()
    assert len(events) == 2
    assert {e.details["document_number"] for e in events} == {body["number"]}
    assert [e.details["discrepancy"] for e in events] == [False, True]
    # The check itself is on the signed record: replaying the chain gives its row back.
    session.expire_all()
    assert replay.replay_all(session) is None
    got = client.get(f"{API}/custody-checks/{body['id']}", headers=world.headers("manager"))
    assert got.status_code == 200 and got.json()["number"] == body["number"]
    listed = client.get(f"{API}/custody-checks", headers=world.headers("manager")).json()
    assert [c["id"] for c in listed] == [body["id"]]
    # Another province's manager does not see it.
    assert (
        client.get(
            f"{API}/custody-checks/{body['id']}", headers=world.headers("other-manager")
        ).status_code
        == 404
    )
    assert client.get(f"{API}/custody-checks", headers=world.headers("other-manager")).json() == []
    # The item's history says it was checked on that day.
    history = client.get(f"{API}/items/{codes[1]}/custody", headers=world.headers("keeper"))
    assert history.status_code == 200, history.text
    (checked,) = [e for e in history.json() if e["event_type"] == "custody_check"]
    assert checked["details"]["document_number"] == body["number"]


def test_each_refusal_says_why_and_writes_nothing(client, world, session):
    codes = custodian_place(client, world)
    before = _counts(session)
    keeper = world.headers("keeper")
    for role in ("accountant", "keeper", "head", "custodian"):
        people = [p for p in PEOPLE if p["role"] != role]
        r = client.post(
            f"{API}/custody-checks", json=check_body(codes, participants=people), headers=keeper
        )
        assert r.status_code == 422, r.text
        assert "Circular 01/2017 Art. 12(2)" in r.text and role in r.text
    blank = [dict(p, name=" ") if p["role"] == "head" else p for p in PEOPLE]
    assert (
        client.post(
            f"{API}/custody-checks", json=check_body(codes, participants=blank), headers=keeper
        ).status_code
        == 422
    )
    # An item kept there left out, an item not kept there, twice the same, in the future.
    cases = [
        check_body(codes, items=[{"code": codes[0], "found": True}]),
        check_body(
            codes,
            items=[
                {"code": codes[0], "found": True},
                {"code": codes[1], "found": True},
                {"code": "NOPE-1", "found": True},
            ],
        ),
        check_body(
            codes, items=[{"code": codes[0], "found": True}, {"code": codes[0], "found": True}]
        ),
        check_body(codes, checked_at=(datetime.now(UTC) + timedelta(days=1)).isoformat()),
        check_body(codes, warehouse_code="W1"),  # the agency's own warehouse: no monthly check
        check_body(codes, place=""),
    ]
    for body in cases:
        r = client.post(f"{API}/custody-checks", json=body, headers=keeper)
        assert r.status_code == 422, r.text
    # In Vietnamese for the pages: the key beside the English message.
    r = client.post(
        f"{API}/custody-checks", json=check_body(codes, participants=PEOPLE[:3]), headers=keeper
    )
    assert "checks15_errors.roles_missing" in r.text
    # Permission: recording a check is the stocktake permission (keepers and managers).
    for user in ("council", "auditor"):
        r = client.post(
            f"{API}/custody-checks", json=check_body(codes), headers=world.headers(user)
        )
        assert r.status_code == 403, r.text
    assert client.post(f"{API}/custody-checks", json=check_body(codes)).status_code == 401
    assert _counts(session) == before


def test_the_record_prints_every_element_in_vietnamese(client, world, session):
    codes = custodian_place(client, world)
    note = "Ghi chú dài. " * 420  # 5,040 characters: splits across pages
    body = check_body(codes, notes=note.strip())
    body["items"][0] = {
        "code": codes[0],
        "found": False,
        "note": "Bên bảo quản không xuất trình được",
    }
    r = client.post(f"{API}/custody-checks", json=body, headers=world.headers("keeper"))
    assert r.status_code == 201, r.text
    made = r.json()
    served = client.get(f"{API}/custody-checks/{made['id']}.pdf", headers=world.headers("manager"))
    assert served.status_code == 200 and served.headers["content-type"] == "application/pdf"
    digest = hashlib.sha256(served.content).hexdigest()
    assert digest == made["sha256"] == served.headers["X-SHA256"]
    stored = session.exec(
        select(OfficialDocument).where(OfficialDocument.kind == "custody_check_record")
    ).one()
    assert stored.sha256 == digest
    save_pages(served.content, "custody-check")
    pages = pages_text(served.content)
    assert len(pages) >= 2
    got = text(served.content)
    checked_at = datetime.fromisoformat(body["checked_at"])
    from evidence_service.i18n.formatting import local_time

    local = local_time(checked_at)
    day = local_day(checked_at)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Số: {made['number']}",
        f"ngày {day.day:02d} tháng",
        f"năm {day.year}",
        f"Hồi {local.hour:02d} giờ {local.minute:02d} phút",
        "BIÊN BẢN KIỂM TRA VẬT CHỨNG, TÀI SẢN GIAO CHO UBND XÃ HỮU LŨNG BẢO QUẢN",
        "khoản 2 Điều 12 Thông tư số 01/2017/TT-BTP",
        "Trụ sở UBND xã Hữu Lũng",
        "UBND xã Hữu Lũng",
        "Hoàng Văn Nam",
        "HĐ 12/2026/HĐBQ",
        "Chính quyền địa phương",
        codes[0],
        codes[1],
        "Xe máy Honda Wave",
        "Máy cày Kubota",
        "Số lượng theo sổ",
        "Số lượng thực tế",
        "Hiện trạng theo sổ",
        "Hiện trạng khi kiểm tra",
        "98,5 kg",
        "1,235 t",  # 1,234,567.5 g in tonnes, as the formatter writes it
        "Không thấy",
        "Một chiếc hỏng động cơ",
        "Cũ, trầy xước yếm trái",
        "có 2 trường hợp sai khác",
        "Đề nghị bên bảo quản",
        "lập thành 04 bản",
        "(Ký, ghi rõ họ tên)",
        "KẾ TOÁN NGHIỆP VỤ THI HÀNH ÁN",
        "THỦ KHO VẬT CHỨNG",
        "THỦ TRƯỞNG CƠ QUAN THI HÀNH ÁN DÂN SỰ",
        "ĐẠI DIỆN BÊN BẢO QUẢN",
        "Nguyễn Thị Lan",
        "Trần Văn Hùng",
        "Lê Minh Đức",
        f"Trang 1/{len(pages)}",
        "Chuỗi lưu giữ",
    ):
        assert expected in got, expected
    assert "UTC" not in got
    # The note, in full, across the pages.
    assert got.count("Ghi chú dài.") == 420
    assert f"Trang {len(pages)}/{len(pages)}" in pages[-1]
    english = client.get(
        f"{API}/custody-checks/{made['id']}.pdf",
        params={"lang": "en"},
        headers=world.headers("manager"),
    )
    assert english.status_code == 200 and "RECORD OF THE CHECK" in text(english.content)


def test_the_item_lists_the_record_among_its_documents(client, world):
    codes = custodian_place(client, world)
    made = client.post(
        f"{API}/custody-checks", json=check_body(codes), headers=world.headers("keeper")
    ).json()
    for code in codes:
        docs = client.get(f"{API}/items/{code}/documents", headers=world.headers("keeper")).json()
        (record,) = [d for d in docs if d["kind"] == "custody_check_record"]
        assert record["number"] == made["number"] and record["final"] is True
        assert record["sha256"] == made["sha256"]
        assert record["url"] == f"{API}/custody-checks/{made['id']}.pdf"
        assert client.get(record["url"], headers=world.headers("keeper")).status_code == 200


def _duties(client: Any, world: World) -> list[tuple[str, str, str | None]]:
    report = client.get(
        f"{API}/reports/legal-deadlines",
        params={"kind": "external_check"},
        headers=world.headers("manager"),
    ).json()
    return sorted((e["status"], e["due_on"], e["warehouse_code"]) for e in report["entries"])


def test_the_monthly_duty_is_due_until_a_check_is_recorded_this_month(client, world, session):
    today = local_today()
    assert _duties(client, world) == []  # no custodian keeps anything: no duty
    codes = custodian_place(client, world)
    month_end = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    assert _duties(client, world) == [("due", month_end.isoformat(), "UBND-HL")]
    report = client.get(
        f"{API}/reports/legal-deadlines",
        params={"kind": "external_check"},
        headers=world.headers("manager"),
    ).json()
    (line,) = report["entries"]
    assert "Circular 01/2017 Art. 12(2)" in line["source"] and line["confirmed"] is False
    assert line["starts_on"] == today.replace(day=1).isoformat()
    assert (
        client.post(
            f"{API}/custody-checks", json=check_body(codes), headers=world.headers("keeper")
        ).status_code
        == 201
    )
    assert _duties(client, world) == []  # met this month
    # A place recorded last month and never checked then: last month's duty is overdue.
    from evidence_service.models import Warehouse

    place = session.exec(select(Warehouse).where(Warehouse.code == "UBND-HL")).one()
    place.created_at = datetime(today.year - 1, 1, 1, tzinfo=UTC)
    session.add(place)
    session.commit()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    assert _duties(client, world) == [("overdue", last_month_end.isoformat(), "UBND-HL")]


def test_items_of_a_custodian_not_checked_monthly_have_no_duty(client, world, session):
    custodian_place(client, world, code="CA-LS", kind="police")
    assert _duties(client, world) == []
    assert session.exec(select(Item)).all()


def test_the_page_prelists_the_items_records_a_check_and_links_its_record(client, world, session):
    from tests.test_web import log_in

    codes = custodian_place(client, world)
    token = log_in(client, "keeper")
    page = client.get("/custody-checks", params={"warehouse": "UBND-HL"})
    assert page.status_code == 200, page.text
    assert "Kiểm tra hằng tháng tài sản giao cho người khác bảo quản" in page.text
    for code in codes:
        assert f'name="found_{code}"' in page.text
    assert "Cũ, trầy xước yếm trái" in page.text and "98,5 kg" in page.text
    assert 'value="Hoàng Văn Nam"' in page.text  # the custodian's representative pre-filled
    before = _counts(session)
    form = {
        "csrf_token": token,
        "warehouse_code": "UBND-HL",
        "checked_at": "",
        "place": "Trụ sở UBND xã Hữu Lũng",
        "item_code": codes,
        f"found_{codes[0]}": "on",  # the second is not ticked: not found
        f"quantity_{codes[0]}": "",
        f"condition_{codes[0]}": "",
        f"note_{codes[0]}": "",
        f"quantity_{codes[1]}": "",
        f"condition_{codes[1]}": "",
        f"note_{codes[1]}": "Không thấy tại kho của xã",
        "accountant_name": "Nguyễn Thị Lan",
        "accountant_position": "Kế toán",
        "keeper_name": "Trần Văn Hùng",
        "head_name": "",  # the head missing: refused in Vietnamese, nothing written
        "custodian_name": "Hoàng Văn Nam",
        "conclusion": "",
        "notes": "",
    }
    refused = client.post("/custody-checks", data=form)
    assert refused.status_code == 422
    assert "khoản 2 Điều 12 Thông tư số 01/2017/TT-BTP" in refused.text
    assert _counts(session) == before
    done = client.post("/custody-checks", data={**form, "head_name": "Lê Minh Đức"})
    assert done.status_code == 200, done.text
    assert "Đã lập biên bản kiểm tra số 01/BB-KT." in done.text
    link = done.text.split('href="/custody-checks/')[1].split('"')[0]
    pdf = client.get(f"/custody-checks/{link}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == pdf.headers["X-SHA256"]
    item = client.get(f"/items/{codes[1]}")
    assert "Biên bản kiểm tra tài sản giao bảo quản 01/BB-KT" in item.text
    assert f'href="/custody-checks/{link}"' in item.text
    assert "Kiểm tra tại nơi giao bảo quản" in item.text and "không thấy" in item.text
    assert 'href="/custody-checks" id="custody-checks-link"' in client.get("/stocktakes").text
    client.cookies.clear()
    log_in(client, "manager")
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert 'href="/custody-checks" id="custody-checks-link"' in dashboard.text
