"""The exit slip (phiếu xuất kho, C05-THADS) and, where the law asks, the hand-over record
of an exit (biên bản giao nhận: return, confiscation hand-over, transfer, trích xuất),
drawn from the slip's stored row (vn-legal-context §3.5, §4.2, §7)."""

import hashlib
from datetime import date

from reportlab.platypus import Flowable
from sqlmodel import Session

from .. import paperwork, pdfdoc
from ..custody import make_anchor
from ..i18n import Translator, translator
from ..models import Case, ExitSlip, User


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _document(t: Translator, slip: ExitSlip) -> str:
    if not slip.document_number:
        return t("handover_exit.no_document")
    return t(
        "handover_exit.document",
        number=slip.document_number,
        date=t.date(slip.document_date) or "…",
        issuer=slip.document_issuer or "…",
    )


def _lines(t: Translator, slip: ExitSlip) -> Flowable:
    s = slip.snapshot
    seal = t(f"handover_seal.{s['seal_state']}")
    if s.get("seal_number"):
        seal = f"{s['seal_number']}, {seal}"
    return pdfdoc.table(
        [
            t("handover_record.col_no"),
            t("handover_record.col_item"),
            t("handover_record.col_quantity"),
            t("handover_record.col_weight"),
            t("handover_record.col_condition"),
            t("handover_record.col_seal"),
        ],
        [
            [
                "1",
                f"{s['code']} — {t('category.' + s['category'])}: {s['description']}",
                t.quantity(s["quantity"], s["unit"]),
                t.weight(s.get("net_weight_g")),
                s.get("condition") or "—",
                seal,
            ]
        ],
        [10, 62, 22, 22, 33, 29],
    )


def _case_line(session: Session, t: Translator, slip: ExitSlip) -> list[Flowable]:
    case = session.get(Case, slip.snapshot.get("case_id"))
    if case is None or not case.judgment_number:
        return []
    return [pdfdoc.para(t("handover_exit.judgment", number=case.judgment_number))]


def _issuer_name(session: Session, slip: ExitSlip) -> str:
    user = session.get(User, slip.issued_by_id)
    return (user.full_name or user.username) if user else ""


def _slip_body(session: Session, slip: ExitSlip, t: Translator) -> list[Flowable]:
    s = slip.snapshot
    out: list[Flowable] = [
        pdfdoc.para(t("handover_exit.recipient", recipient=slip.recipient or "…")),
        pdfdoc.para(
            t(
                "handover_exit.reason",
                kind=t(f"handover_exit_kind.{slip.kind}"),
                document=_document(t, slip),
            )
        ),
        *_case_line(session, t, slip),
        pdfdoc.para(t("handover_exit.from_place", place=s.get("location_code") or "…")),
    ]
    if s.get("entry_slip_no"):
        out.append(pdfdoc.para(t("handover_exit.entered", number=s["entry_slip_no"])))
    if s.get("due_date"):
        out.append(
            pdfdoc.para(t("handover_exit.due", date=t.date(date.fromisoformat(s["due_date"]))))
        )
    if slip.reason:
        out.append(pdfdoc.para(t("handover_exit.why", reason=slip.reason)))
    out += [pdfdoc.spacer(2), _lines(t, slip)]
    if slip.record_number:
        out.append(pdfdoc.para(t("handover_exit.with_record", number=slip.record_number)))
    return out


def _paper(session: Session, slip: ExitSlip, t: Translator, **what: object) -> paperwork.Paper:
    name, parent = paperwork.agency_names(session, slip.agency_id)
    return paperwork.Paper(
        agency_name=name,
        parent_agency_name=parent,
        issued_at=slip.issued_at,
        locality=paperwork.locality(name) or paperwork.locality(parent),
        chain_head=make_anchor(session).printed(),
        **what,  # type: ignore[arg-type]
    )


def render_slip(session: Session, slip: ExitSlip, lang: str = "vi") -> bytes:
    t = translator(lang)
    keeper = _issuer_name(session, slip)
    paper = _paper(
        session,
        slip,
        t,
        number=slip.number,
        title=t("handover_exit.title"),
        subtitle=t("handover_exit.form"),
        body=lambda: _slip_body(session, slip, t),
        signers=[
            (t("handover_slip.sign_maker"), keeper),
            (t("handover_exit.sign_receiver"), slip.recipient),
            (t("handover_slip.sign_keeper"), keeper),
            (t("handover_slip.sign_accountant"), ""),
            (t("handover_slip.sign_head"), ""),
        ],
    )
    return paperwork.render(paper, t)


def _record_body(session: Session, slip: ExitSlip, t: Translator) -> list[Flowable]:
    s = slip.snapshot
    return [
        pdfdoc.para(
            t(
                "handover_exit.record_opening",
                when=paperwork.when_in_words(t, slip.issued_at),
                place=s.get("location_code") or "…",
            )
        ),
        pdfdoc.para(t("handover_record.giver"), "heading"),
        pdfdoc.para(
            t(
                "handover_exit.giver_line",
                agency=paperwork.agency_names(session, slip.agency_id)[0],
                name=_issuer_name(session, slip),
            )
        ),
        pdfdoc.para(t("handover_record.receiver"), "heading"),
        pdfdoc.para(slip.recipient or "…"),
        pdfdoc.para(
            t(
                "handover_exit.reason",
                kind=t(f"handover_exit_kind.{slip.kind}"),
                document=_document(t, slip),
            )
        ),
        *_case_line(session, t, slip),
        pdfdoc.para(t("handover_exit.record_items"), "heading"),
        _lines(t, slip),
        pdfdoc.spacer(2),
        pdfdoc.para(t("handover_exit.slip_ref", number=slip.number)),
        pdfdoc.para(t(f"handover_exit_after.{slip.kind}")),
        pdfdoc.para(t("handover_exit.record_copies")),
    ]


def render_record(session: Session, slip: ExitSlip, lang: str = "vi") -> bytes:
    t = translator(lang)
    assert slip.record_number is not None
    paper = _paper(
        session,
        slip,
        t,
        number=slip.record_number,
        title=t("handover_exit.record_title"),
        subtitle=t(f"handover_exit_record_kind.{slip.kind}"),
        body=lambda: _record_body(session, slip, t),
        signers=[
            (t("handover_record.sign_giver"), _issuer_name(session, slip)),
            (t("handover_exit.sign_receiving_side"), slip.recipient),
        ],
    )
    return paperwork.render(paper, t)
