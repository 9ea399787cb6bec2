"""The scanners' lookup answers exactly what the general path answers, and no more."""

import json

import pytest

from evidence_service.items import item_public
from evidence_service.items.hot_lookup import find_item
from tests.factories import make_item

API = "/api/v1"


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"location_code": None},
        {
            "category": "fireworks",
            "hazard_classes": ["1.4G"],
            "location_code": "F1",
            "seal_number": "NP-1",
            "delivered_by": {"name": "Nguyễn Văn A", "position": "Điều tra viên"},
            "net_weight_g": 39125.0,
            "gross_weight_g": 40000.0,
            "volume_l": 2.5,
        },
    ],
)
def test_the_hot_lookup_equals_the_general_one(client, world, session, overrides):
    code = make_item(session, world, **overrides).code
    keeper = world.users["keeper"]
    general = item_public(session, code, keeper).model_dump(mode="json")
    found = find_item(session, code, keeper)
    assert json.loads(found.model_dump_json()) == general
    response = client.get(f"{API}/items/{code}", headers=world.headers())
    assert response.status_code == 200
    assert response.json() == general
    assert response.headers["ETag"] == f'"{found.version}"'


def test_the_hot_lookup_keeps_agency_scope(client, world, session):
    code = make_item(session, world).code
    assert client.get(f"{API}/items/{code}", headers=world.headers("manager")).status_code == 200
    for outsider in ("other-keeper", "other-manager", "child-keeper"):
        refused = client.get(f"{API}/items/{code}", headers=world.headers(outsider))
        assert refused.status_code == 404, outsider
    child = make_item(session, world, actor="manager", location_code="D1").code  # in W2
    # The parent agency's manager sees the child agency's items (the scope, asked once).
    assert client.get(f"{API}/items/{child}", headers=world.headers("manager")).status_code == 200
    assert client.get(f"{API}/items/{child}", headers=world.headers("keeper")).status_code == 404
    assert client.get(f"{API}/items/VC26-999999-X", headers=world.headers()).status_code == 404


def test_the_hot_route_reads_its_token_as_the_other_routes_do(client, world, session):
    # It takes no dependencies (bench/README.md), so it reads the header itself.
    code = make_item(session, world).code
    token = world.headers()["Authorization"].split(" ", 1)[1]
    for header in (f"bearer {token}", f"Bearer {token}"):
        assert client.get(f"{API}/items/{code}", headers={"Authorization": header}).is_success
    for header in ({}, {"Authorization": token}, {"Authorization": f"Basic {token}"}):
        refused = client.get(f"{API}/items/{code}", headers=header)
        assert refused.status_code == 401, header
        assert refused.headers["WWW-Authenticate"] == "Bearer"
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/items/{code}"]["get"]
    assert operation["security"] == [{"OAuth2PasswordBearer": []}]
