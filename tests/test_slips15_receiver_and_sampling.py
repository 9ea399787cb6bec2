"""The receiver of every exit beside the name (position, identity paper, body) on the exit
slip and its hand-over record, a dotted blank on slips made before; the record a sample
makes (biên bản lấy mẫu, with the unsealing of a sealed item), cited on the stock card,
listed among the item's documents, made when a manager confirms a large sample too; the
refusals write nothing."""

import hashlib
from datetime import timedelta

from sqlmodel import select

from evidence_service.legal.holidays import local_today
from evidence_service.models import Approval, CustodyEvent, ExitSlip, OfficialDocument, Unsealing

from .docs_output import save_pages
from .factories import confirm_request, exit_document, make_item
from .papers import pdf_text
from .test_destruction import executed_batch

API = "/api/v1"
AGENCY_NAME = "Thi hành án dân sự tỉnh Lạng Sơn"
RECEIVER = {
    "recipient_position": "Thư ký Tòa án",
    "recipient_id_document": "CCCD 020190001234",
    "recipient_organisation": "Tòa án nhân dân tỉnh Lạng Sơn",
}
BLANK = "……………………"


def _post(client, world, path, body, user="keeper"):
    return client.post(f"{API}{path}", json=body, headers=world.headers(user))


def _text(response):
    assert response.status_code == 200, response.text
    return " ".join(pdf_text(response.content).split())


def _lang_son(session, world):
    world.agencies["parent"].name = AGENCY_NAME
    session.add(world.agencies["parent"])
    session.commit()


def _check_out(client, world, code, **more):
    body = {
        "recipient": "Hoàng Văn Lâm",
        "purpose": "court",
        "document_number": "88/CV-TA",
        "due_date": str(local_today() + timedelta(days=5)),
        **more,
    }
    return _post(client, world, f"/items/{code}/check-outs", body)


def _slips(session, item):
    return session.exec(select(ExitSlip).where(ExitSlip.item_id == item.id)).all()


def test_a_check_out_stores_and_prints_the_receivers_position_paper_and_body(
    client, session, world
):
    _lang_son(session, world)
    item = make_item(session, world, location_code="S1")
    assert _check_out(client, world, item.code, **RECEIVER).status_code == 200
    (slip,) = _slips(session, item)
    assert (slip.recipient, slip.recipient_position) == ("Hoàng Văn Lâm", "Thư ký Tòa án")
    assert slip.recipient_id_document == "CCCD 020190001234"
    assert slip.recipient_organisation == "Tòa án nhân dân tỉnh Lạng Sơn"
    public = client.get(f"{API}/exit-slips/{slip.id}", headers=world.headers()).json()
    assert public["recipient"] == "Hoàng Văn Lâm"  # the contract's field, unchanged
    assert {k: public[k] for k in RECEIVER} == RECEIVER
    response = client.get(f"{API}/exit-slips/{slip.id}.pdf", headers=world.headers())
    text = _text(response)
    for shown in (
        "Họ tên người nhận: Hoàng Văn Lâm. Chức vụ: Thư ký Tòa án.",
        "Giấy tờ tùy thân: CCCD 020190001234.",
        "Cơ quan, tổ chức: Tòa án nhân dân tỉnh Lạng Sơn.",
        "NGƯỜI NHẬN Chức vụ: Thư ký Tòa án",  # the receiver's signature block
    ):
        assert shown in text, shown
    assert "None" not in text and BLANK not in text
    kept = session.exec(
        select(OfficialDocument).where(OfficialDocument.subject == f"exit_slip:{slip.id}")
    ).all()
    assert hashlib.sha256(response.content).hexdigest() == next(
        d.sha256 for d in kept if d.kind == "exit_slip"
    )
    save_pages(response.content, "slips15-exit-slip")
    record = _text(client.get(f"{API}/exit-slips/{slip.id}/record.pdf", headers=world.headers()))
    for shown in (
        "Họ tên người nhận: Hoàng Văn Lâm. Chức vụ: Thư ký Tòa án.",
        "Giấy tờ tùy thân: CCCD 020190001234.",
        "ĐẠI DIỆN BÊN NHẬN Chức vụ: Thư ký Tòa án",
    ):
        assert shown in record, shown
    english = _text(client.get(f"{API}/exit-slips/{slip.id}.pdf?lang=en", headers=world.headers()))
    assert "Position: Thư ký Tòa án" in english


