"""Units as an open vocabulary with a kind: everyday Vietnamese units, agency-added units,
quantities that add up per kind, and ledgers read without rewriting the unit."""

import io

import openpyxl

from evidence_service.imports.mapping import load_mapping
from evidence_service.legal.holidays import local_today
from evidence_service.units import built_in_units, totals
from tests.factories import item_data, make_item

API = "/api/v1"


def test_everyday_vietnamese_units_are_built_in_with_their_kind():
    units = built_in_units()
    for code in ("viên", "bánh", "quyển", "khẩu", "bao", "can", "chiếc"):
        assert units[code].kind.value == "count" and units[code].vi == code
    assert units["kg"].kind.value == "mass" and units["ml"].kind.value == "volume"
    assert units["cm"].kind.value == "length"


def test_quantities_add_up_per_kind_across_units():
    units = built_in_units()
    summed = totals(units, [(2, "kg"), (500, "g"), (1, "l"), (250, "ml"), (3, "viên"), (1, "bánh")])
    assert summed == {"mass": 2500.0, "volume": 1.25, "count": 4.0}


def test_ledgers_keep_their_own_unit_words():
    mapping = load_mapping()
    assert [mapping.units.get(w) for w in ("can", "khẩu", "viên", "bao", "chiếc")] == [
        "can",
        "khẩu",
        "viên",
        "bao",
        "chiếc",
    ]


def test_an_agency_adds_a_unit_and_items_are_recorded_in_it(client, world):
    manager = world.headers("manager")
    made = client.post(f"{API}/units", json={"code": "Bó", "kind": "count"}, headers=manager)
    assert made.status_code == 201, made.text
    assert made.json()["code"] == "bó"
    again = client.post(f"{API}/units", json={"code": "bó", "kind": "count"}, headers=manager)
    assert again.status_code == 409
    listed = {u["code"]: u for u in client.get(f"{API}/units", headers=manager).json()}
    assert listed["bó"]["built_in"] is False and listed["viên"]["built_in"] is True
    body = item_data(world, unit="bó", quantity=3)
    created = client.post(f"{API}/items", json=body, headers=world.headers())
    assert created.status_code == 201, created.text
    assert created.json()["unit"] == "bó"
    # Another agency does not have it; a count is whole.
    other = client.post(
        f"{API}/items", json=item_data(world, unit="bó"), headers=world.headers("other-manager")
    )
    assert other.status_code == 422
    half = client.post(
        f"{API}/items", json=item_data(world, unit="viên", quantity=2.5), headers=world.headers()
    )
    assert half.status_code == 422


def test_the_ledger_prints_each_unit_as_recorded(client, session, world):
    """Issue 14: exports rewrote "can" as "chai" and "khẩu" as "cái"."""
    for unit, quantity in (("can", 2), ("khẩu", 1), ("bánh", 198), ("quyển", 3)):
        make_item(session, world, unit=unit, quantity=quantity, location_code="S2")
    today = local_today()
    r = client.get(
        f"{API}/exports/ledger",
        headers=world.headers("manager"),
        params={"warehouse_code": "W1", "from": f"{today.year}-01-01", "to": today.isoformat()},
    )
    assert r.status_code == 200, r.text
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    cells = {c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert {"can", "khẩu", "bánh", "quyển"} <= cells
    assert "chai" not in cells and "cái" not in cells
