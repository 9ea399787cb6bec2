"""The corrected destruction record, field by field against vn-documents-review ("Destruction
record: missing or wrong"), on the text of the PDF for a realistic batch: a drug, a box of
fireworks and an acid from two cases, each with its own method, a torn and a suspicious seal,
police, commune and contractor attending, then closed and served as stored."""

import hashlib
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from evidence_service.i18n.formatting import day_start, local_time
from evidence_service.legal.holidays import local_today
from evidence_service.models import (
    Agency,
    ExitKind,
    ExitSlip,
    Item,
    OfficialDocument,
    SealState,
)
from tests.docs_output import save_pages, text
from tests.factories import make_item
from tests.test_destruction import MEMBERS, approve, execution, get, new_batch, post

LONG_NOTE = "Gió nhẹ, khói được kiểm soát, không có sự cố. " * 110  # 5,170 characters


def _moment_vi(moment: datetime) -> str:
    local = local_time(moment)
    return (
        f"Hồi {local:%H} giờ {local:%M} phút, ngày {local:%d} tháng {local.month:02d}"
        if (local.month < 3)
        else f"Hồi {local:%H} giờ {local:%M} phút, ngày {local:%d} tháng {local.month}"
    )


def _realistic(client, session, world):
    agency = session.get(Agency, world.agencies["parent"].id)
    agency.name = "Thi hành án dân sự tỉnh Lạng Sơn"
    session.add(agency)
    session.commit()
    drug = make_item(
        session,
        world,
        category="drug",
        description="Heroin đóng gói nilon",
        quantity=14,
        unit="pack",
        net_weight_g=38725.0,
        gross_weight_g=None,
        location_code="SEC-1",
        seal_number="NP-2026-0147",
        condition="14 gói nilon màu trắng",
        entry_slip_no="NK26/0031",
    )
    fireworks = make_item(
        session,
        world,
        case_id=world.cases["destroy"].id,
        category="fireworks",
        description="Pháo nổ dạng hộp",
        quantity=3,
        unit="box",
        net_weight_g=4500.0,
        gross_weight_g=None,
        hazard_classes=["1.4G"],
        location_code="F1",
        seal_number="NP-2026-0150",
    )
    acid = make_item(
        session,
        world,
        category="chemical",
        description="Axit sunfuric",
        quantity=2,
        unit="l",
        net_weight_g=3680.0,
        gross_weight_g=None,
        hazard_classes=["8"],
        location_code="C1",
        seal_number="NP-2026-0151",
    )
    batch = new_batch(client, world, [drug.code, fireworks.code, acid.code])
    assert approve(client, world, batch["id"]).status_code == 200
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    started = max(day_start(local_today()), now - timedelta(minutes=90))
    results = [
        {
            "code": drug.code,
            "seal_state": "intact",
            "condition": "14 gói nilon, còn nguyên, khớp biên bản thu giữ",
            "measured_weight_g": 38725.0,
            "result": "destroyed",
        },
        {
            "code": fireworks.code,
            "seal_state": "torn",
            "seal_note": "Giấy niêm phong rách một góc; đã kiểm đếm đủ 3 hộp",
            "condition": "3 hộp giấy, ẩm",
            "method": "soak_and_bury",
            "measured_weight_g": 4500.0,
            "result": "destroyed",
        },
        {
            "code": acid.code,
            "seal_state": "suspicious",
            "seal_number": "NP-2026-0999",
            "seal_note": "Số niêm phong khác số ghi khi nhập kho; chờ giám định lại",
            "condition": "2 can nhựa",
            "method": "chemical_neutralisation",
            "measured_weight_g": 3000.0,
            "weight_note": "Hao hụt do bay hơi",
            "result": "excluded",
            "exclusion_reason": "Chờ kết luận giám định lại",
        },
    ]
    environment = {
        "weather": "Nắng nhẹ",
        "residue_quantity_kg": 1.5,
        "residue_destination": "Bãi chôn lấp hợp vệ sinh",
        "incidents": LONG_NOTE,
    }
    body = execution(
        results,
        executed_at=started.isoformat(),
        ended_at=now.isoformat(),
        environment=environment,
        safety_plan_ref="PA-12/2026 ngày 20/11/2026, Bộ Chỉ huy quân sự tỉnh",
        attendees=[
            {
                "name": "Hoàng Văn Nam",
                "position": "Đại úy",
                "organisation": "Công an tỉnh",
                "kind": "police",
            },
            {
                "name": "Vi Thị Hoa",
                "position": "Phó Chủ tịch",
                "organisation": "UBND xã Hợp Thành",
                "kind": "commune",
            },
            {
                "name": "Đỗ Minh Tuấn",
                "position": "Kỹ sư",
                "organisation": "Công ty Môi trường Xanh",
                "kind": "contractor",
            },
        ],
        contractor={
            "name": "Công ty Môi trường Xanh",
            "licence": "GP-123/BTNMT",
            "contract_number": "HĐ-45/2026",
            "contract_date": local_today().isoformat(),
        },
        conclusion="Đã tiêu hủy xong 2 vật chứng, không còn khả năng sử dụng.",
    )
    executed = post(client, world, f"/{batch['id']}/execute", body)
    assert executed.status_code == 200, executed.text
    return executed.json(), (drug, fireworks, acid), (started, now)