def test_a_slip_without_the_receivers_position_prints_a_dotted_blank(client, session, world):
    item = make_item(session, world, location_code="S1")
    assert _check_out(client, world, item.code).status_code == 200  # a client of before
    (slip,) = _slips(session, item)
    assert (slip.recipient_position, slip.recipient_id_document) == (None, None)
    public = client.get(f"{API}/exit-slips/{slip.id}", headers=world.headers()).json()
    assert public["recipient_position"] is None
    for path in (f"{slip.id}.pdf", f"{slip.id}/record.pdf"):
        text = _text(client.get(f"{API}/exit-slips/{path}", headers=world.headers()))
        assert f"Họ tên người nhận: Hoàng Văn Lâm. Chức vụ: {BLANK}." in text, path
        assert f"Giấy tờ tùy thân: {BLANK}. Cơ quan, tổ chức: {BLANK}." in text, path
        assert "None" not in text, path


def test_a_release_and_a_transfer_carry_the_receiver_to_their_slips(client, session, world):
    item = make_item(session, world, location_code="S1", case_id=world.cases["pending"].id)
    order = {"disposition": "return_to_owner", **exit_document("15/QĐ-THADS")}
    assert _post(client, world, f"/items/{item.code}/disposition", order, "manager").status_code
    assert confirm_request(client, world, item.code).status_code == 200
    body = {"recipient": "Vi Văn Khánh", **RECEIVER, **exit_document("16/QĐ-THADS")}
    body["recipient_position"] = "Chủ sở hữu"
    assert _post(client, world, f"/items/{item.code}/release", body).status_code == 200
    assert confirm_request(client, world, item.code, "manager").status_code == 200
    (released,) = _slips(session, item)
    assert (released.kind, released.recipient, released.recipient_position) == (
        "return_to_owner",
        "Vi Văn Khánh",
        "Chủ sở hữu",
    )
    text = _text(client.get(f"{API}/exit-slips/{released.id}.pdf", headers=world.headers()))
    assert "Họ tên người nhận: Vi Văn Khánh. Chức vụ: Chủ sở hữu." in text

    moved = make_item(session, world, location_code="S1")
    body = {
        "to_agency": "B-PROV",
        "recipient": "Lý Thị Mai",
        "recipient_position": "Thủ kho",
        **exit_document("9/QĐ-THADS"),
    }
    assert _post(client, world, f"/items/{moved.code}/transfer", body).status_code == 200
    assert confirm_request(client, world, moved.code, "manager").status_code == 200
    (slip,) = _slips(session, moved)
    assert (slip.kind, slip.recipient, slip.recipient_position) == (
        "transfer",
        "Lý Thị Mai",
        "Thủ kho",
    )
    assert slip.recipient_organisation == world.agencies["other"].name  # the receiving agency
    # A transfer named only by its agency, as before: the slip names the agency.
    old = make_item(session, world, location_code="S1")
    asked = {"to_agency": "B-PROV", **exit_document("10/QĐ-THADS")}
    assert _post(client, world, f"/items/{old.code}/transfer", asked).status_code == 200
    assert confirm_request(client, world, old.code, "manager").status_code == 200
    (slip,) = _slips(session, old)
    assert slip.recipient == "B-PROV" and slip.recipient_position is None


def test_a_destruction_slip_names_the_chairs_position_and_body(client, session, world):
    item = make_item(session, world, net_weight_g=1000.0)
    executed_batch(client, world, [item])
    (slip,) = _slips(session, item)
    assert slip.kind == "destruction" and slip.recipient == "Nguyễn Văn Ánh"
    assert (slip.recipient_position, slip.recipient_organisation) == (
        "Chi cục trưởng",
        "Chi cục THADS",
    )
    text = _text(client.get(f"{API}/exit-slips/{slip.id}.pdf", headers=world.headers()))
    assert "Chức vụ: Chi cục trưởng" in text


def test_a_receiver_field_too_long_is_refused_and_nothing_leaves(client, session, world):
    item = make_item(session, world, location_code="S1")
    refused = _check_out(client, world, item.code, recipient_position="x" * 201)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "recipient_position"]
    assert _slips(session, item) == []
    shown = client.get(f"{API}/items/{item.code}", headers=world.headers()).json()
    assert shown["status"] == "stored"


