"""The evidence ledger (Mẫu 13) and the six-monthly / yearly summary, against the review
(vn-documents-review.md, "Evidence ledger", "Six-monthly / yearly summary"): a period's lines
with opening and closing balances, the exit dated by its act, the XLSX's title rows, date cells,
frozen headings and print setup, the PDFs' fields, and the summary balancing to the ledger."""

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from evidence_service.exports import ledger, summary
from evidence_service.exports.ledger import COLUMNS
from evidence_service.exports.movements import EXIT_KINDS, exit_of
from evidence_service.i18n import Translator
from evidence_service.legal.holidays import local_today
from evidence_service.models import ExitSlip, Item
from tests import docs_output
from tests.factories import World, confirm_request, exit_document, make_item
from tests.test_exports import at, exported_stock

API = "/api/v1/exports"


@pytest.fixture
def stock(session: Session, world: World, client: TestClient) -> dict[str, Item]:
    """The exports' stock (tests/test_exports.py), with entry slip and handover numbers."""
    return exported_stock(session, world, client)


vi = Translator("vi")


def test_ledger_balances_for_a_period_with_items_received_before_it(session, world, stock):
    manager = world.users["manager"]
    today = local_today()
    h2 = ledger(session, manager, "W1", date(2026, 7, 1), date(2026, 12, 31))
    # The safe and the phone were in stock when the half began; the phone left in it.
    assert [line.code for line in h2.lines] == [stock[k].code for k in ("old", "h1", "h2")]
    assert [line.opening for line in h2.lines] == [True, True, False]
    b = h2.balance
    assert (b.opening.count, b.received.count, b.out_total.count, b.closing.count) == (2, 1, 1, 2)
    assert b.opening.count + b.received.count - b.out_total.count == b.closing.count
    assert b.out["destroyed"].count == 1 and b.out["destroyed"].weight_kg == 0.2
    assert b.opening.weight_kg == pytest.approx(30.2) and b.closing.weight_kg == pytest.approx(35)
    assert set(b.out) == set(EXIT_KINDS)
    phone = h2.lines[1]
    assert phone.out_on == today and phone.disposal == "destroyed"
    # It left with the exit slip made at the destruction's execution, on the council's decision.
    (slip,) = session.exec(select(ExitSlip).where(ExitSlip.item_id == stock["h1"].id)).all()
    assert slip.kind == "destruction" and slip.number.endswith("/PXK")
    assert phone.entry_slip_no == "PN-03/2026" and phone.exit_slip_no == slip.number
    assert phone.disposal_document == "15/QĐ-CCTHADS"
    # The half before: the phone was received in it and still held when it closed.
    h1 = ledger(session, manager, "W1", date(2026, 1, 1), date(2026, 6, 30))
    assert [line.code for line in h1.lines] == [stock["old"].code, stock["h1"].code]
    assert h1.lines[1].out_on is None and h1.lines[1].status == "stored"
    assert h1.balance.closing.count == h2.balance.opening.count == 2
    # A year before any of it: only the safe.
    assert [
        line.code for line in ledger(session, manager, "W1", None, date(2025, 12, 31)).lines
    ] == [stock["old"].code]


def test_the_exit_date_is_the_date_of_the_act_not_of_the_typing():
    typed = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    destroyed = exit_of(
        "destruction", typed, {"executed_at": "2026-11-28T08:37:00+00:00", "method": "burial"}
    )
    assert destroyed.on == date(2026, 11, 28) and destroyed.method == "burial"
    written_off = exit_of("write_off", typed, {"document_date": "2026-11-20"})
    assert (written_off.kind, written_off.on) == ("written_off", date(2026, 11, 20))
    kept = exit_of("release", typed, {"disposition": "keep_with_file", "document_number": "9/QĐ"})
    assert (kept.kind, kept.on, kept.document_number) == (
        "kept_with_file",
        date(2026, 12, 1),
        "9/QĐ",
    )


