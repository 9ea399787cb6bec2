"""Files the service writes keep data as data (no formula runs when they are opened), and
the ledger of a warehouse holds its items that have no location yet."""

import csv
import io
import zipfile

import openpyxl
from fastapi.testclient import TestClient
from sqlmodel import Session

from evidence_service.safecells import csv_text
from tests.factories import World, make_item
from tests.test_imports import HEADERS

API = "/api/v1"
LINK = '=HYPERLINK("http://example.invalid/x","bấm")'


def test_a_formula_description_is_text_in_the_ledger_xlsx(
    client: TestClient, session: Session, world: World
) -> None:
    make_item(session, world, description=LINK)
    r = client.get(
        f"{API}/exports/ledger", headers=world.headers("manager"), params={"warehouse_code": "W1"}
    )
    assert r.status_code == 200
    sheet = zipfile.ZipFile(io.BytesIO(r.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    cells = [
        c
        for row in book.worksheets[0].iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith(LINK)  # then its seal, condition
    ]
    assert cells and cells[0].data_type == "s"


def test_csv_exports_neutralise_formula_cells(
    client: TestClient, session: Session, world: World
) -> None:
    assert [csv_text(v) for v in ("=1+1", "+1", "-x", "@SUM", "\tx", "ok", -3)] == [
        "'=1+1",
        "'+1",
        "'-x",
        "'@SUM",
        "'\tx",
        "ok",
        -3,
    ]
    make_item(session, world, description=LINK)
    r = client.get(
        f"{API}/reports/ageing", headers=world.headers("manager"), params={"format": "csv"}
    )
    assert r.status_code == 200, r.text
    cells = [c for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig"))) for c in row]
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


def test_items_without_a_location_are_in_their_warehouse_ledger(
    client: TestClient, session: Session, world: World
) -> None:
    waiting = make_item(session, world, description="Chờ xếp kệ", location_code=None)
    assert waiting.location_id is None
    r = client.get(
        f"{API}/exports/ledger",
        headers=world.headers("manager"),
        params={"warehouse_code": "W1", "format": "json"},
    )
    assert waiting.code in [line["code"] for line in r.json()["lines"]]
    other = client.get(
        f"{API}/exports/ledger",
        headers=world.headers("manager"),
        params={"warehouse_code": "W2", "format": "json"},
    )
    assert waiting.code not in [line["code"] for line in other.json()["lines"]]


def _cells(content: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in row]


def test_capacity_dashboard_and_rejects_csv_keep_formulas_as_text(
    client: TestClient, session: Session, world: World
) -> None:
    """The three CSV files issue 13 measured writing ``=``, ``+``, ``-``, ``@`` cells raw."""
    from tests.test_web import log_in

    for n, name in enumerate((LINK, "+1+1", "-2+3", "@SUM(A1)")):
        body = {"warehouse_code": "W1", "code": f"FORMULA-{n}", "kind": "shelf", "name": name}
        created = client.post(f"{API}/locations", json=body, headers=world.headers("manager"))
        assert created.status_code == 201, created.text
    capacity = client.get(
        f"{API}/reports/capacity", headers=world.headers("manager"), params={"format": "csv"}
    )
    assert capacity.status_code == 200
    cells = _cells(capacity.content)
    assert "'" + LINK in cells and "'@SUM(A1)" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert not any(c.startswith("-") and not c[1:2].isdigit() for c in cells)

    log_in(client, "manager")
    dashboard = client.get("/dashboard/capacity.csv")
    assert dashboard.status_code == 200
    cells = _cells(dashboard.content)
    assert "'" + LINK in cells and "'+1+1" in cells and "'-2+3" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)

    # A rejected import row gives its cells back as they were typed, neutralised.
    row = ["1", LINK, "1", "cái", "1", "1/2026/HS-ST", "05/01/2026", "NOWHERE", "Khác", "+1"]
    out = io.StringIO()
    csv.writer(out).writerows([HEADERS, row])
    job = client.post(
        f"{API}/imports",
        headers=world.headers(),
        files={"file": ("l.csv", out.getvalue().encode(), "text/csv")},
        data={"dry_run": "false", "partial": "true"},
    ).json()
    rejects = client.get(f"{API}/imports/{job['id']}/rejects", headers=world.headers())
    assert rejects.status_code == 200, rejects.text
    cells = _cells(rejects.content)
    assert "'" + LINK in cells and "'+1" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
