"""The evidence ledger (sổ theo dõi vật chứng, tài sản kê biên, tạm giữ; Mẫu 13, Circular 04/2023
Art. 30) of a warehouse for a period: one line per item held at some time in the period, with
its entry (date, entry slip, case, basis) and its exit (date of the act, exit slip, actual
disposal), and the period's balance: opening + received − out = closing (``movements``).

The lines stream from the database in chunks (``LedgerRun.lines``), so the files are made in
bounded memory; the balance is known once the lines have been read."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ...auth import agency_scope
from ...checkpoints import current_anchor
from ...documents import AgencyHeader, agency_header
from ...i18n import Translator, translator
from ...legal.holidays import local_today
from ...locations import get_warehouse
from ...models import (
    Agency,
    Case,
    CustodyEvent,
    EnforcementDecision,
    Item,
    Location,
    User,
    Warehouse,
)
from ...periods import day_start, local_day
from ..movements import (
    EXIT_KINDS,
    Balance,
    ItemEvents,
    Movement,
    events_of,
    held_in,
    not_gone_before,
)

CHUNK = 2000


class LedgerLine(BaseModel):
    number: int
    received_on: date
    entry_slip_no: str | None
    case: str  # the case: its judgment, or the transfer decision while there is none
    basis: str  # what the item was received on: transfer decision, handover record
    code: str
    description: str  # name and characteristics: seal, condition
    quantity: float
    unit: str
    net_weight_kg: float | None
    location_code: str | None
    out_on: date | None  # the day of the exit act, when it falls in the period
    exit_slip_no: str | None
    disposal: str | None  # the exit kind (movements.EXIT_KINDS) when it left in the period
    disposal_document: str | None
    status: str
    status_vi: str
    opening: bool  # in stock when the period began
    notes: str


class Tally(BaseModel):
    count: int = 0
    weight_kg: float = 0.0


class LedgerBalance(BaseModel):
    opening: Tally
    received: Tally
    out: dict[str, Tally]  # exit kind → tally, every kind
    out_total: Tally
    closing: Tally


class Ledger(BaseModel):
    agency: AgencyHeader | None  # who keeps the ledger (the document engine's header)
    chain_head: str | None = None  # the custody chain's head when it was read, as printed
    made_on: date | None = None  # the day it was read, in Viet Nam
    warehouse_code: str | None
    warehouse_name: str | None
    date_from: date | None
    date_to: date | None
    lines: list[LedgerLine]
    balance: LedgerBalance
    total_items: int
    total_weight_kg: float


def _kg(grams: float) -> float:
    return round(grams / 1000, 6)


def balance_of(b: Balance) -> LedgerBalance:
    return LedgerBalance(
        opening=Tally(count=b.opening, weight_kg=_kg(b.opening_g)),
        received=Tally(count=b.received, weight_kg=_kg(b.received_g)),
        out={k: Tally(count=b.out[k], weight_kg=_kg(b.out_g[k])) for k in EXIT_KINDS},
        out_total=Tally(count=b.out_total, weight_kg=_kg(b.out_total_g)),
        closing=Tally(count=b.closing, weight_kg=_kg(b.closing_g)),
    )


_ITEM_COLUMNS = (
    "id",
    "code",
    "description",
    "quantity",
    "unit",
    "net_weight_g",
    "seal_state",
    "seal_number",
    "disposition",
    "condition",
    "external_ref",
    "received_at",
    "status",
    "entry_slip_no",
    "handover_record_no",
)
_CASE_COLUMNS = (
    "judgment_number",
    "court",
    "transfer_number",
    "transfer_date",
    "transfer_issuer",
    "decision_number",
    "decision_year",
    "decision_issuer",
)
_LOCATION = len(_ITEM_COLUMNS) + len(_CASE_COLUMNS)
_AGENCY = _LOCATION + 1


def _query(
    session: Session,
    actor: User,
    warehouse: Warehouse | None,
    date_from: date | None,
    date_to: date | None,
) -> Any:
    """The candidate items as plain columns, in the ledger's order: those on a shelf of the
    warehouse and those on no shelf (left, or never placed), which ``_Places`` sorts out;
    received by the period's end and not gone before its start."""
    query = (
        sa_select(
            *(Item.__table__.c[c] for c in _ITEM_COLUMNS),  # type: ignore[attr-defined]
            *(Case.__table__.c[c] for c in _CASE_COLUMNS),  # type: ignore[attr-defined]
            col(Item.location_id),
            col(Item.agency_id),
        )
        .join(Case, col(Case.id) == Item.case_id)
        .where(col(Item.agency_id).in_(agency_scope(session, actor)))
        .order_by(col(Item.received_at), col(Item.code))
    )
    if warehouse is not None:
        shelves = select(Location.id).where(col(Location.warehouse_id) == warehouse.id)
        query = query.where(
            or_(col(Item.location_id).in_(shelves), col(Item.location_id).is_(None))
        )
    if date_from is not None:
        query = query.where(not_gone_before(date_from))
    if date_to is not None:
        query = query.where(col(Item.received_at) < day_start(date_to + timedelta(days=1)))
    return query


