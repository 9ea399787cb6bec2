"""Ledgers as offices keep them (tests/ledger_files.py), imported through HTTP and the CLI:
headers as written, footers, cached formula values, inferred categories, Vietnamese weights
and dates, yearly ledgers with restarting numbers, corrections, bare numbers, archive limits,
jobs listed and recovered after a restart."""

import gzip
import os
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from evidence_service import cli
from evidence_service.imports import (
    BadFile,
    ImportOutcome,
    Limits,
    create_job,
    import_file,
    load_mapping,
    recover_jobs,
)
from evidence_service.imports.mapping import Mapping
from evidence_service.models import CustodyEvent, ImportJob, Item
from tests.factories import World
from tests.ledger_files import (
    english_csv,
    huge_dimension,
    many_shared_strings,
    office_rows,
    office_xlsx,
)
from tests.test_imports import committed  # noqa: F401 (a fixture)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run(
    session: Session, world: World, path: Path, mapping: Mapping | None = None, **options: Any
) -> ImportOutcome:
    return import_file(
        path,
        world.users["keeper"],
        lambda write: nullcontext(session),
        mapping or load_mapping(),
        **options,
    )


def by_row(outcome: ImportOutcome) -> dict[int, dict[str, Any]]:
    return {r["row"]: r for r in outcome.report["preview"]}


def upload(client: TestClient, world: World, name: str, content: bytes, **data: str) -> Any:
    r = client.post(
        "/api/v1/imports",
        headers=world.headers(),
        files={"file": (name, content, XLSX if name.endswith(".xlsx") else "text/csv")},
        data=data,
    )
    assert r.status_code == 201, r.text
    job = client.get(f"/api/v1/imports/{r.json()['id']}", headers=world.headers())
    return job.json()


