"""What else a stocktake scan of an item says, beyond expected or not: whether this item was
already scanned in this count (a duplicate), and whether it stands somewhere else than the
location the keeper last scanned (not in this place)."""

from sqlmodel import Session, col, func, select

from ..models import Item, Location, StocktakeScan


def earlier_scans(session: Session, stocktake_id: int, item_id: int) -> int:
    """How many times ``item_id`` was scanned in this stocktake before (call it before the
    new scan is marked as an item scan)."""
    return session.exec(
        select(func.count())
        .select_from(StocktakeScan)
        .where(StocktakeScan.stocktake_id == stocktake_id, StocktakeScan.item_id == item_id)
        .where(col(StocktakeScan.kind) == "item")
    ).one()


def recorded_elsewhere(session: Session, item: Item, standing_at: int | None) -> str | None:
    """The item's recorded location when it is not under the location the keeper stands at
    (None: no location scanned yet, or the item is where the ledger says)."""
    if standing_at is None or item.location_id is None:
        return None
    here = session.get(Location, standing_at)
    there = session.get(Location, item.location_id)
    if here is None or there is None or there.path.startswith(here.path):
        return None
    return there.code
