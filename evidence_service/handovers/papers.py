"""The handover's two documents: the handover record (biên bản giao nhận vật chứng, tài sản
tạm giữ; vn-legal-context §2.2(5–6), §2.3(4), §7) and the entry slip (phiếu nhập kho,
C04-THADS; §2.2(7), §3.5, §7). Drafts are drawn on request; once final both are stored with
their SHA-256 and served as stored."""

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from reportlab.platypus import Flowable
from sqlmodel import Session

from .. import paperwork, pdfdoc
from ..custody import make_anchor
from ..i18n import Translator, translator
from ..models import Case, Handover, HandoverLine, Item, LegalRegime, Location
from .views import handover_lines

# The rules in force at the handover (vn-legal-context §2.2 to 30/06/2026, §2.3 from then).
NEW_RULES_FROM = date(2026, 7, 1)


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


def _lines_table(
    t: Translator, rows: Sequence[tuple[HandoverLine, Item]], with_comparison: bool
) -> Flowable:
    header = [
        t("handover_record.col_no"),
        t("handover_record.col_item"),
        t("handover_record.col_quantity"),
        t("handover_record.col_weight"),
        t("handover_record.col_condition"),
        t("handover_record.col_seal"),
    ]
    widths = [10, 62, 22, 22, 33, 29]
    if with_comparison:
        header.append(t("handover_record.col_comparison"))
        widths = [10, 38, 18, 18, 26, 35, 33]
    body = []
    for line, item in rows:
        cells = [
            str(line.line_no),
            f"{item.code} — {t(f'category.{item.category}')}: {item.description}",
            t.quantity(item.quantity, item.unit),
            t.weight(item.seized_net_weight_g),
            item.condition or "—",
            seal_text(t, line),
        ]
        if with_comparison:
            cells.append(
                t("handover_record.matches")
                if line.matches
                else t("handover_record.differs", difference=line.difference)
            )
            if line.forensic_conclusion:
                cells[5] += " · " + act_text(t, "forensic_conclusion", line.forensic_conclusion)
        body.append(cells)
    return pdfdoc.table(header, body, widths)


def _receiver_role(t: Translator, role: str) -> str:
    return t(f"handover_receiver.{role}")


def _record_body(
    session: Session, handover: Handover, rows: Sequence[tuple[HandoverLine, Item]], t: Translator
) -> list[Flowable]:
    case = session.get(Case, handover.case_id) if handover.case_id else None
    regime = (
        LegalRegime.from_2026_07_01
        if handover.handed_over_at.date() >= NEW_RULES_FROM
        else LegalRegime.before_2026_07_01
    )
    out: list[Flowable] = [pdfdoc.para(t(f"handover_record.basis_{regime.value}"))]
    for kind in ("transfer_decision", "entry_order", "seizure_record", "forensic_conclusion"):
        if kind in handover.acts:
            out.append(pdfdoc.para("– " + act_text(t, kind, handover.acts[kind])))
    if case is not None and case.judgment_number:
        out.append(
            pdfdoc.para(
                "– "
                + t("handover_record.judgment", number=case.judgment_number, court=case.court or "")
            )
        )
    out += [
        pdfdoc.spacer(2),
        pdfdoc.para(
            t(
                "handover_record.opening",
                when=paperwork.when_in_words(t, handover.handed_over_at),
                place=handover.place or "…",
            )
        ),
        pdfdoc.para(t("handover_record.giver"), "heading"),
        pdfdoc.para(
            t(
                "handover_record.giver_line",
                name=handover.deliverer_name or "…",
                position=handover.deliverer_position or "…",
                agency=handover.deliverer_agency or "…",
                id_document=handover.deliverer_id_document or "…",
                letter=handover.introduction_letter or t("handover_record.none"),
            )
        ),
        pdfdoc.para(t("handover_record.receiver"), "heading"),
    ]
    for r in handover.receivers or []:
        out.append(
            pdfdoc.para(
                t(
                    "handover_record.receiver_line",
                    name=r["name"],
                    position=r.get("position") or "…",
                    role=_receiver_role(t, r["role"]),
                )
            )
        )
    if not handover.receivers:
        out.append(pdfdoc.para("…"))
    out += [
        pdfdoc.para(t("handover_record.items_intro", count=len(rows)), "heading"),
        _lines_table(t, rows, with_comparison=True),
        pdfdoc.spacer(3),
    ]
    differing = [line for line, _ in rows if not line.matches]
    if differing:
        out.append(
            pdfdoc.para(
                t(
                    "handover_record.differences",
                    lines=", ".join(str(line.line_no) for line in differing),
                    resolution=handover.resolution or "…",
                )
            )
        )
    else:
        out.append(pdfdoc.para(t("handover_record.all_match")))
    if handover.notes:
        out.append(pdfdoc.para(t("handover_record.notes", notes=handover.notes)))
    out += [
        pdfdoc.para(t("handover_record.conclusion")),
        pdfdoc.para(t("handover_record.copies")),
    ]
    return out


