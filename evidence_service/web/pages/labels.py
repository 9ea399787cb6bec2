"""Label printing from the pages: the print dialog (to a named printer or as a download) and
PDF downloads of item and location labels.

The template choice is remembered by the browser (``localStorage``, see ``app.js``); the last
printer per user by the server (the user's latest print job).
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ... import labels
from ...labels import LabelFormat, LabelRequest
from ..context import FormPage, Page
from ..errors import WebRoute
from ..forms import FormInvalid, download, validate

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.post("/labels/locations")
def print_location_labels(page: FormPage) -> Response:
    """Location labels as a PDF: one location, or (``subtree``) it and all below it."""
    code = page.field("code")
    selector = {"location_code": code} if page.field("subtree") else {"codes": [code]}
    request = validate(
        LabelRequest,
        {
            **selector,
            "kind": "location",
            "format": LabelFormat.pdf,
            "template": page.field("template") or labels.DEFAULT_TEMPLATE,
        },
    )
    job = labels.prepare_print(page.db, page.me, page.settings, request)
    return download(job)


@router.post("/labels/items")
def print_item_labels(page: FormPage) -> Response:
    """Item labels as a PDF (one ``label_printed`` custody event per item)."""
    request = validate(
        LabelRequest,
        {
            "codes": page.fields("code") or None,
            "kind": "item",
            "format": LabelFormat.pdf,
            "template": page.field("template") or labels.DEFAULT_TEMPLATE,
        },
    )
    job = labels.prepare_print(page.db, page.me, page.settings, request)
    return download(job)


def print_dialog(page: Page) -> dict[str, Any]:
    """What the print dialog (``_print_dialog.html``) needs besides the templates: the
    printers and the one this user sent to last."""
    return {
        "printers": list(labels.printers(page.settings).values()),
        "last_printer": labels.last_printer(page.db, page.me),
    }


def _number(page: Page, name: str, default: int) -> int:
    value = page.field(name)
    try:
        return int(value) if value else default
    except ValueError:
        raise FormInvalid(
            [{"loc": [name], "msg": page.t("labels_print.bad_number"), "type": "int_parsing"}]
        ) from None


@router.post("/labels/print")
def print_from_dialog(page: FormPage) -> Response:
    """The print dialog: to a named printer (a print job) or as a download (PDF or ZPL)."""
    codes, places = page.fields("code"), page.fields("location")
    contents_of = page.field("contents_of")
    template = page.field("template") or labels.DEFAULT_TEMPLATE
    copies, skip, reason = (
        _number(page, "copies", 1),
        _number(page, "skip", 0),
        page.field("reason"),
    )
    printer = page.field("printer")
    if printer:
        selector: dict[str, Any] = (
            {"items": codes}
            if codes
            else {"locations": places}
            if places
            else {"contents_of": contents_of}
        )
        request = validate(
            labels.PrintJobRequest,
            {
                "printer": printer,
                "template": template,
                "copies": copies,
                "skip": skip,
                "reason": reason,
                **selector,
            },
        )
        try:
            job = labels.create_print_job(page.db, page.me, page.settings, request)
        except labels.PrinterError as exc:
            return page.render("print_sent.html", status_code=502, job=None, error=exc.detail)
        return page.render("print_sent.html", job=labels.public(job), error=None)
    if codes:
        selector = {"codes": codes, "kind": "item"}
    elif places:
        selector = {"codes": places, "kind": "location"}
    else:
        selector = {"location_code": contents_of, "kind": "item"}
    fmt = LabelFormat.zpl if page.field("format") == "zpl" else LabelFormat.pdf
    download_request = validate(
        LabelRequest,
        {
            **selector,
            "template": template,
            "format": fmt,
            "copies": copies,
            "skip": skip,
            "reason": reason,
        },
    )
    return download(labels.prepare_print(page.db, page.me, page.settings, download_request))
