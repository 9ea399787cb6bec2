"""Destruction batches: the list, and one batch's page through draft → approved → executed →
closed (or cancelled), with the record PDF. The execution form is made for a tablet at the
destruction site: scanning an item's label focuses its row; the weight is checked as it is
typed (``static/destruction.js``), and the server checks it again."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ... import auth, destruction, scanning
from ...auth import require
from ...destruction import council
from ...destruction.record import field_label, field_value
from ...errors import DomainError, Invalid
from ...i18n import LOCAL_TIME_ZONE, Translator
from ...models import BatchStatus, CouncilRole
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain, technical
from ..forms import grams, iso_date, number, validate

router = APIRouter(route_class=WebRoute, include_in_schema=False)
MEMBER_ROWS = 6  # rows of the council form (empty rows are ignored)


def _messages(page: Page, error: DomainError) -> list[str]:
    """Plain words, with this page's own sentences for the refusals met at the site."""
    detail = error.detail
    if isinstance(error, Invalid) and isinstance(detail, list) and detail:
        loc = [str(p) for p in detail[0].get("loc", [])][1:]
        key = f"destruction.err_{loc[-1]}" if loc else ""
        item = str(detail[0].get("input") or "")
        codes = page.fields("code")
        if len(loc) == 3 and loc[0] == "items" and loc[1].isdigit() and int(loc[1]) < len(codes):
            item = codes[int(loc[1])]
        if key and page.t.has(key):
            return [page.t(key, item=item)]
    return explain(error, page.t).messages


def _flag_words(t: Translator, batch: Any, flag: Any) -> str:
    """A flag of the batch in the reader's words (the API's ``message`` stays English), with
    the record's own sentences."""
    item = next((i for i in batch.items if i.code == flag.item_code), None)
    if flag.kind == "weight_discrepancy" and item is not None:
        return t(
            "destruction_record.flag_weight",
            code=item.code,
            measured=t.weight(item.measured_weight_g),
            recorded=t.weight(item.recorded_weight_g),
            difference=t.percent(item.weight_difference_pct),
            note=item.weight_note or "",
        )
    if flag.kind == "override" and item is not None:
        return t("destruction_record.flag_override", code=item.code, reason=item.override_reason)
    if flag.kind == "seal_not_intact" and item is not None:
        seen = item.seal_state_seen.value if item.seal_state_seen else "torn"
        return t(
            "docs_destruction.seal_not_intact",
            code=item.code,
            seal=item.seal_number_seen or item.seal_number or "—",
            state=t(f"docs_destruction.seal_{seen}").lower(),
            note=item.seal_note or "—",
        )
    if flag.kind == "member_handled_items":
        member = next((m for m in batch.members if m.name == flag.member), None)
        codes = ", ".join(member.handled_items) if member else ""
        return t("destruction_record.flag_member", name=flag.member or "", codes=codes)
    if flag.kind == "environmental_risk":
        return t("destruction_record.flag_risk")
    return ""  # a kind this page does not word yet: its heading says what it is


def render_batch(
    page: Page, batch_id: int, error: DomainError | None = None, open_form: str = ""
) -> Response:
    batch = destruction.batch_public(page.db, destruction.get_batch(page.db, batch_id, page.me))
    table = destruction.load_methods()
    status = BatchStatus(batch.status)
    allowed = destruction.allowed_transitions(page.me, status)
    return page.render(
        "destruction.html",
        status_code=error.status_code if error else 200,
        batch=batch,
        status=status.value,
        methods=list(table.methods.values()),
        common_fields=table.common_fields,
        field_label=field_label,
        field_value=field_value,
        roles=list(CouncilRole),
        member_rows=MEMBER_ROWS,
        tolerance=page.settings.weight_tolerance_pct,
        done=page.request.query_params.get("done", ""),
        errors=_messages(page, error) if error else [],
        flag_words=[(f.kind, _flag_words(page.t, batch, f)) for f in batch.flags],
        technical=technical(error.detail) if error else "",
        open_form=open_form,
        values=dict(page.form.items()),
        can_prepare="add_items" in allowed,
        can_approve="approve" in allowed,
        can_cancel="cancel" in allowed,
        can_execute="execute" in allowed,
        can_close="close" in allowed,
        can_photo="add_photo" in allowed,
        can_override=page.can("override"),
        now_local=datetime.now(LOCAL_TIME_ZONE).strftime("%d/%m/%Y %H:%M"),
    )


@router.get("/destruction")
def batches(page: UserPage) -> Response:
    return page.render(
        "destruction_list.html",
        batches=destruction.summaries(page.db, page.me, None),
        can_create=page.can("prepare_destruction"),
    )


@router.post("/destruction")
def create(page: FormPage) -> Response:
    data = validate(
        destruction.BatchCreate, {"title": page.field("title"), "notes": page.field("notes")}
    )
    batch = destruction.create_batch(page.db, data, page.me)
    return page.redirect(f"/destruction/{batch.id}")


@router.get("/destruction/{batch_id}")
def batch_page(batch_id: int, page: UserPage) -> Response:
    return render_batch(page, batch_id)


