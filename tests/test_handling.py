"""Check-out and return, samples, reweighing, splits, seal checks and dispositions."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import update
from sqlmodel import select

from evidence_service.legal.holidays import local_today
from evidence_service.models import Checkout, CustodyEvent
from tests.factories import confirm_request, exit_document, make_item

API = "/api/v1"
TOMORROW = str(local_today() + timedelta(days=1))


def _post(client, world, path, body, user="keeper"):
    return client.post(API + path, json=body, headers=world.headers(user))


def _checkout(client, world, code, **extra):
    body = {
        "recipient": "TAND tỉnh A",
        "purpose": "court",
        "document_number": "12/QĐ",
        "due_date": TOMORROW,
        **extra,
    }
    return _post(client, world, f"/items/{code}/check-outs", body)


def _last_event(client, world, code):
    return client.get(f"{API}/items/{code}/custody", headers=world.headers()).json()[-1]


def _event_count(session):
    return len(session.exec(select(CustodyEvent)).all())


def test_check_out_then_return_to_where_it_came_from(client, session, world):
    item = make_item(session, world, location_code="S1")
    out = _checkout(client, world, item.code)
    assert out.status_code == 200, out.text
    assert out.json()["status"] == "checked_out" and out.json()["location_code"] is None
    event = _last_event(client, world, item.code)
    assert event["event_type"] == "check_out" and event["from_location_code"] == "S1"
    assert event["details"]["recipient"] == "TAND tỉnh A"

    back = _post(client, world, f"/items/{item.code}/returns", {"reason": "xét xử xong"})
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "stored" and back.json()["location_code"] == "S1"
    assert _last_event(client, world, item.code)["event_type"] == "return"


def test_a_check_out_is_due_by_the_end_of_its_day_in_viet_nam(client, session, world):
    item = make_item(session, world)
    assert _checkout(client, world, item.code).status_code == 200
    due_at = session.exec(select(Checkout.due_at).where(Checkout.item_id == item.id)).one()
    # 23:59:59 in Hà Nội is 16:59:59 UTC; before, it was 23:59:59 UTC (06:59 the next morning
    # there), so a late item showed as overdue seven hours late.
    if due_at.tzinfo is not None:
        due_at = due_at.astimezone(UTC).replace(tzinfo=None)
    assert due_at == datetime.combine(date.fromisoformat(TOMORROW), time(16, 59, 59))


def test_return_to_a_scanned_location(client, session, world):
    item = make_item(session, world)
    _checkout(client, world, item.code)
    back = _post(client, world, f"/items/{item.code}/returns", {"to_location_code": "R1"})
    assert back.json()["location_code"] == "R1"


def test_check_out_of_checked_out_item_is_409_and_changes_nothing(client, session, world):
    item = make_item(session, world)
    _checkout(client, world, item.code)
    before = _event_count(session)
    assert _checkout(client, world, item.code).status_code == 409
    assert _event_count(session) == before


def test_return_of_item_not_checked_out_is_409(client, session, world):
    item = make_item(session, world)
    response = _post(client, world, f"/items/{item.code}/returns", {})
    assert response.status_code == 409 and "cannot be returned" in response.json()["detail"]


def test_check_out_due_in_the_past_is_422(client, session, world):
    item = make_item(session, world)
    response = _checkout(client, world, item.code, due_date="2020-01-01")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "due_date"]


def test_return_into_full_location_is_409(client, session, world):
    item = make_item(session, world, location_code="S1")
    _checkout(client, world, item.code)
    make_item(session, world, location_code="S1")
    make_item(session, world, location_code="S1")  # S1 (max 2) is full again
    response = _post(client, world, f"/items/{item.code}/returns", {})
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "capacity_exceeded"


def test_overdue_checkouts_report_lists_late_items(client, session, world):
    late = make_item(session, world)
    on_time = make_item(session, world)
    _checkout(client, world, late.code)
    _checkout(client, world, on_time.code)
    session.execute(
        update(Checkout)
        .where(Checkout.item_id == late.id)
        .values(due_at=datetime.now(UTC) - timedelta(days=3))
    )
    session.commit()
    report = client.get(f"{API}/reports/overdue-checkouts", headers=world.headers()).json()
    assert [r["item_code"] for r in report] == [late.code]
    assert report[0]["overdue_days"] >= 2 and report[0]["from_location_code"] == "S2"
    other = client.get(f"{API}/reports/overdue-checkouts", headers=world.headers("other-keeper"))
    assert other.json() == []


def test_sample_reduces_net_weight_with_an_event(client, session, world):
    item = make_item(session, world, net_weight_g=125.5, gross_weight_g=130.0)
    response = _post(
        client, world, f"/items/{item.code}/samples", {"taken_g": 2.5, "recipient": "Viện KHHS"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["net_weight_g"] == 123.0 and response.json()["gross_weight_g"] == 127.5
    assert response.json()["seized_net_weight_g"] == 125.5
    details = _last_event(client, world, item.code)["details"]
    assert details["taken_g"] == 2.5 and details["net_weight_before_g"] == 125.5


def test_sample_of_all_the_weight_is_422(client, session, world):
    item = make_item(session, world, net_weight_g=10.0)
    response = _post(client, world, f"/items/{item.code}/samples", {"taken_g": 10.0})
    assert response.status_code == 422


def test_reweigh_within_tolerance_needs_no_reason(client, session, world):
    item = make_item(session, world, net_weight_g=1000.0)
    response = _post(client, world, f"/items/{item.code}/reweighs", {"net_weight_g": 1015.0})
    assert response.status_code == 200 and response.json()["net_weight_g"] == 1015.0
    assert _last_event(client, world, item.code)["details"]["flagged"] is False


def test_reweigh_beyond_tolerance_needs_a_reason_and_is_flagged(client, session, world):
    item = make_item(session, world, net_weight_g=1000.0)
    refused = _post(client, world, f"/items/{item.code}/reweighs", {"net_weight_g": 950.0})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "reason"]
    ok = _post(
        client,
        world,
        f"/items/{item.code}/reweighs",
        {"net_weight_g": 950.0, "reason": "hao hụt do bay hơi"},
    )
    assert ok.status_code == 200 and ok.json()["net_weight_g"] == 1000.0  # waits for a manager
    assert confirm_request(client, world, item.code).status_code == 200
    event = _last_event(client, world, item.code)
    assert event["details"]["flagged"] is True and event["details"]["difference_pct"] == 5.0


def test_reweigh_with_stale_version_is_409(client, session, world):
    item = make_item(session, world)
    response = _post(
        client, world, f"/items/{item.code}/reweighs", {"net_weight_g": 1000.0, "version": 7}
    )
    assert response.status_code == 409


def test_split_makes_a_new_item_with_its_own_code(client, session, world):
    item = make_item(session, world, net_weight_g=100.0, hazard_classes=[])
    response = _post(
        client,
        world,
        f"/items/{item.code}/splits",
        {"net_weight_g": 30.0, "reason": "gửi giám định"},
    )
    assert response.status_code == 201, response.text
    parent, child = response.json()["parent"], response.json()["child"]
    assert parent["net_weight_g"] == 70.0 and child["net_weight_g"] == 30.0
    assert child["code"] != parent["code"] and child["label_payload"] != parent["label_payload"]
    assert child["case_id"] == parent["case_id"] and child["location_code"] == "S2"
    assert _last_event(client, world, item.code)["event_type"] == "split"
    assert _last_event(client, world, child["code"])["details"]["parent"] == item.code


def test_split_resent_with_the_same_key_answers_the_first_split_and_splits_once(
    client, session, world
):
    item = make_item(session, world, net_weight_g=100.0, hazard_classes=[])
    headers = {**world.headers("keeper"), "Idempotency-Key": "split-1"}
    path = f"{API}/items/{item.code}/splits"
    first = client.post(path, json={"net_weight_g": 30.0}, headers=headers)
    events = _event_count(session)
    again = client.post(path, json={"net_weight_g": 30.0}, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert _event_count(session) == events
    parent = client.get(f"{API}/items/{item.code}", headers=world.headers()).json()
    assert parent["net_weight_g"] == 70.0


def test_seal_check_resent_with_the_same_key_answers_200_and_records_once(client, session, world):
    item = make_item(session, world, seal_number="NP-1")
    headers = {**world.headers("keeper"), "Idempotency-Key": "seal-1"}
    path = f"{API}/items/{item.code}/seal-checks"
    first = client.post(path, json={"seal_state": "intact"}, headers=headers)
    events = _event_count(session)
    again = client.post(path, json={"seal_state": "intact"}, headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    assert _event_count(session) == events


def test_split_into_full_location_is_409(client, session, world):
    make_item(session, world, location_code="S1")
    item = make_item(session, world, location_code="S1")
    response = _post(client, world, f"/items/{item.code}/splits", {"net_weight_g": 10.0})
    assert response.status_code == 409


def test_seal_check_records_a_broken_seal(client, session, world):
    item = make_item(session, world, seal_number="NP-1")
    response = _post(
        client,
        world,
        f"/items/{item.code}/seal-checks",
        {"seal_state": "broken", "reason": "niêm phong bị rách"},
    )
    assert response.status_code == 200 and response.json()["seal_state"] == "broken"
    assert _last_event(client, world, item.code)["details"]["seal_state_before"] == "intact"


def test_disposition_destroy_advises_moving_to_awaiting_destruction(client, session, world):
    item = make_item(session, world, case_id=world.cases["pending"].id)
    body = {"disposition": "destroy", **exit_document("3/2026")}
    response = _post(client, world, f"/items/{item.code}/disposition", body, "manager")
    assert response.status_code == 200, response.text
    assert response.json()["item"]["disposition"] == "pending"  # until a second person confirms
    assert "confirmation" in response.json()["advice"][0]
    assert confirm_request(client, world, item.code, "manager").status_code == 403  # not alone
    confirmed = confirm_request(client, world, item.code)
    assert confirmed.status_code == 200 and confirmed.json()["disposition"] == "destroy"


def test_auditor_cannot_handle_items(client, session, world):
    item = make_item(session, world)
    assert _checkout(client, world, item.code).status_code == 200
    response = _post(client, world, f"/items/{item.code}/returns", {}, user="auditor")
    assert response.status_code == 403


def test_release_needs_a_judgment_ordering_it(client, session, world):
    item = make_item(session, world, case_id=world.cases["pending"].id)
    body = {"recipient": "Nguyễn Văn Chủ", **exit_document("BB-12")}
    refused = _post(client, world, f"/items/{item.code}/release", body, "manager")
    assert refused.status_code == 409 and "disposition" in refused.json()["detail"]
    _post(
        client,
        world,
        f"/items/{item.code}/disposition",
        {"disposition": "return_to_owner", **exit_document("5/2026")},
        "manager",
    )
    confirm_request(client, world, item.code)
    asked = _post(client, world, f"/items/{item.code}/release", body, "keeper")
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "pending_release" and asked.json()["location_code"] == "S2"
    released = confirm_request(client, world, item.code, "manager")
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "released" and released.json()["location_code"] is None
    assert _last_event(client, world, item.code)["details"]["recipient"] == "Nguyễn Văn Chủ"
    moved = _post(client, world, f"/items/{item.code}/moves", {"to_location_code": "S1"})
    assert moved.status_code == 409  # nothing leaves released


def test_transfer_goes_to_an_existing_agency_confirmed_by_a_second_manager(client, session, world):
    item = make_item(session, world)
    nowhere = {"to_agency": "nobody", **exit_document("QĐ-9")}
    assert _post(client, world, f"/items/{item.code}/transfer", nowhere).status_code == 422
    body = {"to_agency": "B-PROV", **exit_document("QĐ-9")}
    assert _post(client, world, f"/items/{item.code}/transfer", body, "auditor").status_code == 403
    asked = _post(client, world, f"/items/{item.code}/transfer", body, "manager")
    assert asked.status_code == 200 and asked.json()["status"] == "pending_release"
    again = _post(client, world, f"/items/{item.code}/transfer", body, "manager")
    assert again.status_code == 409
    done = confirm_request(client, world, item.code)
    assert done.status_code == 200 and done.json()["status"] == "in_transit"


def test_split_moves_volume_quantity_and_gross_instead_of_copying(client, session, world):
    item = make_item(
        session,
        world,
        location_code="S2",
        volume_l=10.0,
        quantity=10,
        unit="pack",
        net_weight_g=1000.0,
        gross_weight_g=1100.0,
    )
    response = _post(
        client, world, f"/items/{item.code}/splits", {"net_weight_g": 300.0, "quantity": 3}
    )
    parent, child = response.json()["parent"], response.json()["child"]
    assert (parent["quantity"], child["quantity"]) == (7, 3)
    assert (parent["volume_l"], child["volume_l"]) == (7.0, 3.0)
    assert parent["gross_weight_g"] == 800.0 and parent["net_weight_g"] == 700.0
    usage = client.get("/api/v1/locations/S2", headers=world.headers()).json()["usage"]
    assert usage["volume_l"] == 10.0 and usage["net_weight_kg"] == 1.0


def test_if_match_guards_every_item_change(client, session, world):
    item = make_item(session, world)
    etag = client.get(f"{API}/items/{item.code}", headers=world.headers()).headers["ETag"]
    _post(client, world, f"/items/{item.code}/reweighs", {"net_weight_g": 1001.0})
    stale = client.post(
        f"{API}/items/{item.code}/seal-checks",
        json={"seal_state": "broken"},
        headers={**world.headers(), "If-Match": etag},
    )
    assert stale.status_code == 409
    zero = client.post(
        f"{API}/items/{item.code}/moves",
        json={"to_location_code": "S1"},
        headers={**world.headers(), "If-Match": '"0"'},
    )
    assert zero.status_code == 409
    anything = client.post(
        f"{API}/items/{item.code}/moves",
        json={"to_location_code": "S1"},
        headers={**world.headers(), "If-Match": "*"},
    )
    assert anything.status_code == 200
