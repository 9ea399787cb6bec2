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
from tests.docs_output import save_pages, text
from tests.factories import make_item
from tests.test_destruction import MEMBERS, destroyed, execution, get, new_batch, post
from tests.test_web import log_in

API = "/api/v1"


def call(client, world, method, path, user="manager", **kw):
    return client.request(method, f"{API}{path}", headers=world.headers(user), **kw)


def open_on_transfer(client, world, user="manager", **extra):
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
    response = call(client, world, "POST", "/cases", json=body, user=user)
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
    case = open_on_transfer(client, world, user="keeper")  # the keeper, at the warehouse door
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


def _month_after(day: date) -> date:
    """One calendar month after ``day`` (the last day of a shorter month)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def test_a_late_council_and_a_late_destruction_stay_after_closing_and_print_on_the_record(
    client, session, world
):
    today = local_today()
    back = lambda days: (today - timedelta(days=days)).isoformat()  # noqa: E731
    case = open_on_transfer(
        client,
        world,
        transfer_decision={
            "issuer": "VKSND khu vực 1 - Lạng Sơn",
            "number": "3/QĐ-VKS",
            "date": back(120),
        },
    )
    code = intake(client, world, case["id"], received_at=f"{back(110)}T03:00:00Z")
    judgment = {
        "number": "40/2026/HS-ST",
        "date": back(100),
        "court": "TAND khu vực 1 - Lạng Sơn",
        "level": "first_instance",
        "effective_date": back(100),
        "received_date": back(98),
        "dispositions": [{"item_code": code, "disposition": "destroy"}],
    }
    path = f"/cases/{case['id']}"
    assert call(client, world, "POST", f"{path}/judgments", json=judgment).status_code == 201
    decided = today - timedelta(days=95)
    decision = {
        "issuer": "THADS tỉnh Lạng Sơn",
        "number": "61/QĐ-THADS",
        "date": decided.isoformat(),
    }
    assert (
        call(client, world, "POST", f"{path}/enforcement-decisions", json=decision).status_code
        == 201
    )
    council = today - timedelta(days=50)
    batch = new_batch(client, world, [code])
    approval = {
        "decision_number": "22/QĐ-THADS",
        "decision_date": council.isoformat(),
        "decision_issuer": "Thủ trưởng THADS tỉnh Lạng Sơn",
        "members": MEMBERS,
    }
    assert post(client, world, f"/{batch['id']}/approve", approval).status_code == 200
    executed = post(client, world, f"/{batch['id']}/execute", execution([destroyed(code, 700.0)]))
    assert executed.status_code == 200, executed.text
    assert post(client, world, f"/{batch['id']}/close", user="manager2").status_code == 200

    # Law 26/2008 Art. 125(1): one month from the decision; Decree 62/2015 Art. 33(1) or
    # Decree 152/2026 Art. 40(1): 10 or 20 days from the council, by the council's date.
    council_late = (council - _month_after(decided)).days
    destruction_due = council + timedelta(days=20 if council >= date(2026, 7, 1) else 10)
    destruction_late = (today - destruction_due).days
    assert council_late > 0 and destruction_late > 0
    shown = get(client, world, f"/{batch['id']}").json()
    assert [(i["code"], i["council_days_late"]) for i in shown["items"]] == [(code, council_late)]
    assert (shown["destruction_due_on"], shown["destruction_days_late"]) == (
        destruction_due.isoformat(),
        destruction_late,
    )
    # Both reports keep them as late once the batch is closed.
    late = call(client, world, "GET", "/reports/legal-deadlines", params={"status": "late"}).json()
    assert {
        (e["deadline"], e["days_late"])
        for e in late["entries"]
        if e["item_code"] == code or e["batch_id"] == batch["id"]
    } == {("council", council_late), ("destruction", destruction_late)}
    report = call(client, world, "GET", "/reports/destruction-deadlines").json()
    assert {
        (e["deadline"], e["state"], e["days_late"])
        for e in report["entries"]
        if code in e["item_codes"]
    } == {("council", "late", council_late), ("destruction", "late", destruction_late)}
    # The record prints them (Vietnamese and English).
    pdf = get(client, world, f"/{batch['id']}/record.pdf").content
    save_pages(pdf, "destruction-record-late")
    got = text(pdf)
    assert (
        f"Hội đồng tiêu hủy được thành lập trễ {council_late} ngày so với thời hạn đối với: {code}"
        in got
    )
    assert (
        f"Việc tiêu hủy trễ {destruction_late} ngày so với hạn ngày {destruction_due:%d/%m/%Y}"
        in got
    )
    english = text(get(client, world, f"/{batch['id']}/record.pdf", lang="en").content)
    assert f"Council established {council_late} days after its deadline for: {code}" in english
    # And the item's page keeps both, with the act that started each.
    log_in(client, "manager")
    page = client.get(f"/items/{code}").text
    section = page[page.index('id="item-deadlines"') :].split("</section>")[0]
    assert f"Trễ {council_late} ngày" in section and f"Trễ {destruction_late} ngày" in section
    assert "61/QĐ-THADS" in section and "22/QĐ-THADS" in section
    # The source in Vietnamese on the Vietnamese page (the English one is the API's).
    assert (
        "khoản 1 Điều 40 Nghị định số 152/2026/NĐ-CP" in section
        or "khoản 1 Điều 33 Nghị định số 62/2015/NĐ-CP" in section
    )


OLD, NEW = "before_2026_07_01", "from_2026_07_01"
DECISION, HANDOVER = "enforcement_decision", "confiscation_handover"


def _case_with_every_disposition(client, world, tag, effective, received, decided):
    """A case opened on its transfer decision, five items, a judgment ordering each item's
    fate, then the enforcement decision."""
    case = open_on_transfer(
        client,
        world,
        transfer_decision={
            "issuer": "VKSND khu vực 1",
            "number": f"{tag}/QĐ-VKS",
            "date": "2026-03-02",
        },
    )
    other = dict(hazard_classes=[], location_code="S2")
    items = {
        "drug": intake(client, world, case["id"]),
        "phone": intake(
            client, world, case["id"], category="other", description="Điện thoại", **other
        ),
        "cash": intake(
            client, world, case["id"], category="cash", description="Tiền", hazard_classes=["cash"]
        ),
        "papers": intake(
            client, world, case["id"], category="document", description="CCCD", **other
        ),
        "motorbike": intake(
            client, world, case["id"], category="vehicle", description="Xe máy", **other
        ),
    }
    fate = {
        "drug": "destroy",
        "phone": "return_to_owner",
        "cash": "return_to_owner",
        "papers": "return_to_owner",
        "motorbike": "confiscate",
    }
    judgment = {
        "number": f"{tag}/2026/HS-ST",
        "date": effective,
        "court": "TAND khu vực 1 - Lạng Sơn",
        "level": "first_instance",
        "effective_date": effective,
        "received_date": received,
        "dispositions": [{"item_code": items[k], "disposition": v} for k, v in fate.items()],
    }
    path = f"/cases/{case['id']}"
    assert call(client, world, "POST", f"{path}/judgments", json=judgment).status_code == 201
    decision = {"issuer": "THADS tỉnh Lạng Sơn", "number": f"{tag}/QĐ-THADS", "date": decided}
    assert (
        call(client, world, "POST", f"{path}/enforcement-decisions", json=decision).status_code
        == 201
    )
    return case["id"], items


def test_every_deadline_the_issue_lists_runs_from_its_act_under_the_regime_of_that_act(
    client, world
):
    """Issue 14's list, kind by kind, through GET /reports/legal-deadlines: the act that
    starts it, the regime in force on that act's date, the period (working days over the
    weekend, the moved day, 30/4, 1/5, 2/9 and the Hùng Kings' substitute day), the citation."""
    today = local_today()
    # Old rules: judgment effective 20/3, received Fri 24/4 (Mon 27/4 substitute day off,
    # 30/4 and 1/5 off): 5 working days end Wed 6/5; the decision of 10/6 is 25 days late.
    old_case, old = _case_with_every_disposition(
        client, world, "7", "2026-03-20", "2026-04-24", "2026-06-10"
    )
    # New rules: received Thu 27/8 (31/8 moved day off, 1-2/9 National Day): due Tue 8/9.
    new_case, new = _case_with_every_disposition(
        client, world, "8", "2026-07-20", "2026-08-27", "2026-09-10"
    )
    batch = new_batch(client, world, [old["drug"], new["drug"]])
    approval = {
        "decision_number": "15/QĐ-THADS",
        "decision_date": today.isoformat(),
        "decision_issuer": "Thủ trưởng THADS tỉnh Lạng Sơn",
        "members": MEMBERS,
    }
    assert post(client, world, f"/{batch['id']}/approve", approval).status_code == 200
    council_due = today + timedelta(days=20)  # the council sits today: Decree 152 Art. 40(1)
    cited = {  # (kind, regime): the article the issue names, confirmed or to be confirmed
        ("judgment_sent", OLD): ("Law 26/2008 Art. 28", True),
        ("judgment_sent", NEW): ("Law 106/2025", False),
        ("enforcement_decision", OLD): ("Law 26/2008 Art. 36(2)(c)", True),
        ("enforcement_decision", NEW): ("Decree 152/2026 Art. 8", False),
        ("council", OLD): ("Law 26/2008 Art. 125(1)", True),
        ("council", NEW): ("Law 106/2025 Art. 58", False),
        ("confiscation_handover", OLD): ("Law 26/2008 Art. 124; Decree 62/2015 Art. 32", True),
        ("confiscation_handover", NEW): ("Decree 152/2026 Art. 39", False),
        ("return_money", OLD): ("Law 26/2008 Art. 126", True),
        ("return_property", OLD): ("Law 26/2008 Art. 126", True),
        ("return_papers", OLD): ("Law 26/2008 Art. 126", True),
        ("return_money", NEW): ("Law 106/2025 Art. 59", False),
        ("return_property", NEW): ("Law 106/2025 Art. 59", False),
        ("return_papers", NEW): ("Law 106/2025 Art. 59", False),
        ("destruction", NEW): ("Decree 152/2026 Art. 40(1)", True),
        ("owner_notice", NEW): ("Decree 152/2026 Art. 41(5)", False),
    }
    j7, d7, j8, d8 = (
        "7/2026/HS-ST",
        "7/QĐ-THADS",
        "8/2026/HS-ST",
        "8/QĐ-THADS",
    )  # coded: no year glued on
    expected = [
        # kind, case, item, act, regime, starts, due, done, days late (None: today - due)
        ("judgment_sent", old_case, None, j7, OLD, "2026-03-20", "2026-04-19", "2026-04-24", 5),
        (DECISION, old_case, None, j7, OLD, "2026-04-24", "2026-05-06", "2026-06-10", 25),
        ("council", old_case, "drug", d7, OLD, "2026-06-10", "2026-07-10", today, None),
        (HANDOVER, old_case, "motorbike", d7, OLD, "2026-06-10", "2026-06-20", None, None),
        ("return_money", old_case, "cash", d7, OLD, "2026-06-10", "2026-06-25", None, None),
        ("return_property", old_case, "phone", d7, OLD, "2026-06-10", "2026-09-10", None, None),
        ("return_papers", old_case, "papers", d7, OLD, "2026-06-10", "2027-06-10", None, None),
        ("judgment_sent", new_case, None, j8, NEW, "2026-07-20", "2026-08-19", "2026-08-27", 8),
        (DECISION, new_case, None, j8, NEW, "2026-08-27", "2026-09-08", "2026-09-10", 2),
        ("council", new_case, "drug", d8, NEW, "2026-09-10", "2026-10-10", today, None),
        (HANDOVER, new_case, "motorbike", d8, NEW, "2026-09-10", "2026-09-20", None, None),
        ("return_money", new_case, "cash", d8, NEW, "2026-09-10", "2026-09-25", None, None),
        ("return_property", new_case, "phone", d8, NEW, "2026-09-10", "2026-12-10", None, None),
        ("return_papers", new_case, "papers", d8, NEW, "2026-09-10", "2027-09-10", None, None),
        ("destruction", None, None, "15/QĐ-THADS", NEW, today, council_due, None, None),
        ("owner_notice", None, None, "15/QĐ-THADS", NEW, today, council_due, None, None),
    ]  # fmt: skip
    report = call(client, world, "GET", "/reports/legal-deadlines").json()
    codes = {old_case: old, new_case: new}
    ours = [e for e in report["entries"] if e["case_id"] in codes or e["batch_id"] == batch["id"]]
    assert len(ours) == len(expected)
    for kind, case_id, item, act, regime, starts, due, done, late in expected:
        code = codes[case_id][item] if item else None
        (line,) = [
            e
            for e in ours
            if (e["deadline"], e["case_id"], e["item_code"]) == (kind, case_id, code)
        ]
        due_on = date.fromisoformat(str(due))
        assert (line["act"], line["legal_regime"]) == (act, regime), kind
        assert (line["starts_on"], line["due_on"]) == (str(starts), str(due)), kind
        article, confirmed = cited[(kind, regime)]
        assert article in line["source"] and line["confirmed"] is confirmed, kind
        if done is None:
            assert line["status"] == ("overdue" if due_on < today else "due"), kind
            assert line["days_left"] == (due_on - today).days
        else:
            assert (line["status"], line["done_on"]) == ("late", str(done)), kind
            assert line["days_late"] == (late if late is not None else (today - due_on).days)
    # The agency's recurring duties of this period, under the rules in force today (the
    # monthly check of items held by others is a duty of an outside custodian's warehouse
    # keeping items, and this world has none: tests/test_custody_checks.py).
    duties = {e["deadline"]: e for e in report["entries"] if e["subject"] == "agency"}
    assert sorted(duties) == [
        "inventory_half_year",
        "inventory_year",
        "ledger_closing",
    ]
    assert "Decree 152/2026 Art. 38" in duties["inventory_half_year"]["source"]
    assert not duties["ledger_closing"]["confirmed"]
    # The quarterly inventory is a duty of the old rules only (Circular 04/2023 Art. 11(4)).
    assert report["kinds"] == [
        "judgment_sent", "enforcement_decision", "council", "destruction", "owner_notice",
        "confiscation_handover", "return_money", "return_property", "return_papers",
        "external_check", "inventory_quarter", "inventory_half_year", "inventory_year",
        "ledger_closing",
    ]  # fmt: skip
    for kind in report["kinds"]:
        only = call(client, world, "GET", "/reports/legal-deadlines", params={"kind": kind}).json()
        assert {e["deadline"] for e in only["entries"]} <= {kind}


