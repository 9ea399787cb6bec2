"""Ledger import: the validation report, dry run, all-or-nothing, partial with a rejects file,
re-import without duplicates, file variants and bad files, the CLI and the API job."""

import csv
import io
import os
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, text
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from evidence_service import cli
from evidence_service.app import create_app
from evidence_service.config import Settings, get_settings
from evidence_service.imports import (
    BadFile,
    ImportOutcome,
    import_file,
    load_mapping,
    write_rejects,
)
from evidence_service.imports.values import Problem, parse_decimal, parse_weight_g
from evidence_service.models import Case, CustodyEvent, ImportJob, Item
from evidence_service.recording import CURRENT_ACTOR
from tests.conftest import fresh_database
from tests.factories import World, make_world

HEADERS = [
    "STT",
    "Tên vật chứng",
    "Số lượng",
    "Đơn vị tính",
    "Trọng lượng",
    "Số bản án",
    "Ngày nhập kho",
    "Vị trí",
    "Loại",
    "Tình trạng niêm phong",
]
GOOD = [
    [
        "1",
        "Điện thoại Nokia",
        "1",
        "cái",
        "0,2 kg",
        "1/2026/HS-ST",
        "05/01/2026",
        "S2",
        "Khác",
        "Còn nguyên",
    ],
    [
        "2",
        "Gói ma túy đá",
        "3",
        "gói",
        "12,5 g",
        "2/2026/HS-ST",
        "06/01/2026",
        "SEC-1",
        "Ma túy",
        "Nguyên niêm phong",
    ],
    ["3", "Xe mô tô", "1", "chiếc", "95", "1/2026/HS-ST", "2026-01-07", "S2", "Phương tiện", ""],
]


def write_csv(
    path: Path,
    rows: list[list[Any]],
    headers: list[str] = HEADERS,
    delimiter: str = ",",
    bom: bool = True,
) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8")
    return path


def write_xlsx(
    path: Path, rows: list[list[Any]], headers: list[str] = HEADERS, title_rows: int = 0
) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for n in range(title_rows):
        sheet.append(["SỔ THEO DÕI VẬT CHỨNG" if n == 0 else None])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def run(
    session: Session, world: World, path: Path, user: str = "keeper", **options: Any
) -> ImportOutcome:
    return import_file(
        path, world.users[user], lambda write: nullcontext(session), load_mapping(), **options
    )


def item_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Item)) or 0


def kinds(outcome: ImportOutcome) -> set[str]:
    return {e["kind"] for e in outcome.report["errors"]}


# -- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("12,5 kg", 12500),
        ("12.5", 12500),
        ("500 g", 500),
        ("1.234,5", 1234500),
        ("1,234.5 kg", 1234500),
        ("0,500", 500),
        ("2 gam", 2),
        ("3 kilôgam", 3000),
        ("1.250 g", 1250),
        ("2 lạng", 200),
        ("500 mg", 0.5),
        ("0,85kg", 850),
        ("12,5 g", 12.5),
    ],
)
def test_weights_accept_vietnamese_decimal_comma_and_units(text: str, grams: float) -> None:
    assert parse_weight_g(text, None, load_mapping())[0] == pytest.approx(grams)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("12.500", "ambiguous_number"),
        ("12,500 kg", "ambiguous_number"),
        ("nặng", "bad_weight"),
        ("5 lbs", "bad_weight"),
        ("0", "bad_weight"),
        ("1,2,3", "bad_weight"),
    ],
)
def test_ambiguous_or_bad_weights_are_named(text: str, kind: str) -> None:
    with pytest.raises(Problem) as exc:
        parse_weight_g(text, None, load_mapping())
    assert exc.value.kind == kind


def test_thousands_separators_are_read() -> None:
    assert parse_decimal("1.234.567") == 1234567
    assert parse_decimal("-3,25") == -3.25


# -- the validation report ---------------------------------------------------------------------