SAMPLE = {
    "taken_g": 2.5,
    "recipient": "Phân viện Khoa học hình sự tại Lạng Sơn",
    "recipient_document": "125/TCGĐ-CSĐT",
    "sample_description": "01 gói nilon chứa 2,5 g chất bột trắng, niêm phong mẫu NP-M01",
    "place": "Kho vật chứng, phòng niêm phong",
    "seal_description": "Niêm phong giấy, còn nguyên chữ ký, không rách",
    "condition_after": "12 gói nilon hàn kín chứa chất bột màu trắng",
    "resealed": True,
    "new_seal_number": "NP-2001",
    "document_number": "07/QĐ-THADS",
    "participants": [
        {"name": "Nông Thị Hà", "position": "Chấp hành viên", "organisation": AGENCY_NAME},
        {"name": "Lương Văn Tùng", "position": "Thủ kho", "organisation": AGENCY_NAME},
    ],
    "reason": "giám định lại",
}


def _sealed(session, world, **more):
    return make_item(
        session,
        world,
        category="drug",
        hazard_classes=["narcotics"],
        location_code="SEC-1",
        seal_number="NP-0457",
        net_weight_g=125.5,
        gross_weight_g=130.0,
        **more,
    )


def _events(session, item):
    return session.exec(
        select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.id)
    ).all()


def test_a_sample_of_a_sealed_item_makes_its_unsealing_and_sampling_record(client, session, world):
    _lang_son(session, world)
    item = _sealed(session, world)
    response = _post(client, world, f"/items/{item.code}/samples", SAMPLE)
    assert response.status_code == 200, response.text
    shown = response.json()
    assert (shown["net_weight_g"], shown["seal_number"], shown["seal_state"]) == (
        123.0,
        "NP-2001",
        "intact",
    )
    (row,) = session.exec(select(Unsealing).where(Unsealing.item_id == item.id)).all()
    assert row.purpose == "sampling" and row.number.endswith("/BB-LM")
    assert (row.seal_number_before, row.seal_state_before) == ("NP-0457", "intact")
    assert row.sample["taken_g"] == 2.5 and row.sample["net_weight_after_g"] == 123.0
    event = _events(session, item)[-1]
    assert event.event_type == "sample"  # one event: the weight and the seal
    assert event.details["sampling_record"] == row.number
    assert (event.details["seal_state_before"], event.details["seal_number"]) == (
        "intact",
        "NP-2001",
    )
    docs = client.get(f"{API}/items/{item.code}/documents", headers=world.headers()).json()
    (link,) = [d for d in docs if d["kind"] == "sampling_record"]
    assert link["number"] == row.number and link["final"]
    pdf = client.get(link["url"], headers=world.headers())
    assert hashlib.sha256(pdf.content).hexdigest() == link["sha256"] == pdf.headers["X-SHA256"]
    text = _text(pdf)
    for shown in (
        "BIÊN BẢN LẤY MẪU VẬT CHỨNG",
        "Mở niêm phong để lấy mẫu giám định",
        "Nghị định số 127/2017/NĐ-CP",
        "07/QĐ-THADS",
        f"Số: {row.number}",
        "Hồi ",
        "Kho vật chứng, phòng niêm phong",
        "Niêm phong số NP-0457, niêm phong nguyên vẹn",
        "12 gói nilon hàn kín",
        "Khối lượng tịnh lấy mẫu: 2,5 g",
        "trước khi lấy mẫu: 125,5 g; sau khi lấy mẫu: 123 g",
        "Khối lượng cả bì trước khi lấy mẫu: 130 g; sau khi lấy mẫu: 127,5 g",
        "niêm phong mẫu NP-M01",
        "Phân viện Khoa học hình sự tại Lạng Sơn",
        "125/TCGĐ-CSĐT",
        "niêm phong số NP-2001",
        "Lương Văn Tùng",
        "THỦ KHO",
        "03 bản",
    ):
        assert shown in text, shown
    save_pages(pdf.content, "sampling-record")
    card = _text(client.get(f"{API}/items/{item.code}/stock-card.pdf", headers=world.headers()))
    assert "Lấy mẫu giám định" in card and row.number in card and "2,5 g" in card


