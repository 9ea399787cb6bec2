"""Who physically keeps an item, apart from the agency that legally holds it: each warehouse
has its custodian (``Warehouse.custodian_kind``), and what each kind means for the law is
data (``data/custodian_kinds.toml``): whether the items are in someone else's keeping
(custody in place, Decree 152/2026 Art. 37) and whether the agency checks them every month
(Circular 01/2017 Art. 12(2))."""

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, col, select

from .models import CustodianKind, Item, Location, Warehouse

KINDS_PATH = Path(__file__).resolve().parent / "data" / "custodian_kinds.toml"


@dataclass(frozen=True)
class CustodianRule:
    kind: CustodianKind
    held_by_others: bool
    monthly_check: bool
    source: str
    to_be_confirmed: str = ""


@lru_cache(maxsize=1)
def rules() -> dict[CustodianKind, CustodianRule]:
    raw = tomllib.loads(KINDS_PATH.read_text(encoding="utf-8"))["kind"]
    table = {
        CustodianKind(kind): CustodianRule(
            CustodianKind(kind),
            bool(body["held_by_others"]),
            bool(body["monthly_check"]),
            body["source"],
            body.get("to_be_confirmed", ""),
        )
        for kind, body in raw.items()
    }
    missing = set(CustodianKind) - set(table)
    if missing:
        raise ValueError(f"custodian_kinds.toml: no rule for {sorted(missing)}")
    if any(r.monthly_check and not r.held_by_others for r in table.values()):
        raise ValueError("custodian_kinds.toml: a monthly check is only for items held by others")
    return table


def rule(kind: str) -> CustodianRule:
    return rules()[CustodianKind(kind)]


def held_by_others(warehouse: Warehouse) -> bool:
    return rule(warehouse.custodian_kind).held_by_others


def kinds(*, monthly_check: bool = False) -> list[str]:
    """The custodian kinds whose items are held by others (only those checked monthly)."""
    return [
        r.kind.value
        for r in rules().values()
        if r.held_by_others and (r.monthly_check or not monthly_check)
    ]


def items_held_by_others(
    session: Session,
    agency_ids: Iterable[int],
    *,
    warehouse_id: int | None = None,
    monthly_check: bool = False,
) -> list[tuple[Item, Warehouse]]:
    """The agencies' items kept by an outside custodian, with the custodian's warehouse, by
    warehouse then item code. Only items on a shelf have a location (the items table CHECKs
    it), so the join keeps exactly the items in stock there."""
    query = (
        select(Item, Warehouse)
        .join(Location, col(Location.id) == Item.location_id)
        .join(Warehouse, col(Warehouse.id) == Location.warehouse_id)
        .where(
            col(Item.agency_id).in_(list(agency_ids)),
            col(Warehouse.custodian_kind).in_(kinds(monthly_check=monthly_check)),
        )
        .order_by(col(Warehouse.code), col(Item.code))
    )
    if warehouse_id is not None:
        query = query.where(Warehouse.id == warehouse_id)
    return [(item, warehouse) for item, warehouse in session.exec(query).all()]


def outside_keeper(session: Session, item: Item) -> Warehouse | None:
    """The warehouse of the outside custodian who physically keeps ``item`` (its location is
    on that warehouse), or None when the agency keeps it (or it is on no shelf). The item's
    legal holder is still its agency (``Item.agency_id``)."""
    if item.location_id is None:
        return None
    location = session.get(Location, item.location_id)
    warehouse = session.get(Warehouse, location.warehouse_id) if location else None
    return warehouse if warehouse is not None and held_by_others(warehouse) else None