def test_the_destruction_record_has_every_field_the_review_asks_for(client, session, world):
    batch, (drug, fireworks, acid), (started, ended) = _realistic(client, session, world)
    closed = post(client, world, f"/{batch['id']}/close", user="manager2")
    assert closed.status_code == 200, closed.text
    served = get(client, world, f"/{batch['id']}/record.pdf")
    pdf = served.content
    paths = save_pages(pdf, "destruction-record")
    got = text(pdf)
    year = local_today().year
    ended_local = local_time(ended)
    # Each item destroyed left the warehouse with its exit slip, made at execution.
    slips = {
        s.item_id: s
        for s in session.exec(select(ExitSlip).where(ExitSlip.kind == ExitKind.destruction))
    }
    assert set(slips) == {drug.id, fireworks.id}  # the acid, excluded, stays
    required = {
        # header: 2025 agency names, the national header, the engine's number, place and date
        "agency header": "BỘ TƯ PHÁP THI HÀNH ÁN DÂN SỰ TỈNH LẠNG SƠN",
        "national header": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "number from the engine": "Số: 01/BB-HĐTH",
        "place/date line": f"Lạng Sơn, ngày {ended_local:%d}",
        "title": "BIÊN BẢN TIÊU HỦY VẬT CHỨNG, TÀI SẢN",
        # legal basis: articles per regime, the council decision, the judgments covered
        "law": "Luật Thi hành án dân sự số",
        "council decision": "Căn cứ Quyết định số 15/QĐ-CCTHADS",
        "judgments covered": "Bản án số",
        # time and place, in words, local time; the end time
        "start in words": _moment_vi(started),
        "site": "Nhà máy xử lý chất thải Sóc Sơn",
        "end in words": "Việc tiêu hủy kết thúc h" + _moment_vi(ended)[1:],
        # members, the procuracy, attendees who are not members, the contractor's contract
        "procuracy": "Đại diện Viện kiểm sát nhân dân (kiểm sát việc tiêu hủy)",
        "police": "Đại diện Công an",
        "commune": "UBND xã Hợp Thành",
        "contractor": "hợp đồng số HĐ-45/2026",
        # per line: quantity and unit, condition, seal number and state, slips, method
        "quantity and unit": "14 gói",
        "vietnamese weight": "38,725 kg",
        "condition": "14 gói nilon, còn nguyên, khớp biên bản thu giữ",
        "seal number": "NP-2026-0147",
        "seal torn": "Không nguyên vẹn (rách)",
        "seal suspicious": "Không nguyên vẹn (khả nghi)",
        "entry slip": "Nhập: NK26/0031",
        "exit slip of the drug": f"Xuất: {slips[drug.id].number}",
        "exit slip of the fireworks": f"Xuất: {slips[fireworks.id].number}",
        "no exit slip for the excluded acid": "Xuất: —",
        "method of the fireworks": "Ngâm",
        "broken seal noted": "Giấy niêm phong rách một góc",
        "seal number reconciled": "khác số đã ghi khi nhập kho (NP-2026-0151)",
        "excluded": "Không tiêu hủy",
        "percent": "%",
        # the long incidents note, the conclusion, copies, signatures
        "incidents note": "không có sự cố",
        "conclusion": "Kết luận của Hội đồng: Đã tiêu hủy xong 2 vật chứng",
        "copies": "lập thành 04 bản",
        "distribution": "Viện kiểm sát nhân dân cùng cấp",
        "signature hint": "(Ký, ghi rõ họ tên)",
        "pages": f"Trang 1/{len(paths)}",
        "chain head": "Chuỗi lưu giữ: EV",
    }
    missing = {name: value for name, value in required.items() if value not in got}
    assert missing == {}
    for member in MEMBERS:
        assert member["name"] in got
    assert "min" not in got.split() and "38.725 kg" not in got and "UTC" not in got
    assert "Cục THADS" not in got.split("Căn cứ")[0]  # no abolished header above the title
    assert f"TH-{year}-" not in got.split("BIÊN BẢN")[0]  # the internal number is no "Số"
    # a 5,000-character note closes and splits across pages
    assert len(LONG_NOTE) > 5000
    assert len(paths) >= 2
    # stored SHA-256 matches the bytes served
    stored = session.exec(
        select(OfficialDocument).where(OfficialDocument.kind == "destruction_record")
    ).one()
    assert served.headers["x-record-sha256"] == stored.sha256 == hashlib.sha256(pdf).hexdigest()
    assert stored.number == "01/BB-HĐTH" and stored.pdf == pdf
    # the item's seal state follows what the council found
    session.expire_all()
    states = {
        i.code: i.seal_state
        for i in session.exec(select(Item).where(Item.code.in_([fireworks.code, acid.code])))
    }
    assert states == {fireworks.code: SealState.broken, acid.code: SealState.broken}
    assert session.get(Item, drug.id).seal_state == SealState.intact
    english = get(client, world, f"/{batch['id']}/record.pdf", lang="en").content
    save_pages(english, "destruction-record-en")
    assert "English translation" in text(english)


