"""The inspector's findings (notes/inspect15.md) in the areas of the destruction record and page,
the ledger (Mẫu 13), the six-monthly summary, the labels and the legal deadlines: what the
Vietnamese documents and pages print, against vn-documents-review.md."""

import html
import re
from datetime import date

from sqlmodel import Session

from evidence_service.exports import ledger
from evidence_service.exports.ledger.columns import disposal
from evidence_service.i18n import Translator
from evidence_service.labels.contents import item_fields
from evidence_service.legal.deadlines import load_table
from evidence_service.legal.holidays import local_today
from evidence_service.models import Case
from tests import docs_output
from tests.factories import World, confirm_request, exit_document, make_item
from tests.test_destruction import approve, new_batch
from tests.test_handovers import handover_body
from tests.test_web import log_in

vi = Translator("vi")


def page_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def released(client, session: Session, world: World, disposition: str):
    """An item of the pending case given ``disposition`` and released, both confirmed."""
    headers = world.headers("manager")
    item = make_item(session, world, case_id=world.cases["pending"].id, net_weight_g=100.0)
    client.post(
        f"/api/v1/items/{item.code}/disposition",
        headers=headers,
        json={"disposition": disposition, **exit_document("1/2026")},
    )
    confirm_request(client, world, item.code)
    response = client.post(
        f"/api/v1/items/{item.code}/release",
        headers=headers,
        json={"recipient": "Sở Tài chính tỉnh A", **exit_document("BB-1")},
    )
    assert response.status_code == 200, response.text
    assert confirm_request(client, world, item.code).status_code == 200
    return item


def test_the_ledger_status_of_a_release_says_what_happened_not_returned(client, session, world):
    # Review, "Evidence ledger": the status column is "Trạng thái xử lý"; a knife handed to the
    # finance agency was printed "Đã trả" (returned), as was everything released.
    items = {
        d: released(client, session, world, d)
        for d in ("return_to_owner", "confiscate", "sell", "keep_with_file")
    }
    today = local_today()
    data = ledger(session, world.users["manager"], "W1", date(today.year, 1, 1), today)
    status = {line.code: line.status_vi for line in data.lines}
    assert status[items["return_to_owner"].code] == "Đã trả lại cho đương sự, chủ sở hữu"
    assert status[items["confiscate"].code] == "Đã giao tài sản tịch thu sung quỹ nhà nước"
    assert status[items["sell"].code] == "Đã bán"
    assert status[items["keep_with_file"].code] == "Đã lưu theo hồ sơ vụ án"


def test_the_ledger_basis_keeps_a_coded_decision_number_whole(session, world):
    # "112/QĐ-THADS" with its year glued on read "112/QĐ-THADS/2026".
    case = session.get(Case, world.cases["destroy"].id)
    assert case is not None
    case.decision_number = "112/QĐ-THADS"
    session.add(case)
    session.commit()
    item = make_item(session, world)
    today = local_today()
    data = ledger(session, world.users["manager"], None, date(today.year, 1, 1), today)
    (line,) = [line for line in data.lines if line.code == item.code]
    assert "Quyết định thi hành án số 112/QĐ-THADS năm 2026 của Cục THADS A" in line.basis
    assert "112/QĐ-THADS/2026" not in line.basis
    # A bare number keeps the number/year form.
    case.decision_number = "7"
    session.add(case)
    session.commit()
    data = ledger(session, world.users["manager"], None, date(today.year, 1, 1), today)
    (line,) = [line for line in data.lines if line.code == item.code]
    assert "Quyết định thi hành án số 7/2026 của Cục THADS A" in line.basis


def test_the_statistical_period_note_is_vietnamese_in_the_vietnamese_summary(client, world):
    headers = world.headers("manager")
    pdf = client.get(
        "/api/v1/exports/summary", headers=headers, params={"period": "2026-TK12", "format": "pdf"}
    )
    assert pdf.status_code == 200, pdf.text
    text = " ".join(docs_output.text(pdf.content).split())
    assert "Circular" not in text and "to be confirmed" not in text and "Art." not in text
    assert "Thông tư số 06/2019/TT-BTP" in text and "cần xác nhận" in text
    en = client.get(
        "/api/v1/exports/summary",
        headers=headers,
        params={"period": "2026-TK12", "format": "pdf", "lang": "en"},
    )
    assert "Circular 06/2019/TT-BTP" in " ".join(docs_output.text(en.content).split())


