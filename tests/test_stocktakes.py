"""Stocktakes: counting by scanning, outcomes, custody events, discrepancies, the record."""

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from evidence_service.models import CustodyEvent
from evidence_service.payload import make_payload
from evidence_service.stocktakes import working_days_after
from tests.factories import confirm_request, exit_document, make_item

API = "/api/v1"
SIGNERS = {"keeper": "Nguyễn Văn Kho", "accountant": "Trần Thị Kế", "head": "Lê Văn Trưởng"}


def _start(client, world, **body):
    body = {"scope": "location", "warehouse_code": "W1", "location_code": "R1", **body}
    response = client.post(f"{API}/stocktakes", json=body, headers=world.headers())
    assert response.status_code == 201, response.text
    return response.json()


def _scan(client, world, stocktake_id, raw, **extra):
    return client.post(
        f"{API}/stocktakes/{stocktake_id}/scans",
        json={"payload": raw, **extra},
        headers=world.headers(),
    )


def _close(client, world, stocktake_id, signers=SIGNERS):
    return client.post(
        f"{API}/stocktakes/{stocktake_id}/close", json=signers, headers=world.headers()
    )


@pytest.fixture
def shelf(session, world):
    """R1 holds four items: two on S1, two on S2; one more item sits in another room."""
    items = {
        "a": make_item(session, world, location_code="S1"),
        "b": make_item(session, world, location_code="S1"),
        "c": make_item(session, world, location_code="S2"),
        "d": make_item(session, world, location_code="S2", seal_number="NP-9"),
        "elsewhere": make_item(session, world, location_code="R3", hazard_classes=[]),
    }
    return items


def test_counting_a_location_gives_each_outcome(client, session, world, shelf):
    stocktake = _start(client, world)
    assert stocktake["expected"] == 4 and stocktake["remaining"] == 4
    sid = stocktake["id"]
    assert _scan(client, world, sid, make_payload("location", "S1")).json()["result"] == "location"
    live = _scan(client, world, sid, make_payload("item", shelf["a"].code)).json()
    assert live["result"] == "expected" and live["seen_expected"] == 1 and live["remaining"] == 3
    _scan(client, world, sid, make_payload("item", shelf["c"].code))  # on S2, seen at S1
    _scan(client, world, sid, make_payload("location", "S2"))
    _scan(client, world, sid, make_payload("item", shelf["d"].code), seal_state="broken")
    unexpected = _scan(client, world, sid, make_payload("item", shelf["elsewhere"].code)).json()
    assert unexpected["result"] == "unexpected"
    unknown = _scan(client, world, sid, make_payload("item", "VC26-999999-X")).json()
    assert unknown["result"] == "unknown_label"

    closed = _close(client, world, sid)
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed"
    assert body["counts"] == {
        "verified": 2,
        "misplaced": 1,
        "missing": 1,
        "unexpected": 2,
        "checked_out": 0,
        "unlocated": 0,
        "seal_broken": 1,
        "short": 0,
    }
    outcome = {(line["item_code"] or line["label"]): line["outcome"] for line in body["lines"]}
    assert outcome[shelf["a"].code] == "verified"
    assert outcome[shelf["b"].code] == "missing"
    assert outcome[shelf["c"].code] == "misplaced"
    assert outcome[shelf["d"].code] == "verified"
    assert outcome[shelf["elsewhere"].code] == "unexpected"


def test_closing_writes_custody_events_and_opens_discrepancies(client, session, world, shelf):
    sid = _start(client, world)["id"]
    for key in ("a", "c"):
        _scan(client, world, sid, make_payload("item", shelf[key].code))
    _scan(client, world, sid, make_payload("item", shelf["d"].code), seal_state="broken")
    _close(client, world, sid)
    # Each item's last event: in the order they were appended (seq is per chain).
    events = session.exec(select(CustodyEvent).order_by(col(CustodyEvent.id))).all()
    by_item = {e.item_id: e.event_type for e in events}
    assert by_item[shelf["a"].id] == "stocktake_seen"
    assert by_item[shelf["b"].id] == "stocktake_missing"
    report = client.get(f"{API}/reports/discrepancies", headers=world.headers()).json()
    assert {(d["item_code"], d["kind"]) for d in report} == {
        (shelf["b"].code, "missing"),
        (shelf["d"].code, "seal_broken"),
    }
    assert all(not d["overdue"] for d in report)
    item = client.get(f"{API}/items/{shelf['d'].code}", headers=world.headers()).json()
    assert item["seal_state"] == "broken"


def test_resolving_discrepancies(client, session, world, shelf):
    sid = _start(client, world)["id"]
    _close(client, world, sid)  # nothing scanned: four missing
    report = client.get(f"{API}/reports/discrepancies", headers=world.headers()).json()
    first, second = report[0]["id"], report[1]["id"]
    url = f"{API}/discrepancies/{{}}/resolve"
    manager = world.headers("manager")
    keeper = client.post(
        url.format(first),
        json={"resolution": "written_off", "document_ref": "QĐ 5"},
        headers=world.headers(),
    )
    assert keeper.status_code == 403  # a write-off is a manager's, on the head's decision
    no_doc = client.post(url.format(first), json={"resolution": "written_off"}, headers=manager)
    assert no_doc.status_code == 422
    decision = {"document_ref": "QĐ 5", "document_date": "2026-11-30", "document_issuer": "Cục"}
    ok = client.post(
        url.format(first), json={"resolution": "written_off", **decision}, headers=manager
    )
    assert ok.status_code == 200 and ok.json()["status"] == "written_off"
    again = client.post(url.format(first), json={"resolution": "found"}, headers=world.headers())
    assert again.status_code == 409
    client.post(url.format(second), json={"resolution": "found"}, headers=world.headers())
    still_open = client.get(f"{API}/reports/discrepancies", headers=world.headers()).json()
    assert len(still_open) == 2


