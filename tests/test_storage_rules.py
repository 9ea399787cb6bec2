"""Storage rules through the HTTP API: capacity limits, hazard acceptance and segregation.

The world's W1 tree (see tests/factories.py): R1 {S1 (max 2 items), S2} accepts no hazardous
classes; R2 (max 100 kg) {F1} accepts explosives "1"; R3 {C1, C2} accepts 3, 5.1, 6.1 and 8;
SEC {SEC-1} is secure and accepts narcotics, weapons and cash.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from evidence_service.locations import load_hazard_table
from evidence_service.models import CustodyEvent
from tests.factories import World, item_data

API = "/api/v1"


def post(
    client: Any, world: World, path: str, body: Any, user: str = "keeper", **params: Any
) -> Any:
    return client.post(API + path, json=body, headers=world.headers(user), params=params)


def get(client: Any, world: World, path: str, user: str = "keeper", **params: Any) -> Any:
    return client.get(API + path, headers=world.headers(user), params=params)


def intake(client: Any, world: World, user: str = "keeper", **overrides: Any) -> dict[str, Any]:
    response = post(client, world, "/items", item_data(world, **overrides), user=user)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def kg(n: float) -> dict[str, float]:
    return {"net_weight_g": n * 1000, "gross_weight_g": n * 1000 + 100}


def move(client: Any, world: World, code: str, to: str, user: str = "keeper", **extra: Any) -> Any:
    return post(client, world, f"/items/{code}/moves", {"to_location_code": to, **extra}, user=user)


def conflict(response: Any) -> dict[str, Any]:
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, dict), detail
    return detail  # type: ignore[no-any-return]


def custody(client: Any, world: World, code: str) -> list[dict[str, Any]]:
    response = get(client, world, f"/items/{code}/custody")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@contextmanager
def nothing_changes(client: Any, world: World, session: Session) -> Iterator[None]:
    """Assert that the block leaves the items (and their versions) and the custody log alone."""

    def snapshot() -> tuple[Any, int]:
        page = get(client, world, "/items", user="manager", limit=500).json()
        items = [(i["code"], i["location_code"], i["status"], i["version"]) for i in page["items"]]
        events = session.exec(select(func.count()).select_from(CustodyEvent)).one()
        return (page["total"], items), events

    before = snapshot()
    yield
    assert snapshot() == before


# --- capacity: item count --------------------------------------------------------------------


def test_intake_into_full_location_returns_409_with_the_numbers(client, world, session):
    intake(client, world, location_code="S1")
    intake(client, world, location_code="S1")
    with nothing_changes(client, world, session):
        detail = conflict(post(client, world, "/items", item_data(world, location_code="S1")))
    assert detail["code"] == "capacity_exceeded"
    assert detail["overridable"] is True
    assert detail["violations"] == [
        {
            "location_code": "S1",
            "limit": "max_items",
            "used": 2,
            "limit_value": 2,
            "requested": 1,
            "free": 0,
        }
    ]
    assert "S1" in detail["message"]


def test_batch_larger_than_free_space_returns_409_requesting_all(client, world, session):
    intake(client, world, location_code="S1")
    body = {"items": [item_data(world, location_code="S1"), item_data(world, location_code="S1")]}
    with nothing_changes(client, world, session):
        detail = conflict(post(client, world, "/items/batch", body))
    (violation,) = detail["violations"]
    assert (violation["used"], violation["requested"], violation["free"]) == (1, 2, 1)


def test_move_into_full_location_returns_409(client, world, session):
    intake(client, world, location_code="S1")
    intake(client, world, location_code="S1")
    item = intake(client, world, location_code="S2")
    with nothing_changes(client, world, session):
        detail = conflict(move(client, world, item["code"], "S1"))
    assert detail["code"] == "capacity_exceeded"
    assert detail["violations"][0]["location_code"] == "S1"


def test_manager_override_of_capacity_on_intake_is_recorded(client, world):
    intake(client, world, location_code="S1")
    intake(client, world, location_code="S1")
    reason = "Kho quá tải, chờ tiêu hủy đợt 2"
    response = post(
        client,
        world,
        "/items",
        item_data(world, location_code="S1"),
        user="manager",
        override_reason=reason,
    )
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["location_code"] == "S1"
    (event,) = custody(client, world, item["code"])
    override = event["details"]["override"]
    assert override["reason"] == reason
    assert [(v["location_code"], v["limit"]) for v in override["capacity"]] == [("S1", "max_items")]
    assert get(client, world, "/locations/S1").json()["usage"]["items"] == 3


def test_manager_override_of_capacity_on_move_is_recorded(client, world):
    intake(client, world, location_code="S1")
    intake(client, world, location_code="S1")
    item = intake(client, world, location_code="S2")
    response = move(client, world, item["code"], "S1", user="manager", override_reason="tạm thời")
    assert response.status_code == 200, response.text
    assert response.json()["location_code"] == "S1"
    move_event = custody(client, world, item["code"])[-1]
    assert move_event["event_type"] == "move"
    assert move_event["details"]["override"]["reason"] == "tạm thời"


def test_manager_override_of_capacity_on_batch_is_recorded(client, world):
    body = {
        "items": [item_data(world, location_code="S1") for _ in range(3)],
        "override_reason": "đợt nhập lớn",
    }
    response = post(client, world, "/items/batch", body, user="manager")
    assert response.status_code == 201, response.text
    for item in response.json():
        assert (
            custody(client, world, item["code"])[0]["details"]["override"]["reason"]
            == "đợt nhập lớn"
        )


def test_keeper_with_override_reason_still_gets_409(client, world, session):
    intake(client, world, location_code="S1")
    intake(client, world, location_code="S1")
    item = intake(client, world, location_code="S2")
    with nothing_changes(client, world, session):
        detail = conflict(
            post(
                client,
                world,
                "/items",
                item_data(world, location_code="S1"),
                override_reason="xin vượt",
            )
        )
        moved = conflict(move(client, world, item["code"], "S1", override_reason="xin vượt"))
    assert detail["code"] == moved["code"] == "capacity_exceeded"
    assert "manager" in detail["hint"]


def test_manager_with_blank_override_reason_gets_409(client, world, session):
    intake(client, world, location_code="S1")
    intake(client, world, location_code="S1")
    with nothing_changes(client, world, session):
        conflict(
            post(
                client,
                world,
                "/items",
                item_data(world, location_code="S1"),
                user="manager",
                override_reason="   ",
            )
        )


def test_received_items_do_not_count_towards_capacity(client, world):
    intake(client, world, location_code=None)
    intake(client, world, location_code="S1")
    intake(client, world, location_code="S1")
    assert get(client, world, "/locations/S1").json()["usage"]["items"] == 2


# --- capacity: a room's limit holds for the sum of its children ------------------------------


def test_room_weight_limit_holds_for_sum_of_children(client, world, session):
    intake(client, world, location_code="F1", **kg(60))
    with nothing_changes(client, world, session):
        detail = conflict(
            post(client, world, "/items", item_data(world, location_code="F1", **kg(50)))
        )
    assert detail["code"] == "capacity_exceeded"
    assert detail["violations"] == [
        {
            "location_code": "R2",
            "limit": "max_weight_kg",
            "used": 60.0,
            "limit_value": 100.0,
            "requested": 50.0,
            "free": 40.0,
        }
    ]
    assert intake(client, world, location_code="F1", **kg(40))["location_code"] == "F1"
    room = get(client, world, "/locations/R2").json()
    assert room["usage"]["net_weight_kg"] == pytest.approx(100.0)


def test_move_from_outside_into_full_room_returns_409(client, world, session):
    intake(client, world, location_code="F1", **kg(80))
    heavy = intake(client, world, location_code="S2", **kg(30))
    with nothing_changes(client, world, session):
        detail = conflict(move(client, world, heavy["code"], "F1"))
    assert detail["violations"][0]["location_code"] == "R2"
    assert detail["violations"][0]["requested"] == 30.0


def test_move_within_the_same_limited_room_does_not_count_twice(client, world, session):
    intake(client, world, location_code="F1", **kg(60))
    inside = intake(client, world, location_code="R2", **kg(30))  # the room is at 90 of 100 kg
    response = move(client, world, inside["code"], "F1")
    assert response.status_code == 200, response.text
    assert get(client, world, "/locations/R2").json()["usage"]["net_weight_kg"] == pytest.approx(
        90.0
    )
    with nothing_changes(client, world, session):  # and the room is still nearly full
        conflict(post(client, world, "/items", item_data(world, location_code="F1", **kg(30))))


def test_items_without_weight_do_not_use_weight_capacity(client, world):
    intake(client, world, location_code="F1", **kg(100))
    item = intake(client, world, location_code="F1", net_weight_g=None, gross_weight_g=None)
    assert item["location_code"] == "F1"


# --- hazard classes a location accepts -------------------------------------------------------


@pytest.mark.parametrize("target", ["S2", "R1"])
def test_fireworks_into_location_without_hazard_classes_returns_409(client, world, session, target):
    with nothing_changes(client, world, session):
        detail = conflict(
            post(
                client,
                world,
                "/items",
                item_data(
                    world, location_code=target, category="fireworks", hazard_classes=["1.4G"]
                ),
                user="manager",
                override_reason="không được",
            )
        )
    assert detail["code"] == "location_refuses_hazard"
    assert detail["location_code"] == target
    assert detail["overridable"] is False
    assert [(r["item"], r["code"], r["hazard_class"]) for r in detail["refusals"]] == [
        ("#1", "class_not_allowed", "1.4G")
    ]


def test_fireworks_into_explosives_shelf_is_stored(client, world):
    item = intake(client, world, location_code="F1", category="fireworks", hazard_classes=["1,4g"])
    assert item["location_code"] == "F1"
    assert item["hazard_classes"] == ["1.4G"]


def test_move_fireworks_out_of_their_room_into_general_shelf_returns_409(client, world, session):
    item = intake(client, world, location_code="F1", category="fireworks", hazard_classes=["1.4G"])
    with nothing_changes(client, world, session):
        assert (
            conflict(move(client, world, item["code"], "S2"))["code"] == "location_refuses_hazard"
        )


def test_narcotics_into_non_secure_location_returns_409(client, world, session):
    with nothing_changes(client, world, session):
        detail = conflict(
            post(
                client,
                world,
                "/items",
                item_data(world, location_code="S2", category="drug", hazard_classes=["narcotics"]),
            )
        )
    assert detail["code"] == "location_refuses_hazard"
    assert "requires_secure_location" in {r["code"] for r in detail["refusals"]}


def test_narcotics_refused_by_non_secure_location_that_lists_them(client, world, session):
    body = {
        "warehouse_code": "W1",
        "code": "N1",
        "kind": "room",
        "allowed_hazard_classes": ["narcotics"],
    }
    assert post(client, world, "/locations", body, user="manager").status_code == 201
    with nothing_changes(client, world, session):
        detail = conflict(
            post(
                client,
                world,
                "/items",
                item_data(world, location_code="N1", category="drug", hazard_classes=["drugs"]),
                user="manager",
                override_reason="thử",
            )
        )
    assert [(r["code"], r["hazard_class"]) for r in detail["refusals"]] == [
        ("requires_secure_location", "narcotics")
    ]


def test_narcotics_into_secure_location_are_stored(client, world):
    item = intake(
        client, world, location_code="SEC-1", category="drug", hazard_classes=["narcotics"]
    )
    assert (item["location_code"], item["hazard_classes"]) == ("SEC-1", ["narcotics"])


# --- hazard segregation ----------------------------------------------------------------------


def test_segregation_table_levels_used_below():
    table = load_hazard_table()
    assert table.rule("5.1", "3") == "separate_location"
    assert table.rule("1.4G", "3") == "separate_room"


def test_oxidiser_next_to_flammable_in_same_location_returns_409_overridable(
    client, world, session
):
    solvent = intake(client, world, location_code="C1", category="chemical", hazard_classes=["3"])
    with nothing_changes(client, world, session):
        detail = conflict(
            post(
                client,
                world,
                "/items",
                item_data(world, location_code="C1", category="chemical", hazard_classes=["5.1"]),
            )
        )
    assert detail["code"] == "hazard_segregation"
    assert detail["overridable"] is True
    assert detail["location_code"] == "C1"
    (c,) = detail["conflicts"]
    assert (
        c["incoming_item"],
        c["item_code"],
        c["incoming_class"],
        c["present_class"],
        c["rule"],
    ) == ("#1", solvent["code"], "5.1", "3", "separate_location")


def test_oxidiser_in_other_location_of_same_room_is_stored(client, world):
    intake(client, world, location_code="C1", category="chemical", hazard_classes=["3"])
    item = intake(
        client, world, location_code="C2", category="chemical", hazard_classes=["oxidiser"]
    )
    assert (item["location_code"], item["hazard_classes"]) == ("C2", ["5.1"])


def test_compatible_classes_share_a_location(client, world):
    intake(client, world, location_code="C1", category="chemical", hazard_classes=["3"])
    assert intake(client, world, location_code="C1", category="chemical", hazard_classes=["8"])


def test_manager_override_of_separate_location_rule_is_recorded(client, world):
    intake(client, world, location_code="C1", category="chemical", hazard_classes=["3"])
    response = post(
        client,
        world,
        "/items",
        item_data(world, location_code="C1", category="chemical", hazard_classes=["5.1"]),
        user="manager",
        override_reason="thùng kín, tạm 1 ngày",
    )
    assert response.status_code == 201, response.text
    (event,) = custody(client, world, response.json()["code"])
    override = event["details"]["override"]
    assert override["reason"] == "thùng kín, tạm 1 ngày"
    assert [s["rule"] for s in override["segregation"]] == ["separate_location"]


def test_keeper_cannot_override_segregation(client, world, session):
    intake(client, world, location_code="C1", category="chemical", hazard_classes=["3"])
    with nothing_changes(client, world, session):
        conflict(
            post(
                client,
                world,
                "/items",
                item_data(world, location_code="C1", category="chemical", hazard_classes=["5.1"]),
                override_reason="xin",
            )
        )


def test_move_oxidiser_next_to_flammable_returns_409(client, world, session):
    intake(client, world, location_code="C1", category="chemical", hazard_classes=["3"])
    oxidiser = intake(
        client, world, location_code="C2", category="chemical", hazard_classes=["5.1"]
    )
    with nothing_changes(client, world, session):
        detail = conflict(move(client, world, oxidiser["code"], "C1"))
    assert detail["code"] == "hazard_segregation"
    assert detail["conflicts"][0]["incoming_item"] == oxidiser["code"]


def test_incompatible_items_in_one_batch_return_409(client, world, session):
    body = {
        "items": [
            item_data(world, location_code="C1", category="chemical", hazard_classes=["3"]),
            item_data(world, location_code="C1", category="chemical", hazard_classes=["5.1"]),
        ]
    }
    with nothing_changes(client, world, session):
        detail = conflict(post(client, world, "/items/batch", body))
    assert detail["code"] == "hazard_segregation"
    assert {(c["incoming_item"], c["item_code"]) for c in detail["conflicts"]} == {("#2", "#1")}


@pytest.fixture
def mixed_room(client, world) -> None:
    """A room RX accepting explosives and flammable liquids, with two shelves."""
    for code, parent, kind in (
        ("RX", None, "room"),
        ("RX-A", "RX", "shelf"),
        ("RX-B", "RX", "shelf"),
    ):
        body = {
            "warehouse_code": "W1",
            "code": code,
            "parent_code": parent,
            "kind": kind,
            "allowed_hazard_classes": ["1", "3"],
        }
        response = post(client, world, "/locations", body, user="manager")
        assert response.status_code == 201, response.text


@pytest.mark.usefixtures("mixed_room")
def test_separate_room_conflict_is_refused_even_for_manager_override(client, world, session):
    solvent = intake(client, world, location_code="RX-A", category="chemical", hazard_classes=["3"])
    with nothing_changes(client, world, session):
        detail = conflict(
            post(
                client,
                world,
                "/items",
                item_data(
                    world, location_code="RX-B", category="fireworks", hazard_classes=["1.4G"]
                ),
                user="manager",
                override_reason="chỉ một đêm",
            )
        )
    assert detail["code"] == "hazard_segregation"
    assert detail["overridable"] is False
    (c,) = detail["conflicts"]
    assert (
        c["item_code"],
        c["incoming_class"],
        c["present_class"],
        c["rule"],
        c["overridable"],
    ) == (solvent["code"], "1.4G", "3", "separate_room", False)


@pytest.mark.usefixtures("mixed_room")
def test_move_into_room_holding_incompatible_class_is_refused_for_manager(client, world, session):
    intake(client, world, location_code="RX-A", category="chemical", hazard_classes=["3"])
    fireworks = intake(
        client, world, location_code="F1", category="fireworks", hazard_classes=["1.4G"]
    )
    with nothing_changes(client, world, session):
        detail = conflict(
            move(
                client,
                world,
                fireworks["code"],
                "RX-B",
                user="manager",
                override_reason="chỉ một đêm",
            )
        )
    assert detail["overridable"] is False
    assert detail["conflicts"][0]["rule"] == "separate_room"


@pytest.mark.usefixtures("mixed_room")
def test_incompatible_classes_in_different_rooms_are_stored(client, world):
    intake(client, world, location_code="RX-A", category="chemical", hazard_classes=["3"])
    item = intake(client, world, location_code="F1", category="fireworks", hazard_classes=["1.4G"])
    assert item["location_code"] == "F1"


# --- batches: the rules hold for the whole batch, whatever locations it names ----------------


def test_batch_naming_one_location_in_two_spellings_respects_its_limit(client, world, session):
    body = {"items": [item_data(world, location_code=code) for code in ("S1", "S1", "s1")]}
    with nothing_changes(client, world, session):
        assert conflict(post(client, world, "/items/batch", body))["code"] == "capacity_exceeded"


def test_batch_into_two_locations_of_limited_room_respects_room_limit(client, world, session):
    body = {
        "items": [
            item_data(world, location_code="F1", **kg(60)),
            item_data(world, location_code="R2", **kg(50)),
        ]
    }
    with nothing_changes(client, world, session):
        detail = conflict(post(client, world, "/items/batch", body))
    assert detail["violations"][0]["location_code"] == "R2"


@pytest.mark.usefixtures("mixed_room")
def test_batch_with_separate_room_conflict_across_locations_returns_409(client, world, session):
    body = {
        "items": [
            item_data(world, location_code="RX-A", category="chemical", hazard_classes=["3"]),
            item_data(world, location_code="RX-B", category="fireworks", hazard_classes=["1.4G"]),
        ]
    }
    with nothing_changes(client, world, session):
        detail = conflict(post(client, world, "/items/batch", body))
    assert detail["code"] == "hazard_segregation"
    assert detail["overridable"] is False


def test_volume_limit_returns_409_naming_max_volume(client, world, session):
    body = {"warehouse_code": "W1", "code": "V1", "parent_code": "R1", "max_volume_l": 10}
    assert post(client, world, "/locations", body, user="manager").status_code == 201
    intake(client, world, location_code="V1", volume_l=6)
    with nothing_changes(client, world, session):
        detail = conflict(
            post(client, world, "/items", item_data(world, location_code="V1", volume_l=5))
        )
    assert [
        (v["location_code"], v["limit"], v["used"], v["requested"]) for v in detail["violations"]
    ] == [("V1", "max_volume_l", 6.0, 5.0)]
