"""The scanners' lookup: an item as the API shows it, in one statement on a raw connection.

``GET /items/{code}`` and ``POST /scan`` are what a keeper's scanner calls all day, so they skip
what the general path (``lookup.item_public``) pays for: no ORM objects, no transaction (one
SELECT on a connection of its own reads one consistent snapshot; the session is only asked
for a wider agency scope), no validation of what the database already checked. The statement
is compiled once per database dialect; the row comes back in the answer's shape.
``tests/test_hot_lookup.py`` holds it equal to ``item_public``.
"""

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, bindparam, select
from sqlmodel import Session, col

from .. import payload
from ..auth import agency_scope
from ..errors import NotFound
from ..models import (
    Case,
    Category,
    Disposition,
    Item,
    ItemBase,
    ItemStatus,
    Location,
    SealState,
    User,
)
from .lookup import ItemPublic, Person, key_of

_OWN = [getattr(Item, name) for name in ItemBase.model_fields]
_STATEMENT = (
    select(  # type: ignore[call-overload]
        Item.agency_id,
        Item.code,
        Item.status,
        Location.code,
        Item.case_id,
        Case.judgment_number,
        Item.seized_net_weight_g,
        Item.seized_gross_weight_g,
        Item.seal_state,
        Item.delivered_by_name,
        Item.delivered_by_position,
        Item.delivered_by_id_document,
        User.username,
        Item.disposition,
        Item.version,
        Item.received_at,
        Item.updated_at,
        *_OWN,
    )
    .join(Case, col(Case.id) == Item.case_id)
    .join(User, col(User.id) == Item.received_by_id)
    .outerjoin(Location, col(Location.id) == Item.location_id)
    .where(col(Item.label_key) == bindparam("key"))
)
_OWN_NAMES = list(ItemBase.model_fields)
_compiled: dict[str, tuple[str, list[str]]] = {}  # dialect → (SQL, parameter order)


def _sql(engine: Engine) -> tuple[str, list[str]]:
    found = _compiled.get(engine.dialect.name)
    if found is None:
        compiled = _STATEMENT.compile(dialect=engine.dialect)
        found = _compiled[engine.dialect.name] = (str(compiled), compiled.positiontup or [])
    return found


def runs_inline(engine: Engine) -> bool:
    """Whether the lookup may run on the event loop: on SQLite a read is a local call that
    never waits on a lock (WAL). On PostgreSQL it is a round trip: a worker thread's job."""
    return engine.dialect.name == "sqlite"


# engine → {event loop thread → its own connection}; gone with the engine.
_loop_connections: "WeakKeyDictionary[Engine, dict[int, Any]]" = WeakKeyDictionary()


@contextmanager
def _connection(engine: Engine) -> Iterator[Any]:
    """The event loop's thread keeps one connection of its own (checking one out of the pool
    there could wait behind busy request threads and stall every request); other threads
    borrow one from the pool."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        borrowed = engine.raw_connection()
        try:
            yield borrowed
        finally:
            borrowed.close()
        return
    own = _loop_connections.setdefault(engine, {})
    thread = threading.get_ident()
    if thread not in own:
        own[thread] = engine.raw_connection()
    yield own[thread]


def _time(value: Any) -> datetime:
    # SQLite hands back the stored text; everything stored is UTC.
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def find_item(session: Session, code: str, actor: User) -> ItemPublic:
    """What ``item_public`` answers, or NotFound."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    sql, order = _sql(engine)
    params = {"key": key_of(code)}
    with _connection(engine) as connection:
        cursor = connection.cursor()
        cursor.execute(sql, [params[name] for name in order] if order else params)
        row = cursor.fetchone()
        cursor.close()
    # A keeper's own agency needs no query; a wider scope is asked of its one home.
    if row is None or (row[0] != actor.agency_id and row[0] not in agency_scope(session, actor)):
        raise NotFound(
            f"item '{code}' not found", key="keysa_items.not_found", params={"code": code}
        )
    (_, item_code, status, location, case_id, judgment, seized_net, seized_gross, seal) = row[:9]
    own = dict(zip(_OWN_NAMES, row[17:], strict=True))
    if isinstance(own["hazard_classes"], str):
        own["hazard_classes"] = json.loads(own["hazard_classes"])
    own["category"] = Category(own["category"])
    return ItemPublic.model_construct(
        **own,
        code=item_code,
        label_payload=payload.make_payload("I", item_code),
        status=ItemStatus(status),
        location_code=location,
        case_id=case_id,
        judgment_number=judgment,
        seized_net_weight_g=seized_net,
        seized_gross_weight_g=seized_gross,
        seal_state=SealState(seal),
        delivered_by=Person.model_construct(name=row[9], position=row[10], id_document=row[11]),
        received_by=row[12],
        disposition=Disposition(row[13]),
        version=row[14],
        received_at=_time(row[15]),
        updated_at=_time(row[16]),
    )
