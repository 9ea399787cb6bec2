"""Destruction adds, stocktake closes and imports in constant queries: the statements they
send do not grow with the number of items (their items are fetched in one query and written
with executemany). Counts, not timings: ``bench/bench_batches.py`` times them."""

from contextlib import nullcontext
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from evidence_service.imports import import_file, load_mapping
from evidence_service.models import Item
from evidence_service.payload import make_payload
from tests.factories import World
from tests.test_batch_statements import _stored, statements_of
from tests.test_imports import GOOD, write_csv


def _executemany(sent: list[tuple[str, bool]]) -> list[str]:
    return [statement for statement, many in sent if many]


def _counting(engine: Any) -> Any:
    """Statements as (SQL, whether an executemany), while the block runs."""
    seen: list[tuple[str, bool]] = []
    context = statements_of(engine, lambda _cursor, sql, many: seen.append((sql, many)))
    return context, seen


def _destruction_add(client: Any, session: Session, world: World, database: Any, n: int) -> Any:
    codes = [item.code for item in _stored(session, world, n)]
    headers = world.headers("manager")
    batch = client.post("/api/v1/destruction-batches", json={"title": "b"}, headers=headers)
    assert batch.status_code == 201, batch.text
    context, seen = _counting(database.engine)
    with context:
        response = client.post(
            f"/api/v1/destruction-batches/{batch.json()['id']}/items",
            json={"codes": codes},
            headers=headers,
        )
    assert response.status_code < 300, response.text
    return seen


def test_adding_items_to_a_destruction_batch_takes_as_many_statements_for_3_as_for_12(
    client, session, world, database
):
    small = _destruction_add(client, session, world, database, 3)
    large = _destruction_add(client, session, world, database, 12)
    assert len(large) == len(small), "\n".join(s for s, _ in large)
    assert _executemany(large), "the rows are written with executemany"


def _stocktake_close(client: Any, session: Session, world: World, database: Any, n: int) -> Any:
    _stored(session, world, n)
    headers = world.headers("keeper")
    started = client.post(
        "/api/v1/stocktakes", json={"scope": "warehouse", "warehouse_code": "W1"}, headers=headers
    )
    assert started.status_code == 201, started.text
    stocktake = started.json()["id"]
    expected = session.exec(
        select(Item.code).where(col(Item.status) == "stored").order_by(col(Item.id))
    ).all()
    for code in expected[: len(expected) * 2 // 3]:  # a third missing
        scan = client.post(
            f"/api/v1/stocktakes/{stocktake}/scans",
            json={"payload": make_payload("I", code)},
            headers=headers,
        )
        assert scan.status_code < 300, scan.text
    context, seen = _counting(database.engine)
    with context:
        closed = client.post(
            f"/api/v1/stocktakes/{stocktake}/close",
            json={"keeper": "A", "accountant": "B", "head": "C"},
            headers=headers,
        )
    assert closed.status_code < 300, closed.text
    return seen, len(expected)


def test_closing_a_stocktake_takes_as_many_statements_for_few_items_as_for_many(
    client, session, world, database
):
    small, few = _stocktake_close(client, session, world, database, 3)
    large, many = _stocktake_close(client, session, world, database, 12)
    assert many > few
    assert len(large) == len(small), "\n".join(s for s, _ in large)
    assert _executemany(large), "the missing items' events are written with executemany"


def _import(session: Session, world: World, database: Any, path: Path, rows: int) -> Any:
    row = GOOD[0]
    lines = [[str(n + 1), f"Vật chứng {n}", *row[2:]] for n in range(rows)]
    write_csv(path, lines)
    context, seen = _counting(database.engine)
    with context:
        outcome = import_file(
            path,
            world.users["keeper"],
            lambda write: nullcontext(session),
            load_mapping(),
            dry_run=False,
        )
    assert outcome.report["errors"] == [], outcome.report["errors"]
    return seen


def test_an_import_takes_as_many_statements_for_4_rows_as_for_16(
    session, world, database, tmp_path
):
    small = _import(session, world, database, tmp_path / "small.csv", 4)
    large = _import(session, world, database, tmp_path / "large.csv", 16)
    assert len(large) == len(small), "\n".join(s for s, _ in large)
    assert _executemany(large), "the items and their events are written with executemany"
