"""The import screen and the downloads in the web: upload a ledger, read the dry run row by
row, commit the same file, download the per-row result and the rejects; the ledger and the
summary by period."""

import io
import re
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient

from tests.factories import World
from tests.ledger_files import office_rows, office_xlsx
from tests.test_web import log_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_upload_check_row_by_row_then_commit_in_the_browser(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    csrf = log_in(client)
    page = client.get("/imports")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert 'href="/imports"' in page.text  # in the navigation
    rows = office_rows()
    rows.append([6, "Hộp không rõ", 1, "hộp", "1 kg", "1/2026/HS-ST", "05/01/2026", "NOWHERE", ""])
    content = office_xlsx(tmp_path / "so.xlsx", rows).read_bytes()
    r = client.post(
        "/imports",
        data={"csrf_token": csrf, "weight_unit": ""},
        files={"file": ("Sổ 2026.xlsx", content, XLSX)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    job_url = r.headers["location"]
    job = client.get(job_url)
    assert job.status_code == 200
    text = job.text
    assert "Kết quả từng dòng" in text and "Tạo mới" in text and "Từ chối" in text
    assert "đoán theo tên" in text and "12,5 g" in text and 'value="100' in text
    rows_csv = client.get(f"{job_url}/rows.csv")
    assert rows_csv.status_code == 200 and "create" in rows_csv.text
    rejects = client.get(f"{job_url}/rejects.csv")
    assert "NOWHERE" in rejects.content.decode("utf-8-sig")
    commit = client.post(
        f"{job_url}/commit", data={"csrf_token": csrf, "partial": "1"}, follow_redirects=False
    )
    assert commit.status_code == 303, commit.text
    done = client.get(commit.headers["location"]).text
    created = re.search(r"Vật chứng đã tạo</dt><dd>(\d+)", done)
    assert created and created.group(1) == "5"
    # The kept file went with the commit: a second commit is refused.
    again = client.post(f"{job_url}/commit", data={"csrf_token": csrf}, follow_redirects=False)
    assert again.status_code == 409


def test_ledger_and_summary_downloads_by_period(client: TestClient, world: World) -> None:
    log_in(client, "manager")
    page = client.get("/downloads")
    assert page.status_code == 200 and 'name="from"' in page.text and 'name="half"' in page.text
    ledger = client.get(
        "/downloads/ledger",
        params={"warehouse_code": "W1", "from": "2026-01-01", "to": "2026-12-31"},
    )
    assert ledger.status_code == 200 and ledger.headers["content-type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(ledger.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][0] == "SỔ THEO DÕI VẬT CHỨNG, TÀI SẢN KÊ BIÊN, TẠM GIỮ"
    assert any(row[0] == "STT" for row in rows)
    pdf = client.get("/downloads/summary", params={"year": "2026", "half": "H2", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    statistical = client.get("/downloads/summary", params={"year": "2026", "half": "TK12"})
    assert (
        statistical.status_code == 200 and "2026-TK12" in statistical.headers["content-disposition"]
    )
    bad = client.get("/downloads/ledger", params={"from": "2026-05-01", "to": "2026-01-01"})
    assert bad.status_code == 422
