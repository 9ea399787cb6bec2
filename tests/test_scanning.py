"""Scanning labels: what real scanners send, damaged labels, and moving what was scanned."""

import pytest
from sqlmodel import select

from evidence_service.models import CustodyEvent, ScanLog
from evidence_service.payload import make_payload
from tests.factories import make_item


def _scan(client, world, raw, user="keeper"):
    return client.post("/api/v1/scan", json={"payload": raw}, headers=world.headers(user))


@pytest.mark.parametrize(
    "dress",
    [
        lambda p: p,
        lambda p: f"  {p}  ",
        lambda p: f"{p}\r\n",
        lambda p: f"{p}\t",
        lambda p: p.lower(),
        lambda p: f"]Q1{p}",
        lambda p: f"]Q1{p.lower()}\r",
        lambda p: f"https://kho.example.vn/s/{p}",
        lambda p: f"HTTPS://KHO.EXAMPLE.VN/S/{p}?src=cam",
    ],
    ids=["plain", "spaces", "crlf", "tab", "lower", "aim", "aim-lower-cr", "url", "url-query"],
)
def test_scan_tolerates_what_scanners_send(client, session, world, dress):
    item = make_item(session, world)
    response = _scan(client, world, dress(make_payload("item", item.code)))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "item" and body["code"] == item.code
    assert body["item"]["status"] == "stored" and body["item"]["location_code"] == "S2"
    assert body["item"]["judgment_number"] == "1/2026/HS-ST"
    assert {"view", "move", "check_out", "print_label"} <= set(body["actions"])


def test_scan_location_returns_its_usage_and_move_here_action(client, session, world):
    make_item(session, world, location_code="S1")
    body = _scan(client, world, make_payload("location", "S1")).json()
    assert body["kind"] == "location" and body["code"] == "S1"
    assert body["location"]["usage"]["items"] == 1 and body["location"]["max_items"] == 2
    assert "move_here" in body["actions"]


def test_auditor_scan_offers_only_viewing(client, session, world):
    item = make_item(session, world)
    body = _scan(client, world, make_payload("item", item.code), user="auditor").json()
    assert body["actions"] == ["view"]


def test_damaged_label_is_422_and_says_so(client, session, world):
    item = make_item(session, world)
    good = make_payload("item", item.code)
    damaged = good[:-3] + ("0" if good[-3] != "0" else "1") + good[-2:]
    response = _scan(client, world, damaged)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "payload"] and detail["type"] == "damaged_label"
    assert "damaged or mistyped" in detail["msg"] and detail["msg_vi"]


def test_text_that_is_no_label_is_422(client, world):
    response = _scan(client, world, "hello world")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "not_a_label"


def test_valid_label_of_unknown_item_is_404(client, world):
    response = _scan(client, world, make_payload("item", "VC26-999999-X"))
    assert response.status_code == 404


def test_label_of_another_agency_is_404(client, session, world):
    make_item(session, world)
    response = _scan(client, world, make_payload("location", "X1"))  # W9 belongs to B-PROV
    assert response.status_code == 404


def test_every_scan_is_logged_with_its_result(client, session, world):
    item = make_item(session, world)
    good = make_payload("item", item.code)
    _scan(client, world, good)
    _scan(client, world, good[:-1] + ("A" if good[-1] != "A" else "B"))
    _scan(client, world, make_payload("item", "VC26-999999-X"))
    logs = session.exec(select(ScanLog).order_by(ScanLog.id)).all()  # type: ignore[arg-type]
    assert [(log.result, log.code) for log in logs] == [
        ("ok", item.code),
        ("damaged", None),
        ("not_found", None),
    ]
    assert all(log.user_id == world.users["keeper"].id for log in logs)


def test_scan_needs_a_token(client):
    assert client.post("/api/v1/scan", json={"payload": "x"}).status_code == 401


def _events(session):
    return session.exec(select(CustodyEvent)).all()


def test_batch_move_of_scanned_items_moves_all_with_one_event_each(client, session, world):
    items = [make_item(session, world) for _ in range(3)]
    before = len(_events(session))
    response = client.post(
        "/api/v1/moves",
        json={
            "item_codes": [f"]Q1{make_payload('item', i.code)}\r\n" for i in items],
            "to_location_code": make_payload("location", "R1"),
            "reason": "xếp kho",
        },
        headers=world.headers(),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["to_location_code"] == "R1"
    assert [i["code"] for i in body["items"]] == [i.code for i in items]
    assert all(i["location_code"] == "R1" and i["version"] == 2 for i in body["items"])
    assert len(_events(session)) == before + 3


def test_batch_move_is_all_or_nothing(client, session, world):
    make_item(session, world, location_code="S1")
    items = [make_item(session, world) for _ in range(2)]  # S1 has room for one more only
    before = len(_events(session))
    response = client.post(
        "/api/v1/moves",
        json={"item_codes": [i.code for i in items], "to_location_code": "S1"},
        headers=world.headers(),
    )
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "capacity_exceeded"
    for i in items:
        assert (
            client.get(f"/api/v1/items/{i.code}", headers=world.headers()).json()["location_code"]
            == "S2"
        )
    assert len(_events(session)) == before


def test_batch_move_refuses_a_location_label_in_the_item_list(client, session, world):
    item = make_item(session, world)
    response = client.post(
        "/api/v1/moves",
        json={"item_codes": [item.code, make_payload("location", "S1")], "to_location_code": "R1"},
        headers=world.headers(),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "item_codes", "1"]


def test_batch_move_with_damaged_location_label_is_422(client, session, world):
    item = make_item(session, world)
    label = make_payload("location", "R1")
    response = client.post(
        "/api/v1/moves",
        json={"item_codes": [item.code], "to_location_code": label[:-1] + "Z"},
        headers=world.headers(),
    )
    assert response.status_code == 422