def test_a_label_says_judgment_number_and_the_vietnamese_unit(session, world):
    case = session.get(Case, world.cases["destroy"].id)
    item = make_item(session, world, unit="can", quantity=2)
    fields = item_fields(item, case, None)
    # Review, "Labels": "should read 'Bản án số …'"; a unit whose code is its Vietnamese word
    # printed as "2 unit.can".
    assert fields["judgment"] == f"Bản án số {case.judgment_number} – TAND tỉnh A"
    assert fields["quantity"] == "2 can"
    assert vi.quantity(3, "bánh") == "3 bánh" and vi.quantity(1, "piece") == "1 cái"


def test_the_batch_page_records_the_council_decision_and_lists_the_procuracy_apart(
    client, session, world
):
    item = make_item(session, world)
    batch = new_batch(client, world, [item.code])
    assert approve(client, world, batch["id"]).status_code == 200
    log_in(client, "manager")
    page = client.get(f"/destruction/{batch['id']}").text
    text = page_text(page)
    # Review wording: approval is recording the council's decision, not "duyệt".
    assert "Người duyệt" not in text
    assert "Người ghi nhận quyết định thành lập Hội đồng" in text
    # "procuracy shown outside council members".
    council = page.split('<ul class="member-list">', 1)[1].split("</ul>", 1)[0]
    assert "Phạm Hồng Sơn" not in council and "Nguyễn Văn Ánh" in council
    assert "Đại diện Viện kiểm sát nhân dân (kiểm sát việc tiêu hủy)" in text
    assert "Phạm Hồng Sơn" in text.split("kiểm sát việc tiêu hủy)", 1)[1]
    # No abolished agency in the approval form's example (review, "Cross-cutting").
    draft = new_batch(client, world, [make_item(session, world).code])
    form = client.get(f"/destruction/{draft['id']}").text
    assert 'id="decision_number"' in form and "CCTHADS" not in form
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    examples = str([schemas["ApproveRequest"], schemas["MemberIn"]])
    assert "Chi cục" not in examples and "CCTHADS" not in examples
    assert vi("event.destruction_approved") == "Đã có quyết định thành lập Hội đồng tiêu hủy"


def test_the_deadlines_cite_their_source_in_vietnamese_on_vietnamese_pages(client, session, world):
    for deadline in load_table().deadlines:
        for period in deadline.periods.values():
            assert period.source_vi and "Art." not in period.source_vi, deadline.id
    item = make_item(session, world)
    log_in(client, "manager")
    text = page_text(client.get(f"/items/{item.code}").text)
    assert "Căn cứ" in text and "Điều" in text
    assert not re.search(r"\b(Decree|Law|Circular|Art\.|not in our sources)\b", text), text


def test_a_confiscation_in_the_ledger_and_summary_names_no_receiver_the_new_rules_changed(
    client, session, world
):
    # From 01/07/2026 confiscated property of a provincial case goes to the commune People's
    # Committee, not the finance agency (Decree 152/2026 Art. 39, vn-legal-context.md §4.2):
    # the ledger's and summary's "(giao cơ quan tài chính)" was wrong for it.
    item = released(client, session, world, "confiscate")
    today = local_today()
    data = ledger(session, world.users["manager"], "W1", date(today.year, 1, 1), today)
    (line,) = [line for line in data.lines if line.code == item.code]
    assert disposal(line, vi) == "Tịch thu sung quỹ nhà nước (văn bản số BB-1)"
    assert "cơ quan tài chính" not in vi("ledger15.exit_confiscated")
    assert "cơ quan tài chính" not in load_table().by_id("confiscation_handover").name_vi


def test_a_label_names_the_agency_that_handed_the_item_over(client, world):
    # Review, "Labels": "Missing: … transferring agency" — the label printed the person
    # ("Bên giao: Hoàng Văn Dũng – Điều tra viên") though the handover names the agency.
    made = client.post(
        "/api/v1/handovers", json=handover_body(world), headers=world.headers("keeper")
    )
    assert made.status_code == 201, made.text
    code = made.json()["lines"][0]["item_code"]
    response = client.get(
        f"/api/v1/items/{code}/label",
        params={"format": "pdf", "template": "thermal-100x150-203"},
        headers=world.headers("keeper"),
    )
    assert response.status_code == 200, response.text
    text = " ".join(docs_output.text(response.content).split())
    assert "Bên giao: Cơ quan CSĐT Công an tỉnh Lạng Sơn" in text, text
