"""Official exports: the ledger and the periodic summary, checked against the database."""

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from evidence_service import cli
from evidence_service.exports.ledger import COLUMNS
from evidence_service.i18n import LOCAL_TIME_ZONE, Translator
from evidence_service.models import Item
from evidence_service.periods import day_start
from tests.factories import World, make_item
from tests.test_destruction import executed_batch

API = "/api/v1/exports"


def at(text: str) -> str:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).isoformat()


@pytest.fixture
def stock(session: Session, world: World, client: TestClient) -> dict[str, Item]:
    return exported_stock(session, world, client)


def exported_stock(session: Session, world: World, client: TestClient) -> dict[str, Item]:
    """W1: a safe from 2025 (still held), a phone from March 2026 destroyed now, fireworks
    from August 2026; W2: a motorbike (received in the first half of 2026)."""
    items = {
        "old": make_item(
            session,
            world,
            description="Két sắt cũ",
            received_at=at("2025-02-01"),
            entry_slip_no="PN-12/2025",
            handover_record_no="BBGN-7/2025",
            net_weight_g=30000.0,
            gross_weight_g=None,
            category="other",
        ),
        "h1": make_item(
            session,
            world,
            description="Điện thoại Nokia",
            net_weight_g=200.0,
            gross_weight_g=None,
            received_at=at("2026-03-10"),
            entry_slip_no="PN-03/2026",
        ),
        "h1b": make_item(
            session,
            world,
            description="Xe mô tô",
            category="vehicle",
            net_weight_g=95000.0,
            gross_weight_g=None,
            received_at=at("2026-05-02"),
            location_code="D1",
            actor="manager",
        ),
        "h2": make_item(
            session,
            world,
            description="Pháo hoa nổ",
            category="fireworks",
            hazard_classes=["1.4G"],
            location_code="F1",
            net_weight_g=5000.0,
            gross_weight_g=None,
            received_at=at("2026-08-05"),
        ),
    }
    executed_batch(client, world, [items["h1"]])
    session.expire_all()
    return items