def _act(page: Page, batch_id: int, form: str, action: Callable[[], Any]) -> Response:
    """Run one step; success → back to the batch, refusal → the batch with why."""
    try:
        action()
    except DomainError as exc:
        page.db.rollback()
        return render_batch(page, batch_id, exc, open_form=form)
    return page.redirect(f"/destruction/{batch_id}?done={form}")


def _codes(page: Page, text: str) -> list[str]:
    """Codes typed or scanned (labels too), separated by spaces, commas or new lines."""
    refs = text.replace(",", " ").replace(";", " ").split()
    return [scanning.resolve_ref(page.db, ref, "item", "codes") for ref in refs]


@router.post("/destruction/{batch_id}/items")
def add_items(batch_id: int, page: FormPage) -> Response:
    def run() -> None:
        codes = _codes(page, page.field("codes"))
        if not codes:
            raise Invalid(
                "codes", "scan or type at least one item code", key="destruction.err_codes"
            )
        data = validate(
            destruction.AddItemsRequest,
            {
                "codes": codes,
                "override_reason": page.field("override_reason") or None,
                "enforcement_decision_date": iso_date(
                    page.field("enforcement_decision_date"), "enforcement_decision_date"
                ),
            },
        )
        destruction.add_items(page.db, batch_id, data, page.me)

    return _act(page, batch_id, "add", run)


@router.post("/destruction/{batch_id}/items/{code}/remove")
def remove_item(batch_id: int, code: str, page: FormPage) -> Response:
    return _act(
        page, batch_id, "remove", lambda: destruction.remove_item(page.db, batch_id, code, page.me)
    )


@router.post("/destruction/{batch_id}/approve")
def approve(batch_id: int, page: FormPage) -> Response:
    def run() -> None:
        members = [
            {
                "name": page.field(f"member.{n}.name"),
                "position": page.field(f"member.{n}.position"),
                "organisation": page.field(f"member.{n}.organisation"),
                "role": page.field(f"member.{n}.role"),
                "username": page.field(f"member.{n}.username") or None,
            }
            for n in range(MEMBER_ROWS)
            if page.field(f"member.{n}.name")
        ]
        data = validate(
            destruction.ApproveRequest,
            {
                "decision_number": page.field("decision_number"),
                "decision_date": iso_date(page.field("decision_date"), "decision_date"),
                "decision_issuer": page.field("decision_issuer"),
                "members": members,
            },
        )
        destruction.approve(
            page.db,
            batch_id,
            data,
            page.me,
            page.settings.destruction_min_voting_members,
            page.settings.destruction_block_handler_members,
        )

    return _act(page, batch_id, "approve", run)


def _typed(field: Any, raw: str, name: str) -> Any:
    """A structured field of the methods data, read from its form input."""
    if field.type == "boolean":
        return raw == "1"
    if raw == "":
        return None
    if field.type in ("number", "integer"):
        value = number(raw, name)
        return (
            int(value)
            if field.type == "integer" and value is not None and value.is_integer()
            else value
        )
    return raw


def _executed_at(text: str, field: str = "executed_at") -> datetime | None:
    """``dd/mm/yyyy hh:mm`` as typed (or ISO ``yyyy-mm-ddThh:mm``), Vietnam time at the site."""
    if not text:
        return None
    try:
        if "/" in text:
            return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=LOCAL_TIME_ZONE)
        return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TIME_ZONE)
    except ValueError:
        raise Invalid(
            field,
            "not a date and time",
            text,
            key="keysb_pages.not_a_datetime",
            params={"value": text},
        ) from None


ATTENDEE_ROWS = 3  # rows of the form for people attending without being members


def _line_check(page: Any, n: int) -> dict[str, Any]:
    """A line's seal as found, its note, condition and method (``destruction.checking``)."""
    state = page.field(f"sealstate.{n}") or None
    line: dict[str, Any] = {
        "seal_note": page.field(f"sealnote.{n}") or None,
        "seal_number": page.field(f"sealnumber.{n}") or None,
        "condition": page.field(f"condition.{n}") or None,
        "method": page.field(f"linemethod.{n}") or None,
    }
    if state:  # the state chosen says more than the "intact" box
        line["seal_state"] = state
    else:
        line["seal_intact"] = page.field(f"seal.{n}") == "1"
    return line


def _execution_facts(page: Any) -> dict[str, Any]:
    """The end, the attendees, the contractor and the conclusion as typed in the form."""
    attendees = [
        {
            "name": page.field(f"attendee.{k}.name"),
            "position": page.field(f"attendee.{k}.position"),
            "organisation": page.field(f"attendee.{k}.organisation"),
            "kind": page.field(f"attendee.{k}.kind") or "other",
        }
        for k in range(ATTENDEE_ROWS)
        if page.field(f"attendee.{k}.name")
    ]
    contractor = None
    if page.field("contractor_name"):
        contractor = {
            "name": page.field("contractor_name"),
            "licence": page.field("contractor_licence"),
            "contract_number": page.field("contract_number"),
            "contract_date": iso_date(page.field("contract_date"), "contractor.contract_date"),
        }
    return {
        "ended_at": _executed_at(page.field("ended_at"), "ended_at"),
        "attendees": attendees,
        "contractor": contractor,
        "conclusion": page.field("conclusion") or None,
    }