def _signers_record(handover: Handover, t: Translator) -> list[tuple[str, str]]:
    signers = [(t("handover_record.sign_giver"), handover.deliverer_name)]
    signers += [(_receiver_role(t, r["role"]), r["name"]) for r in handover.receivers or []]
    return signers


def render_record(
    session: Session, handover: Handover, lang: str = "vi", final: bool | None = None
) -> bytes:
    """The handover record; a draft (marked so) while the handover is not final."""
    t = translator(lang)
    rows = handover_lines(session, handover)
    name, parent = paperwork.agency_names(session, handover.agency_id)
    return paperwork.render(
        paperwork.Paper(
            agency_name=name,
            parent_agency_name=parent,
            number=handover.record_number,
            title=t("handover_record.title"),
            issued_at=handover.handed_over_at,
            body=lambda: _record_body(session, handover, rows, t),
            signers=_signers_record(handover, t),
            locality=paperwork.locality(name) or paperwork.locality(parent),
            final=handover.final_at is not None if final is None else final,
            chain_head=make_anchor(session).printed(),
        ),
        t,
    )


def _slip_body(
    session: Session, handover: Handover, rows: Sequence[tuple[HandoverLine, Item]], t: Translator
) -> list[Flowable]:
    places = sorted(
        {
            loc.code
            for _, item in rows
            if item.location_id and (loc := session.get(Location, item.location_id))
        }
    )
    out: list[Flowable] = [
        pdfdoc.para(
            t(
                "handover_slip.deliverer",
                name=handover.deliverer_name or "…",
                position=handover.deliverer_position or "…",
                agency=handover.deliverer_agency or "…",
            )
        ),
        pdfdoc.para(
            t(
                "handover_slip.reason",
                record=handover.record_number,
                date=t.date(handover.handed_over_at),
            )
        ),
        pdfdoc.para(
            t("handover_slip.place", places=", ".join(places) or t("handover_slip.receiving"))
        ),
    ]
    if "entry_order" in handover.acts:
        out.append(pdfdoc.para(act_text(t, "entry_order", handover.acts["entry_order"])))
    out += [
        pdfdoc.spacer(2),
        _lines_table(t, rows, with_comparison=False),
        pdfdoc.spacer(2),
        pdfdoc.para(t("handover_slip.total", count=len(rows))),
    ]
    return out


def _signers_slip(handover: Handover, t: Translator) -> list[tuple[str, str]]:
    by_role = {r["role"]: r["name"] for r in handover.receivers or []}
    return [
        (t("handover_slip.sign_maker"), by_role.get("keeper", "")),
        (t("handover_slip.sign_deliverer"), handover.deliverer_name),
        (t("handover_slip.sign_keeper"), by_role.get("keeper", "")),
        (t("handover_slip.sign_accountant"), by_role.get("accountant", "")),
        (t("handover_slip.sign_head"), by_role.get("head", "")),
    ]


def render_entry_slip(
    session: Session, handover: Handover, lang: str = "vi", final: bool | None = None
) -> bytes:
    t = translator(lang)
    rows = handover_lines(session, handover)
    name, parent = paperwork.agency_names(session, handover.agency_id)
    return paperwork.render(
        paperwork.Paper(
            agency_name=name,
            parent_agency_name=parent,
            number=handover.entry_slip_number,
            title=t("handover_slip.title"),
            subtitle=t("handover_slip.form"),
            issued_at=handover.handed_over_at,
            body=lambda: _slip_body(session, handover, rows, t),
            signers=_signers_slip(handover, t),
            locality=paperwork.locality(name) or paperwork.locality(parent),
            final=handover.final_at is not None if final is None else final,
            chain_head=make_anchor(session).printed(),
        ),
        t,
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_final(session: Session, handover: Handover) -> None:
    """Draw both documents as final and store them with their SHA-256 (the caller checked
    ``rules``)."""
    session.flush()
    record = render_record(session, handover, final=True)
    slip = render_entry_slip(session, handover, final=True)
    handover.record_pdf, handover.record_sha256 = record, sha256(record)
    handover.entry_slip_pdf, handover.entry_slip_sha256 = slip, sha256(slip)
    handover.final_at = datetime.now(UTC)
    session.add(handover)
    session.flush()
