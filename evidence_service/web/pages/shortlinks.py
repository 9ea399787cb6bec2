"""``/s/{payload}``: where a phone camera lands when it reads a label printed with
``EVIDENCE_LABEL_BASE_URL`` (``HTTPS://EV.EXAMPLE.VN/S/EV1I…``). The label is resolved like
any scan (and logged), then the browser goes to the item or location page; without a
session the login page comes first and comes back here afterwards."""

from fastapi import APIRouter
from fastapi.responses import Response

from ... import scanning
from ..context import UserPage
from ..errors import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)


# An upper-case base URL keeps the QR code in alphanumeric mode, and phones keep the path's
# case: both spellings lead here.
@router.get("/s/{label}")
@router.get("/S/{label}")
def open_label(label: str, page: UserPage) -> Response:
    found = scanning.scan(page.db, label, page.me)
    kind = "items" if found.kind == "item" else "locations"
    return page.redirect(f"/{kind}/{found.code}")