def test_ledger_xlsx_has_title_rows_real_dates_frozen_headings_and_print_setup(
    client, world, stock
):
    r = client.get(
        f"{API}/ledger",
        headers=world.headers("manager"),
        params={"warehouse_code": "W1", "from": "2026-07-01", "to": "2026-12-31"},
    )
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    # The agency header above the title: the body it belongs to, then the agency.
    assert rows[0][0] == "BỘ TƯ PHÁP" and rows[1][0] == "CỤC THADS A"
    assert rows[2][0] == "SỔ THEO DÕI VẬT CHỨNG, TÀI SẢN KÊ BIÊN, TẠM GIỮ"
    assert rows[3][0] == "Kho W1 – Kho Một"
    assert rows[4][0] == "từ ngày 01/07/2026 đến ngày 31/12/2026"
    heading = next(n for n, row in enumerate(rows) if row[0] == "STT")
    assert rows[heading] == [vi(f"ledger15.col_{c}") for c in COLUMNS]
    assert rows[heading + 1][:3] == ["(1)", "(2)", "(3)"]
    first = heading + 3  # 1-based row of the first line
    assert sheet.freeze_panes == f"A{first}"
    assert sheet.print_title_rows == f"${heading + 1}:${heading + 2}"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A3 == "8"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    received, out = sheet.cell(first, 2), sheet.cell(first + 1, 12)
    assert received.is_date and received.number_format == "dd/mm/yyyy"
    assert received.value.date() == date(2025, 2, 1)
    assert out.is_date and out.value.date() == local_today()
    line = rows[first - 1]
    assert line[2] == "PN-12/2025" and line[5] == stock["old"].code
    assert "Biên bản giao nhận số BBGN-7/2025" in line[4]
    phone = rows[first]
    assert phone[12].endswith("/PXK")  # the exit slip made at the destruction
    # The disposal names its act: the decision establishing the council.
    assert phone[13] == "Tiêu hủy (văn bản số 15/QĐ-CCTHADS)" and phone[14] == "Đã tiêu hủy"
    assert rows[first + 1][12] in ("", None)  # the fireworks have not left: no exit slip asked
    words = {row[1]: row[8:10] for row in rows[first + 2 :] if row and len(row) > 9 and row[1]}
    assert words["Tồn đầu kỳ"] == [2, pytest.approx(30.2)]
    assert words["Nhập trong kỳ"] == [1, 5.0]
    assert words["Xuất trong kỳ: Tiêu hủy"] == [1, 0.2]
    assert words["Tồn cuối kỳ"] == [2, pytest.approx(35.0)]
    flat = [c for row in rows for c in row if isinstance(c, str)]
    assert "KẾT SỔ 6 THÁNG" in flat
    for who in ("Người lập sổ", "Kế toán nghiệp vụ", "Thủ kho vật chứng"):
        assert who in flat
    assert "Thủ trưởng cơ quan thi hành án dân sự" in flat


