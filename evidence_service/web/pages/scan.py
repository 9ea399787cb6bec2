"""The scan page (a keeper's home): resolve a scanned label, move what was scanned."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from ... import scanning
from ...items import ItemPublic
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, wants_json
from ..forms import validate

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def item_summary(page: Page, item: ItemPublic) -> dict[str, Any]:
    t = page.t
    return {
        "code": item.code,
        "url": f"/items/{item.code}",
        "description": item.description,
        "status": item.status.value,
        "status_label": t(f"status.{item.status.value}"),
        "category_label": t(f"category.{item.category.value}"),
        "location_code": item.location_code or "",
        "hazard_classes": item.hazard_classes,
        "weight": t.weight(item.net_weight_g),
    }


@router.get("/scan")
def scan_page(page: UserPage) -> Response:
    return page.render("scan.html")


@router.post("/scan/resolve")
def resolve(page: FormPage) -> Response:
    """One scan: JSON for the page's script, or a redirect to what was scanned."""
    raw = page.field("payload")
    found = scanning.scan(page.db, raw, page.me)
    if found.kind == "item":
        assert found.item is not None
        url = f"/items/{found.code}"
        body: dict[str, Any] = {"kind": "item", **item_summary(page, found.item)}
    else:
        assert found.location is not None
        url = f"/locations/{found.code}"
        body = {
            "kind": "location",
            "code": found.code,
            "url": url,
            "name": found.location.name,
            "can_move_here": "move_here" in found.actions,
        }
    if wants_json(page.request):
        return JSONResponse(body)
    return page.redirect(url)


@router.post("/scan/move")
def move(page: FormPage) -> JSONResponse:
    """Move every scanned item to the scanned location, all or nothing."""
    data = validate(
        scanning.BatchMoveRequest,
        {
            "item_codes": page.fields("item"),
            "to_location_code": page.field("location"),
            "reason": page.field("reason"),
            "override_reason": page.field("override_reason") or None,
        },
    )
    moved = scanning.move_scanned(page.db, data, page.me)
    message = page.t("scan.moved", count=len(moved.items), location=moved.to_location_code)
    return JSONResponse(
        {
            "messages": [message],
            "location_code": moved.to_location_code,
            "items": [item_summary(page, i) for i in moved.items],
        }
    )
