"""The warehouses on the locations page: a manager adds one kept by an outside custodian
(kind from data/custodian_kinds.toml, its Vietnamese words), the list says who keeps each,
and an item kept there shows its place and custodian on its page."""

from sqlmodel import select

from evidence_service.models import Location, Warehouse
from tests.factories import make_item
from tests.test_web import log_in

FORM = {
    "code": "CA-LS",
    "name": "Kho vật chứng Công an tỉnh Lạng Sơn",
    "address": "Số 2 Lê Lợi, Lạng Sơn",
    "custodian_kind": "police",
    "custodian_name": "Phòng Hậu cần Công an tỉnh Lạng Sơn",
    "custodian_representative": "Hoàng Văn Nam",
    "custodian_position": "Phó Trưởng phòng",
    "custodian_contract": "",
    "location_code": "CA-LS-K1",
    "location_name": "Khu A",
}


def test_the_page_offers_every_custodian_kind_in_vietnamese(client, world):
    log_in(client, "manager")
    page = client.get("/locations").text
    assert 'id="warehouse-form"' in page
    for words in (
        "Kho vật chứng của cơ quan thi hành án dân sự",
        "Kho thuê",
        "Kho vật chứng của cơ quan điều tra",
        "Kho bạc Nhà nước",
        "Cơ quan chuyên môn",
        "Chủ sở hữu hoặc người thân",
        "Chính quyền địa phương",
        "Tổ chức, cá nhân được thuê bảo quản",
        "Người đại diện",
        "Hợp đồng bảo quản (số, ngày)",
    ):
        assert words in page, words
    # the own warehouse of the world is listed as the agency's keeping
    assert 'data-kind="own"' in page


def test_a_keeper_sees_no_warehouse_form(client, world):
    log_in(client, "keeper")
    assert 'id="warehouse-form"' not in client.get("/locations").text


def test_a_manager_adds_an_outside_custodians_warehouse_and_the_item_page_shows_it(
    client, world, session
):
    csrf = log_in(client, "manager")
    r = client.post(
        "/locations/warehouses", data={**FORM, "csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    warehouse = session.exec(select(Warehouse).where(Warehouse.code == "CA-LS")).one()
    assert warehouse.custodian_kind == "police"
    assert warehouse.custodian_representative == "Hoàng Văn Nam"
    assert session.exec(select(Location).where(Location.code == "CA-LS-K1")).one()
    page = client.get("/locations").text
    assert "Kho vật chứng của cơ quan điều tra — Phòng Hậu cần Công an tỉnh Lạng Sơn" in page
    assert "đại diện: Hoàng Văn Nam, Phó Trưởng phòng" in page
    item = make_item(session, world, location_code="CA-LS-K1")
    shown = client.get(f"/items/{item.code}").text
    assert "Nơi bảo quản / Đơn vị đang bảo quản" in shown
    assert "Kho vật chứng Công an tỉnh Lạng Sơn, Số 2 Lê Lợi, Lạng Sơn / Phòng Hậu cần" in shown
    own = make_item(session, world, location_code="S1")
    assert 'id="item-custodian"' not in client.get(f"/items/{own.code}").text


def test_an_outside_custodian_without_its_name_is_refused_in_words(client, world, session):
    csrf = log_in(client, "manager")
    r = client.post(
        "/locations/warehouses",
        data={**FORM, "custodian_name": "", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 422
    assert "Cần ghi tên cơ quan, tổ chức hoặc cá nhân đang bảo quản." in r.text
    assert session.exec(select(Warehouse).where(Warehouse.code == "CA-LS")).first() is None
    assert 'value="Kho vật chứng Công an tỉnh Lạng Sơn"' in r.text  # what was typed, kept
