"""The item page: details, custody timeline, and the forms that act on one item."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ... import cases, custodians, dossier, handovers, items, labels, scanning
from ...errors import DomainError
from ...idempotency import run_once
from ...items import exits, handling
from ...items import photos as item_photos
from ...items.disposition_rules import allowed_dispositions
from ...labels import LabelFormat, LabelRequest
from ...models import Disposition, PhotoKind, SealState
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain, technical
from ..forms import M, download, from_form, grams, iso_date, number
from ..sessions import new_token
from .labels import print_dialog

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _awaiting_destruction_advice(page: Page, code: str) -> list[str]:
    """Where an item now ordered destroyed should wait (empty if it need not move)."""
    item = items.get_item(page.db, code, page.me)
    places = handling.places_to_await_destruction(page.db, page.me, item)
    if places is None:
        return []
    if places:
        return [page.t("item.advice_awaiting_destruction", locations=", ".join(places))]
    return [page.t("item.advice_no_awaiting_destruction")]


def render_item(
    page: Page, code: str, error: DomainError | None = None, open_form: str = "", status: int = 200
) -> Response:
    item = items.item_public(page.db, code, page.me)
    history = items.custody_history(page.db, code, page.me)
    actions = items.allowed_actions(page.me, item.status)
    explained = explain(error, page.t) if error else None
    query = page.request.query_params
    advice = _awaiting_destruction_advice(page, code) if query.get("advice") else []
    # A split's new part: linked, with its label one click away.
    child = query.get("child", "")
    split_child = items.item_public(page.db, child, page.me) if child else None
    return page.render(
        "item.html",
        status_code=error.status_code if error else status,
        item=item,
        history=list(reversed(history)),  # newest first
        actions=actions,
        templates=labels.template_list(page.settings),
        **print_dialog(page),
        purposes=list(handling.CheckoutPurpose),
        seal_states=list(SealState),
        # Only those the law allows for this kind of item (data/disposition_rules.toml).
        dispositions=allowed_dispositions(item.category, list(item.hazard_classes)),
        releasable=Disposition(item.disposition) in exits.RELEASABLE,
        advice=advice,
        split_child=split_child,
        checkout=handling.current_checkout(page.db, code, page.me),
        photos=item_photos.list_photos(page.db, code, page.me),
        documents=dossier.item_documents(page.db, code, page.me),
        deadlines=cases.item_deadlines(page.db, row := items.get_item(page.db, code, page.me)),
        # Nơi bảo quản / Đơn vị đang bảo quản, when an outside custodian keeps it.
        keeper=custodians.outside_keeper(page.db, row),
        photo_kinds=list(PhotoKind),
        done=query.get("done", ""),
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
        overridable=bool(explained and explained.overridable and page.can("override")),
        open_form=open_form,
        values=dict(page.form.items()),
        # Each render's forms carry one key: the same form sent again (Back and resubmit, an
        # offline outbox's replay after a lost answer) gets the first result, not a second act.
        form_key=page.field("form_key") or new_token(),
    )


@router.get("/items/{code}")
def item_page(code: str, page: UserPage) -> Response:
    return render_item(page, code)


def _act(page: Page, code: str, form: str, action: Callable[[], Any]) -> Response:
    """Run one item action; success → back to the item page, refusal → the page with why.

    ``action`` may return more of the redirect's query (e.g. ``child=...`` after a split)."""

    def create() -> tuple[int, Any]:
        extra = action()
        canonical = items.get_item(page.db, code, page.me).code
        more = f"&{extra}" if isinstance(extra, str) and extra else ""
        return 303, {"location": f"/items/{canonical}?done={form}{more}"}

    given = page.field("form_key")
    key = f"web-item:{form}:{given}" if given else None
    body = {n: page.fields(n) for n in page.form if n not in ("csrf_token", "form_key")}
    route = f"POST /items/{code}/{form} (web)"
    try:
        _, answer = run_once(page.db, page.me, key, route, body, create)
    except DomainError as exc:
        page.db.rollback()
        return render_item(page, code, exc, open_form=form)
    return page.redirect(answer["location"])


# For the item page's other modules (photos): the same success and refusal handling.
act_on_item = _act


def participants(page: Page) -> list[dict[str, str]]:
    """The people named on a record's form: one name and position per row, blank rows left."""
    names, positions = page.fields("participant_name"), page.fields("participant_position")
    return [
        {"name": name, "position": positions[n] if n < len(positions) else ""}
        for n, name in enumerate(names)
        if name
    ]


def _version(page: Page) -> int | None:
    value = page.field("version")
    return int(value) if value.isdigit() else None


def _read(page: Page, model: type[M], **parsed: Any) -> M:
    """One item form: the model's fields, with the version the page was rendered at."""
    return from_form(model, page.field, version=_version(page), **parsed)


