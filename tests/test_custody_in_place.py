"""Custody in place (Decree 152/2026 Art. 37, vn-legal-context §2.3): a handover whose items
go to an outside custodian's shelves is received where they are, its record signed by the
enforcement officer and the custodian's representative; before 01/07/2026 the same handover
keeps the old record. A handover mixing both keepings is refused."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from evidence_service.i18n.formatting import local_time
from evidence_service.models import Handover, Item, Warehouse
from evidence_service.payload import make_payload

from .docs_output import save_pages, text
from .factories import item_data
from .papers import pdf_text
from .test_handovers import _lang_son, before_trial, handover_body, post  # noqa: F401
from .test_stocktakes import SIGNERS, _close, _start
from .test_web import log_in

API = "/api/v1"
CUSTODIAN = {
    "kind": "police",
    "name": "Kho vật chứng Công an tỉnh Lạng Sơn",
    "representative": "Hoàng Văn Nam",
    "position": "Phó Trưởng kho vật chứng",
    "contract": "",
}


def outside_warehouse(client, world, code="CA-LS", custodian=CUSTODIAN):
    body = {
        "code": code,
        "name": "Kho vật chứng Công an tỉnh Lạng Sơn",
        "address": "Số 2 Lê Lợi, phường Lương Văn Tri, Lạng Sơn",
        "custodian": custodian,
    }
    r = client.post(f"{API}/warehouses", json=body, headers=world.headers("manager"))
    assert r.status_code == 201, r.text
    r = client.post(
        f"{API}/locations",
        json={
            "warehouse_code": code,
            "code": f"{code}-K1",
            "kind": "zone",
            "secure": True,
            "allowed_hazard_classes": ["narcotics"],
        },
        headers=world.headers("manager"),
    )
    assert r.status_code == 201, r.text
    return f"{code}-K1"


def in_place_body(world, location, **overrides):
    """The custodian hands over where it keeps the items: no deliverer, the officer receives."""
    body = handover_body(world, location_code=location, place="", **overrides)
    body["deliverer"] = {}
    body["receivers"] = [{"role": "officer", "name": "Nông Thị Hà", "position": "Chấp hành viên"}]
    for item in body["items"]:
        item.pop("location_code", None)
    return body


@pytest.mark.usefixtures("before_trial")
def test_a_handover_in_place_is_stored_with_its_custodian(client, session, world):
    location = outside_warehouse(client, world)
    r = post(client, world, in_place_body(world, location))
    assert r.status_code == 201, r.text
    h = r.json()
    assert h["final"] and h["missing"] == []
    assert h["custodian"]["in_place"] is True
    assert h["custodian"]["name"] == CUSTODIAN["name"]
    assert h["custodian"]["representative"] == "Hoàng Văn Nam"
    assert h["place"].startswith("Kho vật chứng Công an tỉnh Lạng Sơn, Số 2 Lê Lợi")
    stored = session.get(Handover, h["id"])
    assert stored.custodian["warehouse"] == "CA-LS"
    items = session.exec(select(Item).order_by(Item.id)).all()
    assert len(items) == 2 and all(i.agency_id == stored.agency_id for i in items)


@pytest.mark.usefixtures("before_trial")
def test_a_handover_in_place_needs_the_officer_and_the_custodians_representative(
    client, session, world
):
    location = outside_warehouse(
        client, world, custodian={**CUSTODIAN, "representative": "", "position": ""}
    )
    body = in_place_body(world, location)
    body["receivers"] = [{"role": "keeper", "name": "Lương Văn Tùng", "position": "Thủ kho"}]
    r = post(client, world, body)
    assert r.status_code == 422, r.text
    types = {d["type"] for d in r.json()["detail"]}
    assert {
        "handover_receiver_officer",
        "handover_custodian_representative",
        "handover_custodian_position",
    } <= types
    # the deliverer of the old rules is not asked of a custodian handing over in place
    assert not any(t.startswith("handover_deliverer") for t in types)
    assert session.exec(select(Item)).all() == [] and session.exec(select(Handover)).all() == []


@pytest.mark.usefixtures("before_trial")
def test_a_handover_mixing_an_outside_custodian_and_the_own_warehouse_is_refused(
    client, session, world
):
    location = outside_warehouse(client, world)
    body = in_place_body(world, location)
    body["items"][1]["location_code"] = "S2"  # the agency's own warehouse
    r = post(client, world, body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "items"]
    assert "two handovers" in r.json()["detail"][0]["msg"]
    assert session.exec(select(Item)).all() == [] and session.exec(select(Handover)).all() == []
    # two custodians on one record: refused as well
    other = outside_warehouse(
        client,
        world,
        code="KB-LS",
        custodian={**CUSTODIAN, "kind": "treasury", "name": "Kho bạc Nhà nước tỉnh Lạng Sơn"},
    )
    body["items"][1]["location_code"] = other
    r = post(client, world, body)
    assert r.status_code == 422, r.text
    assert "outside custodians" in r.json()["detail"][0]["msg"]
    assert session.exec(select(Handover)).all() == []


def test_a_plain_intake_onto_an_outside_custodians_shelf_keeps_working(client, session, world):
    location = outside_warehouse(client, world)
    r = client.post(
        f"{API}/items",
        json=item_data(world, location_code=location),
        headers=world.headers("keeper"),
    )
    assert r.status_code == 201, r.text
    handover = session.exec(select(Handover)).one()
    assert handover.implicit and handover.custodian["name"] == CUSTODIAN["name"]
    shown = client.get(f"{API}/handovers/{handover.id}", headers=world.headers()).json()
    assert "custodian_representative" not in shown["missing"]  # the warehouse names him
    assert "deliverer_name" not in shown["missing"]  # in place: the custodian hands over


IN_PLACE_FIELDS = [
    ("title", "BIÊN BẢN GIAO NHẬN VẬT CHỨNG, TÀI SẢN TẠM GIỮ"),
    ("basis: Decree 152/2026", "152/2026"),
    ("time in words, local", "Hồi 15 giờ 37 phút"),
    ("place of storage", "tại Kho vật chứng Công an tỉnh Lạng Sơn, Số 2 Lê Lợi"),
    (
        "inventoried and received there",
        "kiểm kê, tiếp nhận vật chứng, tài sản tạm giữ tại nơi bảo quản",
    ),
    ("custodian body", "I. BÊN GIAO: CƠ QUAN, TỔ CHỨC ĐANG BẢO QUẢN"),
    ("custodian's kind", "Kho vật chứng của cơ quan điều tra"),
    ("representative with position", "Ông/Bà Hoàng Văn Nam, chức vụ: Phó Trưởng kho vật chứng"),
    ("officer checks the condition", "Chấp hành viên đã kiểm tra hiện trạng"),
    ("comparison column", "So với biên bản thu giữ ban đầu"),
    ("the difference", "Sai khác: Vỏ máy trầy xước"),
    (
        "difference clarified by the custodian's head",
        "Thủ trưởng cơ quan, tổ chức đang bảo quản làm rõ",
    ),
    ("seizure record", "45/BB-TG"),
    ("weight, Vietnamese", "38,725 kg"),
    ("kept there", "tiếp tục được bảo quản tại Kho vật chứng Công an tỉnh Lạng Sơn"),
    ("four copies", "04 bản"),
    ("copy for the accountant", "01 bản kế toán của bên nhận giữ"),
    ("copy for the file", "01 bản lưu hồ sơ thi hành án"),
    ("officer's block", "CHẤP HÀNH VIÊN"),
    ("THADS stamp", "(đóng dấu của Thi hành án dân sự tỉnh Lạng Sơn)"),
    ("custodian's block", "ĐẠI DIỆN CƠ QUAN, TỔ CHỨC ĐANG BẢO QUẢN"),
    ("custodian's stamp", "Công an tỉnh Lạng Sơn (đóng dấu)"),
    ("officer's name", "Nông Thị Hà"),
]


@pytest.mark.usefixtures("before_trial")
def test_the_record_of_a_handover_in_place_has_every_element_of_art_37(client, session, world):
    _lang_son(session, world)
    location = outside_warehouse(client, world)
    h = post(client, world, in_place_body(world, location)).json()
    pdf = client.get(f"{API}/handovers/{h['id']}/record.pdf", headers=world.headers()).content
    text = " ".join(pdf_text(pdf).split())
    missing = [what for what, shown in IN_PLACE_FIELDS if " ".join(shown.split()) not in text]
    assert missing == []
    # not the old regime's deliverer and keeper set
    assert "ĐẠI DIỆN BÊN GIAO" not in text and "giấy giới thiệu" not in text
    save_pages(pdf, "handover-record-in-place")
    english = client.get(
        f"{API}/handovers/{h['id']}/record.pdf", params={"lang": "en"}, headers=world.headers()
    )
    english_text = " ".join(pdf_text(english.content).split())
    assert "continue to be kept at Kho vật chứng Công an tỉnh Lạng Sơn" in english_text
    assert "REPRESENTATIVE OF THE CUSTODIAN BODY" in english_text
    slip = client.get(f"{API}/handovers/{h['id']}/entry-slip.pdf", headers=world.headers())
    slip_text = " ".join(pdf_text(slip.content).split())
    assert "tiếp tục bảo quản tại Kho vật chứng Công an tỉnh Lạng Sơn" in slip_text


def test_before_1_july_2026_an_outside_custodians_handover_keeps_the_old_record(
    client, session, world
):
    _lang_son(session, world)
    location = outside_warehouse(client, world)
    body = handover_body(
        world,
        case_id=world.cases["pending"].id,
        location_code=location,
        handed_over_at=datetime(2026, 6, 20, 2, 15, tzinfo=UTC).isoformat(),
    )
    for item in body["items"]:
        item.pop("location_code", None)
    r = post(client, world, body)
    assert r.status_code == 201, r.text
    h = r.json()
    assert h["custodian"]["in_place"] is False
    pdf = client.get(f"{API}/handovers/{h['id']}/record.pdf", headers=world.headers()).content
    text = " ".join(pdf_text(pdf).split())
    for shown in ("ĐẠI DIỆN BÊN GIAO", "THỦ KHO", "KẾ TOÁN", "Hoàng Văn Dũng", "I. BÊN GIAO"):
        assert shown in text, shown
    assert "ĐẠI DIỆN CƠ QUAN, TỔ CHỨC ĐANG BẢO QUẢN" not in text
    assert "tiếp tục được bảo quản" not in text


@pytest.mark.usefixtures("before_trial")
def test_a_stocktake_of_an_outside_custodians_warehouse_lists_its_items_and_it_signs(
    client, session, world
):
    """A count of the custodian's warehouse works like any other (scan the place, then the
    items); its record lists the items in the custodian's keeping with the custodian, the
    place, since when (the handover), quantity, weight and condition, and from 2026 the
    custodian's representative signs it with THADS (Decree 152/2026 Art. 38)."""
    _lang_son(session, world)
    location = outside_warehouse(client, world)
    h = post(client, world, in_place_body(world, location)).json()
    codes = [line["item_code"] for line in h["lines"]]
    started = client.post(
        f"{API}/stocktakes",
        json={"scope": "warehouse", "warehouse_code": "CA-LS", "kind": "six_monthly"},
        headers=world.headers(),
    )
    assert started.status_code == 201, started.text
    sid = started.json()["id"]
    assert started.json()["expected"] == 2
    for raw in (make_payload("location", location), make_payload("item", codes[0])):
        r = client.post(
            f"{API}/stocktakes/{sid}/scans", json={"payload": raw}, headers=world.headers()
        )
        assert r.status_code == 200, r.text
    body = {
        **SIGNERS,
        "findings": [{"code": codes[1], "cause": "Chưa xác định", "measures": "Xác minh"}],
    }
    closed = client.post(f"{API}/stocktakes/{sid}/close", json=body, headers=world.headers())
    assert closed.status_code == 200, closed.text
    pdf = client.get(f"{API}/stocktakes/{sid}/record.pdf", headers=world.headers()).content
    save_pages(pdf, "stocktake-record-in-place")
    got = text(pdf)
    section = got.split("IV. Vật chứng, tài sản đang do")[-1].split("V. Chênh lệch")[0]
    since = local_time(datetime.fromisoformat(h["handed_over_at"])).strftime("%d/%m/%Y")
    wanted = {
        "intro": "Vật chứng, tài sản do Kho vật chứng Công an tỉnh Lạng Sơn đang bảo quản",
        "custodian": "Kho vật chứng Công an tỉnh Lạng Sơn (Kho vật chứng của cơ quan điều tra)",
        "place": "Số 2 Lê Lợi",
        "location": location,
        "item": "Heroin, 12 gói nilon hàn kín",
        "code": codes[1],
        "quantity": "12 gói",
        "weight": "38,725 kg",
        "condition as recorded": "Gói nilon hàn kín, không rách",
        "since": since,
        "handover record": f"Biên bản giao nhận số {h['record_number']}",
    }
    assert {k: v for k, v in wanted.items() if v not in section} == {}
    signatures = got.split("ĐẠI DIỆN CƠ QUAN, TỔ CHỨC ĐANG BẢO QUẢN")
    assert len(signatures) == 2, "the custodian's signature block, once"
    assert "Hoàng Văn Nam" in signatures[1]
    assert "Phó Trưởng kho vật chứng, Kho vật chứng Công an tỉnh Lạng Sơn" in got


