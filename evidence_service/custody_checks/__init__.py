"""The monthly check of items held by others (kiểm tra tài sản giao cho người khác bảo quản).

Items left with the owner or a relative, the local authority or a hired custodian are
checked by the agency every month; the check record gives the time, the items' names,
quantities and condition, and is signed by the accountant, the storekeeper, the head and
the custodian (Circular 01/2017/TT-BTP Art. 12(2), vn-legal-context §3.5). Which custodians
are checked monthly is data (``data/custodian_kinds.toml``, ``custodians``).

One check is of one outside custodian's warehouse: the custodian signs it, and a warehouse
has one custodian (``Warehouse.custodian_*``), so one record, one custodian's signature.

* :mod:`.record` records a check: every item expected there, found or not, with the
  quantity and condition found; a discrepancy is flagged; one ``custody_check`` custody
  event per item; the record made final through the document engine.
* :mod:`.paper` draws the record (biên bản, kind ``custody_check_record``).
"""

from .paper import KIND, render, subject
from .record import (
    CheckedItem,
    CheckParticipant,
    CustodyCheckCreate,
    CustodyCheckPublic,
    ExpectedItem,
    check_pdf,
    checks,
    checks_of_item,
    expected_items,
    get_check,
    public,
    record_check,
)

__all__ = [
    "KIND",
    "CheckParticipant",
    "CheckedItem",
    "CustodyCheckCreate",
    "CustodyCheckPublic",
    "ExpectedItem",
    "check_pdf",
    "checks",
    "checks_of_item",
    "expected_items",
    "get_check",
    "public",
    "record_check",
    "render",
    "subject",
]
