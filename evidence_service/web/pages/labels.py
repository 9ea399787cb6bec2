"""Label printing from the pages: PDF downloads of item and location labels.

The template choice is remembered by the browser (``localStorage``, see ``app.js``).
"""

from fastapi import APIRouter
from fastapi.responses import Response

from ... import labels
from ...labels import LabelFormat, LabelRequest
from ..context import FormPage
from ..errors import WebRoute
from ..forms import download, validate

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
