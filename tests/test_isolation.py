"""Agency isolation: outside your agencies everything answers 404 (not 403), so nothing
leaks that it exists; a parent agency's managers and auditors see their child agencies."""

import pytest

from evidence_service.payload import make_payload
from tests.factories import exit_document, make_item

API = "/api/v1"
FAR = "2099-01-01"


@pytest.fixture
def item(session, world):
    return make_item(session, world)


def _requests(code: str, case_id: int) -> list[tuple[str, str, dict | None]]:
    """Every read and write that names another agency's item, location or case."""
    return [
        ("GET", f"/items/{code}", None),
        ("GET", f"/items/{code}/custody", None),
        ("GET", f"/items/{code}/label", None),
        ("POST", f"/items/{code}/moves", {"to_location_code": "X1"}),
        (
            "POST",
            f"/items/{code}/check-outs",
            {"recipient": "x", "purpose": "court", "document_number": "1", "due_date": FAR},
        ),
        ("POST", f"/items/{code}/returns", {}),
        ("POST", f"/items/{code}/samples", {"taken_g": 1}),
        ("POST", f"/items/{code}/reweighs", {"net_weight_g": 1}),
        ("POST", f"/items/{code}/splits", {"net_weight_g": 1}),
        ("POST", f"/items/{code}/seal-checks", {"seal_state": "broken"}),
        ("POST", f"/items/{code}/disposition", {"disposition": "destroy", **exit_document("1")}),
        ("POST", "/moves", {"item_codes": [code], "to_location_code": "X1"}),
        ("POST", "/scan", {"payload": make_payload("item", code)}),
        ("POST", "/scan", {"payload": make_payload("location", "S1")}),
        ("POST", "/labels", {"codes": [code]}),
        ("GET", "/locations/S1", None),
        ("GET", "/locations/S1/label", None),
        ("GET", f"/cases/{case_id}", None),
        ("POST", "/locations", {"warehouse_code": "W1", "code": "NEW-1"}),
        ("POST", "/stocktakes", {"scope": "warehouse", "warehouse_code": "W1"}),
        ("GET", "/reports/capacity?warehouse_code=W1", None),
        ("PATCH", "/users/keeper", {"is_active": False}),
    ]


@pytest.mark.parametrize("index", range(22))
@pytest.mark.parametrize("outsider", ["other-manager", "other-keeper"])
def test_other_agency_gets_404_for_everything(client, world, item, index, outsider):
    method, path, body = _requests(item.code, world.cases["destroy"].id)[index]
    response = client.request(method, API + path, json=body, headers=world.headers(outsider))
    # A role that may never do this is told so (403) before anything is looked up, which
    # reveals nothing about the other agency; every other answer must be 404.
    expected = {404, 403} if response.status_code == 403 and "may not" in response.text else {404}
    assert response.status_code in expected, (method, path, response.status_code, response.text)


def test_lists_show_only_own_agencies(client, session, world, item):
    make_item(
        session, world, actor="other-keeper", case_id=world.cases["other"].id, location_code="X1"
    )
    headers = world.headers("other-keeper")
    codes = {i["code"] for i in client.get(f"{API}/items", headers=headers).json()["items"]}
    assert item.code not in codes and len(codes) == 1
    assert {w["code"] for w in client.get(f"{API}/warehouses", headers=headers).json()} == {"W9"}
    assert {a["code"] for a in client.get(f"{API}/agencies", headers=headers).json()} == {"B-PROV"}
    cases = client.get(f"{API}/cases", headers=headers).json()
    assert [c["judgment_number"] for c in cases] == ["9/2026/HS-ST"]
    locations = client.get(f"{API}/locations", headers=headers).json()
    assert {loc["code"] for loc in locations} == {"X1"}


def test_parent_manager_and_auditor_see_the_child_agency(client, session, world):
    child_item = make_item(session, world, actor="manager", location_code="D1")
    for role in ("manager", "auditor"):
        response = client.get(f"{API}/items/{child_item.code}", headers=world.headers(role))
        assert response.status_code == 200, role
    assert client.get(f"{API}/locations/D1", headers=world.headers("manager")).status_code == 200


def test_parent_keeper_and_child_keeper_do_not_see_each_other(client, session, world, item):
    child_item = make_item(session, world, actor="manager", location_code="D1")
    assert client.get(f"{API}/items/{child_item.code}", headers=world.headers()).status_code == 404
    response = client.get(f"{API}/items/{item.code}", headers=world.headers("child-keeper"))
    assert response.status_code == 404
    own = client.get(f"{API}/items/{child_item.code}", headers=world.headers("child-keeper"))
    assert own.status_code == 200


def test_an_item_moved_into_another_agencys_warehouse_belongs_to_it(client, session, world):
    child_item = make_item(session, world, actor="manager", location_code="D1")
    moved = client.post(
        f"{API}/items/{child_item.code}/moves",
        json={"to_location_code": "S1"},
        headers=world.headers("manager"),
    )
    assert moved.status_code == 200
    assert client.get(f"{API}/items/{child_item.code}", headers=world.headers()).status_code == 200
    gone = client.get(f"{API}/items/{child_item.code}", headers=world.headers("child-keeper"))
    assert gone.status_code == 404


def test_duplicate_decision_of_another_agency_does_not_name_its_case(client, world):
    body = {
        "judgment_number": "1/2026/HS-ST",
        "court": "TAND",
        "decision_issuer": "Cục THADS A",
        "decision_year": 2026,
        "decision_number": "1",
    }
    response = client.post(f"{API}/cases", json=body, headers=world.headers("other-keeper"))
    assert (
        response.status_code == 409 and "case" not in response.json()["detail"].split("recorded")[1]
    )
