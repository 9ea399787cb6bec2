"""Who keeps a warehouse's items: the agency, or an outside custodian (custody in place,
Decree 152/2026 Art. 37; items left with others, Circular 01/2017 Art. 12(2))."""

from typing import Any

from sqlmodel import select

from evidence_service import custodians
from evidence_service.models import CustodianKind, Item, Location, Warehouse
from tests.factories import World, item_data

API = "/api/v1"


def _warehouse(client: Any, world: World, code: str, custodian: dict[str, Any]) -> Any:
    body = {"code": code, "name": f"Nơi bảo quản {code}", "custodian": custodian}
    return client.post(f"{API}/warehouses", json=body, headers=world.headers("manager"))


def test_every_kind_has_its_rule_and_source():
    table = custodians.rules()
    assert set(table) == set(CustodianKind)
    assert all(rule.source for rule in table.values())
    assert not custodians.rule("own").held_by_others
    assert not custodians.rule("rented").held_by_others
    assert custodians.kinds(monthly_check=True) == ["owner", "local_authority", "hired"]
    assert "police" in custodians.kinds()


def test_an_outside_custodian_is_named_and_shown(client, world):
    r = _warehouse(
        client,
        world,
        "CA-LS",
        {
            "kind": "police",
            "name": "Kho vật chứng Công an tỉnh Lạng Sơn",
            "representative": "Hoàng Văn Nam",
            "position": "Thủ kho",
            "contract": "",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["held_by_others"] is True
    assert body["custodian"]["kind"] == "police"
    assert body["custodian"]["representative"] == "Hoàng Văn Nam"
    listed = client.get(f"{API}/warehouses", headers=world.headers("manager")).json()
    own = next(w for w in listed if w["code"] == "W1")
    assert own["custodian"]["kind"] == "own" and own["held_by_others"] is False


def test_an_outside_custodian_without_a_name_is_refused_and_nothing_written(client, world, session):
    r = _warehouse(client, world, "NHA-A", {"kind": "owner", "name": "  "})
    assert r.status_code == 422, r.text
    assert "custodian" in str(r.json()["detail"][0]["loc"])
    assert session.exec(select(Warehouse).where(Warehouse.code == "NHA-A")).first() is None


def test_items_held_by_others_are_those_on_an_outside_custodians_shelves(client, world, session):
    assert (
        _warehouse(
            client,
            world,
            "UBND-XA",
            {"kind": "local_authority", "name": "UBND xã Hữu Lũng", "representative": "Lê Văn B"},
        ).status_code
        == 201
    )
    r = client.post(
        f"{API}/locations",
        json={"warehouse_code": "UBND-XA", "code": "UBND-XA-SAN", "kind": "zone"},
        headers=world.headers("manager"),
    )
    assert r.status_code == 201, r.text
    kept = client.post(
        f"{API}/items",
        json=item_data(world, location_code="UBND-XA-SAN", description="Xe máy Honda"),
        headers=world.headers("keeper"),
    )
    assert kept.status_code == 201, kept.text
    at_home = client.post(f"{API}/items", json=item_data(world), headers=world.headers("keeper"))
    assert at_home.status_code == 201, at_home.text
    agency = session.exec(select(Item.agency_id)).first()
    found = custodians.items_held_by_others(session, [agency])
    assert [i.code for i, _ in found] == [kept.json()["code"]]
    assert found[0][1].custodian_name == "UBND xã Hữu Lũng"
    monthly = custodians.items_held_by_others(session, [agency], monthly_check=True)
    assert [i.code for i, _ in monthly] == [kept.json()["code"]]
    place = session.exec(select(Location).where(Location.code == "UBND-XA-SAN")).one()
    assert custodians.items_held_by_others(session, [agency], warehouse_id=place.warehouse_id)
