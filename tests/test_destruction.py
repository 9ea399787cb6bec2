"""Destruction batches through the API: the workflow, its refusals, the record, the reports."""

import csv
import hashlib
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from evidence_service.cases import CaseCreate, create_case
from evidence_service.legal.holidays import local_today
from evidence_service.models import CustodyEvent, DestructionItem, Item
from tests.factories import make_item, tiny_image

API = "/api/v1"
B = API + "/destruction-batches"
TODAY = local_today().isoformat()  # the date in Viet Nam, as the rules read it
PNG = tiny_image("PNG")
JPEG = tiny_image("JPEG")
MEMBERS = [
    {
        "name": "Nguyễn Văn Ánh",
        "position": "Chi cục trưởng",
        "organisation": "Chi cục THADS",
        "role": "chair",
    },
    {
        "name": "Trần Thị Bích Ngọc",
        "position": "Chấp hành viên",
        "organisation": "Chi cục THADS",
        "role": "member",
    },
    {
        "name": "Lê Đức Thắng",
        "position": "Cán bộ",
        "organisation": "Công an huyện",
        "role": "member",
    },
    {
        "name": "Phạm Hồng Sơn",
        "position": "Kiểm sát viên",
        "organisation": "Viện kiểm sát nhân dân huyện A",
        "role": "procuracy",
    },
]
INCINERATION = {
    "company": "Công ty Môi trường Xanh",
    "permit_number": "GP-123/BTNMT",
    "chamber_temperature_c": 1100,
    "duration_min": 90,
}
ENVIRONMENT = {
    "weather": "Nắng nhẹ",
    "residue_quantity_kg": 1.5,
    "residue_destination": "Bãi chôn lấp hợp vệ sinh",
    "incidents": "Không",
    # Open-ground sites record the wind and their distance to water (environment/sites.py).
    "wind_direction": "Đông Bắc, nhẹ",
    "distance_to_water_m": 900,
}


def post(client, world, path, body=None, user="manager"):
    return client.post(B + path, json=body, headers=world.headers(user))


def get(client, world, path="", user="manager", **params):
    return client.get(B + path, headers=world.headers(user), params=params)


def new_batch(client, world, codes=(), user="manager"):
    response = post(client, world, "", {"title": "Đợt tiêu hủy 1"}, user=user)
    assert response.status_code == 201, response.text
    batch = response.json()
    if codes:
        added = post(client, world, f"/{batch['id']}/items", {"codes": list(codes)}, user=user)
        assert added.status_code == 200, added.text
        batch = added.json()
    return batch


def approve(client, world, batch_id, members=MEMBERS, user="manager"):
    body = {
        "decision_number": "15/QĐ-CCTHADS",
        "decision_date": TODAY,
        "decision_issuer": "Chi cục trưởng Chi cục THADS huyện A",
        "members": members,
    }
    return post(client, world, f"/{batch_id}/approve", body, user=user)


def execution(results, method="licensed_incineration", details=None, **extra):
    body = {
        "executed_at": datetime.now(UTC).isoformat(),
        "site": "Nhà máy xử lý chất thải Sóc Sơn",
        "method": method,
        "method_details": INCINERATION if details is None else details,
        "environment": ENVIRONMENT,
        "items": results,
    }
    body.update(extra)
    return body


def destroyed(code, weight=1000.0, **extra):
    return {
        "code": code,
        "seal_intact": True,
        "measured_weight_g": weight,
        "result": "destroyed",
        **extra,
    }


def executed_batch(client, world, items, results=None, **extra):
    batch = new_batch(client, world, [i.code for i in items])
    assert approve(client, world, batch["id"]).status_code == 200
    results = results or [destroyed(i.code, i.net_weight_g) for i in items]
    response = post(client, world, f"/{batch['id']}/execute", execution(results, **extra))
    assert response.status_code == 200, response.text
    return response.json()


def events(session, item):
    return [
        e.event_type
        for e in session.exec(
            select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq)
        )
    ]


def item_status(client, world, code):
    return client.get(f"{API}/items/{code}", headers=world.headers()).json()


