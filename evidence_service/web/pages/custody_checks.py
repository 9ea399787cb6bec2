"""The monthly check of items held by others in the browser (Circular 01/2017 Art. 12(2)):
the outside custodians' places checked monthly, a form with the items kept there pre-listed
(the keeper ticks what is found and types what differs), the checks made with their
records. The work is in ``custody_checks``."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from ... import custodians, custody_checks, locations
from ...auth import can
from ...i18n.formatting import NumberError, parse_number
from ..context import FormPage, UserPage
from ..errors import WebRoute
from ..forms import FormInvalid, local_moment, validate

router = APIRouter(route_class=WebRoute, include_in_schema=False)
ROLES = ("accountant", "keeper", "head", "custodian")


def _places(page: UserPage) -> list[Any]:
    return [
        w
        for w in locations.list_warehouses(page.db, page.me)
        if custodians.rule(w.custodian.kind).monthly_check
    ]


@router.get("/custody-checks")
def checks_page(page: UserPage) -> Response:
    code = page.request.query_params.get("warehouse", "")
    places = _places(page)
    chosen = next((w for w in places if w.code == code), None)
    expected = custody_checks.expected_items(page.db, code, page.me) if chosen else []
    return page.render(
        "custody_checks.html",
        places=places,
        chosen=chosen,
        expected=expected,
        roles=ROLES,
        may_record=can(page.me, "stocktake"),
        checks=custody_checks.checks(page.db, page.me),
        recorded=page.request.query_params.get("recorded", ""),
    )


def _quantity(text: str, field: str) -> float | None:
    try:
        return parse_number(text)
    except NumberError:
        raise FormInvalid([{"loc": [field], "msg": text, "type": "float_parsing"}]) from None


@router.post("/custody-checks")
def record_check(page: FormPage) -> Response:
    """Record the check (``custody_checks.record_check``); a refusal shows as the error page
    in the reader's language and writes nothing."""
    f = page.field
    items = []
    for n, code in enumerate(page.fields("item_code")):
        items.append(
            {
                "code": code,
                "found": f(f"found_{code}") == "on",
                "quantity_found": _quantity(f(f"quantity_{code}"), f"items.{n}.quantity_found"),
                "condition_found": f(f"condition_{code}"),
                "note": f(f"note_{code}"),
            }
        )
    participants = [
        {"role": role, "name": f(f"{role}_name"), "position": f(f"{role}_position")}
        for role in ROLES
        if f(f"{role}_name")
    ]
    data = validate(
        custody_checks.CustodyCheckCreate,
        {
            "warehouse_code": f("warehouse_code"),
            "checked_at": local_moment(f("checked_at"), "checked_at"),
            "place": f("place"),
            "items": items,
            "participants": participants,
            "conclusion": f("conclusion"),
            "notes": f("notes"),
        },
    )
    row = custody_checks.record_check(page.db, data, page.me)
    return page.redirect(f"/custody-checks?recorded={quote(row.number or '', safe='')}#checks")


@router.get("/custody-checks/{check_id}.pdf")
def check_pdf(check_id: int, page: UserPage) -> Response:
    doc = custody_checks.check_pdf(page.db, check_id, page.me)
    return Response(
        doc.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": (
                f'inline; filename="kiem-tra-{doc.number.replace("/", "-")}.pdf"'
            ),
            "X-SHA256": doc.sha256,
        },
    )