def test_a_stocktake_of_the_own_warehouse_has_no_custodian_block(client, session, world):
    """The own warehouse's count is unchanged: no custodian section or signature."""
    sid = _start(client, world, kind="six_monthly")["id"]
    assert _close(client, world, sid).status_code == 200
    got = text(client.get(f"{API}/stocktakes/{sid}/record.pdf", headers=world.headers()).content)
    assert "ĐẠI DIỆN CƠ QUAN, TỔ CHỨC ĐANG BẢO QUẢN" not in got
    assert "đang bảo quản tại nơi bảo quản" not in got


@pytest.mark.usefixtures("before_trial")
def test_the_handover_page_names_the_custodian_of_a_handover_in_place(client, session, world):
    location = outside_warehouse(client, world)
    h = post(client, world, in_place_body(world, location)).json()
    log_in(client, "keeper")
    page = client.get(f"/handovers/{h['id']}").text
    assert 'id="handover-custodian"' in page
    assert "Kho vật chứng Công an tỉnh Lạng Sơn · Kho vật chứng của cơ quan điều tra" in page
    assert "Hoàng Văn Nam, Phó Trưởng kho vật chứng" in page
    assert "giao nhận tại nơi bảo quản (Điều 37 Nghị định 152/2026)" in page


def test_a_draft_handover_in_place_says_what_it_lacks_in_words(client, session, world):
    location = outside_warehouse(client, world)
    r = client.post(
        f"{API}/items",
        json=item_data(world, location_code=location),
        headers=world.headers("keeper"),
    )
    assert r.status_code == 201, r.text
    handover = session.exec(select(Handover)).one()
    log_in(client, "keeper")
    page = client.get(f"/handovers/{handover.id}").text
    assert "Giao nhận tại nơi bảo quản cần có Chấp hành viên kiểm kê, tiếp nhận." in page


