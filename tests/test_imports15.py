"""An import's notes and errors in the reader's language (issue 15, point 4): every note and
error the importer produces carries a translation key known in both catalogues; the import
page shows a messy ledger's notes in Vietnamese (no English left), a report stored before the
keys still shows its English, and a failed or interrupted job says why in Vietnamese."""

import ast
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from evidence_service.i18n import messages, translator
from evidence_service.imports import create_job, recover_jobs
from evidence_service.legal.deadlines import load_table
from evidence_service.locations.hazards import CLASS_NOT_ALLOWED, REQUIRES_SECURE_LOCATION
from evidence_service.models import ImportJob
from evidence_service.web.pages.imports import note_text, row_notes
from tests.factories import World
from tests.ledger_files import office_rows, office_xlsx
from tests.test_import_ledgers import by_row, run
from tests.test_web import log_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORTS = Path(__file__).resolve().parents[1] / "evidence_service" / "imports"
CASE = "1/2026/HS-ST"


def messy_rows() -> list[list[Any]]:
    """A ledger as typed by hand: a bare weight, an ambiguous one, impossible and future
    dates, a location and a unit nobody knows, a month first, a line number written twice."""
    phone = ["Điện thoại Nokia", 1, "cái", "1 kg", CASE, "05/01/2026", "S2", ""]
    rows = [
        [1, "Gói heroin", 1, "gói", "12,5 g", CASE, "05/01/2026", "SEC-1", ""],
        [2, *phone[:3], 7, *phone[4:]],  # bare number: read as kg, with a warning
        [3, *phone[:3], "12.500", *phone[4:]],  # 12,5 or 12 500?
        [4, *phone[:5], "31/02/2026", *phone[6:]],
        [5, *phone[:6], "NOWHERE", ""],
        [6, phone[0], 1, "xyz", *phone[3:]],
        [7, *phone[:5], "05/13/2026", *phone[6:]],
        [8, *phone[:5], "01/01/2099", *phone[6:]],
        [1, "Gói heroin", 1, "gói", "12,5 g", CASE, "05/01/2026", "SEC-1", ""],  # STT again
        [9, "Hộp không rõ", 1, "hộp", "1 kg", CASE, "05/01/2026", "S2", ""],
    ]
    return rows


# The Vietnamese each row shows, and the English it must no longer show.
SHOWN = [
    ("Khối lượng: “7” không ghi đơn vị, được đọc là kg", "has no unit, read as"),
    ("Khối lượng: Số “12.500” không rõ nghĩa: 12.500 có thể là 12,5", "is ambiguous"),
    ("“31/02/2026” không phải là ngày có thật.", "is not a real date"),
    ("Không có vị trí “NOWHERE” trong các kho của bạn.", "in your warehouses"),
    ("Không biết đơn vị tính “xyz”.", "unknown unit"),
    ("“05/13/2026”: không có tháng 13; ngày được viết trước tháng", "there is no month"),
    ("có thể ý là 13/05/2026", "may mean"),
    ("Ngày 01/01/2099 là ngày trong tương lai.", "is in the future"),
    ("Số thứ tự 1 cũng có ở dòng 6", "is also on row"),
    ("xếp vào loại “Khác”", "names no known kind"),
    ("Dòng 5: dòng đánh số cột, được bỏ qua.", "column numbers, skipped"),
]