class _Places:
    """Where each item of the ledger is: the shelf holding it; once it has left, the last
    one that did (its last custody event with a destination); never placed (still in
    receiving), its agency's first warehouse, so that it is in a ledger too."""

    def __init__(self, session: Session, actor: User) -> None:
        self.session = session
        rows = session.execute(
            sa_select(col(Location.id), col(Location.code), col(Location.warehouse_id))
            .join(Warehouse, col(Warehouse.id) == Location.warehouse_id)
            .where(col(Warehouse.agency_id).in_(agency_scope(session, actor)))
        ).all()
        self.locations = {r[0]: (r[1], r[2]) for r in rows}
        firsts = session.execute(
            sa_select(col(Warehouse.agency_id), func.min(Warehouse.id)).group_by(
                col(Warehouse.agency_id)
            )
        ).all()
        self.first_warehouse = dict(firsts)

    def of(self, part: Sequence[Any]) -> dict[int, tuple[str | None, int | None]]:
        """item id → (location code, warehouse id) for a chunk of rows."""
        away = [r[0] for r in part if r[_LOCATION] is None]
        last: dict[int, int] = {}
        for start in range(0, len(away), 1000):
            events = self.session.execute(
                sa_select(col(CustodyEvent.item_id), col(CustodyEvent.to_location_id))
                .where(
                    col(CustodyEvent.item_id).in_(away[start : start + 1000]),
                    col(CustodyEvent.to_location_id).is_not(None),
                )
                .order_by(col(CustodyEvent.id))  # ids follow time across chains
            ).all()
            last.update({item_id: location_id for item_id, location_id in events})
        out: dict[int, tuple[str | None, int | None]] = {}
        for r in part:
            location_id = r[_LOCATION] if r[_LOCATION] is not None else last.get(r[0])
            if location_id is not None and location_id in self.locations:
                out[r[0]] = self.locations[location_id]
            else:
                out[r[0]] = (None, self.first_warehouse.get(r[_AGENCY]))
        return out


@dataclass
class LedgerRun:
    """A ledger being read: its header, and its lines as they stream from the database
    (``lines()`` may be consumed once); the balance is known once the lines are."""

    agency: AgencyHeader | None
    warehouse: Warehouse | None
    date_from: date | None
    date_to: date | None
    session: Session
    actor: User
    query: Any
    t: Translator
    chain_head: str | None = None
    balance: Balance = field(default_factory=Balance)
    # A case's words are the same on all its lines: made once per case (most cases hold many).
    _cases: dict[tuple[Any, ...], tuple[str, str]] = field(default_factory=dict)

    def case_words(self, row: Any) -> tuple[str, str]:
        key = (*row[len(_ITEM_COLUMNS) : _LOCATION], row[14])
        words = self._cases.get(key)
        if words is None:
            words = self._cases[key] = (_case(row, self.t), _basis(row, self.t))
        return words

    def lines(self) -> Iterator[LedgerLine]:
        vi = translator("vi")
        places = _Places(self.session, self.actor)
        result = self.session.execute(self.query.execution_options(yield_per=CHUNK))
        number = 0
        for part in result.partitions():
            where = places.of(part)
            if self.warehouse is not None:
                part = [r for r in part if where[r[0]][1] == self.warehouse.id]
            events = events_of(self.session, [r[0] for r in part])
            for row in part:
                item_events = events.get(row[0]) or ItemEvents()
                received_on = local_day(row[11])
                gone = item_events.exit
                if not held_in(received_on, gone, self.date_from, self.date_to):
                    continue  # gone before the period, by the date of its act
                move = self.balance.add(received_on, gone, row[5], self.date_from, self.date_to)
                number += 1
                yield _line(
                    number,
                    row,
                    where[row[0]][0],
                    item_events,
                    move,
                    self.case_words(row),
                    self.t,
                    vi,
                )

    def header(self, lines: list[LedgerLine] | None = None) -> Ledger:
        b = balance_of(self.balance)
        return Ledger(
            agency=self.agency,
            chain_head=self.chain_head,
            made_on=local_today(),
            warehouse_code=self.warehouse.code if self.warehouse else None,
            warehouse_name=self.warehouse.name if self.warehouse else None,
            date_from=self.date_from,
            date_to=self.date_to,
            lines=lines or [],
            balance=b,
            total_items=b.closing.count,
            total_weight_kg=b.closing.weight_kg,
        )


def agency_of(session: Session, agency_id: int | None) -> AgencyHeader | None:
    """The two lines above a document's title (the document engine's header)."""
    if agency_id is None or session.get(Agency, agency_id) is None:
        return None
    return agency_header(session, agency_id)


