"""HTTP API: item intake (single and batch), lookup, listing, idempotency, moves, custody."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from evidence_service.models import CustodyEvent, IdempotencyKey
from tests.factories import World, item_data

API = "/api/v1"
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def post(
    client: Any, world: World, path: str, body: Any, user: str = "keeper", **headers: str
) -> Any:
    return client.post(API + path, json=body, headers={**world.headers(user), **headers})


def get(client: Any, world: World, path: str, user: str = "keeper", **params: Any) -> Any:
    return client.get(API + path, headers=world.headers(user), params=params)


def intake(client: Any, world: World, user: str = "keeper", **overrides: Any) -> dict[str, Any]:
    response = post(client, world, "/items", item_data(world, **overrides), user=user)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def assert_error(response: Any, status: int) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert "detail" in body
    return body["detail"]


def error_locs(detail: list[dict[str, Any]]) -> list[list[Any]]:
    return [[str(part) for part in e["loc"]] for e in detail]


def item_total(client: Any, world: World, user: str = "manager") -> int:
    response = get(client, world, "/items", user=user)
    assert response.status_code == 200
    return response.json()["total"]  # type: ignore[no-any-return]


def custody_count(session: Session) -> int:
    """Items' events (the chain also holds those of users, locations, ...)."""
    items_only = col(CustodyEvent.item_id).is_not(None)
    return session.exec(select(func.count()).select_from(CustodyEvent).where(items_only)).one()


def custody(client: Any, world: World, code: str, user: str = "keeper") -> list[dict[str, Any]]:
    response = get(client, world, f"/items/{code}/custody", user=user)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


# --- intake ----------------------------------------------------------------------------------


def test_intake_into_location_returns_201_stored_item(client, world):
    item = intake(client, world, hazard_classes=[], seal_number="NP-001")
    assert re.fullmatch(r"VC\d{2}-\d{6,}-[0-9A-Z]", item["code"])
    assert (
        item["label_payload"] == "EV1I" + item["code"].replace("-", "") + item["label_payload"][-1]
    )
    assert item["status"] == "stored"
    assert item["location_code"] == "S2"
    assert item["version"] == 1
    assert item["case_id"] == world.cases["destroy"].id
    assert item["judgment_number"] == "1/2026/HS-ST"
    assert item["disposition"] == "destroy"  # the case's
    assert item["received_by"] == "keeper"
    assert item["seal_state"] == "intact"
    assert item["net_weight_g"] == item["seized_net_weight_g"] == 1000.0
    events = custody(client, world, item["code"])
    assert [(e["event_type"], e["from_location_code"], e["to_location_code"]) for e in events] == [
        ("intake", None, "S2")
    ]


