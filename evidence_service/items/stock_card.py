"""The stock card of an item (thẻ kho, D67-THADS; vn-legal-context §2.2(7), §3.4, §7):
every movement in and out of the warehouse, dated, with its document number and the
balance after it, read from the item's custody events (each carries what it changed, so
the card is the chain's own account, not a second ledger). A GET draws it: it is a live
document, never stored."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.platypus import Flowable
from sqlmodel import Session, col, select

from .. import documents as docs
from ..checkpoints import current_anchor
from ..custody import EventType
from ..i18n import Translator, translator
from ..legal.holidays import local_today
from ..models import Case, CustodyEvent, ExitSlip, Handover, HandoverLine, Item, ItemStatus, User
from .lifecycle import IN_WAREHOUSE
from .lookup import get_item


@dataclass(frozen=True)
class Movement:
    at: datetime
    event_type: str
    document: str
    in_quantity: float | None
    in_weight_g: float | None
    out_quantity: float | None
    out_weight_g: float | None
    quantity: float
    weight_g: float | None


def _in_stock(status: str | None) -> bool:
    return status is not None and ItemStatus(status) in IN_WAREHOUSE


def entry_slip_of(session: Session, item: Item) -> str:
    """The item's entry slip: its own (a legacy paper number), else its handover's."""
    if item.entry_slip_no:
        return item.entry_slip_no
    number = session.exec(
        select(Handover.entry_slip_number)
        .join(HandoverLine, col(HandoverLine.handover_id) == Handover.id)
        .where(HandoverLine.item_id == item.id)
    ).first()
    return number or ""


def _handovers(session: Session, item: Item) -> list[Handover]:
    return list(
        session.exec(
            select(Handover)
            .join(HandoverLine, col(HandoverLine.handover_id) == Handover.id)
            .where(HandoverLine.item_id == item.id)
            .order_by(col(Handover.id))
        ).all()
    )


def intake_handover(session: Session, item: Item) -> Handover | None:
    """The handover that first received the item (not a re-entry after a check-out)."""
    return next((h for h in _handovers(session, item) if h.re_entry() is None), None)


def _returns(session: Session, item: Item, returns: int) -> list[Handover | None]:
    """The handovers of the item's ``returns`` returns after a check-out, in order: each
    return is received as a new handover with its own entry slip (Circular 04/2023 Art.
    11(3)). The handovers that say they are re-entries (``Handover.re_entry``), else (made
    before they said so) the item's last ones; None where there is none."""
    handovers = _handovers(session, item)
    again = [h for h in handovers if h.re_entry() is not None]
    if len(again) < returns:
        again = handovers[-returns:] if returns else []
    found: list[Handover | None] = list(again[:returns])
    return found + [None] * (returns - len(found))


def return_slips(session: Session, item: Item, returns: int) -> list[str]:
    """The entry slips of the item's ``returns`` returns, in order; "…" while that
    handover is a draft (or missing)."""
    return [(h and h.entry_slip_number) or "…" for h in _returns(session, item, returns)]


def keeper_of(handover: Handover | None) -> str:
    """The keeper the handover names among its receivers (role "keeper"), or ""."""
    for r in (handover.receivers if handover else None) or []:
        if r.get("role") == "keeper" and r.get("name"):
            return str(r["name"])
    return ""


def _act_at(
    event: CustodyEvent,
    intake: Handover | None,
    returned: list[Handover | None],
    issued: dict[int, datetime],
) -> datetime:
    """The date of the act a row records, not of the row typed in (D67-THADS dates each
    movement by its document): in, the handover's time (the intake's, or the return's
    own); out, the exit slip's (a destruction's is its execution); a destruction without
    a slip, its execution; anything else, when it happened on the chain."""
    d = event.details or {}
    if event.event_type == EventType.intake and intake is not None:
        return intake.handed_over_at
    if event.event_type == EventType.return_:
        handover = returned.pop(0) if returned else None
        return handover.handed_over_at if handover else event.occurred_at
    if event.seq in issued:
        return issued[event.seq]
    if d.get("executed_at"):
        return datetime.fromisoformat(str(d["executed_at"]))
    return event.occurred_at


def _document(event: CustodyEvent, entry: str, slips: dict[int, str], returned: list[str]) -> str:
    """The document the row cites: in, the entry slip (the intake's, or the return's own);
    out, the exit slip; otherwise the document the event names."""
    d = event.details or {}
    if event.event_type == EventType.intake:
        return entry
    if event.event_type == EventType.return_:
        return returned.pop(0) if returned else "…"
    if event.seq in slips:
        return slips[event.seq]
    # A sample cites its record (the opening of the seal, the weight taken).
    for key in ("sampling_record", "child", "checkout_document", "document_number", "request"):
        if d.get(key):
            return str(d[key]) if key != "request" else f"#{d[key]}"
    return ""


