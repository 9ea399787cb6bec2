"""The scan page (a keeper's home): resolve a scanned label, move what was scanned."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse, Response

from ... import scanning
from ...category_hazards import hazard_name
from ...idempotency import run_once
from ...items import ItemPublic
from ..context import STATIC_DIR, FormPage, Page, UserPage
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
        "hazard_labels": [hazard_name(c, t.lang) for c in item.hazard_classes],
        "seal_state": item.seal_state.value,
        "seal_label": t.maybe(
            f"seal.{item.seal_state.value}", t(f"handover_seal.{item.seal_state.value}")
        ),
        "weight": t.weight(item.net_weight_g),
        "volume_l": item.volume_l or 0,
        "net_weight_g": item.net_weight_g or 0,
    }


def _once(page: Page, route: str, create: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """A scan or a move sent again (an offline queue's replay) gets its first answer: the
    page's script sends each with an ``Idempotency-Key``."""
    key = page.request.headers.get("idempotency-key")
    body = {name: page.fields(name) for name in page.form if name != "csrf_token"}
    return run_once(page.db, page.me, f"web:{key}" if key else None, route, body, create)


@router.get("/sw.js")
def service_worker() -> Response:
    """The app shell's service worker, served from the root so it covers every page."""
    return FileResponse(
        STATIC_DIR / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/scan")
def scan_page(page: UserPage) -> Response:
    return page.render("scan.html")


@router.post("/scan/resolve")
def resolve(page: FormPage) -> Response:
    """One scan: JSON for the page's script, or a redirect to what was scanned."""
    raw = page.field("payload")

    def create() -> tuple[int, Any]:
        found = scanning.scan(page.db, raw, page.me)
        if found.kind == "item":
            assert found.item is not None
            summary = item_summary(page, found.item)
            return 200, {"kind": "item", "can_move": "move" in found.actions, **summary}
        assert found.location is not None
        location = found.location
        return 200, {
            "kind": "location",
            "code": found.code,
            "url": f"/locations/{found.code}",
            "name": location.name,
            "can_move_here": "move_here" in found.actions,
            "usage": location.usage.model_dump(),
            "max_items": location.max_items,
            "max_weight_kg": location.max_weight_kg,
            "max_volume_l": location.max_volume_l,
        }

    _, body = _once(page, "POST /scan/resolve (web)", create)
    if wants_json(page.request):
        return JSONResponse(body)
    return page.redirect(body["url"])


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

    def create() -> tuple[int, Any]:
        moved = scanning.move_scanned(page.db, data, page.me)
        count, where = len(moved.items), moved.to_location_code
        key = "keeper17_one.moved" if count == 1 else "scan.moved"  # "1 item", not "1 items"
        message = page.t(key, count=count, location=where)
        return 200, {
            "messages": [message],
            "location_code": moved.to_location_code,
            "items": [item_summary(page, i) for i in moved.items],
        }

    _, body = _once(page, "POST /scan/move (web)", create)
    return JSONResponse(body)
