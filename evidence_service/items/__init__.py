"""Items (vật chứng): intake, lookup, moves and handling, each change with its custody event.

- ``lifecycle``: the status sets, what each status allows (:data:`ITEM_ACTIONS`), and the one
  versioned update of an item with its event
- ``intake``: receiving items; ``lookup``: finding and showing them; ``moves``: moving them
- ``handling``: check-out, samples, reweighing, splits, seals (what they take: ``requests``)
- ``exits``: disposition, release, transfer, each confirmed by a second person
  (``approvals``); ``disposition_rules``: which dispositions the law allows per kind of item
- ``orders``: the disposition a judgment orders for each item
"""

from .intake import COUNTED_UNITS, MEASURED_UNITS, ItemBatchCreate, ItemCreate, intake_items
from .lifecycle import (
    FINAL_STATUSES,
    IN_CUSTODY,
    IN_WAREHOUSE,
    ITEM_ACTIONS,
    ON_SHELF,
    allowed_actions,
    allows,
)
from .lookup import (
    CustodyEventPublic,
    ItemPage,
    ItemPublic,
    Person,
    custody_history,
    get_item,
    get_items,
    item_public,
    items_public,
    list_items,
)
from .moves import MoveRequest, move_items
from .orders import JudgmentRecorded, order_dispositions, order_from_judgment, record_judgment

__all__ = [
    "COUNTED_UNITS",
    "FINAL_STATUSES",
    "IN_CUSTODY",
    "IN_WAREHOUSE",
    "ITEM_ACTIONS",
    "MEASURED_UNITS",
    "ON_SHELF",
    "CustodyEventPublic",
    "ItemBatchCreate",
    "ItemCreate",
    "ItemPage",
    "ItemPublic",
    "JudgmentRecorded",
    "MoveRequest",
    "Person",
    "allowed_actions",
    "allows",
    "custody_history",
    "get_item",
    "get_items",
    "intake_items",
    "item_public",
    "items_public",
    "list_items",
    "move_items",
    "order_dispositions",
    "order_from_judgment",
    "record_judgment",
]
