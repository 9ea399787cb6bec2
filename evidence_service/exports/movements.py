"""When an item entered and left the agency's stock, how it left and on what act: the one rule
the ledger (Mẫu 13) and the six-monthly / yearly summary both count by, so their figures agree.

- An item **enters** on the day it was received (``Item.received_at``, local day).
- It **leaves** with its first final custody event (:data:`EXIT_EVENTS`): a destruction, a
  release (return to the owner, confiscation hand-over to the finance agency, sale, kept
  with the case file, other hand-overs), a transfer to another agency or a write-off. A
  withdrawal for proceedings (trích xuất, ``check_out``) is not an exit: the item comes back
  and stays on the ledger (vn-legal-context §3.5).
- The exit's **date is the date of the act**, not the day it was typed in: the destruction's
  execution time (``details.executed_at``); the head's decision for a write-off
  (``details.document_date``); for a release or transfer the moment the second person
  confirmed the hand-over, which is when the item left (the event's ``occurred_at``).
- For a period [first, last]: the **opening** stock holds the items received before ``first``
  that had not left before it; **received** those received in it; **out** those whose exit act
  falls in it; **closing** = opening + received − out (the items received by ``last`` and not
  gone by then).

Weights are the item's current net weight throughout, so every balance holds in kilograms too.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from ..custody import EventType
from ..i18n import day_start, local_day
from ..models import CustodyEvent, Disposition, ExitSlip, Item

EXIT_EVENTS = (
    str(EventType.destruction),
    str(EventType.release),
    str(EventType.transfer),
    str(EventType.write_off),
)
# Events that change what a ledger line says after it was written: the note "amended on …"
# in the Notes column (Circular 04/2023 Art. 30(4)(d)).
AMENDING_EVENTS = (str(EventType.correction), str(EventType.reweigh))

# The exit kinds, each its own row in the summary, in the order they are printed.
EXIT_KINDS = (
    "destroyed",
    "confiscated",
    "sold",
    "returned",
    "transferred",
    "released",
    "kept_with_file",
    "written_off",
)
_RELEASE_KIND = {
    Disposition.confiscate.value: "confiscated",
    Disposition.sell.value: "sold",
    Disposition.return_to_owner.value: "returned",
    Disposition.keep_with_file.value: "kept_with_file",
    # Money paid into the State Treasury account, and any other hand-over: "released".
}


@dataclass(frozen=True)
class Exit:
    kind: str  # one of EXIT_KINDS
    on: date  # the day of the act, in Viet Nam
    document_number: str | None
    document_date: date | None
    exit_slip_no: str | None  # the exit slip made with the exit (items.leaving)
    method: str | None = None  # a destruction's method (data/destruction_methods.toml)


@dataclass
class ItemEvents:
    """What the events of one item say to the ledger."""

    exit: Exit | None = None
    amended_on: list[date] = field(default_factory=list)


def exit_of(
    event_type: str, occurred_at: datetime, details: dict[str, Any], slip_no: str | None = None
) -> Exit:
    """The exit one final event records, with the number of the exit slip made with it (the
    event cannot hold it: the slip names the event, made after it)."""
    if event_type == EventType.destruction:
        kind = "destroyed"
        executed = details.get("executed_at")
        on = local_day(datetime.fromisoformat(executed)) if executed else local_day(occurred_at)
    elif event_type == EventType.write_off:
        kind = "written_off"
        on = _day(details.get("document_date")) or local_day(occurred_at)
    elif event_type == EventType.transfer:
        kind, on = "transferred", local_day(occurred_at)
    else:
        kind = _RELEASE_KIND.get(str(details.get("disposition")), "released")
        on = local_day(occurred_at)
    return Exit(
        kind=kind,
        on=on,
        document_number=details.get("document_number") or None,
        document_date=_day(details.get("document_date")),
        exit_slip_no=slip_no or details.get("exit_slip_no") or None,
        method=details.get("method") if kind == "destroyed" else None,
    )


def _day(text: Any) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def events_of(session: Session, ids: list[int]) -> dict[int, ItemEvents]:
    """item id → its exit and amendments, for a chunk of items (1,000 ids per query)."""
    found: dict[int, ItemEvents] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        slips = {
            (item_id, seq): number
            for item_id, seq, number in session.execute(
                sa_select(
                    col(ExitSlip.item_id), col(ExitSlip.event_seq), col(ExitSlip.number)
                ).where(col(ExitSlip.item_id).in_(chunk))
            )
        }
        rows = session.execute(
            sa_select(
                col(CustodyEvent.item_id),
                col(CustodyEvent.event_type),
                col(CustodyEvent.occurred_at),
                col(CustodyEvent.details),
                col(CustodyEvent.seq),
            )
            .where(
                col(CustodyEvent.item_id).in_(chunk),
                col(CustodyEvent.event_type).in_(EXIT_EVENTS + AMENDING_EVENTS),
            )
            .order_by(col(CustodyEvent.id))  # ids follow time across chains
        ).all()
        for item_id, event_type, occurred_at, details, seq in rows:
            events = found.setdefault(item_id, ItemEvents())
            if event_type in AMENDING_EVENTS:
                events.amended_on.append(local_day(occurred_at))
            elif events.exit is None:  # the first one: nothing leaves twice
                slip_no = slips.get((item_id, seq))
                events.exit = exit_of(event_type, occurred_at, details or {}, slip_no)
    return found


def not_gone_before(first: date) -> Any:
    """SQL: the item had not left before the day ``first`` (a superset: an exit recorded on or
    after ``first`` may still be dated before it, which :func:`in_period` sorts out)."""
    return ~exists().where(
        and_(
            col(CustodyEvent.item_id) == Item.id,
            col(CustodyEvent.event_type).in_(EXIT_EVENTS),
            col(CustodyEvent.occurred_at) < day_start(first),
        )
    )


def held_in(received_on: date, gone: Exit | None, first: date | None, last: date | None) -> bool:
    """Whether the item was in stock at some time in [first, last] (None: open end)."""
    if last is not None and received_on > last:
        return False
    return not (first is not None and gone is not None and gone.on < first)


@dataclass
class Balance:
    """Counts and net grams of a period's movements: opening + received − out = closing."""

    opening: int = 0
    opening_g: float = 0.0
    received: int = 0
    received_g: float = 0.0
    out: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EXIT_KINDS, 0))
    out_g: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EXIT_KINDS, 0.0))
    closing: int = 0
    closing_g: float = 0.0

    def add(
        self,
        received_on: date,
        gone: Exit | None,
        grams: float | None,
        first: date | None,
        last: date | None,
    ) -> "Movement":
        """Count one item held in the period; returns what it did in it."""
        g = grams or 0.0
        opening = first is not None and received_on < first
        if opening:
            self.opening += 1
            self.opening_g += g
        else:
            self.received += 1
            self.received_g += g
        left = gone is not None and (last is None or gone.on <= last)
        if left:
            assert gone is not None
            self.out[gone.kind] += 1
            self.out_g[gone.kind] += g
        else:
            self.closing += 1
            self.closing_g += g
        return Movement(opening=opening, left=left)

    @property
    def out_total(self) -> int:
        return sum(self.out.values())

    @property
    def out_total_g(self) -> float:
        return sum(self.out_g.values())


@dataclass(frozen=True)
class Movement:
    opening: bool  # in stock when the period began
    left: bool  # left the stock in the period
