"""Closing the ledger (khóa sổ, Circular 04/2023 Art. 30(4)(c–d), vn-legal-context §3.6): an
ended quarter, half-year or year frozen as a numbered official document, its bytes and SHA-256
kept; a second closing of the period and a period not yet ended refused; listed, served as
stored, reachable from the page where the ledger is exported."""

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from evidence_service.legal.holidays import local_today
from evidence_service.models import CustodyEvent, Item, OfficialDocument
from tests import docs_output
from tests.factories import World
from tests.test_exports import exported_stock
from tests.test_web import log_in

API = "/api/v1/ledger/closings"


@pytest.fixture
def stock(session: Session, world: World, client: TestClient) -> dict[str, Item]:
    return exported_stock(session, world, client)


def _half_before() -> str:
    """The half-year before today's (in Viet Nam): ended, whatever day the tests run."""
    today = local_today()
    return f"{today.year}-H1" if today.month > 6 else f"{today.year - 1}-H2"


def _this_quarter() -> str:
    today = local_today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _close(client, world, period, user="manager", **extra):
    body = {"period": period, "warehouse_code": "W1", **extra}
    return client.post(API, json=body, headers=world.headers(user))


def test_closing_an_ended_half_year_freezes_its_ledger_with_its_number(
    client, session, world, stock
):
    half = _half_before()
    response = _close(client, world, half)
    assert response.status_code == 201, response.text
    closing = response.json()
    assert closing["number"] == "01/KS-SVC" and closing["period"] == half
    assert closing["warehouse_code"] == "W1"
    stored = session.get(OfficialDocument, closing["id"])
    assert stored.kind == "ledger_closing" and stored.number == "01/KS-SVC"
    # On the signed record as every final document is (recording.CHAINED).
    assert session.exec(
        select(CustodyEvent).where(
            CustodyEvent.subject == "official_documents", CustodyEvent.subject_id == stored.id
        )
    ).first()
    pdf = client.get(closing["pdf_url"], headers=world.headers())
    assert pdf.status_code == 200
    assert pdf.headers["x-sha256"] == stored.sha256 == hashlib.sha256(pdf.content).hexdigest()
    assert closing["sha256"] == stored.sha256
    docs_output.save_pages(pdf.content, "ledger-closing")
    text = docs_output.text(pdf.content)
    today = local_today().strftime("%d/%m/%Y")
    for shown in (
        "Số: 01/KS-SVC",
        "SỔ THEO DÕI VẬT CHỨNG, TÀI SẢN KÊ BIÊN, TẠM GIỮ",
        "KẾT SỔ 6 THÁNG",
        "điểm c, điểm d khoản 4 Điều 30 Thông tư số 04/2023/TT-BTP",
        f"Khóa sổ ngày {today}, số 01/KS-SVC",
        "NGƯỜI LẬP SỔ",
        "THỦ TRƯỞNG CƠ QUAN THI HÀNH ÁN DÂN SỰ",
        stock["old"].code,  # in stock through the half: on its ledger
    ):
        assert shown in text, shown
    assert "Số: …/" not in text
    listed = client.get(API, headers=world.headers("keeper")).json()
    assert [c["number"] for c in listed] == ["01/KS-SVC"]
    assert listed[0]["period_words"].startswith("6 tháng")


def test_a_second_closing_of_the_period_and_an_unended_period_are_refused(
    client, session, world, stock
):
    half = _half_before()
    assert _close(client, world, half).status_code == 201
    again = _close(client, world, half)
    assert again.status_code == 409, again.text
    unended = _close(client, world, _this_quarter())
    assert unended.status_code == 409, unended.text
    assert "cannot be closed before" in str(unended.json()["detail"])
    assert _close(client, world, f"{local_today().year}-TK6").status_code == 422
    assert _close(client, world, "next year").status_code == 422
    assert _close(client, world, half, user="keeper").status_code == 403
    assert _close(client, world, half, warehouse_code="NOPE").status_code == 404
    documents = session.exec(
        select(OfficialDocument).where(OfficialDocument.kind == "ledger_closing")
    ).all()
    assert len(documents) == 1  # the refusals wrote nothing
    # All the agency's warehouses is another ledger: closed on its own, the next number.
    everything = client.post(API, json={"period": half}, headers=world.headers("manager"))
    assert everything.status_code == 201 and everything.json()["number"] == "02/KS-SVC"
    assert everything.json()["warehouse_code"] is None