def pdf_text(data):
    """The text of every page, whitespace folded (a table cell's text wraps)."""
    pages = (page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(" ".join(page.split()) for page in pages)


def test_whole_workflow_end_to_end(client, session, world):
    a = make_item(session, world, description="Heroin 50 gói", net_weight_g=1000.0)
    b = make_item(session, world, description="Ma túy đá", net_weight_g=500.0)
    batch = new_batch(client, world, [a.code, b.code])
    assert batch["number"] == f"TH-{local_today().year}-001"
    assert batch["status"] == "draft" and batch["item_count"] == 2
    assert item_status(client, world, a.code)["status"] == "pending_destruction"

    approved = approve(client, world, batch["id"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert [m["name"] for m in approved.json()["members"]] == [m["name"] for m in MEMBERS]

    photo = client.post(
        f"{B}/{batch['id']}/photos",
        headers=world.headers("council"),
        files={"file": ("hien-truong.png", PNG, "image/png")},
        data={"caption": "Hiện trường"},
    )
    assert photo.status_code == 201, photo.text
    assert photo.json()["sha256"] == hashlib.sha256(PNG).hexdigest()
    served = get(client, world, f"/{batch['id']}/photos/{photo.json()['id']}")
    assert served.content == PNG and served.headers["content-type"] == "image/png"

    results = [
        destroyed(a.code, 1010.0),
        {
            "code": b.code,
            "seal_intact": False,
            "seal_note": "Niêm phong rách một góc, đã lập biên bản",
            "measured_weight_g": 500.0,
            "result": "excluded",
            "exclusion_reason": "Niêm phong bị rách, cần giám định",
        },
    ]
    done = post(client, world, f"/{batch['id']}/execute", execution(results), user="council")
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "executed" and body["method"] == "licensed_incineration"
    assert body["environment"]["residue_quantity_kg"] == 1.5
    by_code = {i["code"]: i for i in body["items"]}
    assert by_code[a.code]["result"] == "destroyed" and by_code[a.code]["weight_flagged"] is False
    assert item_status(client, world, a.code)["status"] == "destroyed"
    assert item_status(client, world, a.code)["location_code"] is None
    assert item_status(client, world, b.code)["status"] == "stored"

    closed = post(client, world, f"/{batch['id']}/close", user="council")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and len(closed.json()["record_sha256"]) == 64
    assert events(session, a) == [
        "intake",
        "destruction_added",
        "destruction_approved",
        "destruction",
        "destruction_closed",
    ]
    assert events(session, b) == [
        "intake",
        "destruction_added",
        "destruction_approved",
        "destruction_excluded",
        "destruction_closed",
    ]
    listed = get(client, world, status="closed").json()
    assert [x["number"] for x in listed] == [batch["number"]]


def test_batch_numbers_count_up_per_agency(client, world):
    year = local_today().year
    assert new_batch(client, world)["number"] == f"TH-{year}-001"
    assert new_batch(client, world)["number"] == f"TH-{year}-002"
    assert new_batch(client, world, user="other-manager")["number"] == f"TH-{year}-001"


def test_every_illegal_transition_is_409(client, session, world, settings):
    item = make_item(session, world)
    batch = new_batch(client, world, [item.code])
    bid = batch["id"]
    body = execution([destroyed(item.code)])
    # draft: cannot be executed or closed
    assert post(client, world, f"/{bid}/execute", body).status_code == 409
    assert post(client, world, f"/{bid}/close", user="manager2").status_code == 409
    assert approve(client, world, bid).status_code == 200
    # approved: no more items, no second approval, no closing before execution
    other = make_item(session, world)
    assert post(client, world, f"/{bid}/items", {"codes": [other.code]}).status_code == 409
    assert post(client, world, f"/{bid}/items/{item.code}/remove").status_code == 409
    assert approve(client, world, bid).status_code == 409
    assert post(client, world, f"/{bid}/close", user="manager2").status_code == 409
    assert post(client, world, f"/{bid}/execute", body).status_code == 200
    # executed: no cancel, no second execution, no approval
    assert post(client, world, f"/{bid}/cancel", {"reason": "nhầm"}).status_code == 409
    assert post(client, world, f"/{bid}/execute", body).status_code == 409
    assert approve(client, world, bid).status_code == 409
    assert post(client, world, f"/{bid}/close", user="manager2").status_code == 200
    # closed: nothing
    assert post(client, world, f"/{bid}/close", user="manager2").status_code == 409
    # cancelled: nothing but reading
    cancelled = new_batch(client, world, [other.code])
    assert post(client, world, f"/{cancelled['id']}/cancel", {"reason": "Hoãn"}).status_code == 200
    assert approve(client, world, cancelled["id"]).status_code == 409
    assert post(client, world, f"/{cancelled['id']}/cancel", {"reason": "x"}).status_code == 409


def test_closed_batch_refuses_every_change(client, session, world):
    item = make_item(session, world)
    spare = make_item(session, world)
    batch = executed_batch(client, world, [item])
    bid = batch["id"]
    assert post(client, world, f"/{bid}/close", user="manager2").status_code == 200
    before = get(client, world, f"/{bid}").json()
    attempts = [
        post(client, world, f"/{bid}/items", {"codes": [spare.code]}),
        client.delete(f"{B}/{bid}/items/{item.code}", headers=world.headers("manager")),
        approve(client, world, bid),
        post(client, world, f"/{bid}/execute", execution([destroyed(item.code)])),
        post(client, world, f"/{bid}/cancel", {"reason": "x"}),
        post(client, world, f"/{bid}/close", user="manager2"),
        client.post(
            f"{B}/{bid}/photos",
            headers=world.headers("manager"),
            files={"file": ("a.jpg", JPEG, "image/jpeg")},
        ),
    ]
    assert [r.status_code for r in attempts] == [409] * len(attempts)
    assert get(client, world, f"/{bid}").json() == before


def test_item_in_two_open_batches_is_refused_by_api_and_database(client, session, world):
    item = make_item(session, world)
    first = new_batch(client, world, [item.code])
    second = new_batch(client, world)
    response = post(client, world, f"/{second['id']}/items", {"codes": [item.code]})
    assert response.status_code == 409
    assert first["number"] in response.json()["detail"]
    # The partial unique index refuses it even behind the code's back.
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            DestructionItem(
                batch_id=second["id"],
                item_id=item.id,
                open=True,
                added_by_id=world.users["manager"].id,
            )
        )
        session.flush()


def test_items_only_with_destroy_disposition_unless_manager_overrides(client, session, world):
    pending = make_item(session, world, case_id=world.cases["pending"].id)
    batch = new_batch(client, world, user="keeper")
    path = f"/{batch['id']}/items"
    assert post(client, world, path, {"codes": [pending.code]}, user="keeper").status_code == 409
    body = {"codes": [pending.code], "override_reason": "Hàng hóa hư hỏng, nguy hiểm"}
    assert post(client, world, path, body, user="keeper").status_code == 403
    added = post(client, world, path, body)
    assert added.status_code == 200, added.text
    assert added.json()["items"][0]["override_reason"] == body["override_reason"]
    assert [f["kind"] for f in added.json()["flags"]] == ["override"]


def test_only_stored_items_can_be_added(client, session, world):
    received = make_item(session, world, location_code=None)
    batch = new_batch(client, world)
    assert (
        post(client, world, f"/{batch['id']}/items", {"codes": [received.code]}).status_code == 409
    )


def test_removing_and_cancelling_return_items_to_storage(client, session, world):
    a, b = make_item(session, world), make_item(session, world)
    batch = new_batch(client, world, [a.code, b.code])
    removed = client.delete(f"{B}/{batch['id']}/items/{a.code}", headers=world.headers())
    assert removed.status_code == 200, removed.text
    assert [i["code"] for i in removed.json()["items"]] == [b.code]
    assert item_status(client, world, a.code)["status"] == "stored"
    assert approve(client, world, batch["id"]).status_code == 200
    cancelled = post(client, world, f"/{batch['id']}/cancel", {"reason": "Chờ giám định lại"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert item_status(client, world, b.code)["status"] == "stored"
    assert events(session, b)[-1] == "destruction_cancelled"
    # A cancelled batch no longer holds the item: it can go into a new one.
    assert new_batch(client, world, [b.code])["item_count"] == 1


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        (MEMBERS[:2] + MEMBERS[3:], "at least 3 voting members"),
        ([{**m, "role": "member"} for m in MEMBERS], "exactly one chair"),
        ([{**m, "role": "chair"} for m in MEMBERS[:3]], "exactly one chair"),
    ],
)
def test_approving_with_too_few_members_or_no_single_chair_is_422(
    client, session, world, members, problem
):
    item = make_item(session, world)
    batch = new_batch(client, world, [item.code])
    response = approve(client, world, batch["id"], members)
    assert response.status_code == 422
    assert problem in response.json()["detail"][0]["msg"]
    assert get(client, world, f"/{batch['id']}").json()["status"] == "draft"


def test_minimum_voting_members_comes_from_settings(client, session, world, settings):
    settings.destruction_min_voting_members = 2
    item = make_item(session, world)
    batch = new_batch(client, world, [item.code])
    two_and_procuracy = [*MEMBERS[:2], MEMBERS[3]]
    assert approve(client, world, batch["id"], two_and_procuracy).status_code == 200


def test_only_a_manager_approves(client, session, world):
    item = make_item(session, world)
    batch = new_batch(client, world, [item.code], user="keeper")
    assert approve(client, world, batch["id"], user="keeper").status_code == 403
    assert approve(client, world, batch["id"], user="council").status_code == 403


def test_member_who_handled_items_is_flagged_or_blocks(client, session, world, settings):
    item = make_item(session, world)  # received by "keeper"
    keeper = {**MEMBERS[2], "name": "Keeper", "username": "keeper"}
    members = [*MEMBERS[:2], keeper, MEMBERS[3]]
    batch = new_batch(client, world, [item.code])
    settings.destruction_block_handler_members = True
    blocked = approve(client, world, batch["id"], members)
    assert blocked.status_code == 409
    assert blocked.json()["detail"]["members"] == {"Keeper": [item.code]}
    settings.destruction_block_handler_members = False
    approved = approve(client, world, batch["id"], members)
    assert approved.status_code == 200, approved.text
    member = approved.json()["members"][2]
    assert member["username"] == "keeper" and member["handled_items"] == [item.code]
    assert any(f["kind"] == "member_handled_items" for f in approved.json()["flags"])


def test_weight_discrepancy_needs_a_note_and_is_flagged(client, session, world):
    item = make_item(session, world, net_weight_g=1000.0)
    batch = new_batch(client, world, [item.code])
    approve(client, world, batch["id"])
    off = [destroyed(item.code, 1100.0)]
    refused = post(client, world, f"/{batch['id']}/execute", execution(off))
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "items", "0", "weight_note"]
    assert item_status(client, world, item.code)["status"] == "pending_destruction"
    noted = [destroyed(item.code, 1100.0, weight_note="Bao bì hút ẩm")]
    done = post(client, world, f"/{batch['id']}/execute", execution(noted))
    assert done.status_code == 200, done.text
    line = done.json()["items"][0]
    assert line["weight_flagged"] and line["weight_difference_pct"] == 10.0
    assert [f["kind"] for f in done.json()["flags"]] == ["weight_discrepancy"]
    report = client.get(f"{API}/reports/destruction", headers=world.headers()).json()
    assert [d["item_code"] for d in report["weight_discrepancies"]] == [item.code]
    assert report["weight_discrepancies"][0]["note"] == "Bao bì hút ẩm"


def test_within_tolerance_needs_no_note(client, session, world):
    item = make_item(session, world, net_weight_g=1000.0)
    batch = executed_batch(client, world, [item], [destroyed(item.code, 1019.0)])
    assert batch["items"][0]["weight_flagged"] is False


def test_excluded_items_go_back_to_storage_and_need_a_reason(client, session, world):
    a, b = make_item(session, world, location_code="S1"), make_item(session, world)
    batch = new_batch(client, world, [a.code, b.code])
    approve(client, world, batch["id"])
    excluded = {
        "code": a.code,
        "seal_intact": False,
        "seal_note": "Rách góc",
        "result": "excluded",
    }
    no_reason = execution([excluded, destroyed(b.code)])
    assert post(client, world, f"/{batch['id']}/execute", no_reason).status_code == 422
    with_reason = execution([{**excluded, "exclusion_reason": "Chờ giám định"}, destroyed(b.code)])
    assert post(client, world, f"/{batch['id']}/execute", with_reason).status_code == 200
    back = item_status(client, world, a.code)
    assert back["status"] == "stored" and back["location_code"] == "S1"
    # Back in storage, it can join a later batch.
    assert new_batch(client, world, [a.code])["item_count"] == 1


def test_every_item_needs_a_result(client, session, world):
    a, b = make_item(session, world), make_item(session, world)
    batch = new_batch(client, world, [a.code, b.code])
    approve(client, world, batch["id"])
    response = post(client, world, f"/{batch['id']}/execute", execution([destroyed(a.code)]))
    assert response.status_code == 422 and b.code in response.json()["detail"][0]["msg"]


def test_fireworks_need_the_safety_plan_reference(client, session, world):
    fireworks = make_item(
        session,
        world,
        category="fireworks",
        hazard_classes=["1.4G"],
        location_code="F1",
        description="Pháo hoa nổ",
    )
    batch = new_batch(client, world, [fireworks.code])
    approve(client, world, batch["id"])
    soak = {
        "soak_hours": 48,
        "depth_m": 2,
        "burial_site": "Bãi đất trống xã B",
        "distance_to_homes_m": 500,
        "distance_to_water_m": 300,
    }
    body = execution([destroyed(fireworks.code)], method="soak_and_bury", details=soak)
    refused = post(client, world, f"/{batch['id']}/execute", body)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "safety_plan_ref"]
    body["safety_plan_ref"] = "PA-07/2026/CAH"
    done = post(client, world, f"/{batch['id']}/execute", body)
    assert done.status_code == 200, done.text
    assert done.json()["safety_plan_ref"] == "PA-07/2026/CAH"
    # burial without a permit is risky: flagged on the batch
    assert done.json()["environmental_risk"] is True
    assert "environmental_risk" in [f["kind"] for f in done.json()["flags"]]