def ledger_run(
    session: Session,
    actor: User,
    warehouse_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    lang: str = "vi",
) -> LedgerRun:
    warehouse = get_warehouse(session, warehouse_code, actor) if warehouse_code else None
    agency = agency_of(session, warehouse.agency_id if warehouse else actor.agency_id)
    query = _query(session, actor, warehouse, date_from, date_to)
    head = current_anchor(session).printed()
    return LedgerRun(
        agency, warehouse, date_from, date_to, session, actor, query, translator(lang), head
    )


def ledger(
    session: Session,
    actor: User,
    warehouse_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    lang: str = "vi",
) -> Ledger:
    """Every item held from ``date_from`` to ``date_to`` (days in Viet Nam, both included) in
    the warehouse (see ``_query``), with the period's balance. The notes are written in
    ``lang``; ``status_vi`` is always Vietnamese."""
    run = ledger_run(session, actor, warehouse_code, date_from, date_to, lang)
    lines = list(run.lines())
    return run.header(lines)


def status_words(status: str, exit_kind: str | None, t: Translator) -> str:
    """Column (15), "Trạng thái xử lý": a released item says how it left (returned to its
    owner, handed over as confiscated, sold, kept with the file), not "returned" for all."""
    if status == "released" and exit_kind:
        words = t.maybe(f"inspect15_ledger.status_{exit_kind}", "")
        if words:
            return words
    return t.maybe(f"status.{status}", status)


def _case(row: Any, t: Translator) -> str:
    judgment, court = row[len(_ITEM_COLUMNS)], row[len(_ITEM_COLUMNS) + 1]
    if judgment:
        return t("ledger15.case_judgment", number=judgment, court=court or "")
    return t("ledger15.case_no_judgment")


def _basis(row: Any, t: Translator) -> str:
    n = len(_ITEM_COLUMNS)
    transfer_number, transfer_date, transfer_issuer = row[n + 2], row[n + 3], row[n + 4]
    decision_number, decision_year, decision_issuer = row[n + 5], row[n + 6], row[n + 7]
    parts = []
    if transfer_number:
        parts.append(
            t(
                "ledger15.basis_transfer",
                number=transfer_number,
                date=t.date(transfer_date) or "…",
                issuer=transfer_issuer or "…",
            )
        )
    if decision_number:
        coded = EnforcementDecision.coded(str(decision_number))
        parts.append(
            t(
                "inspect15_ledger.basis_decision_coded" if coded else "ledger15.basis_decision",
                number=decision_number,
                year=decision_year or "…",
                issuer=decision_issuer or "…",
            )
        )
    if row[14]:
        parts.append(t("ledger15.basis_handover", number=row[14]))
    return "; ".join(parts)


def _line(
    number: int,
    row: Any,
    location_code: str | None,
    events: ItemEvents,
    move: Movement,
    case_words: tuple[str, str],
    t: Translator,
    vi: Translator,
) -> LedgerLine:
    (
        _,
        code,
        description,
        quantity,
        unit,
        net_g,
        seal_state,
        seal_number,
        disposition,
        condition,
        external_ref,
        received_at,
        status,
        entry_slip_no,
        _,
    ) = row[: len(_ITEM_COLUMNS)]
    seal = t.maybe(f"seal.{seal_state}", seal_state)
    details = [description]
    details.append(
        t("ledger.seal_numbered", number=seal_number, state=seal)
        if seal_number
        else seal[:1].upper() + seal[1:]
    )
    if condition:
        details.append(t("ledger15.condition", condition=condition))
    left = move.left
    notes = []
    if not left:
        notes.append(
            t("ledger.disposition", disposition=t.maybe(f"disposition.{disposition}", disposition))
        )
    if external_ref and not external_ref.startswith("#"):
        # Imported as "<ledger>|<STT>": the number it had in that ledger.
        notes.append(t("ledger.old_number", number=external_ref.rsplit("|", 1)[-1]))
    for day in sorted(set(events.amended_on)):
        notes.append(t("ledger15.amended_on", date=t.date(day)))
    gone = events.exit if left else None
    if events.exit is not None and not left:
        status = "stored"  # it left after the period: in stock when the period closed
    return LedgerLine(
        number=number,
        received_on=local_day(received_at),
        entry_slip_no=entry_slip_no,
        case=case_words[0],
        basis=case_words[1],
        code=code,
        description="; ".join(details),
        quantity=quantity,
        unit=unit,
        net_weight_kg=_kg(net_g) if net_g else None,
        location_code=location_code,
        out_on=gone.on if gone else None,
        exit_slip_no=gone.exit_slip_no if gone else None,
        disposal=gone.kind if gone else None,
        disposal_document=gone.document_number if gone else None,
        status=status,
        status_vi=status_words(status, gone.kind if gone else None, vi),
        opening=move.opening,
        notes="; ".join(notes),
    )