def test_dry_run_reports_each_kind_of_error_and_writes_nothing(
    session: Session, world: World, tmp_path: Path
) -> None:
    rows = GOOD + [
        ["4", "Pháo hoa", "1", "thùng", "12.500", "1/2026/HS-ST", "05/01/2026", "F1", "Pháo", ""],
        ["5", "Dao", "1", "con", "nặng", "1/2026/HS-ST", "05/01/2026", "SEC-1", "Vũ khí", ""],
        ["6", "Hộp", "1", "hộp", "1", "1/2026/HS-ST", "05/01/2026", "KHONG-CO", "Khác", ""],
        ["7", "Hộp", "1", "hộp", "1", "1/2026/HS-ST", "05/01/2026", "S2", "Đồ cổ", ""],
        ["8", "Hộp", "1", "hộp", "1", "1/2026/HS-ST", "31/02/2026", "S2", "Khác", ""],
        ["9", "Hộp", "1", "hộp", "1", "1/2026/HS-ST", "02/13/2026", "S2", "Khác", ""],
        ["10", "Hộp", "1", "hộp", "1", "77/2026/HS-ST", "05/01/2026", "S2", "Khác", ""],
        ["1", "Hộp khác", "1", "hộp", "1", "1/2026/HS-ST", "05/01/2026", "S2", "Khác", ""],
        ["11", "Hộp", "1", "xâu", "1", "1/2026/HS-ST", "05/01/2026", "S2", "Khác", ""],
        ["12", "Ma túy", "1", "gói", "1", "1/2026/HS-ST", "05/01/2026", "S2", "Ma túy", ""],
        ["13", "", "1", "cái", "1", "1/2026/HS-ST", "05/01/2026", "S2", "Khác", ""],
        ["14", "Hộp", "1", "hộp", "1", "1/2026/HS-ST", "05/01/2099", "S2", "Khác", ""],
        ["15", "Hộp", "1", "hộp", "1", "1/2026/HS-ST", "05/01/2026", "S2", "Khác", "Lung lay"],
        ["16", "Hộp", "1,5", "hộp", "1", "1/2026/HS-ST", "05/01/2026", "S2", "Khác", ""],
    ]
    before = item_count(session)
    outcome = run(session, world, write_csv(tmp_path / "ledger.csv", rows))
    report = outcome.report
    assert report["outcome"] == "checked" and report["dry_run"] is True
    rejected = {e["row"] for e in report["errors"]}
    assert sorted(set(range(5, 19)) - rejected) == []
    assert report["rows"] == 17 and report["valid_rows"] == 3 and report["rejected_rows"] == 14
    assert kinds(outcome) == {
        "ambiguous_number",
        "bad_weight",
        "unknown_location",
        "unknown_category",
        "bad_date",
        "unknown_case",
        "duplicate",
        "unknown_unit",
        "location_refuses",
        "missing_value",
        "future_date",
        "unknown_seal_state",
        "invalid",
    }
    by_row = {e["row"]: e for e in report["errors"]}
    assert by_row[5]["column"] == "Trọng lượng" and by_row[5]["value"] == "12.500"
    assert by_row[5]["cell"] == "E5"
    assert "12500" in by_row[5]["message"]
    assert by_row[7]["kind"] == "unknown_location" and by_row[7]["value"] == "KHONG-CO"
    assert "13/02/2026" in by_row[10]["message"]  # month/day swapped: say what it may mean
    assert by_row[12]["kind"] == "duplicate" and "row 2" in by_row[12]["message"]
    assert item_count(session) == before


def test_capacity_of_a_location_is_counted_across_rows(
    session: Session, world: World, tmp_path: Path
) -> None:
    rows = [
        [str(n), f"Hộp {n}", "1", "hộp", "1", "1/2026/HS-ST", "05/01/2026", "S1", "Khác", ""]
        for n in range(1, 4)
    ]
    outcome = run(session, world, write_csv(tmp_path / "full.csv", rows))
    errors = outcome.report["errors"]
    assert [(e["row"], e["kind"]) for e in errors] == [(4, "capacity_exceeded")]
    assert "S1" in errors[0]["message"] and "max_items" in errors[0]["message"]


# -- real runs ---------------------------------------------------------------------------------


def test_real_run_is_all_or_nothing(session: Session, world: World, tmp_path: Path) -> None:
    bad = ["4", "Hộp", "1", "hộp", "1", "1/2026/HS-ST", "05/01/2026", "NOWHERE", "Khác", ""]
    before = item_count(session)
    outcome = run(session, world, write_csv(tmp_path / "l.csv", GOOD + [bad]), dry_run=False)
    assert outcome.report["outcome"] == "refused" and outcome.created_items == 0
    assert item_count(session) == before


