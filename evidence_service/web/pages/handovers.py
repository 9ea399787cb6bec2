"""``/handovers``: the handovers of the agency, each with its documents; a draft one (made
by the intake form) is completed here (the deliverer, the receiving people, place and acts,
each item's comparison and seal) and becomes final. Also the documents themselves, at the
API's paths without its prefix, so an item's links work in the browser."""

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ... import dossier, handovers
from ...errors import DomainError
from ...exitslips import papers as exit_papers
from ...handovers import rules as handover_rules
from ...handovers.schemas import ACT_KINDS, HandoverCompletion
from ...i18n.formatting import local_time
from ...items import unsealing
from ...models import ReceiverRole, SealState
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain, technical
from ..forms import FormInvalid, iso_date, local_moment, validate
from .items import act_on_item

router = APIRouter(route_class=WebRoute, include_in_schema=False)
ROLES = [ReceiverRole.officer, ReceiverRole.head, ReceiverRole.keeper, ReceiverRole.accountant]


def _pdf(doc: dossier.Fetched) -> Response:
    headers = {"Content-Disposition": f'inline; filename="{doc.name}.pdf"'}
    if doc.sha256:
        headers["X-SHA256"] = doc.sha256
    return Response(doc.pdf, media_type="application/pdf", headers=headers)


def _lang(page: Page) -> str:
    return "en" if page.request.query_params.get("lang") == "en" else "vi"


@router.get("/handovers")
def handover_list(page: UserPage) -> Response:
    return page.render("handovers.html", handovers=handovers.list_handovers(page.db, page.me, 200))


def render_handover(
    page: Page, handover_id: int, error: DomainError | FormInvalid | None = None
) -> Response:
    explained = explain(error, page.t) if error else None
    shown = handovers.handover_public(
        page.db, handovers.get_handover(page.db, handover_id, page.me)
    )
    return page.render(
        "handover.html",
        status_code=error.status_code if error else 200,
        h=shown,
        when_input=local_time(shown.handed_over_at).strftime("%Y-%m-%dT%H:%M"),
        roles=ROLES,
        act_kinds=ACT_KINDS,
        seal_states=list(SealState),
        missing_words=handover_rules.words,
        done=page.request.query_params.get("done", ""),
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
        values=dict(page.form.items()),
    )


@router.get("/handovers/{handover_id}")
def handover_page(handover_id: int, page: UserPage) -> Response:
    return render_handover(page, handover_id)


def _completion(page: Page, codes: list[str]) -> HandoverCompletion:
    f = page.field
    acts: dict[str, Any] = {}
    for kind in ACT_KINDS:
        if f(f"{kind}_number"):
            day: date | None = iso_date(f(f"{kind}_date"), f"{kind}_date")
            acts[kind] = {"number": f(f"{kind}_number"), "date": day, "issuer": f(f"{kind}_issuer")}
    receivers = [
        {
            "role": role.value,
            "name": f(f"receiver_{role.value}"),
            "position": f(f"receiver_{role.value}_position"),
        }
        for role in ROLES
        if f(f"receiver_{role.value}")
    ]
    lines = []
    for n, code in enumerate(codes):
        conclusion = f(f"line_{n}_conclusion")
        lines.append(
            {
                "item_code": code,
                "matches_seizure_record": f(f"line_{n}_matches", "yes") != "no",
                "difference": f(f"line_{n}_difference"),
                "seal_state": f(f"line_{n}_seal_state") or None,
                "seal_signatories": [
                    s.strip() for s in f(f"line_{n}_signatories").split(",") if s.strip()
                ],
                "forensic_conclusion": {"number": conclusion} if conclusion else None,
            }
        )
    data = {
        # The hour of the handover as it happened (the record states it, §2.2(5)); none: kept.
        "handed_over_at": local_moment(f("handed_over_at"), "handed_over_at"),
        "place": f("place"),
        "deliverer": {
            name: f(f"deliverer_{name}")
            for name in ("name", "position", "id_document", "agency", "introduction_letter")
        },
        "receivers": receivers,
        "acts": acts,
        "resolution": f("resolution"),
        "notes": f("notes"),
        "lines": lines,
    }
    return validate(HandoverCompletion, data)


@router.post("/handovers/{handover_id}/complete")
def complete(handover_id: int, page: FormPage) -> Response:
    try:
        codes = [
            line.item_code
            for line in handovers.handover_public(
                page.db, handovers.get_handover(page.db, handover_id, page.me)
            ).lines
        ]
        data = _completion(page, codes)
        handovers.complete(page.db, handover_id, data, data.lines, page.me)
    except (DomainError, FormInvalid) as exc:
        page.db.rollback()
        return render_handover(page, handover_id, exc)
    return page.redirect(f"/handovers/{handover_id}?done=final")


@router.get("/handovers/{handover_id}/record.pdf")
def record_pdf(handover_id: int, page: UserPage) -> Response:
    return _pdf(dossier.handover_pdf(page.db, handover_id, handovers.RECORD, page.me, _lang(page)))


@router.get("/handovers/{handover_id}/entry-slip.pdf")
def entry_slip_pdf(handover_id: int, page: UserPage) -> Response:
    return _pdf(dossier.handover_pdf(page.db, handover_id, handovers.SLIP, page.me, _lang(page)))


@router.get("/exit-slips/{slip_id}.pdf")
def exit_slip_pdf(slip_id: int, page: UserPage) -> Response:
    return _pdf(dossier.exit_pdf(page.db, slip_id, exit_papers.SLIP, page.me, _lang(page)))


@router.get("/exit-slips/{slip_id}/record.pdf")
def exit_record_pdf(slip_id: int, page: UserPage) -> Response:
    return _pdf(dossier.exit_pdf(page.db, slip_id, exit_papers.RECORD, page.me, _lang(page)))


@router.get("/unsealings/{unsealing_id}/record.pdf")
def unsealing_pdf(unsealing_id: int, page: UserPage) -> Response:
    return _pdf(dossier.unsealing_pdf(page.db, unsealing_id, page.me, _lang(page)))


@router.get("/items/{code}/stock-card.pdf")
def stock_card_pdf(code: str, page: UserPage) -> Response:
    return _pdf(dossier.stock_card_pdf(page.db, code, page.me, _lang(page)))


@router.post("/items/{code}/unsealings")
def unseal(code: str, page: FormPage) -> Response:
    """Open the item's seal with its record, from the item page."""
    names, positions = page.fields("participant_name"), page.fields("participant_position")
    new_seal = page.field("new_seal_number") or None
    data = {
        "purpose": page.field("purpose"),
        "place": page.field("place"),
        "seal_description": page.field("seal_description"),
        "condition_after": page.field("condition_after"),
        "resealed": new_seal is not None,
        "new_seal_number": new_seal,
        "document_number": page.field("document_number") or None,
        "participants": [
            {"name": name, "position": positions[n] if n < len(positions) else ""}
            for n, name in enumerate(names)
            if name
        ],
        "reason": page.field("reason"),
        "version": int(page.field("version")) if page.field("version").isdigit() else None,
    }
    return act_on_item(
        page,
        code,
        "unseal",
        lambda: unsealing.unseal(page.db, code, validate(unsealing.UnsealRequest, data), page.me),
    )
