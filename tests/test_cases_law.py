"""Cases as the law sees them, through the API: intake on the transfer decision before any
judgment, the chain of judgments with per-item dispositions on the custody chain, dated
enforcement decisions, the case file, the legal-deadlines report and the holiday calendar."""

import io
from datetime import date, timedelta

from PIL import Image
from reportlab.pdfgen import canvas
from sqlmodel import select

from evidence_service.legal.holidays import local_today
from evidence_service.models import CustodyEvent, Item
from tests.factories import make_item
from tests.test_destruction import MEMBERS

API = "/api/v1"


def call(client, world, method, path, user="manager", **kw):
    return client.request(method, f"{API}{path}", headers=world.headers(user), **kw)


def open_on_transfer(client, world, **extra):
    body = {
        "transfer_decision": {
            "issuer": "VKSND khu vực 1 - Lạng Sơn",
            "number": "12/QĐ-VKS",
            "date": (local_today() - timedelta(days=40)).isoformat(),
            "investigating_body": "Cơ quan CSĐT Công an tỉnh Lạng Sơn",
        },
        "disposition": "pending",
        **extra,
    }
    response = call(client, world, "POST", "/cases", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def intake(client, world, case_id, **item):
    body = {
        "case_id": case_id,
        "category": "drug",
        "description": "Heroin, 2 bánh",
        "hazard_classes": ["narcotics"],
        "quantity": 2,
        "unit": "piece",
        "net_weight_g": 700.0,
        "location_code": "SEC-1",
        **item,
    }
    response = call(client, world, "POST", "/items", user="keeper", json=body)
    assert response.status_code == 201, response.text
    return response.json()["code"]


def test_a_case_opens_on_its_transfer_decision_and_receives_items_before_any_judgment(
    client, world
):
    case = open_on_transfer(client, world)
    assert case["judgment_number"] is None and case["decision_number"] is None
    assert case["transfer_decision"]["number"] == "12/QĐ-VKS"
    assert case["legal_regime"] == "from_2026_07_01"  # the rules in force on the act's date
    code = intake(
        client,
        world,
        case["id"],
        description="Điện thoại",
        category="other",
        hazard_classes=[],
        location_code="S2",
    )
    detail = call(client, world, "GET", f"/cases/{case['id']}").json()
    assert detail["judgments"] == [] and detail["enforcement_decisions"] == []
    assert detail["deadlines"] == []  # nothing has started without a judgment
    assert call(client, world, "GET", f"/items/{code}").json()["disposition"] == "pending"


def test_a_case_needs_a_transfer_decision_or_a_judgment(client, world):
    response = call(client, world, "POST", "/cases", json={"disposition": "pending"})
    assert response.status_code == 422
    future = (local_today() + timedelta(days=2)).isoformat()
    bad = {"transfer_decision": {"issuer": "VKS", "number": "1", "date": future}}
    assert call(client, world, "POST", "/cases", json=bad).status_code == 422


def test_judgment_chain_then_decision_orders_each_item_and_starts_the_deadlines(
    client, session, world
):
    case = open_on_transfer(client, world)
    drugs = intake(client, world, case["id"])
    phone = intake(
        client,
        world,
        case["id"],
        category="other",
        description="Điện thoại",
        hazard_classes=[],
        location_code="S2",
    )
    cash = intake(
        client,
        world,
        case["id"],
        category="cash",
        description="Tiền mặt",
        hazard_classes=["cash"],
        quantity=1,
    )
    today = local_today()
    first = {
        "number": "311/2026/HS-ST",
        "date": (today - timedelta(days=30)).isoformat(),
        "court": "TAND khu vực 1 - Lạng Sơn",
        "level": "first_instance",
        "dispositions": [{"item_code": drugs, "disposition": "destroy"}],
    }
    # An appeal cannot come before the judgment it follows.
    early = call(
        client,
        world,
        "POST",
        f"/cases/{case['id']}/judgments",
        json={**first, "number": "9/2026/HS-PT", "level": "appeal"},
    )
    assert early.status_code == 422
    made = call(client, world, "POST", f"/cases/{case['id']}/judgments", json=first)
    assert made.status_code == 201, made.text
    assert made.json()["changed_items"] == [drugs]
    received = today - timedelta(days=10)
    appeal = {
        "number": "58/2026/HS-PT",
        "date": (today - timedelta(days=15)).isoformat(),
        "court": "TAND tỉnh Lạng Sơn",
        "level": "appeal",
        "effective_date": (today - timedelta(days=15)).isoformat(),
        "received_date": received.isoformat(),
        "dispositions": [
            {"item_code": phone, "disposition": "return_to_owner"},
            {"item_code": cash, "disposition": "deposit_to_treasury", "document": "GNT 0012"},
        ],
    }
    made = call(client, world, "POST", f"/cases/{case['id']}/judgments", json=appeal)
    assert made.status_code == 201, made.text
    assert sorted(made.json()["changed_items"]) == sorted([phone, cash])
    assert (
        call(client, world, "POST", f"/cases/{case['id']}/judgments", json=appeal).status_code
        == 409
    )
    # Each change is a custody event with the values before and after.
    cash_item = session.exec(select(Item).where(Item.code == cash)).one()
    session.refresh(cash_item)
    assert (cash_item.disposition, cash_item.disposition_document) == (
        "deposit_to_treasury",
        "GNT 0012",
    )
    event = session.exec(
        select(CustodyEvent).where(
            CustodyEvent.item_id == cash_item.id, CustodyEvent.event_type == "disposition"
        )
    ).one()
    assert event.details["before"]["disposition"] == "pending"
    assert event.details["after"] == {
        "disposition": "deposit_to_treasury",
        "judgment_id": made.json()["judgment_id"],
        "document": "GNT 0012",
    }
    decided = today - timedelta(days=3)
    decision = {
        "issuer": "THADS tỉnh Lạng Sơn",
        "number": "45/QĐ-THADS",
        "date": decided.isoformat(),
    }
    made = call(client, world, "POST", f"/cases/{case['id']}/enforcement-decisions", json=decision)
    assert made.status_code == 201, made.text
    assert made.json()["day_known"] is True and made.json()["year"] == decided.year
    # Unique per issuer and year, in any case.
    other = open_on_transfer(client, world)
    clash = call(
        client, world, "POST", f"/cases/{other['id']}/enforcement-decisions", json=decision
    )
    assert clash.status_code == 409
    detail = call(client, world, "GET", f"/cases/{case['id']}").json()
    assert [j["level"] for j in detail["judgments"]] == ["first_instance", "appeal"]
    assert detail["judgment_number"] == "58/2026/HS-PT"  # the latest of the chain
    assert detail["decision_number"] == "45/QĐ-THADS"
    deadlines = {(d["deadline"], d["item_code"]): d for d in detail["deadlines"]}
    council = deadlines[("council", drugs)]
    assert council["starts_on"] == decided.isoformat() and council["status"] == "due"
    assert council["confirmed"] is (decided < date(2026, 7, 1))
    assert ("return_property", phone) in deadlines
    assert ("council", cash) not in deadlines  # cash is never put up for destruction
    sent = deadlines[("judgment_sent", None)]
    assert sent["status"] == "done" and sent["done_on"] == received.isoformat()
    issued = deadlines[("enforcement_decision", None)]
    assert issued["day_kind"] == "working" and issued["done_on"] == decided.isoformat()


def test_a_late_council_stays_in_the_legal_deadlines_report_after_approval(client, world):
    case = open_on_transfer(client, world)
    code = intake(client, world, case["id"])
    today = local_today()
    judgment = {
        "number": "1/2026/HS-ST",
        "date": (today - timedelta(days=90)).isoformat(),
        "court": "TAND khu vực 1 - Lạng Sơn",
        "level": "first_instance",
        "dispositions": [{"item_code": code, "disposition": "destroy"}],
    }
    assert (
        call(client, world, "POST", f"/cases/{case['id']}/judgments", json=judgment).status_code
        == 201
    )
    decided = today - timedelta(days=60)
    decision = {"issuer": "THADS tỉnh A", "number": "3/QĐ-THADS", "date": decided.isoformat()}
    assert (
        call(
            client, world, "POST", f"/cases/{case['id']}/enforcement-decisions", json=decision
        ).status_code
        == 201
    )
    report = call(
        client, world, "GET", "/reports/legal-deadlines", params={"kind": "council"}
    ).json()
    assert [
        (e["item_code"], e["status"]) for e in report["entries"] if e["case_id"] == case["id"]
    ] == [(code, "overdue")]
    batch = call(client, world, "POST", "/destruction-batches", json={"title": "Đợt 1"}).json()
    call(client, world, "POST", f"/destruction-batches/{batch['id']}/items", json={"codes": [code]})
    approval = {
        "decision_number": "15/QĐ-THADS",
        "decision_date": today.isoformat(),
        "decision_issuer": "Thủ trưởng THADS tỉnh A",
        "members": MEMBERS,
    }
    approved = call(
        client, world, "POST", f"/destruction-batches/{batch['id']}/approve", json=approval
    )
    assert approved.status_code == 200, approved.text
    late = call(client, world, "GET", "/reports/legal-deadlines", params={"status": "late"}).json()
    lines = [e for e in late["entries"] if e["item_code"] == code]
    due = date.fromisoformat(lines[0]["due_on"])
    assert [(e["deadline"], e["days_late"]) for e in lines] == [("council", (today - due).days)]
    # In the period of the council only; the due ones do not show under "late".
    outside = call(
        client,
        world,
        "GET",
        "/reports/legal-deadlines",
        params={"status": "late", "to": (today - timedelta(days=1)).isoformat()},
    ).json()
    assert all(e["item_code"] != code for e in outside["entries"])
    assert (
        call(client, world, "GET", "/reports/legal-deadlines", params={"kind": "nope"}).status_code
        == 422
    )


def test_the_holiday_calendar_in_use_is_served_per_year(client, world):
    body = call(client, world, "GET", "/holidays", params={"year": 2026}).json()
    days = {d["date"]: d for d in body["days_off"]}
    assert days["2026-02-17"]["kind"] == "tet" and days["2026-04-27"]["substitute"]
    assert body["working_days"] == ["2026-08-22"]
    assert call(client, world, "GET", "/holidays", params={"year": 2040}).status_code == 422


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


def _pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Quyet dinh chuyen vat chung")
    page.save()
    return out.getvalue()


def test_the_case_file_keeps_scans_that_decode_with_their_sha256(client, world):
    case = open_on_transfer(client, world)
    path = f"/cases/{case['id']}/attachments"
    for name, content, kind in (
        ("qd.pdf", _pdf(), "transfer_decision"),
        ("bb.png", _png(), "seizure_record"),
    ):
        made = call(
            client, world, "POST", path, files={"file": (name, content)}, data={"kind": kind}
        )
        assert made.status_code == 201, made.text
    listed = call(client, world, "GET", path).json()
    assert [a["media_type"] for a in listed] == ["application/pdf", "image/png"]
    import hashlib

    got = call(client, world, "GET", f"{path}/{listed[1]['id']}")
    assert hashlib.sha256(got.content).hexdigest() == listed[1]["sha256"]
    # The right first bytes are not enough: the body must decode.
    for name, content in (
        ("fake.png", _png()[:40] + b"x" * 200),
        ("fake.pdf", b"%PDF-1.7\n garbage"),
    ):
        refused = call(
            client, world, "POST", path, files={"file": (name, content)}, data={"kind": "other"}
        )
        assert refused.status_code == 422, (name, refused.text)
    assert len(call(client, world, "GET", path).json()) == 2
    detail = call(client, world, "GET", f"/cases/{case['id']}").json()
    assert [a["kind"] for a in detail["attachments"]] == ["transfer_decision", "seizure_record"]


def test_a_year_only_decision_starts_on_its_earliest_day_and_says_the_day_is_unknown(
    client, session, world
):
    case = world.cases["destroy"]  # decision 1 of 2026, its day never recorded
    code = make_item(session, world, case_id=case.id, disposition="destroy").code
    detail = call(client, world, "GET", f"/cases/{case.id}").json()
    assert detail["enforcement_decisions"][0] == {
        **detail["enforcement_decisions"][0],
        "date": None,
        "day_known": False,
        "year": 2026,
    }
    council = next(d for d in detail["deadlines"] if d["item_code"] == code)
    # Recorded under the new rules: the earliest day the decision can have is 1/7/2026.
    assert (council["starts_on"], council["start_exact"]) == ("2026-07-01", False)
    assert council["due_on"] == "2026-08-01"