def test_an_item_received_on_new_years_eve_evening_in_utc_is_numbered_in_the_new_year(
    client, world, monkeypatch
):
    # 31/12/2026 18:00 UTC is 01/01/2027 01:00 in Viet Nam: the code is a 2027 one.
    from evidence_service.items import intake as intake_module

    class NewYearsEve(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return datetime(2026, 12, 31, 18, 0, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(intake_module, "datetime", NewYearsEve)
    item = intake(client, world, location_code=None)
    assert item["code"].startswith("VC27-000001-")


def test_intake_without_location_returns_received_item(client, world):
    item = intake(client, world, location_code=None)
    assert item["status"] == "received"
    assert item["location_code"] is None


def test_intake_by_judgment_number(client, world):
    item = intake(client, world, case_id=None, judgment_number="2/2026/HS-ST")
    assert item["case_id"] == world.cases["pending"].id
    assert item["disposition"] == "pending"


def test_intake_by_ambiguous_judgment_number_returns_422_naming_field(client, world, session):
    for number in ("50", "51"):
        case = {
            "judgment_number": "5/2026/HS-ST",
            "court": "TAND",
            "decision_issuer": "Cục THADS A",
            "decision_year": 2026,
            "decision_number": number,
        }
        assert post(client, world, "/cases", case).status_code == 201
    before = custody_count(session)
    response = post(
        client, world, "/items", item_data(world, case_id=None, judgment_number="5/2026/HS-ST")
    )
    detail = assert_error(response, 422)
    assert detail[0]["loc"][-1] == "judgment_number"
    assert "several cases" in detail[0]["msg"]
    assert custody_count(session) == before


def test_intake_by_unknown_judgment_number_returns_422_naming_field(client, world):
    response = post(
        client, world, "/items", item_data(world, case_id=None, judgment_number="404/2026/HS-ST")
    )
    detail = assert_error(response, 422)
    assert detail[0]["loc"][-1] == "judgment_number"
    assert "no case" in detail[0]["msg"]


def test_intake_with_judgment_number_of_another_agency_returns_422(client, world):
    response = post(
        client, world, "/items", item_data(world, case_id=None, judgment_number="9/2026/HS-ST")
    )
    assert assert_error(response, 422)[0]["loc"][-1] == "judgment_number"


def test_intake_with_case_of_another_agency_returns_422_naming_case_id(client, world):
    response = post(client, world, "/items", item_data(world, case_id=world.cases["other"].id))
    assert assert_error(response, 422)[0]["loc"][-1] == "case_id"


def test_intake_without_case_returns_422(client, world):
    response = post(client, world, "/items", item_data(world, case_id=None))
    assert "case_id or judgment_number" in assert_error(response, 422)[0]["msg"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"net_weight_g": -5.0}, "net_weight_g"),
        ({"net_weight_g": 0}, "net_weight_g"),
        ({"gross_weight_g": 0}, "gross_weight_g"),
        ({"volume_l": -1}, "volume_l"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -2}, "quantity"),
        ({"category": "spaceship"}, "category"),
        ({"description": ""}, "description"),
        ({"seal_state": "glued"}, "seal_state"),
    ],
)
def test_intake_with_invalid_field_returns_422_naming_it(client, world, overrides, field):
    response = post(client, world, "/items", item_data(world, **overrides))
    assert ["body", field] in error_locs(assert_error(response, 422))


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"quantity": 1.5, "unit": "piece"}, "whole number"),
        ({"unit": "furlong"}, "unknown unit"),
        ({"net_weight_g": 1000.0, "gross_weight_g": 900.0}, "gross_weight_g"),
        ({"received_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}, "received_at"),
    ],
)
def test_intake_with_inconsistent_fields_returns_422_explaining(client, world, overrides, words):
    response = post(client, world, "/items", item_data(world, **overrides))
    assert words in assert_error(response, 422)[0]["msg"]


def test_intake_with_fractional_quantity_in_measured_unit_is_allowed(client, world):
    item = intake(client, world, quantity=1.25, unit="KG")
    assert (item["quantity"], item["unit"]) == (1.25, "kg")


def test_intake_into_unknown_location_returns_422_naming_location_code(client, world):
    response = post(client, world, "/items", item_data(world, location_code="NOPE"))
    detail = assert_error(response, 422)
    assert detail[0]["loc"][-1] == "location_code"
    assert "NOPE" in detail[0]["msg"]


def test_intake_into_other_agency_location_returns_422(client, world):
    response = post(client, world, "/items", item_data(world, location_code="X1"))
    assert assert_error(response, 422)[0]["loc"][-1] == "location_code"


def test_intake_with_unknown_hazard_class_returns_422(client, world):
    response = post(client, world, "/items", item_data(world, hazard_classes=["7"]))
    assert assert_error(response, 422)[0]["loc"][-1] == "hazard_classes"


@pytest.mark.parametrize("user", ["auditor", "council", "admin"])
def test_read_only_roles_cannot_intake_403(client, world, user):
    before = item_total(client, world)
    assert_error(post(client, world, "/items", item_data(world), user=user), 403)
    assert item_total(client, world) == before


def test_intake_without_token_returns_401(client, world):
    assert_error(client.post(f"{API}/items", json=item_data(world)), 401)