def _upload(client: TestClient, csrf: str, name: str, content: bytes) -> str:
    r = client.post(
        "/imports",
        data={"csrf_token": csrf, "weight_unit": ""},
        files={"file": (name, content, XLSX)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_a_messy_ledgers_page_shows_its_notes_and_errors_in_vietnamese(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    csrf = log_in(client)
    content = office_xlsx(tmp_path / "so.xlsx", messy_rows()).read_bytes()
    url = _upload(client, csrf, "Sổ lộn xộn.xlsx", content)
    page = client.get(url)
    assert page.status_code == 200
    text = _text(page.text)
    for vietnamese, english in SHOWN:
        assert vietnamese in text, vietnamese
        assert english not in text, english
    # The API keeps its English messages and adds the keys (a contract: nothing removed).
    job_id = url.rsplit("/", 1)[-1]
    report = client.get(f"/api/v1/imports/{job_id}", headers=world.headers()).json()["report"]
    ambiguous = next(e for e in report["errors"] if e["kind"] == "ambiguous_number")
    assert ambiguous["message"].startswith("weight '12.500' is ambiguous")
    assert ambiguous["key"] == "imports15_rows.weight_ambiguous_number"
    assert ambiguous["params"]["text"] == "12.500" and ambiguous["column"] == "Khối lượng"
    warning = report["warnings"][0]
    assert "has no unit, read as kg" in warning["message"]
    assert warning["key"] == "imports15_rows.weight_unit_assumed"
    assert report["file"]["warnings"] == ["row 5: column numbers, skipped"]
    assert report["file"]["warnings_keyed"][0]["key"] == "imports15_file.column_numbers"
    rows = {r["row"]: r for r in report["preview"]}
    assert "has no unit" in rows[7]["notes"] and rows[7]["notes_keyed"][0]["key"]
    # The rejects file, to fix and import again, says what is wrong in the ledger's language.
    rejects = client.get(f"{url}/rejects.csv").content.decode("utf-8-sig")
    assert "Vị trí kho: Không có vị trí “NOWHERE” trong các kho của bạn." in rejects
    assert "“31/02/2026” không phải là ngày có thật." in rejects
    assert "in your warehouses" not in rejects and "is not a real date" not in rejects


def test_a_report_stored_before_the_keys_still_shows_its_english(
    client: TestClient, world: World, session: Session, tmp_path: Path
) -> None:
    csrf = log_in(client)
    url = _upload(
        client, csrf, "so.xlsx", office_xlsx(tmp_path / "so.xlsx", messy_rows()).read_bytes()
    )
    job = session.get(ImportJob, int(url.rsplit("/", 1)[-1]))
    assert job is not None
    # As imports stored their reports before notes had keys: English text only.
    old = dict(job.report)
    old["preview"] = [{k: v for k, v in r.items() if k != "notes_keyed"} for r in old["preview"]]
    old["errors"] = [
        {k: v for k, v in e.items() if k not in ("key", "params")} for e in old["errors"]
    ]
    old["file"] = {k: v for k, v in old["file"].items() if k != "warnings_keyed"}
    job.report = old
    session.add(job)
    session.commit()
    page = client.get(url)
    assert page.status_code == 200
    text = _text(page.text)
    assert "Khối lượng: '7' has no unit, read as kg" in text
    assert "'31/02/2026' is not a real date" in text
    assert "Tạo mới" in text  # the rest of the page as before


def test_a_failed_and_an_interrupted_job_say_why_in_vietnamese(
    client: TestClient, world: World, session: Session, tmp_path: Path
) -> None:
    csrf = log_in(client)
    # A sheet whose header lacks the required columns: the job fails with the file's reason.
    headers = ["STT", "Ghi chú", "Cột lạ", "Cột khác"]
    bad = office_xlsx(tmp_path / "bad.xlsx", [[1, "x", "y", "z"]], headers=headers)
    page = client.get(_upload(client, csrf, "bad.xlsx", bad.read_bytes()))
    text = _text(page.text)
    assert "Lần nhập không chạy xong" in text
    assert "giống dòng tiêu đề nhưng thiếu cột bắt buộc" in text, text
    assert "looks like the header" not in text
    # A job a killed process was running, marked failed at start-up.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    job = create_job(session, world.users["keeper"], "big.csv", "0" * 64, False, False)
    job.status = "running"
    job.report = {**job.report, "_owner": f"{os.uname().nodename}:{dead}"}
    session.add(job)
    session.commit()
    assert recover_jobs(client.app.state.db) == [job.id]  # type: ignore[attr-defined]
    session.expire_all()
    api = client.get(f"/api/v1/imports/{job.id}", headers=world.headers()).json()["report"]
    assert "interrupted by a restart" in api["error"]  # the API's English, as before
    assert api["error_key"] == "imports15_jobs.interrupted" and api["interrupted"] is True
    text = _text(client.get(f"/imports/{job.id}").text)
    assert "Lần nhập bị gián đoạn vì dịch vụ khởi động lại; không có gì được ghi." in text
    assert "interrupted by a restart" not in text
    # A job failed before the keys (its report has only the English error) still says why.
    job.report = {"phase": "failed", "error": "interrupted by a restart of the service"}
    session.add(job)
    session.commit()
    assert "interrupted by a restart of the service" in _text(client.get(f"/imports/{job.id}").text)


def test_a_changed_line_names_its_changes_in_the_readers_words(
    session: Session, world: World, tmp_path: Path
) -> None:
    run(session, world, office_xlsx(tmp_path / "a.xlsx"), dry_run=False)
    rows = office_rows()
    rows[0][4] = "12,0 g"
    row = by_row(run(session, world, office_xlsx(tmp_path / "b.xlsx", rows)))[6]
    assert row["action"] == "conflict" and "12.5 → 12" in row["notes"]
    vi = row_notes(translator("vi"), row)
    assert "đã được nhập thành vật chứng" in vi and "Khối lượng tịnh 12,5 g → 12 g" in vi, vi
    en = row_notes(translator("en"), row)
    assert "already imported as item" in en and "12.5 g → 12 g" in en, en


# -- every note and error has a key known in both catalogues ---------------------------------

# Where the key is in each call that makes a note or an error (positional index).
KEY_ARGUMENT = {"error": 4, "Problem": 2, "Note": 1, "RowError": 6, "failure": 1, "_keyed": 1}
# The keys built from a name: every value the name can take.
BUILT = {
    "imports15_rows.location_": [CLASS_NOT_ALLOWED, REQUIRES_SECURE_LOCATION],
    "imports15_rows.capacity_": ["max_items", "max_weight_kg", "max_volume_l"],
    "imports15_file.": ["no_header", "not_imported", "column_numbers"],
}


def _known(key: str) -> bool:
    return key in messages("vi") and key in messages("en")


def _calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in sorted(IMPORTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in KEY_ARGUMENT and not (name == "error" and _is_logging(func)):
                found.append((path.name, node.lineno, node))
    return found


def _is_logging(func: ast.expr) -> bool:
    return isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "log"


def test_every_note_and_error_the_importer_makes_names_a_key_in_both_catalogues() -> None:
    calls = _calls()
    assert len(calls) > 40  # the scan sees the importer's calls
    for file, line, call in calls:
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        index = KEY_ARGUMENT[name]
        where = f"{file}:{line}"
        if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
            starred = next(a for a in call.args if isinstance(a, ast.Starred))
            assert isinstance(starred.value, ast.Call), where
            assert getattr(starred.value.func, "id", "") == "invalid_value", where
            continue
        keyword = next((k.value for k in call.keywords if k.arg == "key"), None)
        node = call.args[index] if len(call.args) > index else keyword
        assert node is not None, f"{where}: a note or error without a key"
        if isinstance(node, ast.Constant):
            key = f"imports15_file.{node.value}" if name == "_keyed" else node.value
            assert isinstance(key, str) and _known(key), f"{where}: {key}"
        elif isinstance(node, ast.JoinedStr):
            head = node.values[0]
            assert isinstance(head, ast.Constant), where
            prefix = str(head.value)
            assert prefix in BUILT, f"{where}: {prefix}… is not listed in BUILT"
            for value in BUILT[prefix]:
                assert _known(prefix + value), f"{where}: {prefix + value}"
        else:
            # A key passed on (exc.key, note.key, a name set just above): checked where made.
            assert isinstance(node, ast.Name | ast.Attribute), where
    for prefix, values in BUILT.items():
        for value in values:
            assert _known(prefix + value), prefix + value


def _notes(report: dict[str, Any]) -> list[dict[str, Any]]:
    out = [*report["errors"], *report["warnings"], *report["file"]["warnings_keyed"]]
    for row in report["preview"]:
        out += row["notes_keyed"]
    return out


def test_a_messy_ledgers_notes_all_carry_known_keys_and_read_in_both_languages(
    session: Session, world: World, tmp_path: Path
) -> None:
    rows = messy_rows()
    rows += [
        [10, "Điện thoại", "x", "cái", "1 kg", CASE, "05/01/2026", "S2", ""],
        [11, "Điện thoại", "3 xyz", "", "1 kg", CASE, "05/01/2026", "S2", ""],
        [12, "Điện thoại", 1, "cái", "5 lít", CASE, "05/01/2026", "S2", ""],
        [13, "Điện thoại", 1, "cái", "abc", CASE, "05/01/2026", "S2", ""],
        [14, "Điện thoại", 1, "cái", "-1 kg", CASE, "05/01/2026", "S2", ""],
        [15, "Điện thoại", 1, "cái", "1 kg", CASE, "2026", "S2", ""],
        [16, "Điện thoại", 1, "cái", "1 kg", CASE, "01/01/1900", "S2", ""],
        [17, "Điện thoại", 1, "cái", "1 kg", CASE, "01/01/226", "S2", ""],
        [18, "Điện thoại", 1, "cái", "1 kg", "99/2020/HS-ST", "05/01/2026", "S2", ""],
        [19, "", 1, "cái", "1 kg", CASE, "05/01/2026", "S2", ""],
        [20, "Gói heroin", 1, "gói", "1 g", CASE, "05/01/2026", "S2", ""],
    ]
    report = run(session, world, office_xlsx(tmp_path / "messy.xlsx", rows)).report
    notes = _notes(report)
    keys = {n["key"] for n in notes}
    assert len(keys) >= 15, keys
    vi, en = translator("vi"), translator("en")
    for note in notes:
        assert note["key"] and _known(note["key"]), note
        shown_vi, shown_en = note_text(vi, note), note_text(en, note)
        assert shown_vi and "{" not in shown_vi and shown_vi != note["message"], note
        assert shown_en and "{" not in shown_en, note
        reason = (note.get("params") or {}).get("reason")
        if isinstance(reason, dict):
            assert _known(reason["key"]), note


def test_every_legal_period_cites_its_source_in_vietnamese_too() -> None:
    """The deadline tables on the Vietnamese pages (dashboard, case, item) cite the article
    as Vietnamese writes it: every period of the data carries ``source_vi``."""
    table = load_table()
    for deadline in table.deadlines:
        for period in deadline.periods.values():
            assert period.source_vi, (deadline.id, period.source)
            assert not re.search(r"\b(Decree|Circular|Law|Art\.)", period.source_vi), period
            # The same article numbers in both citations.
            numbers = re.findall(r"\d+/\d{4}", period.source)
            assert numbers == re.findall(r"\d+/\d{4}", period.source_vi), period


def test_the_facilities_sources_and_notes_read_in_vietnamese(
    client: TestClient, world: World
) -> None:
    """The environment's facilities page (file data) in Vietnamese: no English prose."""
    log_in(client, "manager")
    text = _text(client.get("/environment/facilities").text)
    assert "Theo báo chí, được Bộ Tài nguyên và Môi trường cấp phép (2023)" in text
    assert "Năm 2025, Thái Nguyên tiêu hủy hơn 230 bánh heroin" in text
    assert "Licensed by MONRE" not in text and "destroyed more than 230" not in text
    assert "not read in the permit" not in text
