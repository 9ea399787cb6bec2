"""Intake: receive one or many items of a case in one form, then print their labels."""

import hashlib
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ... import auth, cases, handovers, items, labels, locations, units
from ...category_hazards import category_defaults, hazard_choices
from ...errors import DomainError, Invalid
from ...idempotency import run_once
from ...items import photos
from ...models import Category, Disposition, LegalRegime, PhotoKind
from ...photos import check_photo
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain, technical
from ..forms import FormInvalid, grams, iso_date, number, validate
from ..sessions import new_token
from .labels import print_dialog

router = APIRouter(route_class=WebRoute, include_in_schema=False)
ROW_FIELDS = (
    "category",
    "description",
    "hazard_classes",
    "quantity",
    "unit",
    "net_weight",
    "gross_weight",
    "weight_unit",
    "volume_l",
    "seal_number",
    "condition",
)
EMPTY_ROW = {name: "" for name in ROW_FIELDS} | {
    "quantity": "1",
    "unit": "piece",
    "weight_unit": "g",
}
# The case created with the intake when its judgment number is new (all or nothing).
NEW_CASE_FIELDS = ("court", "decision_issuer", "decision_year", "decision_number")
# Or the case opened on the transfer decision alone, before any judgment (vn-legal-context §2.1).
TRANSFER_FIELDS = ("transfer_issuer", "transfer_number", "transfer_date", "investigating_body")


def _rows(page: Page) -> list[dict[str, str]]:
    """The submitted rows (fields repeat once per row), blank rows left out; ``_n`` is the
    row's place in the form (its photos are found by it)."""
    columns = {name: page.fields(name) for name in ROW_FIELDS}
    count = max((len(v) for v in columns.values()), default=0)
    rows = [
        {name: (v[n] if n < len(v) else "") for name, v in columns.items()} | {"_n": str(n)}
        for n in range(count)
    ]
    return [r for r in rows if r["description"] or r["net_weight"] or r["seal_number"]]


Photo = tuple[PhotoKind, str, bytes]


def _photos(page: Page, rows: list[dict[str, str]]) -> list[list[Photo]]:
    """Each kept row's photos (a file input per kind and row; an empty one sends no file),
    checked before anything is written."""
    limit = page.settings.destruction_photo_max_bytes
    by_kind = {kind: page.form.getlist(f"photo_{kind.value}") for kind in PhotoKind}
    out: list[list[Photo]] = []
    for row in rows:
        n, found = int(row["_n"]), []
        for kind, uploads in by_kind.items():
            upload = uploads[n] if n < len(uploads) else None
            if isinstance(upload, UploadFile) and upload.filename:
                data = upload.file.read(limit + 1)
                check_photo(data, limit, f"items.{n}.photo_{kind.value}")
                found.append((kind, upload.filename, data))
        out.append(found)
    return out


def render_form(
    page: Page, rows: list[dict[str, str]] | None = None, error: DomainError | None = None
) -> Response:
    explained = explain(error, page.t) if error else None
    return page.render(
        "intake.html",
        status_code=error.status_code if error else 200,
        cases=cases.list_cases(page.db, page.me, None, 200, 0),
        locations=locations.list_locations(page.db, page.me, None),
        categories=list(Category),
        regimes=list(LegalRegime),
        dispositions=list(Disposition),
        new_case_open=any(page.field(name) for name in (*NEW_CASE_FIELDS, *TRANSFER_FIELDS)),
        units=list(units.units_for(page.db, auth.agency_scope(page.db, page.me))),
        hazard_choices=hazard_choices(),
        hazard_defaults=category_defaults(),
        photo_kinds=list(PhotoKind),
        rows=rows or [dict(EMPTY_ROW)],
        empty_row=EMPTY_ROW,
        values=dict(page.form.items()),
        form_key=page.field("form_key") or new_token(),
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
        overridable=bool(explained and explained.overridable and page.can("override")),
    )


@router.get("/intake")
def intake_form(page: UserPage) -> Response:
    return render_form(page)


def _item(page: Page, row: dict[str, str], n: int) -> items.ItemCreate:
    prefix = f"items.{n}"
    case = page.field("case_id")
    # A case opened with this intake on its transfer decision has no number yet: its id
    # replaces the 0 once it exists.
    opened = not case.isdigit() and not page.field("judgment_number") and _transfer_given(page)
    data: dict[str, Any] = {
        "case_id": int(case) if case.isdigit() else (0 if opened else None),
        "judgment_number": None if case.isdigit() else (page.field("judgment_number") or None),
        "category": row["category"],
        "description": row["description"],
        "hazard_classes": [c.strip() for c in row["hazard_classes"].split(",") if c.strip()],
        "quantity": number(row["quantity"], f"{prefix}.quantity"),
        "unit": row["unit"],
        "net_weight_g": grams(row["net_weight"], row["weight_unit"], f"{prefix}.net_weight_g"),
        "gross_weight_g": grams(
            row["gross_weight"], row["weight_unit"], f"{prefix}.gross_weight_g"
        ),
        "volume_l": number(row["volume_l"], f"{prefix}.volume_l"),
        "seal_number": row["seal_number"] or None,
        "condition": row["condition"],
        "delivered_by": {"name": page.field("delivered_by")},
        "handover_record_no": page.field("handover_record_no") or None,
        "location_code": page.field("location_code") or None,
    }
    return validate(items.ItemCreate, data, prefix)


