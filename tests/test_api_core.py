"""HTTP API: auth, users, agencies, warehouses, locations, cases, health and error shape."""

import uuid
from typing import Any

import pytest

from tests.factories import LOCATIONS, PASSWORD, World, item_data

API = "/api/v1"


def post(
    client: Any, world: World, path: str, body: Any, user: str = "keeper", **headers: str
) -> Any:
    """POST as ``user`` (no Idempotency-Key unless given in ``headers``)."""
    all_headers = {**world.headers(user), **headers}
    return client.post(API + path, json=body, headers=all_headers)


def get(client: Any, world: World, path: str, user: str = "keeper", **params: Any) -> Any:
    return client.get(API + path, headers=world.headers(user), params=params)


def login(client: Any, username: str, password: str) -> Any:
    return client.post(f"{API}/auth/token", data={"username": username, "password": password})


def assert_error(response: Any, status: int) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert "detail" in body
    return body["detail"]


def error_locs(detail: list[dict[str, Any]]) -> list[list[Any]]:
    return [e["loc"] for e in detail]


# --- auth ------------------------------------------------------------------------------------


def test_login_returns_bearer_token_that_identifies_the_user(client, world):
    response = login(client, "keeper", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    me = client.get(f"{API}/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "username": "keeper",
        "full_name": "Keeper",
        "role": "keeper",
        "agency_code": "A-PROV",
        "is_active": True,
    }


def test_login_with_wrong_password_returns_401_with_www_authenticate(client, world):
    response = login(client, "keeper", PASSWORD + "x")
    detail = assert_error(response, 401)
    assert "incorrect" in detail
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_login_with_unknown_user_returns_401_same_message(client, world):
    wrong_password = login(client, "keeper", "not-the-password")
    unknown = login(client, "nobody-here", PASSWORD)
    assert assert_error(unknown, 401) == assert_error(wrong_password, 401)
    assert unknown.headers["WWW-Authenticate"] == "Bearer"


def test_request_without_token_returns_401(client, world):
    response = client.get(f"{API}/users/me")
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_request_with_garbage_token_returns_401(client, world):
    response = client.get(f"{API}/users/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_disabled_user_is_refused_even_with_a_valid_token(client, world, session):
    headers = world.headers("keeper")  # token issued while the user is active
    assert client.get(f"{API}/users/me", headers=headers).status_code == 200
    world.users["keeper"].is_active = False
    session.add(world.users["keeper"])
    session.commit()
    assert_error(client.get(f"{API}/users/me", headers=headers), 401)
    assert_error(login(client, "keeper", PASSWORD), 401)


def test_create_with_idempotency_key_resent_returns_first_response(client, world):
    body = {"code": "A-NEW", "name": "Chi cục mới", "parent_code": "A-PROV"}
    key = uuid.uuid4().hex
    first = post(client, world, "/agencies", body, user="admin", **{"Idempotency-Key": key})
    again = post(client, world, "/agencies", body, user="admin", **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    other = post(
        client,
        world,
        "/agencies",
        {**body, "name": "khác"},
        user="admin",
        **{"Idempotency-Key": key},
    )
    assert "different request" in assert_error(other, 409)


# --- agencies --------------------------------------------------------------------------------


def test_admin_creates_child_agency_201(client, world):
    response = post(
        client,
        world,
        "/agencies",
        {"code": "A-DIST2", "name": "Chi cục A2", "parent_code": "A-PROV"},
        user="admin",
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"code": "A-DIST2", "name": "Chi cục A2", "parent_code": "A-PROV"}
    codes = [a["code"] for a in get(client, world, "/agencies", user="admin").json()]
    assert codes == ["A-DIST", "A-DIST2", "A-PROV"]


def test_keeper_cannot_create_agency_403(client, world):
    response = post(
        client, world, "/agencies", {"code": "A-DIST2", "name": "x", "parent_code": "A-PROV"}
    )
    assert "manage agencies" in assert_error(response, 403)


def test_duplicate_agency_code_returns_409(client, world):
    response = post(
        client,
        world,
        "/agencies",
        {"code": "A-DIST", "name": "x", "parent_code": "A-PROV"},
        user="admin",
    )
    assert "already exists" in assert_error(response, 409)


def test_agency_with_bad_code_returns_422_naming_code(client, world):
    response = post(
        client,
        world,
        "/agencies",
        {"code": "a dist", "name": "x", "parent_code": "A-PROV"},
        user="admin",
    )
    assert ["body", "code"] in error_locs(assert_error(response, 422))


def test_admin_cannot_create_agency_under_foreign_parent_422(client, world):
    response = post(
        client,
        world,
        "/agencies",
        {"code": "B-DIST", "name": "x", "parent_code": "B-PROV"},
        user="admin",
    )
    assert ["body", "parent_code"] in error_locs(assert_error(response, 422))


# --- warehouses and locations ----------------------------------------------------------------


def test_manager_creates_warehouse_201_and_lists_it(client, world):
    response = post(client, world, "/warehouses", {"code": "W3", "name": "Kho Ba"}, user="manager")
    assert response.status_code == 201, response.text
    assert response.json() == {
        "code": "W3",
        "name": "Kho Ba",
        "address": None,
        "agency_code": "A-PROV",
        "custodian": {
            "kind": "own",
            "name": "",
            "representative": "",
            "position": "",
            "contract": "",
        },
        "held_by_others": False,
    }
    codes = [w["code"] for w in get(client, world, "/warehouses", user="manager").json()]
    assert codes == ["W1", "W2", "W3"]  # the manager of the parent also sees the child's W2


def test_duplicate_warehouse_returns_409(client, world):
    response = post(client, world, "/warehouses", {"code": "W1", "name": "again"}, user="manager")
    assert "already exists" in assert_error(response, 409)


def test_keeper_cannot_create_warehouse_403(client, world):
    assert_error(post(client, world, "/warehouses", {"code": "W3", "name": "Kho Ba"}), 403)


def test_create_location_201_with_label_and_parent(client, world):
    body = {
        "warehouse_code": "W1",
        "code": "S1-B",
        "parent_code": "R1",
        "max_items": 5,
        "allowed_hazard_classes": ["flammable_liquid", "6,1"],
    }
    response = post(client, world, "/locations", body, user="manager")
    assert response.status_code == 201, response.text
    loc = response.json()
    assert loc["code"] == "S1-B"
    assert loc["warehouse_code"] == "W1"
    assert loc["parent_code"] == "R1"
    assert loc["max_items"] == 5
    assert loc["allowed_hazard_classes"] == ["3", "6.1"]  # normalised
    assert loc["label_payload"].startswith("EV1LS1B")
    assert loc["usage"] == {"items": 0, "net_weight_kg": 0.0, "volume_l": 0.0}
    assert loc["children"] == []


def test_duplicate_location_code_returns_409(client, world):
    response = post(
        client,
        world,
        "/locations",
        {"warehouse_code": "W1", "code": "S1", "parent_code": "R1"},
        user="manager",
    )
    assert "already used" in assert_error(response, 409)


def test_location_code_differing_only_by_dashes_returns_409(client, world):
    response = post(
        client, world, "/locations", {"warehouse_code": "W1", "code": "SEC1"}, user="manager"
    )
    assert "SEC-1" in assert_error(response, 409)


def test_location_parent_in_another_warehouse_returns_422(client, world):
    response = post(
        client,
        world,
        "/locations",
        {"warehouse_code": "W1", "code": "S9", "parent_code": "D1"},
        user="manager",
    )
    assert ["body", "parent_code"] in error_locs(assert_error(response, 422))


def test_location_with_unknown_hazard_class_returns_422(client, world):
    response = post(
        client,
        world,
        "/locations",
        {"warehouse_code": "W1", "code": "S9", "allowed_hazard_classes": ["9.9"]},
        user="manager",
    )
    detail = assert_error(response, 422)
    assert ["body", "allowed_hazard_classes"] in error_locs(detail)
    assert "9.9" in detail[0]["msg"]


def test_location_with_lowercase_code_returns_422(client, world):
    response = post(
        client, world, "/locations", {"warehouse_code": "W1", "code": "s9"}, user="manager"
    )
    assert ["body", "code"] in error_locs(assert_error(response, 422))


def test_keeper_cannot_create_location_403(client, world):
    assert_error(post(client, world, "/locations", {"warehouse_code": "W1", "code": "S9"}), 403)


def test_get_location_shows_children_and_usage_after_intakes(client, world):
    for code, weight in (("S1", 1500.0), ("S1", 500.0), ("S2", 250.0)):
        response = post(
            client,
            world,
            "/items",
            item_data(world, location_code=code, net_weight_g=weight, gross_weight_g=weight + 100),
        )
        assert response.status_code == 201, response.text
    response = get(client, world, "/locations/R1")
    assert response.status_code == 200
    room = response.json()
    assert room["parent_code"] is None
    assert room["usage"] == {"items": 3, "net_weight_kg": 2.25, "volume_l": 0.0}
    children = {c["code"]: c["usage"] for c in room["children"]}
    assert children == {
        "S1": {"items": 2, "net_weight_kg": 2.0, "volume_l": 0.0},
        "S2": {"items": 1, "net_weight_kg": 0.25, "volume_l": 0.0},
    }
    shelf = get(client, world, "/locations/S1").json()
    assert shelf["parent_code"] == "R1"
    assert shelf["max_items"] == 2
    assert shelf["usage"]["items"] == 2


def test_get_location_by_label_key_without_dashes(client, world):
    response = get(client, world, "/locations/sec1")
    assert response.status_code == 200
    assert response.json()["code"] == "SEC-1"


def test_list_locations_by_warehouse(client, world):
    response = get(client, world, "/locations", user="manager", warehouse_code="W1")
    assert response.status_code == 200
    expected = {code for wh, code, *_ in LOCATIONS if wh == "W1"}
    assert {loc["code"] for loc in response.json()} == expected
    assert all(loc["warehouse_code"] == "W1" for loc in response.json())


def test_unknown_location_returns_404(client, world):
    assert "NOPE" in assert_error(get(client, world, "/locations/NOPE"), 404)


def test_location_code_with_bad_characters_returns_404_not_500(client, world):
    assert_error(get(client, world, "/locations/S1@"), 404)


def test_other_agency_keeper_gets_404_for_our_locations(client, world):
    assert_error(get(client, world, "/locations/S1", user="other-keeper"), 404)
    listed = get(client, world, "/locations", user="other-keeper", warehouse_code="W1")
    assert listed.status_code == 200
    assert listed.json() == []
    own = get(client, world, "/locations", user="other-keeper").json()
    assert [loc["code"] for loc in own] == ["X1"]


def test_parent_agency_manager_sees_child_agency_locations(client, world):
    response = get(client, world, "/locations/D1", user="manager")
    assert response.status_code == 200
    assert response.json()["warehouse_code"] == "W2"
    listed = get(client, world, "/locations", user="manager", warehouse_code="W2").json()
    assert [loc["code"] for loc in listed] == ["D1"]


def test_parent_agency_keeper_does_not_see_child_agency_locations(client, world):
    assert_error(get(client, world, "/locations/D1", user="keeper"), 404)


def test_manager_cannot_create_location_in_foreign_warehouse_404(client, world):
    response = post(
        client, world, "/locations", {"warehouse_code": "W9", "code": "S9"}, user="manager"
    )
    assert_error(response, 404)


# --- cases -----------------------------------------------------------------------------------


def case_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "judgment_number": "311/2025/HS-ST",
        "court": "TAND tỉnh Lạng Sơn",
        "decision_issuer": "Cục THADS A",
        "decision_year": 2025,
        "decision_number": "77",
        "disposition": "destroy",
    }
    body.update(overrides)
    return body


def test_create_case_201_and_get_it(client, world):
    response = post(client, world, "/cases", case_body())
    assert response.status_code == 201, response.text
    case = response.json()
    assert case["judgment_number"] == "311/2025/HS-ST"
    assert case["agency_code"] == "A-PROV"
    assert case["disposition"] == "destroy"
    assert case["legal_regime"] == "from_2026_07_01"
    fetched = get(client, world, f"/cases/{case['id']}")
    assert fetched.status_code == 200
    detail = fetched.json()
    assert {k: detail[k] for k in case} == case  # and the lists of the case page besides
    assert [j["number"] for j in detail["judgments"]] == ["311/2025/HS-ST"]
    assert detail["enforcement_decisions"][0]["day_known"] is False
    listed = get(client, world, "/cases", judgment_number="311/2025/HS-ST").json()
    assert [c["id"] for c in listed] == [case["id"]]


def test_duplicate_enforcement_decision_returns_409(client, world):
    # world case "destroy" is decision 1/2026 of "Cục THADS A"
    response = post(client, world, "/cases", case_body(decision_year=2026, decision_number="1"))
    assert "already recorded" in assert_error(response, 409)


def test_same_decision_number_in_another_year_is_allowed(client, world):
    response = post(client, world, "/cases", case_body(decision_year=2025, decision_number="1"))
    assert response.status_code == 201, response.text


def test_same_decision_number_of_another_issuer_is_allowed(client, world):
    response = post(
        client,
        world,
        "/cases",
        case_body(decision_year=2026, decision_number="1", decision_issuer="Chi cục A1"),
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "judgment", ["311-2025-HS-ST", "311/25/HS-ST", "abc/2025/HS-ST", "311/2025/hs st"]
)
def test_case_with_bad_judgment_number_returns_422(client, world, judgment):
    response = post(client, world, "/cases", case_body(judgment_number=judgment))
    assert ["body", "judgment_number"] in error_locs(assert_error(response, 422))


def test_auditor_cannot_create_case_403(client, world):
    assert_error(post(client, world, "/cases", case_body(), user="auditor"), 403)


def test_case_of_another_agency_returns_404(client, world):
    other = world.cases["other"].id
    assert_error(get(client, world, f"/cases/{other}"), 404)
    assert get(client, world, f"/cases/{other}", user="other-keeper").status_code == 200


def test_unknown_case_returns_404(client, world):
    assert_error(get(client, world, "/cases/999999"), 404)


# --- health, OpenAPI, error shape ------------------------------------------------------------


def test_healthz_is_200_without_token(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_200_when_database_is_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"


def test_openapi_is_served_with_the_contract_paths(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/users/me",
        "/api/v1/agencies",
        "/api/v1/warehouses",
        "/api/v1/locations",
        "/api/v1/locations/{code}",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/items",
        "/api/v1/items/batch",
        "/api/v1/items/{code}",
        "/api/v1/items/{code}/moves",
        "/api/v1/items/{code}/custody",
    ):
        assert path in paths, path


def test_every_error_is_json_with_detail(client, world):
    responses = [
        (client.get(f"{API}/users/me"), 401),
        (login(client, "keeper", "wrong-password"), 401),
        (post(client, world, "/warehouses", {"code": "W3", "name": "x"}), 403),
        (get(client, world, "/locations/NOPE"), 404),
        (get(client, world, "/cases/999999"), 404),
        (post(client, world, "/warehouses", {"code": "W1", "name": "x"}, user="manager"), 409),
        (post(client, world, "/cases", {"court": "x"}), 422),
        (
            client.post(
                f"{API}/cases",
                content=b"{not json",
                headers={
                    **world.headers("keeper"),
                    "Idempotency-Key": "k",
                    "Content-Type": "application/json",
                },
            ),
            422,
        ),
        (client.get(f"{API}/no-such-thing", headers=world.headers("keeper")), 404),
    ]
    for response, status in responses:
        assert_error(response, status)


@pytest.mark.parametrize(
    "path",
    [
        "/cases/3126506831386227245056",
        "/items?offset=32876103135650590720",
        "/stocktakes/57922481099455833715880493056/lines",
        "/reports/ageing?destruction_deadline_days=1503331379",
    ],
)
def test_numbers_beyond_what_the_database_holds_are_422_not_500(client, world, path):
    response = client.get(API + path, headers=world.headers("manager"))
    assert response.status_code == 422, response.text
    assert "detail" in response.json()


def test_text_with_lone_surrogates_is_refused_cleanly(client, world):
    response = client.post(
        API + "/scan",
        content='{"payload": "EV1\\udacd"}',
        headers={**world.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code in (404, 422), response.text
