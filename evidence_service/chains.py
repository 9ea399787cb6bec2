"""One custody chain per province, and the write locks that keep each one in order.

A province is a top-level agency (no parent). Every event goes on the chain of the province
its subject belongs to: an item by its agency, a row with an ``agency_id`` by that agency,
other rows by the record they belong to (``PARENTS``: a judgment by its case, a council
member by its batch, ...). Chain 0, the common chain, holds the events from before the
partition (the genesis chain) and the records of no province: a province's own agency row,
log prunings, seals.

Writers lock only the chains they write. On PostgreSQL each chain has a transaction
advisory lock (two-key form: ``_CHAIN_CLASS``, chain id); every writer also holds the old
whole-record lock (``_ALL``) in shared mode, so a writer that does not say what it writes
(``lock_for_write`` with no agency) takes it exclusively and waits for everyone, as before
the partition. Locks are taken in a fixed order (the whole-record lock, then chains
ascending), so two transfers between the same provinces cannot deadlock. SQLite has one
writer at a time anyway; the chains are partitioned there just the same.
"""

from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event, text
from sqlmodel import Session

COMMON = 0  # the chain of no province (and the genesis chain)
_ALL = 0x45564944  # "EVID": the whole-record lock (bigint key space)
_CHAIN_CLASS = 0x45564943  # "EVIC": two-key locks (class, chain id) of one chain each
_HELD = "evidence_chains_locked"  # session.info: chain ids locked; _ALL_HELD: everything
_ALL_HELD = "evidence_all_chains_locked"
_SHARED_HELD = "evidence_all_chains_shared"
_AGENCY_CACHE = "evidence_agency_of_row"

# A record without an agency of its own belongs to its parent row's province.
PARENTS: dict[str, tuple[str, str]] = {
    "locations": ("warehouse_id", "warehouses"),
    "judgments": ("case_id", "cases"),
    "enforcement_decisions": ("case_id", "cases"),
    "case_attachments": ("case_id", "cases"),
    "item_photos": ("item_id", "items"),
    "checkouts": ("item_id", "items"),
    "destruction_items": ("batch_id", "destruction_batches"),
    "council_members": ("batch_id", "destruction_batches"),
    "destruction_photos": ("batch_id", "destruction_batches"),
    "stocktake_scans": ("stocktake_id", "stocktakes"),
    "stocktake_lines": ("stocktake_id", "stocktakes"),
}

# agency id → its province. An agency's parent is fixed once it is created (moving an
# agency to another province is not a thing this service does), so the map only grows.
# Per database (tests use many in one process), by its URL: rendered once per engine, since
# rendering it cost 30 µs a lookup, twice per item of a bulk intake.
_PROVINCES: dict[str, dict[int, int]] = {}
_URLS: WeakKeyDictionary[Engine, str] = WeakKeyDictionary()


def province_of(session: Session, agency_id: int | None) -> int:
    """The chain of an agency: its top-level ancestor's id (COMMON for none)."""
    if agency_id is None:
        return COMMON
    engine = session.get_bind().engine
    url = _URLS.get(engine) or _URLS.setdefault(engine, str(engine.url))
    known = _PROVINCES.setdefault(url, {})
    found = known.get(agency_id)
    if found is not None:
        return found
    parents = dict(session.execute(text("SELECT id, parent_id FROM agencies")).all())
    for start in parents:
        node, seen = start, set()
        while parents.get(node) is not None and node not in seen:
            seen.add(node)
            node = parents[node]
        known[start] = node
    return known.get(agency_id, agency_id)


def _loaded(session: Session, table: str) -> dict[Any, Any]:
    """id → the row of ``table`` this session already holds (no query for what it read)."""
    return {
        getattr(obj, "id", None): obj
        for obj in session.identity_map.values()
        if getattr(getattr(type(obj), "__table__", None), "name", None) == table
    }


