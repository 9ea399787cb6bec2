"""The handover's two documents on the document engine (``documents``): the handover record
(biên bản giao nhận vật chứng, tài sản tạm giữ; vn-legal-context §2.2(5–6), §2.3(4), §7) and
the entry slip (phiếu nhập kho, C04-THADS; §2.2(7), §3.5, §7). Drafts are drawn on request;
once final both are official documents (subject ``handover:<id>``), served as stored."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from reportlab.platypus import Flowable
from sqlmodel import Session

from .. import documents as docs
from ..checkpoints import current_anchor
from ..custody import EventType, NewEvent
from ..i18n import Translator, translator
from ..i18n.formatting import local_day
from ..items.lifecycle import update_items
from ..models import (
    Case,
    Handover,
    HandoverLine,
    Item,
    Location,
    OfficialDocument,
    User,
)
from .rules import in_place, regime_at
from .views import handover_lines

RECORD, SLIP = "handover_record", "entry_slip"
# The act of a return after a check-out (trích xuất): its ``acts`` entry names the check-out
# it ends (the requester's document, its date and body, the check-out's exit slip). Such a
# handover is a re-entry, "nhập lại sau trích xuất" (Circular 04/2023 Art. 11(3): the return
# is handled like a new handover; vn-legal-context §3.5).


def subject(handover: Handover) -> str:
    return f"handover:{handover.id}"


def act_text(t: Translator, kind: str, act: dict[str, Any] | None) -> str:
    if not act:
        return ""
    when = t.date(date.fromisoformat(act["date"])) if act.get("date") else ""
    return t(
        "handover_record.act",
        kind=t(f"handover_act.{kind}"),
        number=act.get("number", ""),
        date=when or "…",
        issuer=act.get("issuer") or "…",
    )


def seal_text(t: Translator, line: HandoverLine) -> str:
    state = t(f"handover_seal.{line.seal_state}")
    if not line.seal_number:
        return state
    text = t("handover_record.seal", number=line.seal_number, state=state)
    if line.seal_signatories:
        text += " " + t("handover_record.seal_signed", names=", ".join(line.seal_signatories))
    return text


def item_cell(t: Translator, item: Item) -> str:
    return f"{item.code} — {t(f'category.{item.category}')}: {item.description}"


def _lines_table(
    t: Translator, rows: Sequence[tuple[HandoverLine, Item]], with_comparison: bool
) -> Flowable:
    C = docs.Column
    columns = [
        C(t("handover_record.col_no"), 10),
        C(t("handover_record.col_item"), 62 if not with_comparison else 38),
        C(t("handover_record.col_quantity"), 22 if not with_comparison else 18, right=True),
        C(t("handover_record.col_weight"), 22 if not with_comparison else 18, right=True),
        C(t("handover_record.col_condition"), 34 if not with_comparison else 26),
        C(t("handover_record.col_seal"), 30 if not with_comparison else 36),
    ]
    if with_comparison:
        columns.append(C(t("handover_record.col_comparison"), 34))
    body = []
    for line, item in rows:
        seal = seal_text(t, line)
        if with_comparison and line.forensic_conclusion:
            seal += " · " + act_text(t, "forensic_conclusion", line.forensic_conclusion)
        cells = [
            str(line.line_no),
            item_cell(t, item),
            t.quantity(item.quantity, item.unit),
            t.weight(item.seized_net_weight_g),
            item.condition or "—",
            seal,
        ]
        if with_comparison:
            cells.append(
                t("handover_record.matches")
                if line.matches
                else t("handover_record.differs", difference=line.difference)
            )
        body.append(cells)
    return docs.table(columns, body)


def re_entry_text(t: Translator, act: dict[str, Any]) -> str:
    """ "Phiếu xuất kho số 01/PXK (trích xuất) ngày …: văn bản số 88/CV-TA của …" """
    when = t.date(date.fromisoformat(act["date"])) if act.get("date") else "…"
    return t(
        "docs15_reentry.check_out",
        slip=act.get("exit_slip") or "…",
        date=when,
        number=act.get("number") or "…",
        issuer=act.get("issuer") or "…",
    )


def _acts(session: Session, handover: Handover, t: Translator) -> list[str]:
    """The acts this handover rests on, as "Căn cứ" lines after the layout's laws (a
    re-entry: the rule on returns and the check-out first)."""
    act = handover.re_entry()
    lines = [t("docs15_reentry.basis"), re_entry_text(t, act)] if act else []
    lines += [
        act_text(t, kind, handover.acts[kind])
        for kind in ("transfer_decision", "entry_order", "seizure_record", "forensic_conclusion")
        if kind in handover.acts
    ]
    case = session.get(Case, handover.case_id) if handover.case_id else None
    if case is not None and case.judgment_number:
        lines.append(
            t("handover_record.judgment", number=case.judgment_number, court=case.court or "")
        )
    return lines


def _record_body(
    session: Session,
    doc: docs.Document,
    handover: Handover,
    rows: Sequence[tuple[HandoverLine, Item]],
) -> list[Flowable]:
    t = doc.t
    out: list[Flowable] = [
        *docs.basis(doc, _acts(session, handover, t)),
        docs.spacer(2),
        docs.para(
            t(
                "handover_record.opening",
                when=docs.moment_words(t, handover.handed_over_at),
                place=handover.place or "…",
            )
        ),
        *(
            [docs.para(t("docs15_reentry.opening", check_out=re_entry_text(t, act)))]
            if (act := handover.re_entry())
            else []
        ),
        docs.heading(t("handover_record.giver")),
        docs.para(
            t(
                "handover_record.giver_line",
                name=handover.deliverer_name or "…",
                position=handover.deliverer_position or "…",
                agency=handover.deliverer_agency or "…",
                id_document=handover.deliverer_id_document or "…",
                letter=handover.introduction_letter or t("handover_record.none"),
            )
        ),
        docs.heading(t("handover_record.receiver")),
        *docs.bullets(
            [
                t(
                    "handover_record.receiver_line",
                    name=r["name"],
                    position=r.get("position") or "…",
                    role=t(f"handover_receiver.{r['role']}"),
                )
                for r in handover.receivers or []
            ],
            "…",
        ),
        docs.heading(t("handover_record.items_intro", count=len(rows))),
        _lines_table(t, rows, with_comparison=True),
        docs.spacer(3),
    ]
    differing = [line for line, _ in rows if not line.matches]
    if differing:
        out.append(
            docs.para(
                t(
                    "handover_record.differences",
                    lines=", ".join(str(line.line_no) for line in differing),
                    resolution=handover.resolution or "…",
                )
            )
        )
    else:
        out.append(docs.para(t("handover_record.all_match")))
    if handover.notes:
        out.append(docs.para(t("handover_record.notes", notes=handover.notes)))
    out += [docs.para(t("handover_record.conclusion")), *docs.copies(doc)]
    signers = [docs.Signer(t("handover_record.sign_giver"), handover.deliverer_name)]
    signers += [
        docs.Signer(t(f"handover_receiver.{r['role']}"), r["name"], r.get("position", ""))
        for r in handover.receivers or []
    ]
    return out + docs.signatures(t, signers)


def _in_place_body(
    session: Session,
    doc: docs.Document,
    handover: Handover,
    rows: Sequence[tuple[HandoverLine, Item]],
) -> list[Flowable]:
    """The record of a handover in place (Decree 152/2026 Art. 37, vn-legal-context §2.3):
    at the place of storage the agency inventories and receives the items, which the
    custodian body goes on keeping there; the custodian is the side that hands over, and the
    record is signed by the enforcement officer (THADS's stamp) and the custodian's
    representative (its stamp), Art. 37(4). Copies: the layout's four (each side, the
    receiver's accountant, the case file)."""
    t = doc.t
    keeper = handover.custodian or {}
    place = handover.place or keeper.get("place") or "…"
    name = keeper.get("name") or "…"
    officers = [r for r in handover.receivers or [] if r["role"] == "officer"]
    out: list[Flowable] = [
        *docs.basis(doc, _acts(session, handover, t)),
        docs.spacer(2),
        docs.para(
            t(
                "custody15_record.opening",
                when=docs.moment_words(t, handover.handed_over_at),
                place=place,
                agency=doc.agency.name,
            )
        ),
        docs.heading(t("custody15_record.giver")),
        docs.para(
            t(
                "custody15_record.custodian_line",
                name=name,
                kind=t(f"lead_custodian_kind.{keeper.get('kind', 'hired')}"),
                representative=keeper.get("representative") or "…",
                position=keeper.get("position") or "…",
            )
        ),
        *(
            [docs.para(t("custody15_record.contract", contract=keeper["contract"]))]
            if keeper.get("contract")
            else []
        ),
        docs.heading(t("custody15_record.receiver", agency=doc.agency.name)),
        *docs.bullets(
            [
                t(
                    "handover_record.receiver_line",
                    name=r["name"],
                    position=r.get("position") or "…",
                    role=t(f"handover_receiver.{r['role']}"),
                )
                for r in handover.receivers or []
            ],
            "…",
        ),
        docs.heading(t("custody15_record.items_intro", count=len(rows))),
        _lines_table(t, rows, with_comparison=True),
        docs.spacer(3),
    ]
    differing = [line for line, _ in rows if not line.matches]
    if differing:
        out.append(
            docs.para(
                t(
                    "custody15_record.differences",
                    lines=", ".join(str(line.line_no) for line in differing),
                    resolution=handover.resolution or "…",
                )
            )
        )
    else:
        out.append(docs.para(t("handover_record.all_match")))
    if handover.notes:
        out.append(docs.para(t("handover_record.notes", notes=handover.notes)))
    out += [
        docs.para(t("custody15_record.kept_there", place=place, name=name)),
        docs.para(t("custody15_record.conclusion")),
        *docs.copies(doc),
    ]
    signers = [
        docs.Signer(
            t("custody15_record.sign_officer"),
            officers[0]["name"] if officers else "",
            t("custody15_record.stamp_agency", agency=doc.agency.name),
        ),
        docs.Signer(
            t("custody15_record.sign_custodian"),
            keeper.get("representative") or "",
            t(
                "custody15_record.stamp_custodian",
                position=keeper.get("position") or "…",
                name=name,
            ),
        ),
    ]
    return out + docs.signatures(t, signers)


def _slip_body(
    session: Session,
    doc: docs.Document,
    handover: Handover,
    rows: Sequence[tuple[HandoverLine, Item]],
) -> list[Flowable]:
    t = doc.t
    places = sorted(
        {
            loc.code
            for _, item in rows
            if item.location_id and (loc := session.get(Location, item.location_id))
        }
    )
    out: list[Flowable] = [
        *docs.basis(doc),
        docs.para(
            t(
                "handover_slip.deliverer",
                name=handover.deliverer_name or "…",
                position=handover.deliverer_position or "…",
                agency=handover.deliverer_agency or "…",
            )
        ),
        docs.para(
            t(
                "docs15_reentry.slip_reason",
                record=handover.record_number or "…",
                date=t.date(handover.handed_over_at),
                check_out=re_entry_text(t, act),
            )
            if (act := handover.re_entry())
            else t(
                "handover_slip.reason",
                record=handover.record_number or "…",
                date=t.date(handover.handed_over_at),
            )
        ),
        docs.para(
            t("handover_slip.place", places=", ".join(places) or t("handover_slip.receiving"))
        ),
    ]
    if handover.custodian:
        # Items an outside custodian keeps: the agency tracks them on its books while they
        # stay there (Circular 01/2017 Art. 11, Circular 04/2023 Art. 11(1) for the State
        # Treasury and specialised agencies; vn-legal-context §2.1). Whether a custody in
        # place under Decree 152/2026 Art. 37 has an entry slip at all is to be confirmed
        # (the article names only the handover record): the slip is kept, and says so.
        keeper = handover.custodian
        out.append(
            docs.para(
                t(
                    "custody15_slip.kept_by",
                    name=keeper.get("name") or "…",
                    place=handover.place or keeper.get("place") or "…",
                )
            )
        )
    if "entry_order" in handover.acts:
        out.append(docs.para(act_text(t, "entry_order", handover.acts["entry_order"])))
    out += [
        docs.spacer(2),
        _lines_table(t, rows, with_comparison=False),
        docs.spacer(2),
        docs.para(t("handover_slip.total", count=len(rows))),
    ]
    by_role = {r["role"]: r["name"] for r in handover.receivers or []}
    signers = [
        docs.Signer(t("handover_slip.sign_maker"), by_role.get("keeper", "")),
        docs.Signer(t("handover_slip.sign_deliverer"), handover.deliverer_name),
        docs.Signer(t("handover_slip.sign_keeper"), by_role.get("keeper", "")),
        docs.Signer(t("handover_slip.sign_accountant"), by_role.get("accountant", "")),
        docs.Signer(t("handover_slip.sign_head"), by_role.get("head", "")),
    ]
    return out + docs.signatures(t, signers)


def _document(session: Session, handover: Handover, kind: str, lang: str) -> docs.Document:
    return docs.Document(
        kind=kind,
        lang=lang,
        agency=docs.agency_header(session, handover.agency_id),
        day=local_day(handover.handed_over_at),
        number=handover.record_number if kind == RECORD else handover.entry_slip_number,
        regime=regime_at(handover.handed_over_at),
        chain_head=current_anchor(session).printed(),
        draft=handover.final_at is None,
        subtitle=_subtitle(handover, kind, translator(lang)),
    )


def _subtitle(handover: Handover, kind: str, t: Translator) -> str:
    """The slip's form; a re-entry's record and slip say what it is."""
    again = t("docs15_reentry.subtitle") if handover.re_entry() else ""
    if kind == SLIP:
        return f"{t('handover_slip.form')} {again}".strip()
    return again


_BODIES = {RECORD: _record_body, SLIP: _slip_body}


def _body(
    session: Session,
    doc: docs.Document,
    kind: str,
    handover: Handover,
    rows: Sequence[tuple[HandoverLine, Item]],
) -> list[Flowable]:
    """The document's body: a handover in place has its own record (Art. 37(4))."""
    if kind == RECORD and in_place(handover.custodian, handover.handed_over_at):
        return _in_place_body(session, doc, handover, rows)
    return _BODIES[kind](session, doc, handover, rows)


def render(session: Session, handover: Handover, kind: str, lang: str = "vi") -> bytes:
    """The record or the slip drawn now: a draft before the handover is final, or a
    translation (the stored Vietnamese document is what ``stored`` serves)."""
    doc = _document(session, handover, kind, lang)
    rows = handover_lines(session, handover)
    return docs.render(doc, _body(session, doc, kind, handover, rows))


def stored(session: Session, handover: Handover, kind: str) -> OfficialDocument | None:
    return docs.stored(session, kind, subject(handover))


def make_final(session: Session, handover: Handover, actor: User) -> None:
    """Number both documents, draw them final and keep them (the caller checked
    ``rules``): the record first, so the slip names it."""
    session.flush()
    rows = handover_lines(session, handover)
    for kind in (RECORD, SLIP):
        doc = replace(_document(session, handover, kind, "vi"), draft=False)

        def draw(number: docs.Number, doc: docs.Document = doc, kind: str = kind) -> bytes:
            return docs.render(
                replace(doc, number=number.printed), _body(session, doc, kind, handover, rows)
            )

        final = docs.finalise(session, kind, handover.agency_id, subject(handover), draw, actor)
        if kind == RECORD:
            handover.record_number = final.number
        else:
            handover.entry_slip_number = final.number
    handover.final_at = datetime.now(UTC)
    session.add(handover)
    session.flush()
    _number_items(session, handover, [item for _, item in rows], actor)


def _number_items(session: Session, handover: Handover, items: list[Item], actor: User) -> None:
    """The items take the numbers of their (now final) record and slip, unless they carry
    their own from a paper ledger, so labels, the ledger and the destruction record print
    them; each change with its event."""
    assert actor.id is not None
    changes, events = [], []
    for item in items:
        values = {}
        if not item.entry_slip_no:
            values["entry_slip_no"] = handover.entry_slip_number
        if not item.handover_record_no:
            values["handover_record_no"] = handover.record_number
        if values:
            session.refresh(item)
            changes.append((item, values))
            events.append(
                NewEvent(
                    item.id,  # type: ignore[arg-type]
                    EventType.entry_slip,
                    actor.id,
                    details={"handover_id": handover.id, **values},
                )
            )
    if changes:
        update_items(session, changes, events)
