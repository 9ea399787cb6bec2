"""The exit slip (phiếu xuất kho, C05-THADS) and, where the law asks, the hand-over record
of an exit (biên bản giao nhận: return, confiscation hand-over, transfer, trích xuất), on the
document engine, drawn from the slip's row (vn-legal-context §3.5, §4.2, §7). Both are final
when made: official documents with subject ``exit_slip:<id>``."""

from dataclasses import replace
from datetime import date

from reportlab.platypus import Flowable
from sqlmodel import Session

from .. import documents as docs
from ..checkpoints import current_anchor
from ..i18n import Translator, translator
from ..i18n.formatting import local_day
from ..legal.deadlines import regime_at
from ..models import Case, ExitKind, ExitSlip, LegalRegime, OfficialDocument, User

SLIP, RECORD = "exit_slip", "exit_record"


def subject(slip: ExitSlip) -> str:
    return f"exit_slip:{slip.id}"


def _document_ref(t: Translator, slip: ExitSlip) -> str:
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
    C = docs.Column
    return docs.table(
        [
            C(t("handover_record.col_no"), 10),
            C(t("handover_record.col_item"), 62),
            C(t("handover_record.col_quantity"), 22, right=True),
            C(t("handover_record.col_weight"), 22, right=True),
            C(t("handover_record.col_condition"), 34),
            C(t("handover_record.col_seal"), 30),
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
    )


def _case_lines(session: Session, t: Translator, slip: ExitSlip) -> list[str]:
    case = session.get(Case, slip.snapshot.get("case_id"))
    if case is None or not case.judgment_number:
        return []
    return [t("handover_exit.judgment", number=case.judgment_number)]


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return (user.full_name or user.username) if user else ""


def _issuer_name(session: Session, slip: ExitSlip) -> str:
    """The keeper who made the exit: who asked for it when a second person confirmed."""
    return _name(session, slip.snapshot.get("requested_by_id") or slip.issued_by_id)


def _kind_words(t: Translator, kind: str) -> str:
    # Kinds added after the first exit kinds have their words in a later section.
    key = f"handover_exit_kind.{kind}"
    return t(key) if t.has(key) else t(f"docs15_exit_kind.{kind}")


def _reason(t: Translator, slip: ExitSlip) -> str:
    return t(
        "handover_exit.reason",
        kind=_kind_words(t, slip.kind),
        document=_document_ref(t, slip),
    )


def _recipient(t: Translator, slip: ExitSlip) -> str:
    if slip.kind == ExitKind.destruction:  # the council receives; its chair is named
        return t("docs15_exit.council", chair=slip.recipient or "…")
    return slip.recipient or "…"


def _blank(t: Translator, value: str | None) -> str:
    """A receiver's fact as given, or the dotted blank to fill in by hand (slips made
    before the fact was asked have none)."""
    return value or t("slips15_exit.blank")


def receiver_lines(t: Translator, slip: ExitSlip) -> list[str]:
    """The receiver as the exit order and slip must state them (Decree 142/2024 Art. 14;
    vn-legal-context §2.2 end, §7): name and position, the identity paper checked (§3.5) and
    the body they act for."""
    return [
        t(
            "slips15_exit.receiver",
            name=_blank(t, _recipient(t, slip) if slip.recipient else None),
            position=_blank(t, slip.recipient_position),
        ),
        t(
            "slips15_exit.receiver_more",
            id_document=_blank(t, slip.recipient_id_document),
            organisation=_blank(t, slip.recipient_organisation),
        ),
    ]


def _receiver_signer(t: Translator, role: str, slip: ExitSlip) -> docs.Signer:
    position = t("slips15_exit.sign_position", position=_blank(t, slip.recipient_position))
    return docs.Signer(role, slip.recipient, position)


def _slip_body(session: Session, doc: docs.Document, slip: ExitSlip) -> list[Flowable]:
    t, s = doc.t, slip.snapshot
    out: list[Flowable] = [
        *docs.basis(doc),
        *[docs.para(line) for line in receiver_lines(t, slip)],
        docs.para(_reason(t, slip)),
        *[docs.para(line) for line in _case_lines(session, t, slip)],
        docs.para(t("handover_exit.from_place", place=s.get("location_code") or "…")),
    ]
    if s.get("entry_slip_no"):
        out.append(docs.para(t("handover_exit.entered", number=s["entry_slip_no"])))
    if s.get("due_date"):
        due = t.date(date.fromisoformat(s["due_date"]))
        out.append(docs.para(t("handover_exit.due", date=due)))
    if slip.reason:
        out.append(docs.para(t("handover_exit.why", reason=slip.reason)))
    out += [docs.spacer(2), _lines(t, slip), docs.spacer(2)]
    keeper = _issuer_name(session, slip)
    return out + docs.signatures(
        t,
        [
            docs.Signer(t("handover_slip.sign_maker"), keeper),
            _receiver_signer(t, t("handover_exit.sign_receiver"), slip),
            docs.Signer(t("handover_slip.sign_keeper"), keeper),
            docs.Signer(t("handover_slip.sign_accountant")),
            docs.Signer(
                t("handover_slip.sign_head"), _name(session, slip.snapshot.get("confirmed_by_id"))
            ),
        ],
    )


def _record_body(session: Session, doc: docs.Document, slip: ExitSlip) -> list[Flowable]:
    t, s = doc.t, slip.snapshot
    agency = docs.agency_header(session, slip.agency_id).name
    return [
        *docs.basis(doc, [_reason(t, slip), *_case_lines(session, t, slip)]),
        docs.para(
            t(
                "handover_exit.record_opening",
                when=docs.moment_words(t, slip.issued_at),
                place=s.get("location_code") or "…",
            )
        ),
        docs.heading(t("handover_record.giver")),
        docs.para(t("handover_exit.giver_line", agency=agency, name=_issuer_name(session, slip))),
        docs.heading(t("handover_record.receiver")),
        *[docs.para(line) for line in receiver_lines(t, slip)],
        docs.heading(t("handover_exit.record_items")),
        _lines(t, slip),
        docs.spacer(2),
        docs.para(t("handover_exit.slip_ref", number=slip.number or "…")),
        docs.para(t(_by_regime(_regime(slip), "handover_exit_after", slip.kind))),
        *docs.copies(doc),
        *docs.signatures(
            t,
            [
                docs.Signer(t("handover_record.sign_giver"), _issuer_name(session, slip)),
                _receiver_signer(t, t("handover_exit.sign_receiving_side"), slip),
            ],
        ),
    ]


_BODIES = {SLIP: _slip_body, RECORD: _record_body}


def _regime(slip: ExitSlip) -> LegalRegime:
    return regime_at(slip.issued_at)


def _document(session: Session, slip: ExitSlip, kind: str, lang: str) -> docs.Document:
    regime = _regime(slip)
    return docs.Document(
        kind=kind,
        lang=lang,
        agency=docs.agency_header(session, slip.agency_id),
        day=local_day(slip.issued_at),
        number=slip.number if kind == SLIP else slip.record_number,
        regime=regime,
        chain_head=current_anchor(session).printed(),
        subtitle=_subtitle(kind, slip, lang),
    )


def _subtitle(kind: str, slip: ExitSlip, lang: str) -> str:
    t = translator(lang)
    if kind == SLIP:
        return t("handover_exit.form")
    return t(_by_regime(_regime(slip), "handover_exit_record_kind", slip.kind))


def _by_regime(regime: LegalRegime, section: str, kind: str) -> str:
    """The wording of an exit under the rules of its day: from 01/07/2026 confiscated
    property no longer goes to the finance agency but to the receiver Decree 152/2026 Art. 39
    names (the commune People's Committee, or the provincial Department of Finance for
    military cases; vn-legal-context §4.2), whom the record's receiver lines name."""
    if regime == LegalRegime.from_2026_07_01 and kind == ExitKind.confiscation:
        return f"lead_{section}_2026.{kind}"
    return f"{section}.{kind}"


def render(session: Session, slip: ExitSlip, kind: str, lang: str) -> bytes:
    """The slip or the record drawn now (a translation; the Vietnamese is stored)."""
    doc = _document(session, slip, kind, lang)
    return docs.render(doc, _BODIES[kind](session, doc, slip))


def make_final(session: Session, slip: ExitSlip, kind: str, actor: User | None) -> OfficialDocument:
    doc = _document(session, slip, kind, "vi")

    def draw(number: docs.Number) -> bytes:
        return docs.render(replace(doc, number=number.printed), _BODIES[kind](session, doc, slip))

    return docs.finalise(session, kind, slip.agency_id, subject(slip), draw, actor)


def stored(session: Session, slip: ExitSlip, kind: str) -> OfficialDocument | None:
    return docs.stored(session, kind, subject(slip))
