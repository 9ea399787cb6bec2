"""The item page's forms for the receiver of an exit and for a sample with its record,
without a browser: the fields are there, a form sent stores them, the page shows the
receiver beside the slip and links the sampling record; a refusal shows why and writes
nothing."""

from datetime import timedelta

from sqlmodel import select

from evidence_service.legal.holidays import local_today
from evidence_service.models import ExitSlip, Unsealing
from tests.factories import confirm_request, exit_document, make_item
from tests.test_web import log_in


def test_the_check_out_form_takes_the_receivers_position_and_the_page_shows_it(
    client, world, session
):
    item = make_item(session, world, location_code="S1")
    csrf = log_in(client)
    page = client.get(f"/items/{item.code}").text
    for name in ("recipient_position", "recipient_id_document", "recipient_organisation"):
        assert f'name="{name}"' in page, name
    assert "Chức vụ người nhận" in page
    form = {
        "csrf_token": csrf,
        "recipient": "Hoàng Văn Lâm",
        "recipient_position": "Thư ký Tòa án",
        "recipient_id_document": "CCCD 020190001234",
        "recipient_organisation": "Tòa án nhân dân tỉnh Lạng Sơn",
        "purpose": "court",
        "document_number": "88/CV-TA",
        "due_date": str(local_today() + timedelta(days=5)),
    }
    sent = client.post(f"/items/{item.code}/check-out", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    (slip,) = session.exec(select(ExitSlip).where(ExitSlip.item_id == item.id)).all()
    assert (slip.recipient_position, slip.recipient_id_document) == (
        "Thư ký Tòa án",
        "CCCD 020190001234",
    )
    page = client.get(sent.headers["location"]).text
    assert "Người nhận: Hoàng Văn Lâm, chức vụ: Thư ký Tòa án" in page
    assert f'href="/exit-slips/{slip.id}.pdf"' in page


def test_the_sample_form_of_a_sealed_item_asks_for_its_opening_and_links_the_record(
    client, world, session
):
    item = make_item(
        session,
        world,
        location_code="SEC-1",
        seal_number="NP-0457",
        net_weight_g=125.5,
        category="drug",
        hazard_classes=["narcotics"],
    )
    csrf = log_in(client)
    page = client.get(f"/items/{item.code}").text
    assert 'id="sa-seal" name="seal_description"' in page and "sa-record-help" in page
    form = {
        "csrf_token": csrf,
        "taken": "2,5",
        "weight_unit": "g",
        "recipient": "Phân viện KHHS",
        "recipient_document": "125/TCGĐ",
        "place": "Phòng niêm phong",
        "seal_description": "Còn nguyên chữ ký",
        "condition_after": "12 gói bột trắng",
        "new_seal_number": "NP-2001",
        "participant_name": ["Nông Thị Hà", "Lương Văn Tùng", ""],
        "participant_position": ["Chấp hành viên", "Thủ kho", ""],
    }
    missing = {**form, "seal_description": ""}
    refused = client.post(f"/items/{item.code}/sample", data=missing)
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert "cần ghi tình trạng niêm phong trước khi mở" in refused.text
    assert session.exec(select(Unsealing)).all() == []
    sent = client.post(f"/items/{item.code}/sample", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    (row,) = session.exec(select(Unsealing).where(Unsealing.item_id == item.id)).all()
    assert [p["name"] for p in row.participants] == ["Nông Thị Hà", "Lương Văn Tùng"]
    assert row.resealed and row.new_seal_number == "NP-2001"
    assert row.sample["taken_g"] == 2.5 and row.sample["recipient_document"] == "125/TCGĐ"
    page = client.get(sent.headers["location"]).text
    assert f'href="/unsealings/{row.id}/record.pdf">Biên bản lấy mẫu {row.number}' in page
    assert client.get(f"/unsealings/{row.id}/record.pdf").status_code == 200


def test_the_sample_form_of_an_unsealed_item_says_its_record_has_no_seal_part(
    client, world, session
):
    item = make_item(session, world, net_weight_g=500.0)
    log_in(client)
    page = client.get(f"/items/{item.code}").text
    assert "biên bản lấy mẫu được lập không có phần mở niêm phong" in page
    assert 'name="seal_description"' not in page.split('id="sa-record-help"')[1].split("</form>")[0]


def test_the_manager_confirming_a_release_sees_the_receiver_and_position(client, world, session):
    item = make_item(session, world, location_code="S1", case_id=world.cases["pending"].id)
    order = {"disposition": "return_to_owner", **exit_document("15/QĐ-THADS")}
    headers = world.headers("manager")
    assert client.post(
        f"/api/v1/items/{item.code}/disposition", json=order, headers=headers
    ).is_success
    assert confirm_request(client, world, item.code).status_code == 200
    body = {
        "recipient": "Vi Văn Khánh",
        "recipient_position": "Chủ sở hữu",
        **exit_document("16/QĐ-THADS"),
    }
    asked = client.post(
        f"/api/v1/items/{item.code}/release", json=body, headers=world.headers("keeper")
    )
    assert asked.status_code == 200, asked.text
    log_in(client, "manager")
    page = client.get("/approvals").text
    assert "Người nhận: Vi Văn Khánh, chức vụ: Chủ sở hữu" in page


def test_the_check_out_form_takes_the_letter_s_date_and_issuer(client, world, session):
    item = make_item(session, world, location_code="S1")
    csrf = log_in(client)
    page = client.get(f"/items/{item.code}").text
    assert 'id="co-docdate" name="document_date"' in page
    assert 'id="co-issuer" name="document_issuer"' in page
    asked_on = local_today() - timedelta(days=2)
    form = {
        "csrf_token": csrf,
        "recipient": "Hoàng Văn Lâm",
        "purpose": "court",
        "document_number": "88/CV-TA",
        "document_date": asked_on.strftime("%d/%m/%Y"),
        "document_issuer": "Tòa án nhân dân tỉnh Lạng Sơn",
        "due_date": str(local_today() + timedelta(days=5)),
    }
    sent = client.post(f"/items/{item.code}/check-out", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    (slip,) = session.exec(select(ExitSlip).where(ExitSlip.item_id == item.id)).all()
    assert (slip.document_date, slip.document_issuer) == (
        asked_on,
        "Tòa án nhân dân tỉnh Lạng Sơn",
    )