def test_a_refused_act_says_why_in_the_readers_language(client, world):
    case = world.cases["destroy"]
    csrf = log_in(client, "manager")
    form = {
        "csrf_token": csrf,
        "number": "12/2026/HS-ST",
        "level": "first_instance",
        "court": "TAND khu vực 1 - Lạng Sơn",
        "date": "2026-11-20",
        "effective_date": "2026-11-10",
    }
    page = client.post(f"/cases/{case.id}/judgments", data=form)
    assert page.status_code == 422
    assert "bản án không thể có hiệu lực trước ngày tuyên" in page.text
    waiting = open_on_transfer(client, world)  # no judgment yet
    appeal = {**form, "effective_date": "", "number": "3/2026/HS-PT", "level": "appeal"}
    page = client.post(f"/cases/{waiting['id']}/judgments", data=appeal)
    assert page.status_code == 422
    assert "phải theo sau một bản án đã có trong vụ" in page.text
    # The API keeps its English message and gives the key beside it.
    body = {k: v for k, v in form.items() if k != "csrf_token"}
    refused = call(client, world, "POST", f"/cases/{case.id}/judgments", json=body)
    assert refused.status_code == 422
    (error,) = refused.json()["detail"]
    assert error["msg"] == "effective_date cannot precede the judgment's date"
    assert error["ctx"]["key"] == "cases14_errors.effective_before_judgment"
    unknown = call(client, world, "GET", "/reports/legal-deadlines", params={"kind": "nope"})
    assert unknown.json()["detail"][0]["loc"] == ["query", "kind"]