def child_case(client: Any, world: World) -> int:
    """A case of the child agency A-DIST, created by its keeper (it can't see A-PROV's cases)."""
    body = {
        "judgment_number": "7/2026/HS-ST",
        "court": "TAND huyện A1",
        "decision_issuer": "Chi cục A1",
        "decision_year": 2026,
        "decision_number": "7",
    }
    response = post(client, world, "/cases", body, user="child-keeper")
    assert response.status_code == 201, response.text
    assert response.json()["agency_code"] == "A-DIST"
    return response.json()["id"]  # type: ignore[no-any-return]


def test_child_keeper_cannot_use_parent_agency_case_422(client, world):
    response = post(
        client, world, "/items", item_data(world, location_code="D1"), user="child-keeper"
    )
    assert assert_error(response, 422)[0]["loc"][-1] == "case_id"


# --- lookup ----------------------------------------------------------------------------------


def test_get_item_by_code_lower_case_and_without_dashes(client, world):
    item = intake(client, world)
    code = item["code"]
    for variant in (code, code.lower(), code.replace("-", ""), code.replace("-", "").lower()):
        response = get(client, world, f"/items/{variant}")
        assert response.status_code == 200, variant
        assert response.json() == item


def test_get_unknown_item_returns_404(client, world):
    assert "VC26-999999-X" in assert_error(get(client, world, "/items/VC26-999999-X"), 404)


def test_get_item_with_bad_characters_returns_404_not_500(client, world):
    assert_error(get(client, world, "/items/VC26@1"), 404)


def test_item_of_another_agency_returns_404(client, world):
    item = intake(client, world)
    assert_error(get(client, world, f"/items/{item['code']}", user="other-keeper"), 404)
    assert_error(get(client, world, f"/items/{item['code']}/custody", user="other-keeper"), 404)
    assert get(client, world, "/items", user="other-keeper").json()["total"] == 0


def test_parent_manager_sees_child_agency_items_but_parent_keeper_does_not(client, world):
    item = intake(
        client, world, user="child-keeper", location_code="D1", case_id=child_case(client, world)
    )
    assert get(client, world, f"/items/{item['code']}", user="manager").status_code == 200
    assert_error(get(client, world, f"/items/{item['code']}", user="keeper"), 404)
    assert_error(get(client, world, f"/items/{item['code']}", user="other-manager"), 404)


# --- listing ---------------------------------------------------------------------------------


@pytest.fixture
def stock(client, world) -> dict[str, dict[str, Any]]:
    return {
        "phone_s1": intake(client, world, location_code="S1"),
        "phone_s2": intake(client, world, location_code="S2", category="document"),
        "fireworks": intake(
            client,
            world,
            location_code="F1",
            category="fireworks",
            hazard_classes=["1.4G"],
            case_id=world.cases["pending"].id,
        ),
        "solvent": intake(
            client, world, location_code="C1", category="chemical", hazard_classes=["3"]
        ),
        "received": intake(client, world, location_code=None),
        "child": intake(
            client,
            world,
            user="child-keeper",
            location_code="D1",
            case_id=child_case(client, world),
        ),
    }


def listed(client: Any, world: World, user: str = "manager", **params: Any) -> list[str]:
    response = get(client, world, "/items", user=user, **params)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"])
    return [i["code"] for i in page["items"]]


def test_list_items_filters(client, world, stock):
    code = {k: v["code"] for k, v in stock.items()}
    assert listed(client, world) == list(code.values())
    assert listed(client, world, user="keeper") == [c for k, c in code.items() if k != "child"]
    assert listed(client, world, status="received") == [code["received"]]
    assert listed(client, world, category="document") == [code["phone_s2"]]
    assert listed(client, world, location_code="R1") == [code["phone_s1"], code["phone_s2"]]
    assert listed(client, world, location_code="S1") == [code["phone_s1"]]
    assert listed(client, world, case_id=world.cases["pending"].id) == [code["fireworks"]]
    assert listed(client, world, hazard_class="1.4g") == [code["fireworks"]]
    assert listed(client, world, hazard_class="flammable_liquid") == [code["solvent"]]
    assert listed(client, world, warehouse_code="W2") == [code["child"]]
    assert listed(client, world, warehouse_code="W1", category="other") == [code["phone_s1"]]