def test_each_item_destroyed_leaves_with_its_exit_slip(client, session, world):
    batch, (drug, fireworks, acid), (started, _) = _realistic(client, session, world)
    slips = session.exec(select(ExitSlip).order_by(ExitSlip.id)).all()
    assert [(s.item_id, s.kind) for s in slips] == [
        (drug.id, "destruction"),
        (fireworks.id, "destruction"),
    ]
    slip = slips[0]
    # The slip names the council (its chair) and the decision that set it up, no record
    # beside it (the destruction record is the hand-over to the council).
    assert slip.recipient == MEMBERS[0]["name"] and slip.record_number is None
    assert slip.document_number == batch["decision_number"]
    served = client.get(f"/api/v1/exit-slips/{slip.id}.pdf", headers=world.headers())
    assert served.status_code == 200
    save_pages(served.content, "exit-slip-destruction")
    got = text(served.content)
    local = local_time(started)
    for shown in (
        "PHIẾU XUẤT KHO",
        "C05-THADS",
        slip.number,
        f"Hội đồng tiêu hủy vật chứng, tài sản (Chủ tịch Hội đồng: {MEMBERS[0]['name']})",
        f"Lý do xuất kho: tiêu hủy — theo văn bản số {batch['decision_number']}",
        "NP-2026-0147",
        "14 gói",
        "38,725 kg",
        "NK26/0031",  # the entry slip it came in with
        f"ngày {local:%d} tháng",  # dated the day it left, the execution's
    ):
        assert shown in got, shown
    stored = session.exec(
        select(OfficialDocument).where(OfficialDocument.subject == f"exit_slip:{slip.id}")
    ).one()
    assert stored.sha256 == served.headers["X-SHA256"] == hashlib.sha256(served.content).hexdigest()
    assert (
        client.get(f"/api/v1/exit-slips/{slip.id}/record.pdf", headers=world.headers()).status_code
        == 404
    )
    # The batch and the item's documents name it.
    lines = {i["code"]: i for i in get(client, world, f"/{batch['id']}").json()["items"]}
    assert lines[drug.code]["exit_slip_no"] == slip.number
    assert lines[acid.code]["exit_slip_no"] is None
    documents = client.get(f"/api/v1/items/{drug.code}/documents", headers=world.headers()).json()
    assert f"/api/v1/exit-slips/{slip.id}.pdf" in [d["url"] for d in documents]