@pytest.mark.usefixtures("before_trial")
def test_an_item_kept_in_place_lists_its_documents_and_its_stock_card_cites_the_slip(
    client, session, world
):
    location = outside_warehouse(client, world)
    h = post(client, world, in_place_body(world, location)).json()
    code = h["lines"][0]["item_code"]
    listed = client.get(f"{API}/items/{code}/documents", headers=world.headers()).json()
    urls = [d["url"] for d in listed]
    assert f"{API}/handovers/{h['id']}/record.pdf" in urls
    assert f"{API}/handovers/{h['id']}/entry-slip.pdf" in urls
    card = client.get(f"{API}/items/{code}/stock-card.pdf", headers=world.headers())
    assert card.status_code == 200
    rows = " ".join(pdf_text(card.content).split())
    assert h["entry_slip_number"] in rows


def test_completing_a_draft_in_place_takes_the_representative_named_since(client, session, world):
    location = outside_warehouse(
        client, world, custodian={**CUSTODIAN, "representative": "", "position": ""}
    )
    r = client.post(
        f"{API}/items",
        json=item_data(world, location_code=location),
        headers=world.headers("keeper"),
    )
    assert r.status_code == 201, r.text
    handover = session.exec(select(Handover)).one()
    hid = handover.id
    body = {
        "receivers": [{"role": "officer", "name": "Nông Thị Hà", "position": "Chấp hành viên"}],
        "acts": {"seizure_record": {"number": "45/BB-TG", "date": "2026-10-02"}},
    }
    url = f"{API}/handovers/{hid}/complete"
    refused = client.post(url, json=body, headers=world.headers("keeper"))
    assert refused.status_code == 422, refused.text
    assert "handover_custodian_representative" in [d["type"] for d in refused.json()["detail"]]
    warehouse = session.exec(select(Warehouse).where(Warehouse.code == "CA-LS")).one()
    warehouse.custodian_representative, warehouse.custodian_position = "Hoàng Văn Nam", "Thủ kho"
    session.add(warehouse)
    session.commit()
    done = client.post(url, json=body, headers=world.headers("keeper"))
    assert done.status_code == 200, done.text
    assert done.json()["final"] and done.json()["custodian"]["representative"] == "Hoàng Văn Nam"