def test_closed_stocktake_refuses_scans_and_second_close(client, session, world, shelf):
    sid = _start(client, world)["id"]
    _close(client, world, sid)
    assert _scan(client, world, sid, make_payload("item", shelf["a"].code)).status_code == 409
    assert _close(client, world, sid).status_code == 409


def test_close_needs_all_three_signers(client, world, shelf):
    sid = _start(client, world)["id"]
    response = _close(client, world, sid, {"keeper": "A", "accountant": "B"})
    assert response.status_code == 422


def test_damaged_label_is_recorded_and_refused(client, session, world, shelf):
    sid = _start(client, world)["id"]
    good = make_payload("item", shelf["a"].code)
    response = _scan(client, world, sid, good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert response.status_code == 422


def test_checked_out_items_are_expected_off_the_shelf(client, session, world, shelf):
    client.post(
        f"{API}/items/{shelf['a'].code}/check-outs",
        json={
            "recipient": "Tòa",
            "purpose": "court",
            "document_number": "1",
            "due_date": "2099-01-01",
        },
        headers=world.headers(),
    )
    sid = _start(client, world)["id"]
    body = _close(client, world, sid).json()
    outcome = {line["item_code"]: line["outcome"] for line in body["lines"]}
    assert outcome[shelf["a"].code] == "checked_out"


def test_sample_traces_picked_items_to_their_record(client, session, world, shelf):
    stocktake = _start(client, world, scope="sample", location_code=None, sample_size=2)
    assert stocktake["expected"] == 2
    sid = stocktake["id"]
    _scan(client, world, sid, make_payload("location", "R3"))
    _scan(client, world, sid, make_payload("item", shelf["elsewhere"].code))
    body = _close(client, world, sid).json()
    lines = {line["item_code"]: line["outcome"] for line in body["lines"]}
    # Picked from the shelf and traced to its record, whether or not the draw chose it.
    assert lines[shelf["elsewhere"].code] == "verified"
    assert set(lines.values()) <= {"verified", "missing"} and len(lines) in (2, 3)


def test_stocktake_of_another_agency_is_404(client, world, shelf):
    sid = _start(client, world)["id"]
    response = client.get(f"{API}/stocktakes/{sid}", headers=world.headers("other-keeper"))
    assert response.status_code == 404
    other = client.post(
        f"{API}/stocktakes",
        headers=world.headers("other-keeper"),
        json={"scope": "warehouse", "warehouse_code": "W1"},
    )
    assert other.status_code == 404


def test_auditor_cannot_count(client, world):
    response = client.post(
        f"{API}/stocktakes",
        json={"scope": "warehouse", "warehouse_code": "W1"},
        headers=world.headers("auditor"),
    )
    assert response.status_code == 403


def test_record_pdf_lists_items_and_signers_in_vietnamese(client, session, world, shelf):
    sid = _start(client, world)["id"]
    _scan(client, world, sid, make_payload("location", "S1"))
    _scan(client, world, sid, make_payload("item", shelf["a"].code))
    _close(client, world, sid)
    response = client.get(f"{API}/stocktakes/{sid}/record.pdf", headers=world.headers())
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "BIÊN BẢN KIỂM KÊ" in text and "Nguyễn Văn Kho" in text and "Trần Thị Kế" in text
    for item in ("a", "b", "c", "d"):
        assert shelf[item].code in text
    assert "Đúng vị trí" in text and "Thiếu" in text


def test_discrepancy_deadline_counts_working_days():
    friday = datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert working_days_after(friday, 5) == datetime(2026, 12, 4, 10, tzinfo=UTC)
    assert working_days_after(friday, 1).weekday() == 0


def _release(client, world, code):
    client.post(
        f"{API}/items/{code}/disposition",
        headers=world.headers("manager"),
        json={"disposition": "return_to_owner", **exit_document("1/QĐ")},
    )
    confirm_request(client, world, code)
    response = client.post(
        f"{API}/items/{code}/release",
        headers=world.headers("manager"),
        json={"recipient": "chủ sở hữu", **exit_document("BB-2")},
    )
    assert response.status_code == 200, response.text
    assert confirm_request(client, world, code).status_code == 200


def test_item_released_during_the_count_is_not_missing(client, session, world, shelf):
    sid = _start(client, world)["id"]
    _release(client, world, shelf["a"].code)
    body = _close(client, world, sid).json()
    assert shelf["a"].code not in {line["item_code"] for line in body["lines"]}
    report = client.get(f"{API}/reports/discrepancies", headers=world.headers()).json()
    assert shelf["a"].code not in {d["item_code"] for d in report}


def test_scanning_a_released_items_label_changes_nothing(client, session, world, shelf):
    _release(client, world, shelf["a"].code)
    before = client.get(f"{API}/items/{shelf['a'].code}", headers=world.headers()).json()
    sid = _start(client, world)["id"]
    _scan(client, world, sid, make_payload("item", shelf["a"].code), seal_state="broken")
    _close(client, world, sid)
    after = client.get(f"{API}/items/{shelf['a'].code}", headers=world.headers()).json()
    assert after["version"] == before["version"] and after["seal_state"] == before["seal_state"]