def _documented(page: Page, model: type[M]) -> M:
    """An exit's form: with the date of its document as the date input sends it."""
    return _read(page, model, document_date=iso_date(page.field("document_date"), "document_date"))


def _place(page: Page) -> str | None:
    """The destination typed as a code or scanned as a location label."""
    value = page.field("to_location_code")
    return scanning.resolve_ref(page.db, value, "location", "to_location_code") if value else None


@router.post("/items/{code}/move")
def move(code: str, page: FormPage) -> Response:
    def run() -> None:
        data = _read(page, items.MoveRequest, to_location_code=_place(page))
        canonical = items.get_item(page.db, code, page.me).code
        items.move_items(
            page.db,
            [canonical],
            data.to_location_code,
            page.me,
            reason=data.reason,
            versions={canonical: data.version} if data.version else None,
            override_reason=data.override_reason,
        )

    return _act(page, code, "move", run)


@router.post("/items/{code}/check-out")
def check_out(code: str, page: FormPage) -> Response:
    def run() -> None:
        due_date = iso_date(page.field("due_date"), "due_date")
        on = iso_date(page.field("document_date"), "document_date")
        data = _read(page, handling.CheckoutRequest, due_date=due_date, document_date=on)
        handling.check_out(page.db, code, data, page.me)

    return _act(page, code, "check_out", run)


@router.post("/items/{code}/return")
def return_item(code: str, page: FormPage) -> Response:
    def run() -> None:
        data = _read(page, handling.ReturnRequest, to_location_code=_place(page))
        handovers.receive_return(page.db, code, data, page.me)

    return _act(page, code, "return", run)


@router.post("/items/{code}/sample")
def sample(code: str, page: FormPage) -> Response:
    def run() -> None:
        taken_g = grams(page.field("taken"), page.field("weight_unit"), "taken_g")
        new_seal = page.field("new_seal_number") or None
        data = _read(
            page,
            handling.SampleRequest,
            taken_g=taken_g,
            resealed=new_seal is not None,
            new_seal_number=new_seal,
            participants=participants(page),
        )
        handling.take_sample(page.db, code, data, page.me, page.settings.sample_max_share)

    return _act(page, code, "sample", run)


@router.post("/items/{code}/reweigh")
def reweigh(code: str, page: FormPage) -> Response:
    def run() -> None:
        unit = page.field("weight_unit")
        data = _read(
            page,
            handling.ReweighRequest,
            net_weight_g=grams(page.field("net_weight"), unit, "net_weight_g"),
            gross_weight_g=grams(page.field("gross_weight"), unit, "gross_weight_g"),
        )
        handling.reweigh(page.db, code, data, page.me, page.settings.weight_tolerance_pct)

    return _act(page, code, "reweigh", run)


@router.post("/items/{code}/seal-check")
def seal_check(code: str, page: FormPage) -> Response:
    def run() -> None:
        handling.seal_check(page.db, code, _read(page, handling.SealCheckRequest), page.me)

    return _act(page, code, "seal_check", run)


@router.post("/items/{code}/split")
def split(code: str, page: FormPage) -> Response:
    def run() -> str:
        data = _read(
            page,
            handling.SplitRequest,
            net_weight_g=grams(page.field("net_weight"), page.field("weight_unit"), "net_weight_g"),
            quantity=number(page.field("quantity") or "1", "quantity"),
            volume_l=number(page.field("volume_l"), "volume_l"),
        )
        _, child = handling.split(page.db, code, data, page.me)
        return f"child={child.code}"

    return _act(page, code, "split", run)


@router.post("/items/{code}/disposition")
def change_disposition(code: str, page: FormPage) -> Response:
    def run() -> None:
        data = _documented(page, exits.DispositionRequest)
        # It waits for a second person (the page says so); where to keep it comes after.
        exits.change_disposition(page.db, code, data, page.me)

    return _act(page, code, "disposition", run)


@router.post("/items/{code}/release")
def release(code: str, page: FormPage) -> Response:
    def run() -> None:
        exits.release(page.db, code, _documented(page, exits.ReleaseRequest), page.me)

    return _act(page, code, "release", run)


@router.post("/items/{code}/transfer")
def transfer(code: str, page: FormPage) -> Response:
    def run() -> None:
        exits.transfer(page.db, code, _documented(page, exits.TransferRequest), page.me)

    return _act(page, code, "transfer", run)


@router.post("/items/{code}/label")
def print_label(code: str, page: FormPage) -> Response:
    """Reprint the item's label (a ``label_printed`` custody event) as a PDF download."""
    template = page.field("template") or labels.DEFAULT_TEMPLATE
    try:
        request = LabelRequest(codes=[code], kind="item", format=LabelFormat.pdf, template=template)
        job = labels.prepare_print(page.db, page.me, page.settings, request)
    except DomainError as exc:
        page.db.rollback()
        return render_item(page, code, exc, open_form="print_label")
    return download(job)