def test_closing_the_agencys_whole_ledger_of_a_half_year_issues_its_numbered_summary(
    client, session, world, stock
):
    half = _half_before()
    one = _close(client, world, half).json()
    assert one["summary_pdf_url"] is None  # a warehouse's ledger: no report with it
    assert client.get(f"{API}/{one['id']}/summary.pdf", headers=world.headers()).status_code == 404
    closing = client.post(API, json={"period": half}, headers=world.headers("manager")).json()
    assert closing["summary_number"] == "01/BC-THADS"
    pdf = client.get(closing["summary_pdf_url"], headers=world.headers())
    assert pdf.status_code == 200
    stored = session.exec(
        select(OfficialDocument).where(OfficialDocument.kind == "evidence_summary")
    ).one()
    assert pdf.headers["x-sha256"] == stored.sha256 == hashlib.sha256(pdf.content).hexdigest()
    docs_output.save_pages(pdf.content, "summary-closed")
    text = docs_output.text(pdf.content)
    assert "Số: 01/BC-THADS" in text and "BÁO CÁO KẾT QUẢ QUẢN LÝ, XỬ LÝ VẬT CHỨNG" in text
    # The exports' summary stays a live rendering without a number.
    live = client.get(
        "/api/v1/exports/summary",
        params={"period": half, "format": "pdf"},
        headers=world.headers("manager"),
    )
    assert "Số: …/BC-THADS" in docs_output.text(live.content)


def test_another_agency_cannot_read_a_closing(client, world, stock):
    closing = _close(client, world, _half_before()).json()
    other = world.headers("other-keeper")
    assert client.get(closing["pdf_url"], headers=other).status_code == 404
    assert client.get(API, headers=other).json() == []


def test_the_downloads_page_closes_the_ledger_and_lists_the_closings(client, session, world, stock):
    token = log_in(client, "manager")
    shown = client.get("/downloads")
    assert shown.status_code == 200 and 'id="closing-form"' in shown.text
    # The closings are shown once, in the page, not inside its <title> as well.
    assert shown.text.count('id="closing-form"') == 1
    assert shown.text.split("<title>")[1].split("</title>")[0].startswith("Tải sổ và báo cáo")
    assert "<section" not in shown.text.split("<title>")[1].split("</title>")[0]
    half = _half_before()
    assert f'<option value="{half}">' in shown.text  # ended periods only are offered
    assert f'<option value="{_this_quarter()}">' not in shown.text
    form = {"csrf_token": token, "period": half, "warehouse_code": "W1"}
    done = client.post("/downloads/closings", data=form)
    assert done.status_code == 200, done.text
    assert "Đã khóa sổ, số 01/KS-SVC." in done.text
    link = done.text.split('href="/downloads/closings/')[1].split('"')[0]
    pdf = client.get(f"/downloads/closings/{link}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    stored = session.exec(
        select(OfficialDocument).where(OfficialDocument.kind == "ledger_closing")
    ).one()
    assert hashlib.sha256(pdf.content).hexdigest() == stored.sha256
    refused = client.post("/downloads/closings", data=form)
    assert refused.status_code == 409
    assert f"Sổ của kỳ {half} đã được khóa." in refused.text


def _quarter_before() -> str:
    today = local_today()
    q = (today.month - 1) // 3 + 1
    return f"{today.year}-Q{q - 1}" if q > 1 else f"{today.year - 1}-Q4"


def test_the_quarterly_closing_duty_is_met_by_closing_the_quarter(client, session, world):
    """The legal-deadlines report listed the ledger closing as never recorded (always due);
    now the last quarter's duty shows overdue until that quarter (or a period ending with it)
    is closed, then it is met and drops out; this quarter's stays due."""
    from datetime import UTC, datetime

    from evidence_service.models import Agency, Warehouse

    for agency in session.exec(select(Agency)).all():
        agency.created_at = datetime(2024, 1, 1, tzinfo=UTC)  # it existed last quarter
        session.add(agency)
    session.commit()
    keeping = session.get(
        Agency, session.exec(select(Warehouse).where(Warehouse.code == "W1")).one().agency_id
    ).code

    def duties():
        report = client.get(
            "/api/v1/reports/legal-deadlines",
            params={"kind": "ledger_closing"},
            headers=world.headers("manager"),
        ).json()
        return sorted(
            (e["status"], e["due_on"]) for e in report["entries"] if e["agency_code"] == keeping
        )

    last = _quarter_before()
    from evidence_service.periods import period

    ended, running = period(last).last.isoformat(), period(_this_quarter()).last.isoformat()
    assert duties() == [("due", running), ("overdue", ended)]
    assert _close(client, world, last).status_code == 201
    assert duties() == [("due", running)]