def movements(session: Session, item: Item) -> list[Movement]:
    """Every event that moved the item (or part of it) in or out, oldest first."""
    events = session.exec(
        select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(col(CustodyEvent.seq))
    ).all()
    exits = session.execute(
        select(col(ExitSlip.event_seq), col(ExitSlip.number), col(ExitSlip.issued_at)).where(
            ExitSlip.item_id == item.id
        )
    ).all()
    slips = {seq: number for seq, number, _ in exits if seq is not None}
    issued = {seq: at for seq, _, at in exits if seq is not None}
    entry = entry_slip_of(session, item)
    intake = intake_handover(session, item)
    back = _returns(session, item, sum(1 for e in events if e.event_type == EventType.return_))
    returned = [(h and h.entry_slip_number) or "…" for h in back]
    status: str | None = None
    quantity, weight = 0.0, None
    out: list[Movement] = []
    for event in events:
        d = event.details or {}
        changes: dict[str, Any] = d.get("changes") or {}
        record = d.get("record") or {}
        if event.event_type == EventType.intake:
            after_status = record.get("status", ItemStatus.received)
            after_qty = float(record.get("quantity", d.get("quantity", item.quantity)))
            after_weight = record.get("net_weight_g", d.get("net_weight_g"))
        else:
            after_status = changes["status"][1] if "status" in changes else status
            after_qty = float(changes["quantity"][1]) if "quantity" in changes else quantity
            after_weight = changes["net_weight_g"][1] if "net_weight_g" in changes else weight
        was, now = _in_stock(status), _in_stock(after_status)
        row: dict[str, Any] = {}
        if not was and now:
            row = {"in_quantity": after_qty, "in_weight_g": after_weight}
        elif was and not now:
            row = {"out_quantity": quantity, "out_weight_g": weight}
        elif was and now and (after_qty, after_weight) != (quantity, weight):
            less_qty = quantity - after_qty
            less_weight = (weight or 0) - (after_weight or 0) if weight is not None else None
            if less_qty > 0 or (less_weight or 0) > 0:
                row = {"out_quantity": less_qty or None, "out_weight_g": less_weight or None}
            else:
                row = {"in_quantity": -less_qty or None, "in_weight_g": -(less_weight or 0) or None}
        status, quantity, weight = after_status, after_qty, after_weight
        document = _document(event, entry, slips, returned)  # each return takes its slip
        at = _act_at(event, intake, back, issued)  # and its handover's time
        if not row:
            continue
        out.append(
            Movement(
                at=at,
                event_type=event.event_type,
                document=document,
                in_quantity=row.get("in_quantity"),
                in_weight_g=row.get("in_weight_g"),
                out_quantity=row.get("out_quantity"),
                out_weight_g=row.get("out_weight_g"),
                quantity=quantity if _in_stock(status) else 0.0,
                weight_g=weight if _in_stock(status) else None,
            )
        )
    return out


def _event_word(t: Translator, event_type: str) -> str:
    return t.maybe(f"handover_card_event.{event_type}", t.maybe(f"event.{event_type}", event_type))


def _body(session: Session, doc: docs.Document, item: Item, rows: list[Movement]) -> list[Flowable]:
    t = doc.t
    case = session.get(Case, item.case_id)
    account = session.get(User, item.received_by_id)
    # The keeper who received: the one the handover names, else the account that typed it.
    keeper = keeper_of(intake_handover(session, item)) or (account.full_name if account else "")
    out: list[Flowable] = [
        *docs.basis(doc),
        docs.para(
            t(
                "handover_card.item",
                code=item.code,
                name=item.description,
                category=t(f"category.{item.category}"),
                unit=t.maybe(f"unit.{item.unit}", item.unit),
            )
        ),
        docs.para(
            t(
                "handover_card.case",
                case=(case and case.judgment_number) or f"#{item.case_id}",
                entry=entry_slip_of(session, item) or "…",
            )
        ),
        docs.para(t("handover_card.keeper", name=keeper or "…")),
        docs.spacer(2),
    ]

    def qty(value: float | None) -> str:
        return "" if value is None else t.number(value)

    C = docs.Column
    columns = [
        C(t("handover_record.col_no"), 9),
        C(t("handover_card.col_date"), 20),
        C(t("handover_card.col_document"), 20),
        C(t("handover_card.col_what"), 25),
        C(t("handover_card.col_in_qty"), 11, right=True),
        C(t("handover_card.col_in_weight"), 17, right=True),
        C(t("handover_card.col_out_qty"), 11, right=True),
        C(t("handover_card.col_out_weight"), 17, right=True),
        C(t("handover_card.col_balance_qty"), 11, right=True),
        C(t("handover_card.col_balance_weight"), 18, right=True),
        C(t("handover_card.col_sign"), 16),
    ]
    table_rows = [
        [
            str(n),
            t.fmt.date(m.at),
            m.document,
            _event_word(t, m.event_type),
            qty(m.in_quantity),
            t.weight(m.in_weight_g),
            qty(m.out_quantity),
            t.weight(m.out_weight_g),
            qty(m.quantity),
            t.weight(m.weight_g),
            "",
        ]
        for n, m in enumerate(rows, 1)
    ]
    out.append(docs.table(columns, table_rows))
    out.append(docs.spacer(4))
    return out + docs.signatures(
        t,
        [
            docs.Signer(t("handover_slip.sign_keeper"), keeper),
            docs.Signer(t("handover_slip.sign_accountant")),
        ],
    )


def stock_card_pdf(session: Session, code: str, actor: User, lang: str = "vi") -> bytes:
    """The item's stock card as it stands now (drawn on request, never stored)."""
    item = get_item(session, code, actor)
    doc = docs.Document(
        kind="stock_card",
        lang=lang,
        agency=docs.agency_header(session, item.agency_id),
        day=local_today(),
        number=item.code,
        chain_head=current_anchor(session).printed(),
        subtitle=translator(lang)("handover_card.form"),
    )
    return docs.render(doc, _body(session, doc, item, movements(session, item)))