def agency_of(session: Session, table: str, row_id: Any) -> int | None:
    """The agency of row ``row_id`` of ``table`` (through its parents), cached per session."""
    if row_id is None:
        return None
    cache: dict[tuple[str, Any], int | None] = session.info.setdefault(_AGENCY_CACHE, {})
    key = (table, row_id)
    if key not in cache and (known := _loaded(session, table).get(row_id)) is not None:
        if table in PARENTS:
            column, parent = PARENTS[table]
            cache[key] = agency_of(session, parent, getattr(known, column))
        else:
            cache[key] = known.agency_id
    if key not in cache:
        if table in PARENTS:
            column, parent = PARENTS[table]
            found = session.execute(
                text(f"SELECT {column} FROM {table} WHERE id = :i"), {"i": row_id}
            ).first()
            cache[key] = agency_of(session, parent, found[0]) if found else None
        else:
            found = session.execute(
                text(f"SELECT agency_id FROM {table} WHERE id = :i"), {"i": row_id}
            ).first()
            cache[key] = found[0] if found else None
    return cache[key]


def chain_of_row(session: Session, table: str, row: dict[str, Any]) -> int:
    """The chain of a row of a chained table, from its values (before or after a change)."""
    if table == "agencies":
        return COMMON if row.get("parent_id") is None else province_of(session, row["parent_id"])
    if "agency_id" in row:
        return province_of(session, row["agency_id"])
    if table in PARENTS:
        column, parent = PARENTS[table]
        return province_of(session, agency_of(session, parent, row.get(column)))
    return COMMON


def chains_of_items(session: Session, item_ids: Iterable[int]) -> dict[int, int]:
    """item id → its chain, read in chunks (an import appends thousands at once)."""
    known = _loaded(session, "items")
    found = {i: province_of(session, known[i].agency_id) for i in item_ids if i in known}
    ids = sorted(set(item_ids) - set(found))
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        rows = session.execute(
            text(f"SELECT id, agency_id FROM items WHERE id IN ({marks})"),
            {f"i{n}": v for n, v in enumerate(chunk)},
        ).all()
        found.update({i: province_of(session, a) for i, a in rows})
    return found


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_chains(session: Session, chains: Iterable[int]) -> None:
    """Hold the write locks of these chains (ascending; those already held are skipped)."""
    if session.info.get(_ALL_HELD):
        return
    held: set[int] = session.info.setdefault(_HELD, set())
    wanted = sorted(set(chains) - held)
    if not wanted:
        return
    if _postgres(session):
        calls = [] if session.info.get(_SHARED_HELD) else ["pg_advisory_xact_lock_shared(:all)"]
        calls += [f"pg_advisory_xact_lock(:cls, :c{n})" for n in range(len(wanted))]
        values: dict[str, int] = {"all": _ALL, "cls": _CHAIN_CLASS}
        values |= {f"c{n}": c for n, c in enumerate(wanted)}
        # One round trip; PostgreSQL evaluates the select list left to right.
        session.execute(text("SELECT " + ", ".join(calls)), values)
        session.info[_SHARED_HELD] = True
    held.update(wanted)


def lock_everything(session: Session) -> None:
    """Wait for every writer of every province, and keep them all out until commit."""
    if session.info.get(_ALL_HELD):
        return
    if _postgres(session):
        # Held shared already (a province's lock came first), this waits for the other
        # holders; two such transactions at once are a deadlock PostgreSQL breaks (one fails).
        session.execute(text("SELECT pg_advisory_xact_lock(:all)"), {"all": _ALL})
    session.info[_ALL_HELD] = True


def lock_agencies(session: Session, agency_ids: Iterable[int | None]) -> None:
    lock_chains(session, {province_of(session, a) for a in agency_ids})


def holds(session: Session, chain: int) -> bool:
    return bool(session.info.get(_ALL_HELD)) or chain in session.info.get(_HELD, ())


def forget_locks(session: Session) -> None:
    """The transaction ended: its advisory locks went with it."""
    for key in (_HELD, _ALL_HELD, _SHARED_HELD, _AGENCY_CACHE):
        session.info.pop(key, None)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the database transaction, not a savepoint, ended
        forget_locks(session)