def test_the_flags_show_a_seal_not_intact(client, session, world):
    batch, (_, fireworks, acid), _ = _realistic(client, session, world)
    kinds = {(f["kind"], f.get("item_code")) for f in batch["flags"]}
    assert ("seal_not_intact", fireworks.code) in kinds and ("seal_not_intact", acid.code) in kinds
    line = {i["code"]: i for i in batch["items"]}[fireworks.code]
    assert line["seal_state_seen"] == "torn" and line["method"] == "soak_and_bury"
    assert batch["contractor"]["contract_number"] == "HĐ-45/2026"
    assert [a["kind"] for a in batch["attendees"]] == ["police", "commune", "contractor"]


def test_a_seal_not_intact_needs_a_note_and_a_method_must_exist(client, session, world):
    item = make_item(session, world, seal_number="NP-1")
    batch = new_batch(client, world, [item.code])
    approve(client, world, batch["id"])
    line = {"code": item.code, "measured_weight_g": 1000.0, "result": "destroyed"}
    for bad, field in (
        ({"seal_state": "torn"}, "seal_note"),
        ({"seal_state": "unsealed"}, "seal_note"),  # recorded as sealed, found without
        ({"seal_state": "intact", "seal_number": "NP-2"}, "seal_note"),
        ({"seal_state": "intact", "seal_intact": False}, "seal_intact"),
        ({}, "seal_state"),
        ({"seal_state": "intact", "method": "nope"}, "method"),
    ):
        response = post(client, world, f"/{batch['id']}/execute", execution([{**line, **bad}]))
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"][-1] == field, response.text
    late = execution(
        [{**line, "seal_state": "intact"}],
        ended_at=(datetime.now(UTC) - timedelta(days=3)).isoformat(),
    )
    response = post(client, world, f"/{batch['id']}/execute", late)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "ended_at"
    assert get(client, world, f"/{batch['id']}").json()["status"] == "approved"  # nothing written


def test_a_4000_character_incidents_note_no_longer_stops_closing(client, session, world):
    item = make_item(session, world)
    batch = new_batch(client, world, [item.code])
    approve(client, world, batch["id"])
    environment = {
        "weather": "Mưa",
        "residue_quantity_kg": 0.5,
        "residue_destination": "Lò đốt",
        "incidents": "x" * 4000,
    }
    line = {
        "code": item.code,
        "seal_intact": True,
        "measured_weight_g": 1000.0,
        "result": "destroyed",
    }
    done = post(
        client, world, f"/{batch['id']}/execute", execution([line], environment=environment)
    )
    assert done.status_code == 200, done.text
    closed = post(client, world, f"/{batch['id']}/close", user="manager2")
    assert closed.status_code == 200, closed.text