def test_a_sealed_items_sample_without_its_record_is_refused_and_writes_nothing(
    client, session, world
):
    item = _sealed(session, world)
    before = len(_events(session, item))
    cases = {
        "seal_description": {**SAMPLE, "seal_description": " "},
        "condition_after": {**SAMPLE, "condition_after": ""},
        "place": {**SAMPLE, "place": ""},
        "participants": {**SAMPLE, "participants": SAMPLE["participants"][:1]},
    }
    for field, body in cases.items():
        refused = _post(client, world, f"/items/{item.code}/samples", body)
        assert refused.status_code == 422, field
        assert refused.json()["detail"][0]["loc"][-1] == field, refused.text
    bare = _post(client, world, f"/items/{item.code}/samples", {"taken_g": 1.0})
    assert bare.status_code == 422
    no_number = _post(
        client, world, f"/items/{item.code}/samples", {**SAMPLE, "new_seal_number": None}
    )
    assert no_number.status_code == 422
    assert session.exec(select(Unsealing)).all() == []
    assert (
        session.exec(
            select(OfficialDocument).where(OfficialDocument.kind == "sampling_record")
        ).all()
        == []
    )
    assert len(_events(session, item)) == before
    shown = client.get(f"{API}/items/{item.code}", headers=world.headers()).json()
    assert (shown["net_weight_g"], shown["seal_state"]) == (125.5, "intact")


def test_a_sample_of_an_unsealed_item_gets_a_record_without_the_seal_part(client, session, world):
    item = make_item(session, world, net_weight_g=500.0)
    assert item.seal_state == "unsealed"
    body = {"taken_g": 5.0, "recipient": "Viện KHHS"}  # as clients sent it before
    assert _post(client, world, f"/items/{item.code}/samples", body).status_code == 200
    (row,) = session.exec(select(Unsealing).where(Unsealing.item_id == item.id)).all()
    assert row.seal_state_before == "unsealed" and not row.resealed
    text = _text(client.get(f"{API}/unsealings/{row.id}/record.pdf", headers=world.headers()))
    assert "BIÊN BẢN LẤY MẪU VẬT CHỨNG" in text and "Vật chứng không niêm phong" in text
    assert "Tình trạng niêm phong trước khi mở" not in text and "Niêm phong lại" not in text
    assert "Khối lượng tịnh lấy mẫu: 5 g" in text and "Viện KHHS" in text
    card = _text(client.get(f"{API}/items/{item.code}/stock-card.pdf", headers=world.headers()))
    assert row.number in card


def test_a_large_sample_confirmed_by_a_manager_ends_with_its_record(client, session, world):
    item = _sealed(session, world)
    body = {**SAMPLE, "taken_g": 100.0}  # beyond the keeper's share: waits for a manager
    asked = _post(client, world, f"/items/{item.code}/samples", body)
    assert asked.status_code == 200 and asked.json()["net_weight_g"] == 125.5
    assert session.exec(select(Unsealing)).all() == []  # not taken yet: no record yet
    assert confirm_request(client, world, item.code, "manager").status_code == 200
    session.expire_all()
    (row,) = session.exec(select(Unsealing).where(Unsealing.item_id == item.id)).all()
    assert row.sample["taken_g"] == 100.0 and row.sample["net_weight_before_g"] == 125.5
    event = _events(session, item)[-1]
    assert event.event_type == "sample" and event.details["sampling_record"] == row.number
    assert "sampling" not in event.details  # the facts are in the record, not repeated
    shown = client.get(f"{API}/items/{item.code}", headers=world.headers()).json()
    assert (shown["net_weight_g"], shown["seal_number"]) == (25.5, "NP-2001")
    card = _text(client.get(f"{API}/items/{item.code}/stock-card.pdf", headers=world.headers()))
    assert row.number in card
    (approval,) = session.exec(select(Approval).where(Approval.item_id == item.id)).all()
    assert approval.status == "confirmed"


def test_a_refused_large_sample_makes_no_record(client, session, world):
    item = _sealed(session, world)
    assert _post(client, world, f"/items/{item.code}/samples", {**SAMPLE, "taken_g": 100.0})
    waiting = client.get(f"{API}/approvals", headers=world.headers("manager")).json()
    (approval,) = [a for a in waiting if a["item_code"] == item.code]
    refused = client.post(
        f"{API}/approvals/{approval['id']}/refuse", json={}, headers=world.headers("manager")
    )
    assert refused.status_code == 200, refused.text
    assert session.exec(select(Unsealing)).all() == []