def test_office_workbook_uploaded_through_http_is_read_as_written(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    content = office_xlsx(tmp_path / "so.xlsx").read_bytes()
    job = upload(client, world, "Sổ vật chứng 2026.xlsx", content)
    assert job["status"] == "done", job["report"]
    report = job["report"]
    assert report["file"]["format"] == "xlsx" and report["file"]["header_row"] == 4
    assert report["rejected_rows"] == 0, report["errors"]
    assert report["valid_rows"] == 5
    # The total row (=SUM with its saved value) and the signature block are skipped, noted.
    footers = {f["row"]: f["kind"] for f in report["file"]["footer_rows"]}
    assert footers[12] == "total" and footers[14] == "signature" and 16 in footers
    rows = {r["row"]: r for r in report["preview"]}
    assert rows[6]["category"] == "drug" and rows[6]["category_source"] == "inferred"
    assert rows[6]["net_weight_g"] == 12.5 and rows[6]["location"] == "SEC-1"
    assert rows[7]["net_weight_g"] == 1250.0  # "1.250 g": dot thousands with a unit
    assert rows[8]["net_weight_g"] == 850.0 and rows[8]["category"] == "other"
    assert rows[9]["net_weight_g"] == 200.0  # 2 lạng
    assert rows[10]["net_weight_g"] == 0.5 and rows[10]["category"] == "fireworks"
    assert all(r["code"].startswith("VC26-") for r in rows.values() if r["action"] == "create")
    # The per-row report downloads as a file.
    got = client.get(f"/api/v1/imports/{job['id']}/rows", headers=world.headers())
    assert got.status_code == 200 and "Gói heroin" not in got.text  # codes, not descriptions
    lines = got.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("row,ledger_number,action,code,category") and len(lines) > 5
    committed_job = upload(client, world, "so.xlsx", content, dry_run="false")
    assert committed_job["created_items"] == 5, committed_job["report"]
    items = client.get("/api/v1/items?limit=50", headers=world.headers()).json()
    heroin = next(i for i in items["items"] if i["description"] == "Gói heroin")
    assert heroin["quantity"] == 2 and heroin["hazard_classes"] == ["narcotics"]


def test_formula_without_a_saved_value_is_refused_with_the_reason(
    session: Session, world: World, tmp_path: Path
) -> None:
    rows = office_rows()[:1]
    rows[0][2] = "=1+1"  # a formula as quantity; openpyxl saves no value for it
    outcome = run(session, world, office_xlsx(tmp_path / "f.xlsx", rows, cached_total=False))
    (error,) = outcome.report["errors"]
    assert error["kind"] == "formula" and error["cell"] == "C6"
    assert "no value" in error["message"]


def test_english_semicolon_csv_with_bom(session: Session, world: World, tmp_path: Path) -> None:
    rows = [
        ["1", "Mobile phone", "other", "1", "piece", "200 g", "1/2026/HS-ST", "05/01/2026", "S2"],
        ["2", "Heroin packet", "drug", "1", "pack", "3,5 g", "1/2026/HS-ST", "05/01/2026", "SEC-1"],
    ]
    outcome = run(session, world, english_csv(tmp_path / "en.csv", rows), dry_run=False)
    assert outcome.report["file"]["delimiter"] == ";"
    assert outcome.created_items == 2, outcome.report["errors"]


def test_a_mapping_file_adds_to_the_built_in_headers(
    session: Session, world: World, tmp_path: Path
) -> None:
    headers = ["STT", "Hiện vật", "SL", "ĐVT", "Khối lượng", "Bản án", "Ngày nhập", "Vị trí"]
    rows = [[1, "Gói heroin", 1, "gói", "2 g", "1/2026/HS-ST", "05/01/2026", "SEC-1"]]
    path = office_xlsx(tmp_path / "m.xlsx", rows, headers)
    mapping = load_mapping(text='[columns]\ndescription = ["Hiện vật"]\n')
    outcome = run(session, world, path, mapping)
    # Its own header is read, and the built-in ones ("SL", "Ngày nhập", …) still are.
    assert outcome.report["valid_rows"] == 1, outcome.report["errors"]


def test_yearly_ledgers_with_restarting_numbers_both_import(
    session: Session, world: World, tmp_path: Path
) -> None:
    last = office_xlsx(tmp_path / "2025.xlsx", office_rows(2025))
    this = office_xlsx(tmp_path / "2026.xlsx", office_rows(2026))
    assert run(session, world, last, dry_run=False).created_items == 5
    second = run(session, world, this, dry_run=False)
    assert second.created_items == 5 and second.report["already_imported"] == 0
    again = run(session, world, last, dry_run=False)
    assert again.created_items == 0 and again.report["already_imported"] == 5
    refs = session.exec(select(Item.external_ref).where(col(Item.external_ref).is_not(None)))
    assert {"W1/2025|1", "W1/2026|1"} <= set(refs.all())
    # A ledger named at import is one key for every row, whatever their warehouse.
    named = run(session, world, last, load_mapping().for_file(ledger="Sổ cũ 2025"))
    assert named.report["valid_rows"] == 5 and named.report["already_imported"] == 0


def test_a_corrected_row_is_a_conflict_then_a_correction_with_a_custody_event(
    session: Session, world: World, tmp_path: Path
) -> None:
    run(session, world, office_xlsx(tmp_path / "a.xlsx"), dry_run=False)
    rows = office_rows()
    rows[0][4] = "12,0 g"  # the heroin packet reweighed and the ledger corrected
    fixed = office_xlsx(tmp_path / "b.xlsx", rows)
    dry = run(session, world, fixed)
    assert dry.report["conflicts"] == 1 and dry.report["already_imported"] == 4
    row = by_row(dry)[6]
    assert row["action"] == "conflict" and "12.5 → 12" in row["notes"]
    refused = run(session, world, fixed, dry_run=False)
    assert refused.report["outcome"] == "refused"
    done = run(session, world, fixed, dry_run=False, corrections=True)
    assert done.report["corrected_items"] == 1 and done.report["outcome"] == "imported"
    item = session.exec(select(Item).where(Item.description == "Gói heroin")).one()
    assert item.net_weight_g == 12.0 and item.version == 2
    event = session.exec(
        select(CustodyEvent).where(
            CustodyEvent.item_id == item.id, CustodyEvent.event_type == "correction"
        )
    ).one()
    assert event.details["changes"]["net_weight_g"] == [12.5, 12.0]
    assert run(session, world, fixed).report["already_imported"] == 5


def test_bare_weights_warn_naming_the_unit_and_follow_the_files_unit(
    session: Session, world: World, tmp_path: Path
) -> None:
    rows = office_rows()[:1]
    rows[0][4] = "12,5"
    path = office_xlsx(tmp_path / "bare.xlsx", rows)
    outcome = run(session, world, path)
    row = by_row(outcome)[6]
    assert row["net_weight_g"] == 12500.0 and "read as kg" in row["notes"]
    assert outcome.report["rows_with_warnings"] == 1
    grams = run(session, world, path, load_mapping().for_file(weight_unit="g"))
    row = by_row(grams)[6]
    assert row["net_weight_g"] == 12.5 and row["notes"] == ""


def test_nfd_text_is_stored_nfc(session: Session, world: World, tmp_path: Path) -> None:
    import unicodedata

    rows = office_rows()[:1]
    rows[0][1] = unicodedata.normalize("NFD", "Gói heroin nhỏ")
    run(session, world, office_xlsx(tmp_path / "nfd.xlsx", rows), dry_run=False)
    item = session.exec(select(Item).where(Item.description == "Gói heroin nhỏ")).one()
    assert item.description == unicodedata.normalize("NFC", item.description)


def test_archive_limits_refuse_before_parsing(
    session: Session, world: World, tmp_path: Path
) -> None:
    strings = many_shared_strings(tmp_path / "ss.xlsx", 3_000_000)
    assert strings.stat().st_size < 1_500_000
    with pytest.raises(BadFile, match="shared strings"):
        run(session, world, strings)
    with pytest.raises(BadFile, match="XFD1048576"):
        run(session, world, huge_dimension(tmp_path / "dim.xlsx"))
    small = Limits(max_rows=3)
    with pytest.raises(BadFile, match="rows"):
        run(session, world, office_xlsx(tmp_path / "rows.xlsx"), limits=small)


def test_jobs_are_listed_and_an_interrupted_one_is_marked_failed(
    client: TestClient, world: World, session: Session, tmp_path: Path
) -> None:
    upload(client, world, "so.xlsx", office_xlsx(tmp_path / "so.xlsx").read_bytes())
    leftover = tmp_path / "evidence-upload-x.ledger"
    leftover.write_bytes(b"x")
    # A job that a killed process was running: its pid is gone.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    job = create_job(session, world.users["keeper"], "big.csv", "0" * 64, False, False, leftover)
    job.status = "running"
    job.report = {**job.report, "_owner": f"{os.uname().nodename}:{dead}", "phase": "writing"}
    session.add(job)
    session.commit()
    listed = client.get("/api/v1/imports", headers=world.headers()).json()
    assert [j["filename"] for j in listed][:2] == ["big.csv", "so.xlsx"]
    assert "_owner" not in listed[0]["report"]
    assert recover_jobs(client.app.state.db) == [job.id]  # type: ignore[attr-defined]
    session.expire_all()
    again = client.get(f"/api/v1/imports/{job.id}", headers=world.headers()).json()
    assert again["status"] == "failed" and "restart" in again["report"]["error"]
    assert not leftover.exists()
    assert client.get("/api/v1/imports", headers=world.headers("other-keeper")).json() == []


def test_rejects_are_stored_compressed(
    client: TestClient, world: World, session: Session, tmp_path: Path
) -> None:
    rows = [
        [n, "Hộp", 1, "hộp", "1 kg", "1/2026/HS-ST", "05/01/2026", "NOWHERE", ""]
        for n in range(1, 400)
    ]
    job = upload(client, world, "r.xlsx", office_xlsx(tmp_path / "r.xlsx", rows).read_bytes())
    stored = session.get(ImportJob, job["id"])
    assert stored is not None and stored.rejects_csv is not None
    plain = gzip.decompress(stored.rejects_csv)
    assert len(stored.rejects_csv) * 5 < len(plain)
    got = client.get(f"/api/v1/imports/{job['id']}/rejects", headers=world.headers())
    assert got.content == plain and "NOWHERE" in got.content.decode("utf-8-sig")


def test_cli_imports_the_office_workbook(committed: Any, tmp_path: Path) -> None:  # noqa: F811
    path = office_xlsx(tmp_path / "so.xlsx")
    rows = tmp_path / "rows.xlsx"
    runner = CliRunner()
    dry = runner.invoke(cli.app, ["import", str(path), "--as", "keeper", "--rows", str(rows)])
    assert dry.exit_code == 0, dry.output
    assert "row 12: total row, skipped" in dry.output and rows.exists()
    done = runner.invoke(cli.app, ["import", str(path), "--as", "keeper", "--commit"])
    assert done.exit_code == 0 and "imported 5 item(s)" in done.output, done.output


def test_a_drug_follows_the_same_rule_through_post_items_and_the_import(
    client: TestClient, world: World, session: Session, tmp_path: Path
) -> None:
    from tests.factories import item_data

    drug = item_data(world, category="drug", description="Gói heroin", location_code="S2")
    r = client.post("/api/v1/items", headers=world.headers(), json=drug)
    assert r.status_code in (409, 422), r.text
    rows = office_rows()[:1]
    rows[0][7] = "S2"
    outcome = run(session, world, office_xlsx(tmp_path / "d.xlsx", rows))
    assert {e["kind"] for e in outcome.report["errors"]} == {"location_refuses"}
    secure = client.post(
        "/api/v1/items", headers=world.headers(), json={**drug, "location_code": "SEC-1"}
    )
    assert secure.status_code == 201 and secure.json()["hazard_classes"] == ["narcotics"]


def test_progress_of_a_running_job_comes_from_the_process_writing_it(
    session: Session, world: World
) -> None:
    from evidence_service.imports import LIVE, job_public

    job = create_job(session, world.users["keeper"], "big.csv", "0" * 64, False, False)
    job.status = "running"
    assert job.id is not None
    LIVE[job.id] = ("writing", 500, 1000)  # SQLite: the row cannot be updated meanwhile
    try:
        shown = job_public(job)
    finally:
        LIVE.pop(job.id)
    assert (shown.phase, shown.progress_pct) == ("writing", 50.0)


def test_items_imported_before_ledgers_had_names_are_found_by_their_number(
    session: Session, world: World, tmp_path: Path
) -> None:
    path = office_xlsx(tmp_path / "old.xlsx", office_rows()[:1])
    run(session, world, path, dry_run=False)
    item = session.exec(select(Item).where(Item.description == "Gói heroin")).one()
    item.external_ref = "1"  # as the import stored it before (bare STT)
    session.add(item)
    session.commit()
    again = run(session, world, path)
    assert again.report["already_imported"] == 1 and again.report["valid_rows"] == 0


def test_rows_without_a_number_imported_by_the_earlier_fingerprint_are_found_again(
    session: Session, world: World, tmp_path: Path
) -> None:
    import hashlib

    from evidence_service.imports.mapping import norm

    rows = [["", *office_rows()[2][1:]]]  # the phone, without STT
    path = office_xlsx(tmp_path / "nostt.xlsx", rows)
    run(session, world, path, dry_run=False)
    item = session.exec(select(Item).where(Item.description == "Điện thoại Nokia")).one()
    # What the import stored before: every value of the row, sorted by field.
    values = {
        "description": "Điện thoại Nokia",
        "quantity": "1",
        "unit": "cái",
        "net_weight": "0,85kg",
        "judgment_number": "1/2026/HS-ST",
        "received_at": "15/01/26",
        "location_code": "S2",
        "notes": "màn hình vỡ",
    }
    parts = [f"{n}={norm(values[n])}" for n in sorted(values)]
    item.external_ref = f"#{hashlib.sha256('|'.join(parts).encode()).hexdigest()[:20]}-1"
    session.add(item)
    session.commit()
    again = run(session, world, path)
    assert again.report["already_imported"] == 1, again.report["preview"]


def test_rows_with_warnings_counts_every_row_beyond_the_listed_warnings(
    session: Session, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evidence_service.imports import per_row

    monkeypatch.setattr(per_row, "MAX_REPORTED", 2)  # the list stops at 1,000 in the service
    rows = office_rows()[2:5]  # the phone, the chain, the fireworks: general shelves
    for row in rows:
        row[4] = "1,5"  # a bare weight: each row warns
    outcome = run(session, world, office_xlsx(tmp_path / "bare3.xlsx", rows))
    assert len(outcome.report["warnings"]) == 2
    assert outcome.report["rows_with_warnings"] == 3


def test_finished_jobs_older_than_the_retention_are_pruned_with_their_kept_files(
    session: Session, world: World, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    keeper = world.users["keeper"]
    kept = tmp_path / "evidence-upload-kept.ledger"
    kept.write_bytes(b"x")
    old = create_job(session, keeper, "old.xlsx", "0" * 64, True, False)
    old.status, old.finished_at = "done", datetime.now(UTC) - timedelta(days=31)
    old.report = {**old.report, "_kept": str(kept)}
    recent = create_job(session, keeper, "recent.xlsx", "0" * 64, True, False, retention_days=0)
    recent.status, recent.finished_at = "done", datetime.now(UTC) - timedelta(days=29)
    running = create_job(session, keeper, "running.xlsx", "0" * 64, True, False, None, 0)
    running.status = "running"
    session.add_all([old, recent, running])
    session.commit()
    assert len(session.exec(select(ImportJob)).all()) == 3
    create_job(session, keeper, "new.xlsx", "0" * 64, True, False, retention_days=30)
    session.commit()
    names = set(session.exec(select(ImportJob.filename)).all())
    assert names == {"recent.xlsx", "running.xlsx", "new.xlsx"}
    assert not kept.exists()
    # Retention 0 keeps every job.
    recent.finished_at = datetime.now(UTC) - timedelta(days=400)
    session.add(recent)
    create_job(session, keeper, "newer.xlsx", "0" * 64, True, False, retention_days=0)
    session.commit()
    assert "recent.xlsx" in set(session.exec(select(ImportJob.filename)).all())