def _new_case(page: Page) -> cases.CaseCreate | None:
    """The case to create with the intake: no case chosen, its details filled in."""
    if page.field("case_id").isdigit():
        return None
    judgment = page.field("judgment_number")
    if not judgment and _transfer_given(page):
        transfer = {
            "issuer": page.field("transfer_issuer"),
            "number": page.field("transfer_number"),
            "date": iso_date(page.field("transfer_date"), "transfer_date"),
            "investigating_body": page.field("investigating_body") or None,
        }
        chosen = ("legal_regime", "disposition")
        data: dict[str, Any] = {n: page.field(n) for n in chosen if page.field(n)}
        return validate(cases.CaseCreate, data | {"transfer_decision": transfer})
    if not any(page.field(name) for name in NEW_CASE_FIELDS):
        unknown = judgment and not cases.list_cases(page.db, page.me, judgment, 1, 0)
        if unknown and page.can("manage_cases"):
            raise FormInvalid(
                [
                    {
                        "loc": ["judgment_number"],
                        "msg": f"no case has {judgment}",
                        "type": "case_unknown",
                    }
                ]
            )
        return None
    names = ("judgment_number", *NEW_CASE_FIELDS, "legal_regime", "disposition")
    data = {name: page.field(name) for name in names if page.field(name)}  # empty → "missing"
    if _transfer_given(page):
        data["transfer_decision"] = {
            "issuer": page.field("transfer_issuer"),
            "number": page.field("transfer_number"),
            "date": iso_date(page.field("transfer_date"), "transfer_date"),
            "investigating_body": page.field("investigating_body") or None,
        }
    return validate(cases.CaseCreate, data)


def _transfer_given(page: Page) -> bool:
    return any(page.field(name) for name in TRANSFER_FIELDS)


def _refuse_known_judgment(page: Page, judgment: str | None) -> None:
    """A second case with the same judgment number would make intakes by number ambiguous
    (checked inside the form's once-only run, so a resent form gets its first answer)."""
    if judgment and cases.list_cases(page.db, page.me, judgment, 1, 0):
        raise FormInvalid(
            [{"loc": ["judgment_number"], "msg": f"{judgment} is recorded", "type": "case_exists"}]
        )


@router.post("/intake")
def intake(page: FormPage) -> Response:
    rows = _rows(page)
    try:
        if not rows:
            raise Invalid("items", "add at least one item", key="keysb_pages.no_items")
        new_case = _new_case(page)
        batch = [_item(page, row, n) for n, row in enumerate(rows)]
        pictures = _photos(page, rows)
        override = page.field("override_reason") or None
        body: dict[str, Any] = {
            "items": [b.model_dump(mode="json") for b in batch],
            "override": override,
            "new_case": new_case.model_dump(mode="json") if new_case else None,
            "photos": [
                [(k.value, hashlib.sha256(d).hexdigest()) for k, _, d in p] for p in pictures
            ],
        }

        def create() -> tuple[int, Any]:
            todo = batch
            if new_case is not None:  # in the intake's transaction: both are saved, or neither
                _refuse_known_judgment(page, new_case.judgment_number)
                case = cases.create_case(page.db, new_case, page.me)
                todo = [
                    b.model_copy(update={"case_id": case.id, "judgment_number": None})
                    for b in batch
                ]
            ids = handovers.receive_items(page.db, todo, page.me, override)
            codes = [i.code for i in items.items_public(page.db, ids)]
            limit = page.settings.destruction_photo_max_bytes
            for code, taken in zip(codes, pictures, strict=True):
                for kind, filename, data in taken:
                    photos.add_photo(page.db, code, kind, filename, data, page.me, limit)
            return 201, codes

        # The form's key makes a double click (or a resent form) receive the items once.
        key = f"web-intake:{page.field('form_key')}" if page.field("form_key") else None
        _, codes = run_once(page.db, page.me, key, "POST /intake (web)", body, create)
    except (DomainError, FormInvalid) as exc:
        page.db.rollback()
        return render_form(page, rows, exc)
    query = "&".join(f"code={c}" for c in codes)
    return page.redirect(f"/intake/done?{query}")


@router.get("/intake/done")
def intake_done(page: UserPage) -> Response:
    codes = page.request.query_params.getlist("code")[: labels.MAX_CODES]
    received = [items.item_public(page.db, code, page.me) for code in codes]
    first = items.get_item(page.db, codes[0], page.me) if codes else None
    handover = handovers.handover_of_item(page.db, first.id) if first and first.id else None
    return page.render(
        "intake_done.html",
        items=received,
        handover=handover,
        templates=labels.template_list(page.settings),
        **print_dialog(page),
    )