def test_real_run_creates_items_with_intake_events_and_ledger_numbers(
    session: Session, world: World, tmp_path: Path
) -> None:
    outcome = run(session, world, write_csv(tmp_path / "l.csv", GOOD), dry_run=False)
    assert outcome.report["outcome"] == "imported" and outcome.created_items == 3
    items = {
        i.external_ref.rsplit("|", 1)[1]: i
        for i in session.exec(select(Item).where(col(Item.external_ref).is_not(None))).all()
        if i.external_ref
    }
    # Each is known by its ledger (the warehouse and year of its entry) and its number there.
    assert set(items) == {"1", "2", "3"}
    assert {i.external_ref.rsplit("|", 1)[0] for i in items.values() if i.external_ref} == {
        "W1/2026"
    }
    phone, drug, bike = items["1"], items["2"], items["3"]
    assert (phone.net_weight_g, phone.unit, phone.category) == (200.0, "piece", "other")
    assert phone.seal_state == "intact" and phone.status == "stored"
    assert (drug.net_weight_g, drug.quantity, drug.unit) == (12.5, 3, "pack")
    assert drug.hazard_classes == ["narcotics"]  # from the category, so it needs SEC-1
    assert bike.net_weight_g == 95000.0  # a bare number is in kg
    assert phone.received_at.isoformat() == "2026-01-04T17:00:00+00:00"  # 05/01 in Vietnam
    events = session.exec(
        select(CustodyEvent).where(col(CustodyEvent.item_id).in_([i.id for i in items.values()]))
    ).all()
    assert sorted(e.event_type for e in events) == ["intake"] * 3


def test_reimporting_the_same_file_creates_no_duplicates(
    session: Session, world: World, tmp_path: Path
) -> None:
    # Rows without a ledger number are told apart by a fingerprint, twins by their order.
    no_number = [["", *r[1:]] for r in GOOD] + [["", *GOOD[0][1:]]]
    path = write_csv(tmp_path / "l.csv", GOOD + no_number)
    first = run(session, world, path, dry_run=False)
    assert first.created_items == 7
    again = run(session, world, path, dry_run=False)
    assert again.created_items == 0 and again.report["already_imported"] == 7
    assert again.report["outcome"] == "nothing_to_import"
    assert item_count(session) == 7


def test_a_ledger_line_changed_since_imported_is_a_conflict(
    session: Session, world: World, tmp_path: Path
) -> None:
    run(session, world, write_csv(tmp_path / "a.csv", GOOD[:1]), dry_run=False)
    other = [["1", "Một vật khác", "1", "cái", "1", "1/2026/HS-ST", "05/01/2026", "S2", "Khác", ""]]
    outcome = run(session, world, write_csv(tmp_path / "b.csv", other))
    assert kinds(outcome) == {"conflict"} and outcome.report["conflicts"] == 1
    (row,) = [r for r in outcome.report["preview"] if r["row"] == 2]
    assert row["action"] == "conflict" and "Một vật khác" in row["notes"]


def test_partial_import_writes_rejects_that_import_after_fixing(
    session: Session, world: World, tmp_path: Path
) -> None:
    bad = [
        ["4", "Hộp", "1", "hộp", "1", "1/2026/HS-ST", "05/01/2026", "NOWHERE", "Khác", ""],
        ["", "Túi", "1", "túi", "1", "1/2026/HS-ST", "32/01/2026", "S2", "Khác", ""],
    ]
    outcome = run(
        session, world, write_csv(tmp_path / "l.csv", GOOD + bad), dry_run=False, partial=True
    )
    assert outcome.report["outcome"] == "partial" and outcome.created_items == 3
    rejects = tmp_path / "rejects.csv"
    assert write_rejects(outcome, load_mapping(), rejects) == 2
    with rejects.open(encoding="utf-8-sig") as f:
        table = list(csv.reader(f))
    assert table[0] == HEADERS + ["Lỗi"]
    assert table[1][:8] == bad[0][:8] and "NOWHERE" in table[1][-1]
    assert "32/01/2026" in table[2][-1]
    fixed = [row[:-1] for row in table[1:]]
    fixed[0][7] = "S2"
    fixed[1][6] = "31/01/2026"
    again = run(session, world, write_csv(tmp_path / "fixed.csv", fixed), dry_run=False)
    assert again.report["outcome"] == "imported" and again.created_items == 2
    assert item_count(session) == 5
    xlsx = tmp_path / "rejects.xlsx"
    assert write_rejects(outcome, load_mapping(), xlsx) == 2