def xlsx_rows(data: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_ledger_xlsx_lists_the_warehouse_items_of_the_period(
    client: TestClient, session: Session, world: World, stock: dict[str, Item]
) -> None:
    r = client.get(
        f"{API}/ledger",
        headers=world.headers("manager"),
        params={"warehouse_code": "W1", "from": "2026-01-01", "to": "2026-12-31"},
    )

    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd")
    rows = xlsx_rows(r.content)
    heading = next(n for n, row in enumerate(rows) if row[0] == "STT")
    assert rows[heading] == [Translator("vi")(f"ledger15.col_{c}") for c in COLUMNS]
    body = [row for row in rows[heading + 2 :] if isinstance(row[0], int)]
    # W1's items held in 2026: the safe (received in 2025, still there), the phone (destroyed
    # since, still listed) and the fireworks; the motorbike is in W2.
    expected = session.exec(
        select(Item).where(
            col(Item.received_at) >= day_start(datetime(2026, 1, 1).date()),
            col(Item.code).in_([stock["h1"].code, stock["h2"].code, stock["h1b"].code]),
        )
    ).all()
    assert len(expected) == 3
    assert [b[5] for b in body] == [stock["old"].code, stock["h1"].code, stock["h2"].code]
    assert [b[0] for b in body] == [1, 2, 3]
    phone = body[1]
    assert phone[6].startswith("Điện thoại Nokia") and phone[7] == "cái" and phone[9] == 0.2
    assert phone[1].date() == datetime(2026, 3, 10).date() and phone[14] == "Đã tiêu hủy"
    assert phone[11].date() == datetime.now(UTC).astimezone(LOCAL_TIME_ZONE).date()
    closing = next(row for row in rows if row[1] == "Tồn cuối kỳ")
    assert closing[8] == 2 and closing[9] == pytest.approx(30 + 5.0)


def test_ledger_pdf_has_vietnamese_text_and_is_reproducible(
    client: TestClient, world: World, stock: dict[str, Item]
) -> None:
    params = {"warehouse_code": "W1", "format": "pdf"}
    first = client.get(f"{API}/ledger", headers=world.headers("manager"), params=params)
    again = client.get(f"{API}/ledger", headers=world.headers("manager"), params=params)
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert first.content == again.content
    text = " ".join(pdf_text(first.content).split())
    assert "SỔ THEO DÕI VẬT CHỨNG" in text and "Két sắt cũ" in text and "Pháo hoa nổ" in text
    assert "Tên vật chứng" in text and "Ngày nhập kho" in text


def test_summary_totals_match_the_database(
    client: TestClient, session: Session, world: World, stock: dict[str, Item]
) -> None:
    r = client.get(
        f"{API}/summary",
        headers=world.headers("manager"),
        params={"period": "2026-H2", "format": "json"},
    )
    assert r.status_code == 200, r.text
    data = r.json()
    current, previous = data["current"], data["previous"]
    assert previous["period"] == "2026-H1"

    def received(start: str, end: str) -> tuple[int, float]:
        count, grams = session.execute(
            select(func.count(), func.coalesce(func.sum(Item.net_weight_g), 0)).where(
                col(Item.received_at) >= datetime.fromisoformat(start).replace(tzinfo=UTC),
                col(Item.received_at) < datetime.fromisoformat(end).replace(tzinfo=UTC),
            )
        ).one()
        return count, grams / 1000

    # Vietnam's half years begin at 17:00 UTC the day before.
    count, kg = received("2026-06-30T17:00:00", "2026-12-31T17:00:00")
    assert current["totals"]["received"] == {"count": count, "weight_kg": pytest.approx(kg)}
    count, kg = received("2025-12-31T17:00:00", "2026-06-30T17:00:00")
    assert previous["totals"]["received"] == {"count": count, "weight_kg": pytest.approx(kg)}
    assert current["totals"]["out_destroyed"] == {"count": 1, "weight_kg": 0.2}
    assert previous["totals"]["out_destroyed"]["count"] == 0
    assert [m["key"] for m in current["destroyed_by_method"]] == ["licensed_incineration"]
    still_held = session.scalar(
        select(func.count()).select_from(Item).where(col(Item.status) != "destroyed")
    )
    assert current["totals"]["closing"]["count"] == still_held == 3
    assert previous["totals"]["closing"]["count"] == 3  # the phone was still there
    assert current["by_category"]["received"]["fireworks"]["count"] == 1
    backlog = {b["key"]: b["tally"]["count"] for b in current["backlog_by_age"]}
    assert backlog["1_to_2_years"] == 1 and sum(backlog.values()) == 3
    assert {w["code"] for w in data["warehouses"]} == {"W1", "W2"}


def test_summary_xlsx_reads_back_the_same_numbers_and_bytes_are_stable(
    client: TestClient, world: World, stock: dict[str, Item]
) -> None:
    headers = world.headers("manager")
    data = client.get(
        f"{API}/summary", headers=headers, params={"period": "2026", "format": "json"}
    ).json()
    first = client.get(f"{API}/summary", headers=headers, params={"period": "2026"})
    again = client.get(f"{API}/summary", headers=headers, params={"period": "2026"})
    assert first.status_code == 200 and first.content == again.content
    rows = xlsx_rows(first.content)
    by_label = {r[0]: r[1:7] for r in rows if r and r[0]}
    received = data["current"]["totals"]["received"]
    prev = data["previous"]["totals"]["received"]
    assert by_label["Nhập trong kỳ"] == [
        received["count"],
        received["weight_kg"],
        data["current"]["cases"]["received"],
        prev["count"],
        prev["weight_kg"],
        data["previous"]["cases"]["received"],
    ]
    assert by_label["Xuất trong kỳ: Tiêu hủy"][0] == 1
    pdf = client.get(f"{API}/summary", headers=headers, params={"period": "2026", "format": "pdf"})
    text = pdf_text(pdf.content)
    assert "BÁO CÁO KẾT QUẢ QUẢN LÝ, XỬ LÝ VẬT CHỨNG NĂM 2026" in text
    assert "Tiêu hủy theo hình thức" in text and "Pháo" in text


def test_a_bad_period_is_422(client: TestClient, world: World) -> None:
    r = client.get(f"{API}/summary", headers=world.headers("manager"), params={"period": "2026-H3"})
    assert r.status_code == 422 and "half year" in str(r.json()["detail"])
    r = client.get(
        f"{API}/ledger",
        headers=world.headers("manager"),
        params={"from": "2026-05-01", "to": "2026-01-01"},
    )
    assert r.status_code == 422


def test_cli_exports_write_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from evidence_service.config import get_settings
    from tests.conftest import fresh_database
    from tests.factories import make_world

    db = fresh_database(tmp_path, "exports")
    with db.session(write=True) as s:
        world = make_world(s)
        make_item(s, world, received_at=at("2026-02-03"))
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", db.engine.url.render_as_string(False))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        out = tmp_path / "so.xlsx"
        r = runner.invoke(
            cli.app, ["export", "ledger", "--as", "manager", "--out", str(out), "--warehouse", "W1"]
        )
        assert r.exit_code == 0, r.output
        rows = xlsx_rows(out.read_bytes())
        heading = next(n for n, row in enumerate(rows) if row[0] == "STT")
        assert rows[heading + 2][6].startswith("Điện thoại di động")
        pdf = tmp_path / "bc.pdf"
        r = runner.invoke(
            cli.app, ["export", "summary", "2026-H1", "--as", "manager", "--out", str(pdf)]
        )
        assert r.exit_code == 0 and "1 item(s) received" in r.output
        assert "So sánh với kỳ trước: 6 tháng cuối năm 2025" in pdf_text(pdf.read_bytes())
    finally:
        get_settings.cache_clear()
        db.engine.dispose()