def test_list_items_rejects_bad_filters_with_422(client, world):
    assert_error(get(client, world, "/items", status="lost"), 422)
    assert_error(get(client, world, "/items", category="spaceship"), 422)
    assert_error(get(client, world, "/items", limit=0), 422)
    assert_error(get(client, world, "/items", offset=-1), 422)


def test_list_items_by_unknown_location_returns_404(client, world):
    assert_error(get(client, world, "/items", location_code="NOPE"), 404)


def test_list_items_by_unknown_hazard_class_returns_422_naming_query_param(client, world):
    detail = assert_error(get(client, world, "/items", hazard_class="7"), 422)
    assert detail[0]["loc"] == ["query", "hazard_class"]


def test_list_items_pagination(client, world):
    codes = [intake(client, world, location_code=None)["code"] for _ in range(5)]
    response = get(client, world, "/items", limit=2, offset=1)
    page = response.json()
    assert page["total"] == 5
    assert (page["limit"], page["offset"]) == (2, 1)
    assert [i["code"] for i in page["items"]] == codes[1:3]
    last = get(client, world, "/items", limit=2, offset=4).json()
    assert [i["code"] for i in last["items"]] == codes[4:]
    assert get(client, world, "/items", limit=2, offset=10).json()["items"] == []


# --- batch -----------------------------------------------------------------------------------