def test_cases_are_created_from_court_and_decision_columns(
    session: Session, world: World, tmp_path: Path
) -> None:
    headers = HEADERS + ["Tòa án", "Số quyết định THA", "Ngày quyết định", "Hướng xử lý"]
    rows = [
        [
            "1",
            "Pháo hoa",
            "2",
            "thùng",
            "10",
            "55/2025/HS-ST",
            "05/01/2026",
            "F1",
            "Pháo",
            "",
            "TAND huyện X",
            "12/QĐ-CCTHADS",
            "20/12/2025",
            "Tiêu hủy",
        ],
        [
            "2",
            "Pháo nổ",
            "1",
            "thùng",
            "5",
            "55/2025/HS-ST",
            "05/01/2026",
            "F1",
            "Pháo",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "3",
            "Dao",
            "1",
            "con",
            "1",
            "56/2025/HS-ST",
            "05/01/2026",
            "SEC-1",
            "Vũ khí",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    path = write_csv(tmp_path / "c.csv", rows, headers)
    dry = run(session, world, path)
    assert dry.report["cases_to_create"] == ["55/2025/HS-ST"]
    assert [e["kind"] for e in dry.report["errors"]] == ["unknown_case"]  # row 3: no court
    assert session.exec(select(Case).where(Case.judgment_number == "55/2025/HS-ST")).first() is None
    done = run(session, world, path, dry_run=False, partial=True)
    assert done.created_items == 2 and done.report["created_cases"] == 1
    case = session.exec(select(Case).where(Case.judgment_number == "55/2025/HS-ST")).one()
    assert (case.court, case.decision_number, case.decision_year) == (
        "TAND huyện X",
        "12/QĐ-CCTHADS",
        2025,
    )
    assert case.disposition == "destroy" and case.legal_regime == "before_2026_07_01"


# -- file variants -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "bom"), [(",", True), (";", True), (";", False), (",", False)]
)
def test_csv_with_or_without_bom_comma_or_semicolon(
    session: Session, world: World, tmp_path: Path, delimiter: str, bom: bool
) -> None:
    path = write_csv(tmp_path / "l.csv", GOOD, delimiter=delimiter, bom=bom)
    outcome = run(session, world, path)
    assert outcome.report["valid_rows"] == 3 and outcome.report["errors"] == []
    assert outcome.report["file"]["delimiter"] == delimiter


def test_xlsx_with_title_rows_column_numbers_and_real_dates(
    session: Session, world: World, tmp_path: Path
) -> None:
    from datetime import datetime

    rows: list[list[Any]] = [[f"({n})" for n in range(1, 11)]]
    rows += [
        [
            1,
            "Điện thoại",
            1,
            "cái",
            0.2,
            "1/2026/HS-ST",
            datetime(2026, 1, 5),
            "S2",
            "Khác",
            "Còn nguyên",
        ],
        [2, "Xe máy", 1, "chiếc", 95, "1/2026/HS-ST", "06/01/2026", "S2", "Xe", None],
    ]

    path = write_xlsx(tmp_path / "l.xlsx", rows, title_rows=2)
    outcome = run(session, world, path, dry_run=False)
    assert outcome.report["file"]["header_row"] == 3 and outcome.report["file"]["format"] == "xlsx"
    assert outcome.created_items == 2, outcome.report["errors"]
    phone = session.exec(select(Item).where(Item.external_ref == "W1/2026|1")).one()
    assert phone.net_weight_g == 200.0


def test_header_units_in_brackets_are_used(session: Session, world: World, tmp_path: Path) -> None:
    headers = [h if h != "Trọng lượng" else "Trọng lượng (g)" for h in HEADERS]
    outcome = run(session, world, write_csv(tmp_path / "g.csv", GOOD[:1], headers), dry_run=False)
    assert outcome.created_items == 1
    # "0,2 kg" names its unit; a bare number would be grams under this header.
    assert (
        session.exec(select(Item.net_weight_g).where(Item.external_ref == "W1/2026|1")).one()
        == 200.0
    )


def test_formulas_in_xlsx_cells_are_reported(
    session: Session, world: World, tmp_path: Path
) -> None:
    rows = [[1, "Điện thoại", "=1+1", "cái", 0.2, "1/2026/HS-ST", "05/01/2026", "S2", "Khác", ""]]
    outcome = run(session, world, write_xlsx(tmp_path / "f.xlsx", rows))
    (error,) = outcome.report["errors"]
    assert error["kind"] == "formula" and error["cell"] == "C2" and "Paste" in error["message"]


# -- bad files ---------------------------------------------------------------------------------


def bad(session: Session, world: World, path: Path) -> str:
    with pytest.raises(BadFile) as exc:
        run(session, world, path)
    return str(exc.value.detail)


def test_empty_file_is_refused(session: Session, world: World, tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(b"")
    assert "empty" in bad(session, world, tmp_path / "e.csv")
    (tmp_path / "b.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    assert "empty" in bad(session, world, tmp_path / "b.csv")


def test_not_a_spreadsheet_is_refused(session: Session, world: World, tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100))
    assert "not a spreadsheet" in bad(session, world, tmp_path / "x.png")
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4\n...")
    assert "PDF" in bad(session, world, tmp_path / "x.pdf")
    (tmp_path / "x.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert ".xls" in bad(session, world, tmp_path / "x.xls")
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04" + bytes(100))
    assert "XLSX" in bad(session, world, tmp_path / "x.xlsx")


def test_wrong_encoding_is_refused(session: Session, world: World, tmp_path: Path) -> None:
    text = "STT,Tên vật chứng,Số lượng\n1,Điện thoại,1\n"
    (tmp_path / "w.csv").write_bytes(text.encode("cp1258", errors="replace"))
    assert "not UTF-8" in bad(session, world, tmp_path / "w.csv")
    (tmp_path / "u.csv").write_bytes(text.encode("utf-16"))
    assert "UTF-16" in bad(session, world, tmp_path / "u.csv")


def test_bad_bytes_after_the_start_are_refused_with_the_row(
    session: Session, world: World, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "l.csv", GOOD * 20000)  # > the sniffed sample
    with path.open("ab") as f:
        f.write(b"4,\xff\xfe bad,1\n")
    message = bad(session, world, path)
    assert "not UTF-8" in message and "row 60002" in message


def test_fifty_megabytes_of_junk_is_refused(session: Session, world: World, tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(os.urandom(50 * 1024 * 1024))
    assert "binary" in bad(session, world, junk) or "UTF-8" in bad(session, world, junk)
    text = tmp_path / "junk.txt"
    with text.open("w") as f:
        for _ in range(50):
            f.write("x" * (1024 * 1024))
    assert "header" in bad(session, world, text) or "CSV" in bad(session, world, text)


def test_a_file_without_the_expected_header_is_refused(
    session: Session, world: World, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "h.csv", [["1", "2"]], headers=["Họ tên", "Địa chỉ"])
    assert "no header row" in bad(session, world, path)
    missing = write_csv(tmp_path / "m.csv", [["1", "x"]], headers=["STT", "Tên vật chứng"])
    assert "lacks required column" in bad(session, world, missing)


def test_merged_header_cells_are_refused(session: Session, world: World, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "m.xlsx", [GOOD[0]], headers=[*HEADERS[:4], "Trọng lượng", None, *HEADERS[5:]]
    )
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet.merge_cells("E1:F1")
    workbook.save(path)
    message = bad(session, world, path)
    assert "merged" in message and "E1:F1" in message


# -- command line and API ----------------------------------------------------------------------


@pytest.fixture
def committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A separate database with a committed world (the CLI and background jobs commit)."""
    db = fresh_database(tmp_path, "imports")
    with db.session(write=True) as s:
        world = make_world(s)
        s.commit()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", str(db.engine.url.render_as_string(False)))
    get_settings.cache_clear()
    yield db, world
    get_settings.cache_clear()
    db.engine.dispose()


def test_cli_import_dry_run_then_partial_commit_with_rejects(
    committed: Any, tmp_path: Path
) -> None:
    db, _ = committed
    bad_row = ["4", "Hộp", "1", "hộp", "1", "1/2026/HS-ST", "05/01/2026", "NOWHERE", "Khác", ""]
    path = write_csv(tmp_path / "l.csv", GOOD + [bad_row])
    runner = CliRunner()
    dry = runner.invoke(cli.app, ["import", str(path), "--as", "keeper"])
    assert dry.exit_code == 1, dry.output
    assert "unknown_location" in dry.output and "NOWHERE" in dry.output
    refused = runner.invoke(cli.app, ["import", str(path), "--as", "keeper", "--commit"])
    assert refused.exit_code == 1 and "nothing imported" in refused.output
    rejects = tmp_path / "rejects.csv"
    done = runner.invoke(
        cli.app,
        ["import", str(path), "--as", "keeper", "--commit", "--partial", "--rejects", str(rejects)],
    )
    assert done.exit_code == 0, done.output
    assert "imported 3 item(s)" in done.output and rejects.exists()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Item)) == 3
        # Every event of the import names who ran the command (--as)...
        actors = s.execute(
            text("SELECT DISTINCT actor_id FROM custody_events WHERE event_type = 'intake'")
        ).all()
        keeper = s.execute(text("SELECT id FROM users WHERE username = 'keeper'")).scalar_one()
        assert [a for (a,) in actors] == [keeper]
    assert CURRENT_ACTOR.get() is None  # ... and only while it runs
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01" * 1000)
    bad_file = runner.invoke(cli.app, ["import", str(junk), "--as", "keeper"])
    assert bad_file.exit_code == 2 and "not a spreadsheet" in bad_file.output
    assert "Traceback" not in bad_file.output


def test_api_small_import_answers_with_the_finished_job(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    bad_row = ["4", "Hộp", "1", "hộp", "1", "1/2026/HS-ST", "05/01/2026", "NOWHERE", "Khác", ""]
    content = write_csv(tmp_path / "l.csv", GOOD + [bad_row]).read_bytes()
    r = client.post(
        "/api/v1/imports", headers=world.headers(), files={"file": ("l.csv", content, "text/csv")}
    )
    assert r.status_code == 201, r.text
    # Parsed by the job after the answer (the test client runs it before returning).
    assert r.json()["status"] == "pending"
    job = client.get(f"/api/v1/imports/{r.json()['id']}", headers=world.headers()).json()
    assert job["status"] == "done" and job["dry_run"] is True
    assert job["report"]["outcome"] == "checked" and job["error_count"] == 1
    assert job["progress_pct"] == 100.0
    r = client.post(
        "/api/v1/imports",
        headers=world.headers(),
        files={"file": ("l.csv", content, "text/csv")},
        data={"dry_run": "false", "partial": "true"},
    )
    job = client.get(f"/api/v1/imports/{r.json()['id']}", headers=world.headers()).json()
    assert job["created_items"] == 3 and job["has_rejects"] is True
    rejects = client.get(f"/api/v1/imports/{job['id']}/rejects", headers=world.headers())
    assert rejects.status_code == 200 and "NOWHERE" in rejects.content.decode("utf-8-sig")
    assert (
        client.get(
            f"/api/v1/imports/{job['id']}", headers=world.headers("other-keeper")
        ).status_code
        == 404
    )


def test_api_refuses_bad_files_with_a_clear_422(client: TestClient, world: World) -> None:
    for content, words in [
        (b"", "empty"),
        (b"\x00\x01\x02" * 100, "not a spreadsheet"),
        (b"PK\x03\x04broken", "XLSX"),
    ]:
        r = client.post(
            "/api/v1/imports",
            headers=world.headers(),
            files={"file": ("x.csv", content, "text/csv")},
        )
        assert r.status_code == 422 and words in r.json()["detail"], r.text


def test_api_large_import_runs_as_a_job_with_progress_in_the_database(
    committed: Any, tmp_path: Path
) -> None:
    db, world = committed
    settings = Settings(demo=True, database_url=str(db.engine.url), import_sync_max_bytes=0)
    rows = [
        [str(n), f"Hộp {n}", "1", "hộp", "1,5", "1/2026/HS-ST", "05/01/2026", "S2", "Khác", ""]
        for n in range(1, 5001)
    ]
    content = write_csv(tmp_path / "big.csv", rows).read_bytes()
    with TestClient(create_app(settings, db)) as client:
        r = client.post(
            "/api/v1/imports",
            headers=world.headers(),
            files={"file": ("big.csv", content, "text/csv")},
            data={"dry_run": "false"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "pending"  # answered before the work
        job = client.get(f"/api/v1/imports/{r.json()['id']}", headers=world.headers()).json()
    assert job["status"] == "done", job
    assert job["processed_rows"] == job["total_rows"] == 5000
    assert job["created_items"] == 5000 and job["report"]["outcome"] == "imported"
    with db.session() as s:
        stored = s.get(ImportJob, job["id"])
        assert stored is not None and stored.finished_at is not None
        assert s.scalar(select(func.count()).select_from(Item)) == 5000
