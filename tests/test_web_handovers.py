"""The handover in the browser: the intake form makes a draft handover, its page shows what
is missing and completes it into a final, numbered record; the item page links every
document of the item, and each link works."""

import re

from sqlmodel import select

from evidence_service.models import Handover, OfficialDocument

from .papers import pdf_text
from .test_web import log_in


def _intake(client, csrf, world):
    fields = {
        "csrf_token": csrf,
        "case_id": str(world.cases["pending"].id),
        "location_code": "S2",
        "form_key": "handover-web-1",
        "delivered_by": "Hoàng Văn Dũng",
        "description": ["Điện thoại Nokia"],
        "category": ["other"],
        "quantity": ["1"],
        "unit": ["piece"],
        "net_weight": ["189"],
        "weight_unit": ["g"],
        "seal_number": ["NP-77"],
    }
    answer = client.post("/intake", data=fields, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return re.findall(r"code=([^&]+)", answer.headers["location"])[0], answer.headers["location"]


COMPLETE = {
    "place": "Kho vật chứng Thi hành án dân sự tỉnh Lạng Sơn",
    "deliverer_name": "Hoàng Văn Dũng",
    "deliverer_position": "Điều tra viên",
    "deliverer_id_document": "020188004512",
    "deliverer_agency": "Cơ quan CSĐT Công an tỉnh Lạng Sơn",
    "receiver_officer": "Nông Thị Hà",
    "receiver_keeper": "Lương Văn Tùng",
    "receiver_accountant": "Vi Thị Mai",
    "seizure_record_number": "45/BB-TG",
    "seizure_record_date": "2026-10-02",
    "seizure_record_issuer": "Công an huyện Cao Lộc",
    "line_0_seal_state": "intact",
    "line_0_matches": "yes",
}


def test_the_intake_form_leads_to_its_handover_which_is_completed_in_the_browser(
    client, session, world
):
    csrf = log_in(client, "keeper")
    code, done = _intake(client, csrf, world)
    page = client.get(done)
    (handover,) = session.exec(select(Handover)).all()
    assert f'href="/handovers/{handover.id}"' in page.text
    shown = client.get(f"/handovers/{handover.id}")
    assert shown.status_code == 200 and 'id="handover-missing"' in shown.text
    assert "Bên nhận cần có Kế toán nghiệp vụ." in shown.text
    short = {**COMPLETE, "receiver_accountant": "", "csrf_token": csrf}
    refused = client.post(f"/handovers/{handover.id}/complete", data=short)
    assert refused.status_code == 422 and "Kế toán" in refused.text
    session.expire_all()
    assert session.exec(select(OfficialDocument)).all() == []
    final = client.post(
        f"/handovers/{handover.id}/complete",
        data={**COMPLETE, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert final.status_code == 303, final.text
    session.expire_all()
    assert session.get(Handover, handover.id).record_number.endswith("/BBGN")
    record = client.get(f"/handovers/{handover.id}/record.pdf")
    assert record.headers["X-SHA256"] and "Vi Thị Mai" in pdf_text(record.content)
    assert "/handovers" in client.get("/scan").text  # in the navigation


def test_the_item_page_links_every_document_of_the_item(client, session, world):
    csrf = log_in(client, "keeper")
    code, _ = _intake(client, csrf, world)
    page = client.get(f"/items/{code}")
    assert 'id="item-documents"' in page.text
    links = re.findall(r'<section class="card" id="item-documents">.*?</section>', page.text, re.S)[
        0
    ]
    hrefs = re.findall(r'href="([^"]+)"', links)
    assert [h.rsplit("/", 1)[-1] for h in hrefs] == [
        "record.pdf",
        "entry-slip.pdf",
        "stock-card.pdf",
    ]
    for href in hrefs:
        response = client.get(href)
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), href


def test_a_seal_is_opened_from_the_item_page_with_its_record(client, session, world):
    csrf = log_in(client, "keeper")
    code, _ = _intake(client, csrf, world)
    page = client.get(f"/items/{code}")
    assert 'id="unseal-form"' in page.text
    form = {
        "csrf_token": csrf,
        "purpose": "inspection",
        "place": "Kho vật chứng",
        "seal_description": "Còn nguyên",
        "condition_after": "Điện thoại còn nguyên",
        "new_seal_number": "NP-78",
        "participant_name": ["Lương Văn Tùng", "Vi Thị Mai", ""],
        "participant_position": ["Thủ kho", "Kế toán", ""],
    }
    done = client.post(f"/items/{code}/unsealings", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    page = client.get(f"/items/{code}")
    assert "NP-78" in page.text and "/unsealings/" in page.text
    alone = {**form, "participant_name": ["Lương Văn Tùng"], "participant_position": ["Thủ kho"]}
    assert client.post(f"/items/{code}/unsealings", data=alone).status_code == 422


def test_the_completion_form_takes_the_hour_of_the_handover_which_the_record_states(
    client, session, world
):
    """The intake form has no hour; the handover took place earlier than it was typed: the
    completion form takes the hour (Viet Nam time) and the record prints it ("Hồi …",
    vn-documents-review "web form lacks the handover hour")."""
    from datetime import timedelta

    from evidence_service.i18n.formatting import local_time
    from evidence_service.legal.holidays import local_today

    csrf = log_in(client, "keeper")
    _intake(client, csrf, world)
    (handover,) = session.exec(select(Handover)).all()
    shown = client.get(f"/handovers/{handover.id}")
    typed = local_time(handover.handed_over_at).strftime("%Y-%m-%dT%H:%M")
    assert f'name="handed_over_at" type="datetime-local" value="{typed}"' in shown.text
    bad = client.post(
        f"/handovers/{handover.id}/complete",
        data={**COMPLETE, "handed_over_at": "hôm qua", "csrf_token": csrf},
    )
    assert bad.status_code == 422  # unreadable: refused, nothing written
    session.expire_all()
    assert session.get(Handover, handover.id).final_at is None
    day = local_today() - timedelta(days=1)
    when = f"{day:%Y-%m-%d}T09:15"
    final = client.post(
        f"/handovers/{handover.id}/complete",
        data={**COMPLETE, "handed_over_at": when, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert final.status_code == 303, final.text
    session.expire_all()
    stored = session.get(Handover, handover.id)
    assert local_time(stored.handed_over_at).strftime("%Y-%m-%dT%H:%M") == when
    text = " ".join(pdf_text(client.get(f"/handovers/{handover.id}/record.pdf").content).split())
    assert f"Hồi 09 giờ 15 phút, ngày {day:%d} tháng" in text