def test_the_destruction_page_takes_and_shows_the_new_fields(client, session, world):
    from tests.test_web import log_in
    from tests.test_web_dashboard import _token

    item = make_item(session, world, location_code="S2", seal_number="NP-7")
    batch = new_batch(client, world, [item.code])
    assert approve(client, world, batch["id"]).status_code == 200
    log_in(client, "manager")
    url = f"/destruction/{batch['id']}"
    token = _token(client, url)
    now = local_time(datetime.now(UTC))
    fields = {
        "executed_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ended_at": now.strftime("%Y-%m-%dT%H:%M"),
        "site": "Bãi A",
        "method": "crushing",
        "m.crushing.equipment": "máy nghiền",
        "env.weather": "nắng",
        "env.residue_quantity_kg": "0,5",
        "env.residue_destination": "bãi rác",
        "weight_unit": "kg",
        "csrf_token": token,
        "code": [item.code],
        "sealstate.0": "torn",
        "weight.0": "1",
        "result.0": "destroyed",
        "condition.0": "Vỏ hộp móp méo",
        "attendee.0.name": "Hoàng Văn Nam",
        "attendee.0.kind": "police",
        "contractor_name": "Công ty Xanh",
        "contract_number": "HĐ-1",
        "contract_date": local_today().strftime("%d/%m/%Y"),
        "conclusion": "Đã tiêu hủy xong.",
    }
    refused = client.post(f"{url}/execute", data=fields)
    assert refused.status_code == 422  # a torn seal needs its note
    fields["sealnote.0"] = "Rách mép, đã lập biên bản"
    done = client.post(f"{url}/execute", data=fields)
    assert done.status_code == 200, done.text
    page = client.get(url).text
    for shown in (
        "Không nguyên vẹn (rách)",
        "Rách mép, đã lập biên bản",
        "Vỏ hộp móp méo",
        "Hoàng Văn Nam",
        "HĐ-1",
        "Đã tiêu hủy xong.",
        "Niêm phong không nguyên vẹn:",
    ):
        assert shown in page, shown


def test_execution_records_the_opening_of_each_sealed_item_destroyed(client, session, world):
    """vn-legal-context §2.4 and §6: every destruction starts with an unsealing, recorded.
    Executing makes one unsealing record per sealed item destroyed (purpose destruction):
    the seal as the council found it, the item as opened, the council present, the
    destruction decision; an item excluded is not opened. The batch page and the item's
    documents link it."""
    from evidence_service.models import Unsealing
    from tests.test_web import log_in

    batch, (drug, fireworks, acid), (started, _) = _realistic(client, session, world)
    rows = session.exec(select(Unsealing).order_by(Unsealing.id)).all()
    assert [(r.item_id, r.purpose, r.resealed) for r in rows] == [
        (drug.id, "destruction", False),
        (fireworks.id, "destruction", False),
    ]
    drug_row, fireworks_row = rows
    assert drug_row.seal_state_before == "intact" and fireworks_row.seal_state_before == "broken"
    assert drug_row.number and drug_row.place == fireworks_row.place != ""
    served = client.get(
        f"/api/v1/unsealings/{fireworks_row.id}/record.pdf", headers=world.headers()
    )
    assert served.status_code == 200
    save_pages(served.content, "unsealing-record-destruction")
    got = text(served.content)
    for shown in (
        "BIÊN BẢN",
        "Mở niêm phong để tiêu hủy",
        fireworks.code,
        "niêm phong bị rách",
        "Giấy niêm phong rách một góc",
        "3 hộp giấy, ẩm",
        batch["decision_number"],
        *(m["name"] for m in MEMBERS),
        fireworks_row.number,
    ):
        assert shown in got, (shown, got)
    assert served.headers["X-SHA256"] == hashlib.sha256(served.content).hexdigest()
    documents = client.get(f"/api/v1/items/{drug.code}/documents", headers=world.headers()).json()
    assert f"/api/v1/unsealings/{drug_row.id}/record.pdf" in [d["url"] for d in documents]
    lines = {i["code"]: i for i in get(client, world, f"/{batch['id']}").json()["items"]}
    assert lines[drug.code]["unsealing_id"] == drug_row.id
    assert lines[acid.code]["unsealing_id"] is None
    log_in(client, "manager")
    page = client.get(f"/destruction/{batch['id']}").text
    assert f'href="/unsealings/{fireworks_row.id}/record.pdf"' in page