@router.post("/destruction/{batch_id}/execute")
def execute(batch_id: int, page: FormPage) -> Response:
    def run() -> None:
        table = destruction.load_methods()
        method_id = page.field("method")
        method = table.methods.get(method_id)
        details = {}
        if method is not None:
            for f in method.fields:
                value = _typed(f, page.field(f"m.{method.id}.{f.name}"), f.name)
                if value is not None:
                    details[f.name] = value
        environment = {}
        for f in table.common_fields:
            value = _typed(f, page.field(f"env.{f.name}"), f.name)
            if value is not None:
                environment[f.name] = value
        unit = page.field("weight_unit") or "g"
        items = []
        for n, code in enumerate(page.fields("code")):
            items.append(
                {
                    "code": code,
                    **_line_check(page, n),
                    "measured_weight_g": grams(
                        page.field(f"weight.{n}"), unit, "measured_weight_g"
                    ),
                    "result": page.field(f"result.{n}") or "destroyed",
                    "exclusion_reason": page.field(f"reason.{n}") or None,
                    "weight_note": page.field(f"note.{n}") or None,
                }
            )
        data = validate(
            destruction.ExecuteRequest,
            {
                "executed_at": _executed_at(page.field("executed_at")),
                "site": page.field("site"),
                "method": method_id,
                "method_details": details,
                "environment": environment,
                "safety_plan_ref": page.field("safety_plan_ref") or None,
                "items": items,
                **_execution_facts(page),
            },
        )
        destruction.execute(
            page.db,
            batch_id,
            data,
            page.me,
            page.settings.weight_tolerance_pct,
            page.settings.destruction_block_handler_members,
        )

    return _act(page, batch_id, "execute", run)


@router.post("/destruction/{batch_id}/close")
def close(batch_id: int, page: FormPage) -> Response:
    return _act(page, batch_id, "close", lambda: destruction.close(page.db, batch_id, page.me))


@router.post("/destruction/{batch_id}/presence")
def presence(batch_id: int, page: FormPage) -> Response:
    """A council member with an account confirms being there, typing their own password."""

    def run() -> None:
        client = page.request.client.host if page.request.client else ""
        member = auth.authenticate(
            page.db,
            page.field("username"),
            str(page.form.get("password") or ""),
            client,
            page.settings.login_policy,
            database=page.request.app.state.db,
            totp_code=page.field("totp_code"),
        )
        council.confirm_presence(page.db, batch_id, page.me, member)

    return _act(page, batch_id, "presence", run)


@router.post("/destruction/{batch_id}/cancel")
def cancel(batch_id: int, page: FormPage) -> Response:
    def run() -> None:
        data = validate(destruction.CancelRequest, {"reason": page.field("cancel_reason")})
        destruction.cancel(page.db, batch_id, data, page.me)

    return _act(page, batch_id, "cancel", run)


@router.post("/destruction/{batch_id}/photos")
def add_photo(batch_id: int, page: FormPage) -> Response:
    def run() -> None:
        upload = page.form.get("photo")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid(
                "photo",
                "choose a photo (JPEG or PNG)",
                where="form",
                key="keysb_pages.choose_photo",
            )
        limit = page.settings.destruction_photo_max_bytes
        data = upload.file.read(limit + 1)
        if len(data) > limit:
            raise destruction.PayloadTooLarge(
                f"a photo may be at most {limit} bytes",
                key="keysb_photos.too_large",
                params={"mb": limit / (1024 * 1024)},
            )
        destruction.add_photo(
            page.db, batch_id, page.me, upload.filename, data, page.field("caption")
        )

    return _act(page, batch_id, "photo", run)


@router.get("/destruction/{batch_id}/photos/{photo_id}")
def photo(batch_id: int, photo_id: int, page: UserPage) -> Response:
    found = destruction.get_photo(page.db, batch_id, photo_id, page.me)
    return Response(
        found.data,
        media_type=found.content_type,
        headers={"Cache-Control": "private, max-age=3600"},
    )


@router.get("/destruction/{batch_id}/record.pdf")
# The API's path without its prefix too: where an item's list of documents points (dossier).
@router.get("/destruction-batches/{batch_id}/record.pdf", include_in_schema=False)
def record(batch_id: int, page: UserPage, lang: str = "vi") -> Response:
    """The frozen record once closed (Vietnamese), else a draft; ``?lang=en`` a translation."""
    require(page.me, "read")
    lang = "en" if lang == "en" else "vi"
    found = destruction.record(page.db, batch_id, page.me, lang)
    batch = destruction.get_batch(page.db, batch_id, page.me)
    name = f"bien-ban-tieu-huy-{batch.number}{'-en' if lang == 'en' else ''}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if found.sha256:
        headers["X-Record-SHA256"] = found.sha256
    return Response(found.pdf, media_type="application/pdf", headers=headers)