def test_batch_intake_creates_all_items_in_order(client, world):
    body = {
        "items": [
            item_data(world, description=f"điện thoại {n}", location_code=None) for n in range(3)
        ]
    }
    response = post(client, world, "/items/batch", body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert [i["description"] for i in created] == ["điện thoại 0", "điện thoại 1", "điện thoại 2"]
    assert len({i["code"] for i in created}) == 3
    assert item_total(client, world) == 3


def test_batch_with_one_bad_item_creates_nothing(client, world, session):
    intake(client, world)
    items_before, events_before = item_total(client, world), custody_count(session)
    body = {
        "items": [
            item_data(world),
            item_data(world, location_code="S1"),
            item_data(world, case_id=999999),
        ]
    }
    detail = assert_error(post(client, world, "/items/batch", body), 422)
    assert detail[0]["loc"] == ["body", "items", "2", "case_id"]
    assert item_total(client, world) == items_before
    assert custody_count(session) == events_before


def test_batch_with_one_invalid_field_creates_nothing(client, world, session):
    events_before = custody_count(session)
    body = {"items": [item_data(world), item_data(world, quantity=0)]}
    detail = assert_error(post(client, world, "/items/batch", body), 422)
    assert ["body", "items", "1", "quantity"] in error_locs(detail)
    assert item_total(client, world) == 0
    assert custody_count(session) == events_before


def test_batch_over_capacity_creates_nothing(client, world, session):
    body = {"items": [item_data(world, location_code="S1") for _ in range(3)]}
    detail = assert_error(post(client, world, "/items/batch", body), 409)
    assert detail["code"] == "capacity_exceeded"
    assert item_total(client, world) == 0
    assert custody_count(session) == 0


def test_empty_batch_returns_422(client, world):
    assert_error(post(client, world, "/items/batch", {"items": []}), 422)


# --- idempotency -----------------------------------------------------------------------------


def test_same_idempotency_key_and_body_returns_first_response_and_creates_once(
    client, world, session
):
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = post(client, world, "/items", item_data(world), **key)
    again = post(client, world, "/items", item_data(world), **key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert item_total(client, world) == 1
    assert custody_count(session) == 1


def test_same_idempotency_key_with_other_body_returns_409(client, world):
    key = {"Idempotency-Key": "scan-0001"}
    assert post(client, world, "/items", item_data(world), **key).status_code == 201
    response = post(client, world, "/items", item_data(world, description="khác"), **key)
    assert "different request" in assert_error(response, 409)
    assert item_total(client, world) == 1


def test_idempotency_keys_are_per_user(client, world, session):
    key = {"Idempotency-Key": "shared-key"}
    a = post(client, world, "/items", item_data(world), user="keeper", **key)
    b = post(client, world, "/items", item_data(world), user="manager", **key)
    assert a.status_code == b.status_code == 201
    assert a.json()["code"] != b.json()["code"]
    assert item_total(client, world) == 2
    stored = session.exec(select(IdempotencyKey).where(IdempotencyKey.key == "shared-key")).all()
    assert len(stored) == 2


def test_batch_resent_with_same_key_creates_once(client, world):
    key = {"Idempotency-Key": "batch-1"}
    body = {"items": [item_data(world, location_code=None) for _ in range(2)]}
    first = post(client, world, "/items/batch", body, **key)
    again = post(client, world, "/items/batch", body, **key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert item_total(client, world) == 2


def test_failed_request_does_not_use_up_its_idempotency_key(client, world):
    key = {"Idempotency-Key": "retry-me"}
    assert_error(post(client, world, "/items", item_data(world, location_code="NOPE"), **key), 422)
    response = post(client, world, "/items", item_data(world, location_code="NOPE"), **key)
    assert_error(response, 422)  # evaluated again, not a replayed answer nor a 409
    assert post(client, world, "/items", item_data(world), **key).status_code == 201


def test_too_long_idempotency_key_returns_422(client, world):
    response = post(client, world, "/items", item_data(world), **{"Idempotency-Key": "k" * 201})
    assert_error(response, 422)
    assert item_total(client, world) == 0


def test_resent_move_with_same_key_moves_once(client, world, session):
    item = intake(client, world)
    key = {"Idempotency-Key": "move-1"}
    first = post(client, world, f"/items/{item['code']}/moves", {"to_location_code": "S1"}, **key)
    again = post(client, world, f"/items/{item['code']}/moves", {"to_location_code": "S1"}, **key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert [e["event_type"] for e in custody(client, world, item["code"])] == ["intake", "move"]


# --- moves -----------------------------------------------------------------------------------


def move(client: Any, world: World, code: str, to: str, user: str = "keeper", **extra: Any) -> Any:
    headers = extra.pop("headers", {})
    return post(
        client,
        world,
        f"/items/{code}/moves",
        {"to_location_code": to, **extra},
        user=user,
        **headers,
    )


def test_move_returns_moved_item_with_next_version(client, world):
    item = intake(client, world, location_code="S2")
    response = move(client, world, item["code"], "C2", reason="sắp xếp lại")
    assert response.status_code == 200, response.text
    moved = response.json()
    assert moved["code"] == item["code"]
    assert moved["location_code"] == "C2"
    assert moved["version"] == 2
    assert moved["status"] == "stored"
    assert get(client, world, f"/items/{item['code']}").json() == moved


def test_move_writes_custody_event_linked_in_the_hash_chain(client, session, world):
    item = intake(client, world, location_code="S2")
    move(client, world, item["code"], "C2", reason="sắp xếp lại")
    events = custody(client, world, item["code"])
    assert [e["event_type"] for e in events] == ["intake", "move"]
    intake_event, move_event = events
    assert (intake_event["from_location_code"], intake_event["to_location_code"]) == (None, "S2")
    assert (move_event["from_location_code"], move_event["to_location_code"]) == ("S2", "C2")
    assert move_event["reason"] == "sắp xếp lại"
    assert move_event["actor"] == "keeper"
    for e in events:
        assert HEX64.match(e["hash"]) and HEX64.match(e["prev_hash"])
    # Between them, the intake's implicit handover is recorded on the same chain.
    chain = session.exec(
        select(CustodyEvent.seq, CustodyEvent.hash, CustodyEvent.prev_hash)
        .where(CustodyEvent.seq >= intake_event["seq"], CustodyEvent.seq <= move_event["seq"])
        .order_by(CustodyEvent.seq)
    ).all()
    assert [row.seq for row in chain] == list(range(intake_event["seq"], move_event["seq"] + 1))
    assert chain[0].hash == intake_event["hash"] and chain[-1].prev_hash == chain[-2].hash
    assert all(
        later.prev_hash == earlier.hash for earlier, later in zip(chain, chain[1:], strict=False)
    )


def test_custody_chain_links_across_items(client, world):
    a = intake(client, world, location_code="S2")
    b = intake(client, world, location_code="C1")
    move(client, world, a["code"], "C2")
    events = sorted(
        custody(client, world, a["code"]) + custody(client, world, b["code"]),
        key=lambda e: e["seq"],
    )
    # In order on the one chain (each intake's implicit handover is recorded between).
    assert [e["event_type"] for e in events] == ["intake", "intake", "move"]
    assert events[0]["seq"] < events[1]["seq"] < events[2]["seq"]


def test_move_received_item_stores_it(client, world):
    item = intake(client, world, location_code=None)
    moved = move(client, world, item["code"], "S2").json()
    assert (moved["status"], moved["location_code"], moved["version"]) == ("stored", "S2", 2)


def test_move_with_current_version_succeeds(client, world):
    item = intake(client, world)
    assert move(client, world, item["code"], "C1", version=1).status_code == 200
    response = move(client, world, item["code"], "C2", headers={"If-Match": '"2"'})
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 3


@pytest.mark.parametrize("how", ["body", "if-match", "weak-etag"])
def test_move_with_stale_version_returns_409_and_changes_nothing(client, world, session, how):
    item = intake(client, world)
    move(client, world, item["code"], "C1")  # now version 2
    before = get(client, world, f"/items/{item['code']}").json()
    if how == "body":
        response = move(client, world, item["code"], "C2", version=1)
    elif how == "if-match":
        response = move(client, world, item["code"], "C2", headers={"If-Match": '"1"'})
    else:
        response = move(client, world, item["code"], "C2", headers={"If-Match": 'W/"1"'})
    detail = assert_error(response, 409)
    assert "version 1" in detail and "current 2" in detail
    assert get(client, world, f"/items/{item['code']}").json() == before
    assert len(custody(client, world, item["code"])) == 2


def test_move_with_unparseable_if_match_returns_422_and_changes_nothing(client, world):
    item = intake(client, world)
    response = move(client, world, item["code"], "C2", headers={"If-Match": "yesterday"})
    assert assert_error(response, 422)[0]["loc"][-1] == "If-Match"
    assert get(client, world, f"/items/{item['code']}").json()["version"] == 1


def test_unparseable_if_match_error_names_the_header(client, world):
    item = intake(client, world)
    response = move(client, world, item["code"], "C2", headers={"If-Match": "yesterday"})
    assert assert_error(response, 422)[0]["loc"] == ["header", "If-Match"]


def test_move_to_same_location_returns_409(client, world):
    item = intake(client, world, location_code="S2")
    assert "already at S2" in assert_error(move(client, world, item["code"], "S2"), 409)
    assert get(client, world, f"/items/{item['code']}").json()["version"] == 1


def test_move_to_unknown_location_returns_404(client, world):
    item = intake(client, world)
    assert "NOPE" in assert_error(move(client, world, item["code"], "NOPE"), 404)
    assert get(client, world, f"/items/{item['code']}").json()["location_code"] == "S2"


def test_move_to_other_agency_location_returns_404(client, world):
    item = intake(client, world)
    assert_error(move(client, world, item["code"], "X1"), 404)


def test_move_unknown_item_returns_404(client, world):
    assert_error(move(client, world, "VC26-999999-X", "S1"), 404)


@pytest.mark.parametrize("user", ["auditor", "council"])
def test_read_only_roles_cannot_move_403(client, world, user):
    item = intake(client, world)
    assert_error(move(client, world, item["code"], "C2", user=user), 403)
    assert get(client, world, f"/items/{item['code']}").json()["location_code"] == "S2"


def test_other_agency_cannot_move_our_item_404(client, world):
    item = intake(client, world)
    assert_error(move(client, world, item["code"], "X1", user="other-keeper"), 404)


def test_move_with_missing_target_returns_422(client, world):
    item = intake(client, world)
    response = post(client, world, f"/items/{item['code']}/moves", {"reason": "x"})
    assert ["body", "to_location_code"] in error_locs(assert_error(response, 422))