def test_ledger_pdf_prints_every_field_of_the_form(client, world, stock):
    r = client.get(
        f"{API}/ledger",
        headers=world.headers("manager"),
        params={"warehouse_code": "W1", "from": "2026-07-01", "to": "2026-12-31", "format": "pdf"},
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = docs_output.text(r.content)
    today = local_today().strftime("%d/%m/%Y")
    expected = {
        "agency header": "CỤC THADS A",
        "national header": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "number": "Số: …/SVC",
        "legal basis": "Thông tư số 04/2023/TT-BTP",
        "page x/y": "Trang 1/1",
        "title": "SỔ THEO DÕI VẬT CHỨNG, TÀI SẢN KÊ BIÊN, TẠM GIỮ",
        "period": "từ ngày 01/07/2026 đến ngày 31/12/2026",
        "entry slip": "PN-12/2025",
        "basis": "Biên bản giao nhận số BBGN-7/2025",
        "entry date": "01/02/2025",
        "exit date (the act)": today,
        "exit slip not stored yet": "—",
        "disposal": "Tiêu hủy",
        "status column": "Trạng thái xử lý",
        "weight, Vietnamese decimals": "0,2 kg",
        "closing": "KẾT SỔ 6 THÁNG",
        "opening balance": "Tồn đầu kỳ",
        "closing balance": "Tồn cuối kỳ",
        "head": "THỦ TRƯỞNG CƠ QUAN THI HÀNH ÁN DÂN SỰ",
        "signature hint": "(Ký, ghi rõ họ tên)",
    }
    missing = {field: words for field, words in expected.items() if words not in text}
    assert not missing
    upper = text.upper()
    for who in ("NGƯỜI LẬP SỔ", "KẾ TOÁN NGHIỆP VỤ", "THỦ KHO VẬT CHỨNG"):
        assert who in upper
    for c in COLUMNS:  # every heading, some over two lines
        assert vi(f"ledger15.col_{c}").split()[0] in text
    for item in stock.values():  # codes whole, never broken inside
        if item.code != stock["h1b"].code:
            assert item.code in text.split() or item.code in text
    assert "0.2" not in text and "30.0" not in text
    assert docs_output.save_pages(r.content, "ledger-m13")[0].stat().st_size > 10_000


def test_summary_balances_to_the_ledger_figures(client, session, world, stock):
    manager = world.users["manager"]
    data = summary(session, manager, "2026-H2")
    book = ledger(session, manager, None, date(2026, 7, 1), date(2026, 12, 31))
    assert data.current.balance == book.balance
    b = data.current.balance
    assert b.opening.count + b.received.count - b.out_total.count == b.closing.count
    totals = data.current.totals
    assert totals["closing"].count == b.closing.count == 3  # safe, motorbike, fireworks
    assert totals["out_destroyed"].count == 1
    assert {f"out_{k}" for k in EXIT_KINDS} <= set(totals)
    # One case holds every item of the world's "destroy" case; it has a judgment.
    split = {line.key: line for line in data.current.backlog}
    assert split["judgment_not_finished"].tally.count + split["no_judgment"].tally.count == 3
    assert data.current.cases["closing"] >= 1
    assert data.previous.period == "2026-H1"
    assert data.previous.balance.closing == data.current.balance.opening


def test_summary_pdf_prints_header_balance_exit_rows_and_backlog_split(client, world, stock):
    r = client.get(
        f"{API}/summary",
        headers=world.headers("manager"),
        params={"period": "2026-H2", "format": "pdf"},
    )
    assert r.status_code == 200
    text = docs_output.text(r.content)
    expected = {
        "agency header": "CỤC THADS A",
        "number": "Số: …/BC-THADS",
        "national header": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "place and date": "ngày",
        "title": "BÁO CÁO KẾT QUẢ QUẢN LÝ, XỬ LÝ VẬT CHỨNG 6 THÁNG CUỐI NĂM 2026",
        "addressee": "Kính gửi: Cục Quản lý Thi hành án dân sự",
        "opening": "Tồn đầu kỳ",
        "closing": "Tồn cuối kỳ",
        "balance check": "Cân đối: tồn đầu kỳ 3 + nhập 1 − xuất 1 = tồn cuối kỳ 3",
        "confiscated row": "Tịch thu sung quỹ nhà nước",
        "sold row": "Xuất trong kỳ: Bán",
        "returned row": "Trả lại cho đương sự",
        "transferred row": "Chuyển giao cho cơ quan khác",
        "kept with file row": "Lưu theo hồ sơ vụ án",
        "written off row": "Xử lý mất mát theo văn bản",
        "cases column": "Số vụ",
        "no judgment": "Chưa có bản án (vụ)",
        "judgment not finished": "Đã có bản án, chưa thi hành xong (việc)",
        "head": "THỦ TRƯỞNG CƠ QUAN THI HÀNH ÁN DÂN SỰ",
        "weight": "5 kg",
    }
    missing = {field: words for field, words in expected.items() if words not in text}
    assert not missing
    assert docs_output.save_pages(r.content, "summary-2026-H2")[0].stat().st_size > 10_000


def test_statistical_periods_start_on_the_first_of_october_and_are_marked_to_confirm(
    client, world, stock
):
    headers = world.headers("manager")
    r = client.get(
        f"{API}/summary", headers=headers, params={"period": "2026-TK12", "format": "json"}
    )
    assert r.status_code == 200, r.text
    current = r.json()["current"]
    assert (current["start"], current["end"]) == ("2025-10-01", "2026-10-01")
    assert current["confirmed"] is False and "06/2019/TT-BTP" in current["source"]
    assert r.json()["previous"]["period"] == "2025-TK12"
    pdf = client.get(
        f"{API}/summary", headers=headers, params={"period": "2026-TK6", "format": "pdf"}
    )
    text = docs_output.text(pdf.content)
    assert "từ ngày 01/10/2025 đến ngày 31/03/2026" in text and "cần xác nhận" in text
    bad = client.get(f"{API}/summary", headers=headers, params={"period": "2026-Q5"})
    assert bad.status_code == 422 and "quarter" in str(bad.json()["detail"])


def test_every_exit_kind_has_its_own_row(client, session, world):
    headers = world.headers("manager")
    kinds = {}
    for disposition in ("return_to_owner", "confiscate", "sell", "keep_with_file"):
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
            json={"recipient": "x", **exit_document("BB-1")},
        )
        assert response.status_code == 200, response.text
        assert confirm_request(client, world, item.code).status_code == 200
        kinds[disposition] = item
    today = local_today()
    period = f"{today.year}-H{1 if today.month <= 6 else 2}"
    totals = summary(session, world.users["manager"], period).current.totals
    for row in ("out_returned", "out_confiscated", "out_sold", "out_kept_with_file"):
        assert totals[row].count == 1 and totals[row].weight_kg == 0.1, row
    assert totals["out_total"].count == 4


def test_a_line_changed_after_it_was_written_notes_the_amendment(client, session, world):
    item = make_item(session, world, net_weight_g=1000.0, received_at=at("2026-02-01"))
    response = client.post(
        f"/api/v1/items/{item.code}/reweighs",
        json={"net_weight_g": 1015.0},
        headers=world.headers("keeper"),
    )
    assert response.status_code == 200, response.text
    data = ledger(session, world.users["manager"], "W1", date(2026, 1, 1), date(2026, 12, 31))
    (line,) = [line for line in data.lines if line.code == item.code]
    # Circular 04/2023 Art. 30(4)(d): "amended on dd/mm/yyyy" in the Notes column.
    assert f"Sửa đổi ngày {local_today().strftime('%d/%m/%Y')}" in line.notes
    assert line.net_weight_kg == 1.015
