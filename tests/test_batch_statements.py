"""Batch moves in constant queries: the SQL statements of a move don't grow with its size,
and the versioned update still refuses an item changed since it was read."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlmodel import col, select

from evidence_service.items import ItemCreate, intake_items
from evidence_service.models import CustodyEvent, Item, Location
from tests.factories import item_data

MAX_STATEMENTS = 15


@contextmanager
def statements_of(engine: Any, before: Any = None) -> Iterator[list[str]]:
    """Every statement sent to the database while the block runs (an executemany once);
    ``before(cursor, statement, executemany)`` runs first for each. The accounts' reader is
    left out: it reads the users at most once a second, whatever the request (on a loaded
    machine a slow request may see it once or twice), never per item."""
    sent: list[str] = []

    def record(
        _conn: Any, cursor: Any, statement: str, _params: Any, _ctx: Any, many: bool
    ) -> None:
        if threading.current_thread().name.startswith("evidence-accounts"):
            return
        if before is not None:
            before(cursor, statement, many)
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _stored(session, world, count):
    ids = intake_items(
        session,
        [ItemCreate(**item_data(world, description=f"Vật chứng {n}")) for n in range(count)],
        world.users["keeper"],
    )
    session.commit()
    items = session.exec(select(Item).where(col(Item.id).in_(ids)).order_by(col(Item.id))).all()
    return list(items)


def _events(session):
    return session.scalar(select(func.count()).select_from(CustodyEvent))


@pytest.mark.parametrize("role", ["keeper", "manager"])
@pytest.mark.parametrize("count", [100, 300, 500])
def test_a_batch_move_takes_the_same_few_statements_whatever_its_size(
    client, session, world, database, role, count
):
    items = _stored(session, world, count)
    before = _events(session)
    with statements_of(database.engine) as sent:
        response = client.post(
            "/api/v1/moves",
            json={"item_codes": [i.code for i in items], "to_location_code": "R1"},
            headers=world.headers(role),
        )
    assert response.status_code == 200, response.text
    assert len(sent) <= MAX_STATEMENTS, "\n".join(sent)
    moved = response.json()["items"]
    assert [i["code"] for i in moved] == [i.code for i in items]
    assert all(i["location_code"] == "R1" and i["version"] == 2 for i in moved)
    assert _events(session) == before + count
    r1 = session.exec(select(Location.id).where(Location.code == "R1")).one()
    rows = session.exec(select(Item.location_id, Item.version, Item.status)).all()
    assert set(rows) == {(r1, 2, "stored")}


@pytest.mark.parametrize("role", ["keeper", "manager"])
def test_a_batch_move_refuses_an_item_changed_since_it_was_read(
    client, session, world, database, role
):
    items = _stored(session, world, 100)
    victim = items[57]
    before = _events(session)

    changed: list[int] = []

    def change_it_first(cursor: Any, statement: str, _many: bool) -> None:
        # Another writer changes one item between the move's read and its write.
        if statement.startswith("UPDATE items") and not changed:
            changed.append(victim.id)
            other = cursor.connection.cursor()
            other.execute(f"UPDATE items SET version = version + 1 WHERE id = {victim.id}")

    with statements_of(database.engine, before=change_it_first):
        response = client.post(
            "/api/v1/moves",
            json={"item_codes": [i.code for i in items], "to_location_code": "R1"},
            headers=world.headers(role),
        )
    assert response.status_code == 409, response.text
    assert response.json()["detail"] == (
        f"item {victim.code} was changed by someone else; reload and retry"
    )
    # All or nothing: no item moved, no event written.
    rows = session.exec(select(Item.location_id, Item.version)).all()
    assert {(location, version) for location, version in rows} == {(items[0].location_id, 1)}
    assert _events(session) == before
