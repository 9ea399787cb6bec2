"""The item page: details, custody timeline, and the forms that act on one item."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ... import handling, items, labels
from ...errors import DomainError
from ...labels import LabelFormat
from ...scanning import ITEM_ACTIONS
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain, technical
from ..forms import commit_and_download, grams, iso_date, validate

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def render_item(
    page: Page, code: str, error: DomainError | None = None, open_form: str = "", status: int = 200
) -> Response:
    item = items.item_public(page.db, code, page.me)
    history = items.custody_history(page.db, code, page.me)
    actions = [name for name, needs in ITEM_ACTIONS.get(item.status, []) if page.can(needs)]
    explained = explain(error, page.t) if error else None
    return page.render(
        "item.html",
        status_code=error.status_code if error else status,
        item=item,
        history=list(reversed(history)),  # newest first
        actions=actions,
        templates=labels.template_list(page.settings),
        purposes=list(handling.CheckoutPurpose),
        done=page.request.query_params.get("done", ""),
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
        overridable=bool(explained and explained.overridable and page.can("override")),
        open_form=open_form,
        values=dict(page.form.items()),
    )


@router.get("/items/{code}")
def item_page(code: str, page: UserPage) -> Response:
    return render_item(page, code)


def _act(page: Page, code: str, form: str, action: Callable[[], Any]) -> Response:
    """Run one item action; success → back to the item page, refusal → the page with why."""
    try:
        action()
    except DomainError as exc:
        page.db.rollback()
        return render_item(page, code, exc, open_form=form)
    page.db.commit()
    canonical = items.get_item(page.db, code, page.me).code
    return page.redirect(f"/items/{canonical}?done={form}")


def _version(page: Page) -> int | None:
    value = page.field("version")
    return int(value) if value.isdigit() else None


@router.post("/items/{code}/move")
def move(code: str, page: FormPage) -> Response:
    def run() -> None:
        data = validate(items.MoveRequest, {
            "to_location_code": page.field("to_location_code"), "reason": page.field("reason"),
            "version": _version(page), "override_reason": page.field("override_reason") or None,
        })  # fmt: skip
        canonical = items.get_item(page.db, code, page.me).code
        items.move_items(
            page.db, [canonical], data.to_location_code, page.me, reason=data.reason,
            versions={canonical: data.version} if data.version else None,
            override_reason=data.override_reason,
        )  # fmt: skip

    return _act(page, code, "move", run)


@router.post("/items/{code}/check-out")
def check_out(code: str, page: FormPage) -> Response:
    def run() -> None:
        data = validate(handling.CheckoutRequest, {
            "recipient": page.field("recipient"), "purpose": page.field("purpose"),
            "document_number": page.field("document_number"),
            "due_date": iso_date(page.field("due_date"), "due_date"),
            "reason": page.field("reason"), "version": _version(page),
        })  # fmt: skip
        handling.check_out(page.db, code, data, page.me)

    return _act(page, code, "check_out", run)


@router.post("/items/{code}/return")
def return_item(code: str, page: FormPage) -> Response:
    def run() -> None:
        data = validate(handling.ReturnRequest, {
            "to_location_code": page.field("to_location_code") or None,
            "reason": page.field("reason"), "version": _version(page),
            "override_reason": page.field("override_reason") or None,
        })  # fmt: skip
        handling.return_item(page.db, code, data, page.me)

    return _act(page, code, "return", run)


@router.post("/items/{code}/sample")
def sample(code: str, page: FormPage) -> Response:
    def run() -> None:
        data = validate(handling.SampleRequest, {
            "taken_g": grams(page.field("taken"), page.field("weight_unit"), "taken_g"),
            "recipient": page.field("recipient"), "reason": page.field("reason"),
            "version": _version(page),
        })  # fmt: skip
        handling.take_sample(page.db, code, data, page.me)

    return _act(page, code, "sample", run)


@router.post("/items/{code}/reweigh")
def reweigh(code: str, page: FormPage) -> Response:
    def run() -> None:
        unit = page.field("weight_unit")
        data = validate(handling.ReweighRequest, {
            "net_weight_g": grams(page.field("net_weight"), unit, "net_weight_g"),
            "gross_weight_g": grams(page.field("gross_weight"), unit, "gross_weight_g"),
            "reason": page.field("reason"), "version": _version(page),
        })  # fmt: skip
        handling.reweigh(page.db, code, data, page.me, page.settings.weight_tolerance_pct)

    return _act(page, code, "reweigh", run)


@router.post("/items/{code}/label")
def print_label(code: str, page: FormPage) -> Response:
    """Reprint the item's label (a ``label_printed`` custody event) as a PDF download."""
    template = page.field("template") or labels.DEFAULT_TEMPLATE
    try:
        job = labels.prepare_single(
            page.db, page.me, page.settings, "item", code, template, LabelFormat.pdf
        )
    except DomainError as exc:
        page.db.rollback()
        return render_item(page, code, exc, open_form="print_label")
    return commit_and_download(page.db, job)  # type: ignore[no-any-return]
