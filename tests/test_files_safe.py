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
