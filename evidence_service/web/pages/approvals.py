"""``/approvals``: two people for every exit, in the browser. The requests waiting for a
second person (a manager who did not ask confirms or refuses each), and the transfers on the
road to this agency, which its keeper receives into one of its locations."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ...errors import DomainError
from ...items import approvals
from ...models import ApprovalKind, ApprovalStatus
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain, technical

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def render_approvals(page: Page, error: DomainError | None = None, open_id: int = 0) -> Response:
    explained = explain(error, page.t) if error else None
    waiting = approvals.list_approvals(page.db, page.me, ApprovalStatus.pending)
    confirmed = approvals.list_approvals(page.db, page.me, ApprovalStatus.confirmed)
    in_transit = [
        a for a in confirmed if a.kind == ApprovalKind.transfer and a.to_agency_code is not None
    ]
    return page.render(
        "approvals.html",
        status_code=error.status_code if error else 200,
        waiting=waiting,
        in_transit=in_transit,
        done=page.request.query_params.get("done", ""),
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
        open_id=open_id,
        values=dict(page.form.items()),
    )


@router.get("/approvals")
def approvals_page(page: UserPage) -> Response:
    return render_approvals(page)


def _decide(page: Page, approval_id: int, done: str, action: Callable[[], Any]) -> Response:
    try:
        action()
    except DomainError as exc:
        page.db.rollback()
        return render_approvals(page, exc, approval_id)
    return page.redirect(f"/approvals?done={done}")


@router.post("/approvals/{approval_id}/confirm")
def confirm(approval_id: int, page: FormPage) -> Response:
    note = page.field("note")
    return _decide(
        page,
        approval_id,
        "confirmed",
        lambda: approvals.confirm(page.db, approval_id, page.me, note),
    )


@router.post("/approvals/{approval_id}/refuse")
def refuse(approval_id: int, page: FormPage) -> Response:
    note = page.field("note")
    return _decide(
        page, approval_id, "refused", lambda: approvals.refuse(page.db, approval_id, page.me, note)
    )


@router.post("/approvals/{approval_id}/receive")
def receive(approval_id: int, page: FormPage) -> Response:
    code, location = page.field("item_code"), page.field("location_code")
    override = page.field("override_reason") or None
    return _decide(
        page,
        approval_id,
        "received",
        lambda: approvals.receive(page.db, code, location, page.me, override),
    )