def test_method_fields_are_checked_against_the_data(client, session, world):
    item = make_item(session, world)
    batch = new_batch(client, world, [item.code])
    approve(client, world, batch["id"])
    path = f"/{batch['id']}/execute"
    missing = {k: v for k, v in INCINERATION.items() if k != "chamber_temperature_c"}
    cases = [
        (execution([destroyed(item.code)], details=missing), "chamber_temperature_c"),
        (
            execution([destroyed(item.code)], details={**INCINERATION, "duration_min": "long"}),
            "duration_min",
        ),
        (execution([destroyed(item.code)], details={**INCINERATION, "colour": "red"}), "colour"),
        (execution([destroyed(item.code)], method="teleport"), "method"),
        (execution([destroyed(item.code)], environment={"weather": "Mưa"}), "residue_quantity_kg"),
    ]
    for body, field in cases:
        response = post(client, world, path, body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"][-1] == field
    methods = get(client, world, "/methods").json()
    ids = {m["id"] for m in methods}
    assert {
        "licensed_incineration",
        "cement_kiln",
        "onsite_incinerator",
        "open_burning",
        "burial",
        "soak_and_bury",
        "chemical_neutralisation",
        "crushing",
        "hazardous_waste_contractor",
    } <= ids
    risky = {m["id"] for m in methods if m["environmental_risk"]}
    assert {"open_burning", "burial"} <= risky and "licensed_incineration" not in risky


def test_photo_upload_rejects_non_images_and_oversize(client, session, world, settings):
    batch = new_batch(client, world)

    def upload(name, data, content_type="image/jpeg"):
        return client.post(
            f"{B}/{batch['id']}/photos",
            headers=world.headers("manager"),
            files={"file": (name, data, content_type)},
        )

    assert upload("x.jpg", b"%PDF-1.4 not an image").status_code == 422
    assert upload("x.jpg", b"").status_code == 422
    settings.destruction_photo_max_bytes = len(JPEG) + 10
    assert upload("big.jpg", JPEG + b"\x00" * 100).status_code == 413
    ok = upload("ok.jpg", JPEG)
    assert ok.status_code == 201 and ok.json()["content_type"] == "image/jpeg"
    assert get(client, world, f"/{batch['id']}").json()["photos"][0]["sha256"] == (
        hashlib.sha256(JPEG).hexdigest()
    )


def test_record_pdf_has_every_code_and_member_name_with_diacritics(client, session, world):
    items = [make_item(session, world, description=f"Ma túy tổng hợp số {n}") for n in range(3)]
    batch = executed_batch(client, world, items)
    draft = get(client, world, f"/{batch['id']}/record.pdf")
    assert draft.status_code == 200 and draft.headers["content-type"] == "application/pdf"
    assert "x-record-sha256" not in draft.headers
    text = pdf_text(draft.content)
    assert "DỰ THẢO" in text and "BIÊN BẢN TIÊU HỦY VẬT CHỨNG" in text
    for item in items:
        assert item.code in text
    for member in MEMBERS:
        assert member["name"] in text
    assert "Công ty Môi trường Xanh" in text and "Viện kiểm sát nhân dân huyện A" in text
    english = pdf_text(get(client, world, f"/{batch['id']}/record.pdf", lang="en").content)
    assert "RECORD OF THE DESTRUCTION" in english and "Nguyễn Văn Ánh" in english


def test_closed_record_is_frozen_and_its_hash_matches_the_served_bytes(client, session, world):
    item = make_item(session, world)
    batch = executed_batch(client, world, [item])
    closed = post(client, world, f"/{batch['id']}/close", user="manager2").json()
    first = get(client, world, f"/{batch['id']}/record.pdf")
    digest = hashlib.sha256(first.content).hexdigest()
    assert first.headers["x-record-sha256"] == digest == closed["record_sha256"]
    text = pdf_text(first.content)
    assert item.code in text and "DỰ THẢO" not in text and "Số: 01/BB-HĐTH" in text
    assert get(client, world, f"/{batch['id']}/record.pdf").content == first.content
    assert events(session, item)[-1] == "destruction_closed"


def test_destruction_totals_match_the_data(client, session, world):
    drug = make_item(
        session,
        world,
        category="drug",
        location_code="SEC-1",  # a drug goes to a secure place (its category's classes)
        net_weight_g=2000.0,
        gross_weight_g=None,
    )
    other = make_item(session, world, net_weight_g=1000.0)
    burnt = make_item(session, world, net_weight_g=3000.0, gross_weight_g=None)
    executed_batch(
        client, world, [drug, other], [destroyed(drug.code, 1990.0), destroyed(other.code, 1000.0)]
    )
    executed_batch(
        client,
        world,
        [burnt],
        [destroyed(burnt.code, 3000.0)],
        method="open_burning",
        details={"distance_to_homes_m": 800},
    )
    report = client.get(
        f"{API}/reports/destruction", headers=world.headers(), params={"period": "quarter"}
    ).json()
    assert report["items"] == 3 and report["weight_kg"] == pytest.approx(5.99)
    now = datetime.now(UTC) + timedelta(hours=7)
    assert report["by_period"] == [
        {
            "key": f"{now.year}-Q{(now.month - 1) // 3 + 1}",
            "label": f"{now.year}-Q{(now.month - 1) // 3 + 1}",
            "items": 3,
            "weight_kg": 5.99,
            "environmental_risk": None,
        }
    ]
    by_category = {t["key"]: (t["items"], t["weight_kg"]) for t in report["by_category"]}
    assert by_category == {"drug": (1, 1.99), "other": (2, 4.0)}
    by_method = {t["key"]: (t["items"], t["environmental_risk"]) for t in report["by_method"]}
    assert by_method == {"licensed_incineration": (2, False), "open_burning (risky)": (1, True)}
    assert [t["key"] for t in report["by_warehouse"]] == ["W1"]
    risky = report["environmentally_risky"]
    assert risky["items"] == 1 and risky["items_pct"] == pytest.approx(33.33)
    assert risky["weight_pct"] == pytest.approx(round(3 / 5.99 * 100, 2))
    as_csv = client.get(
        f"{API}/reports/destruction", headers=world.headers(), params={"format": "csv"}
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert ["total", "", "", "3", "5.99", ""] in rows
    # The other agency sees none of it.
    theirs = client.get(f"{API}/reports/destruction", headers=world.headers("other-manager"))
    assert theirs.json()["items"] == 0


def test_risky_method_is_flagged_in_the_record(client, session, world):
    item = make_item(session, world)
    batch = executed_batch(
        client, world, [item], method="open_burning", details={"distance_to_homes_m": 800}
    )
    text = pdf_text(get(client, world, f"/{batch['id']}/record.pdf").content)
    assert "Đốt lộ thiên" in text and "ảnh hưởng đến môi trường" in text


def test_other_agency_gets_404(client, session, world):
    item = make_item(session, world)
    batch = new_batch(client, world, [item.code])
    bid = batch["id"]
    who = "other-manager"
    assert get(client, world, f"/{bid}", user=who).status_code == 404
    assert get(client, world, f"/{bid}/record.pdf", user=who).status_code == 404
    assert post(client, world, f"/{bid}/items", {"codes": [item.code]}, user=who).status_code == 404
    assert approve(client, world, bid, user=who).status_code == 404
    assert post(client, world, f"/{bid}/cancel", {"reason": "x"}, user=who).status_code == 404
    assert get(client, world, user=who).json() == []
    # Their own batch cannot take our items either.
    theirs = new_batch(client, world, user=who)
    taken = post(client, world, f"/{theirs['id']}/items", {"codes": [item.code]}, user=who)
    assert taken.status_code == 404


def test_deadlines_report_lists_items_and_batches_near_or_past_deadlines(client, session, world):
    today = local_today()
    old_rules = create_case(
        session,
        CaseCreate(
            judgment_number="7/2025/HS-ST",
            court="TAND huyện A",
            decision_issuer="Chi cục THADS A",
            decision_year=today.year,
            decision_number="77",
            decision_date=today - timedelta(days=5),
            disposition="destroy",
        ),
        world.users["manager"],
    )
    session.commit()
    waiting = make_item(session, world, case_id=old_rules.id)  # decided 5 days ago: 1 month
    late = make_item(session, world, case_id=old_rules.id)
    batch = new_batch(client, world)
    long_ago = (today - timedelta(days=60)).isoformat()
    post(
        client,
        world,
        f"/{batch['id']}/items",
        {"codes": [late.code], "enforcement_decision_date": long_ago},
    )
    report = client.get(
        f"{API}/reports/destruction-deadlines", headers=world.headers(), params={"within_days": 40}
    ).json()
    entries = {(e["kind"], e["deadline"], tuple(e["item_codes"])): e for e in report["entries"]}
    overdue = entries[("item", "council", (late.code,))]
    assert overdue["state"] == "overdue" and overdue["days_left"] < 0
    assert entries[("item", "council", (waiting.code,))]["state"] == "approaching"
    # Once the council is established, the destruction deadline (20 days under the rules in
    # force on the council's date) runs, and the late council stays listed as late.
    assert approve(client, world, batch["id"]).status_code == 200
    report = client.get(
        f"{API}/reports/destruction-deadlines", headers=world.headers(), params={"within_days": 20}
    ).json()
    batch_entries = [e for e in report["entries"] if e["kind"] == "batch"]
    assert [(e["batch_number"], e["deadline"], e["item_codes"]) for e in batch_entries] == [
        (batch["number"], "destruction", [late.code]),
        # Decree 152/2026 Art. 41(5): the owner is told before the destruction.
        (batch["number"], "owner_notice", [late.code]),
    ]
    assert [e["confirmed"] for e in batch_entries] == [True, False]
    council_day = date.fromisoformat(TODAY)
    assert batch_entries[0]["due_on"] == (council_day + timedelta(days=20)).isoformat()
    late_council = [
        e for e in report["entries"] if e["kind"] == "item" and late.code in e["item_codes"]
    ]
    assert [(e["deadline"], e["state"]) for e in late_council] == [("council", "late")]
    assert (
        late_council[0]["days_late"] == (council_day - date.fromisoformat(overdue["due_on"])).days
    )


def test_destroyed_item_cannot_be_moved_or_added_again(client, session, world):
    item = make_item(session, world)
    executed_batch(client, world, [item])
    moved = client.post(
        f"{API}/items/{item.code}/moves", json={"to_location_code": "S1"}, headers=world.headers()
    )
    assert moved.status_code == 409
    assert (
        post(
            client, world, f"/{new_batch(client, world)['id']}/items", {"codes": [item.code]}
        ).status_code
        == 409
    )
    assert session.get(Item, item.id).location_id is None
