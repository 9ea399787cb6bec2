"""The exit slip of every item that leaves: made where the exit happens (the item's status
update, ``items.lifecycle.update_items``), in its transaction, numbered and stored with its
SHA-256, and with the hand-over record where the law asks for one
(``data/exit_documents.toml``)."""

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlmodel import Session

from ..custody import NewEvent
from ..models import Disposition, ExitKind, ExitSlip, Item, ItemStatus, Location, User
from . import papers

DOCUMENTS_FILE = Path(__file__).resolve().parent.parent / "data" / "exit_documents.toml"
# The status an item leaves to, and (for a release) its disposition: the kind of exit.
BY_STATUS = {
    ItemStatus.checked_out: ExitKind.check_out,
    ItemStatus.in_transit: ExitKind.transfer,
    ItemStatus.destroyed: ExitKind.destruction,
}
BY_DISPOSITION = {
    Disposition.return_to_owner: ExitKind.return_to_owner,
    Disposition.confiscate: ExitKind.confiscation,
    Disposition.sell: ExitKind.sale,
    Disposition.deposit_to_treasury: ExitKind.treasury_deposit,
    Disposition.keep_with_file: ExitKind.kept_with_file,
}


@dataclass(frozen=True)
class ExitDocuments:
    record: bool
    source: str


@cache
def exit_documents() -> dict[ExitKind, ExitDocuments]:
    with DOCUMENTS_FILE.open("rb") as f:
        kinds = tomllib.load(f)["kinds"]
    table = {ExitKind(k): ExitDocuments(bool(v["record"]), v["source"]) for k, v in kinds.items()}
    assert set(table) == set(ExitKind), "data/exit_documents.toml: every exit kind, once"
    return table


def exit_kind(status_after: str, disposition: str) -> ExitKind | None:
    """The kind of exit a status change is, or None if the item does not leave by it (a
    write-off: the item is gone already, nothing is handed out)."""
    if status_after == ItemStatus.released:
        return BY_DISPOSITION.get(Disposition(disposition))
    return BY_STATUS.get(ItemStatus(status_after))


@dataclass(frozen=True)
class Leaving:
    """One item leaving: the item (as it is now), where it was, its exit event."""

    item: Item
    kind: ExitKind
    event: NewEvent
    seq: int | None


def _document_date(details: dict[str, Any]) -> date | None:
    value = details.get("document_date")
    return date.fromisoformat(value) if value else None


def _snapshot(
    session: Session, item: Item, from_location_id: int | None, details: dict[str, Any]
) -> dict[str, Any]:
    place = session.get(Location, from_location_id) if from_location_id else None
    return {
        "code": item.code,
        "description": item.description,
        "category": item.category,
        "quantity": item.quantity,
        "unit": item.unit,
        "net_weight_g": item.net_weight_g,
        "condition": item.condition,
        "seal_number": item.seal_number,
        "seal_state": item.seal_state,
        "location_code": place.code if place else None,
        "entry_slip_no": item.entry_slip_no,
        "case_id": item.case_id,
        "due_date": details.get("due_date"),
        "purpose": details.get("purpose"),
        # Two people for every exit: who asked (the keeper) and who confirmed (a manager).
        "requested_by_id": details.get("requested_by_id"),
        "confirmed_by_id": details.get("confirmed_by_id"),
    }


def _recipient(kind: ExitKind, details: dict[str, Any]) -> str:
    if kind == ExitKind.transfer:  # the person receiving for the agency, else the agency
        return str(details.get("recipient") or details.get("to_agency") or "")
    if kind == ExitKind.destruction:  # the council receives the items, its chair signs
        return str(details.get("council_chair") or "")
    return str(details.get("recipient") or "")


def _issued_at(details: dict[str, Any], now: datetime) -> datetime:
    """A destruction leaves the warehouse when it is executed, which may be typed in later:
    its slip bears that time; every other exit leaves when it is confirmed, now."""
    executed = details.get("executed_at")
    return datetime.fromisoformat(executed) if executed else now


def issue(session: Session, leaving: Sequence[Leaving]) -> list[ExitSlip]:
    """The exit slips (and hand-over records) of the items leaving, final and kept."""
    slips = []
    now = datetime.now(UTC)
    for left in leaving:
        item, event = left.item, left.event
        details = event.details or {}
        slip = ExitSlip(
            agency_id=item.agency_id,
            item_id=item.id,  # type: ignore[arg-type]
            kind=left.kind.value,
            issued_at=_issued_at(details, now),
            issued_by_id=event.actor_id,  # type: ignore[arg-type]
            event_seq=left.seq,
            recipient=_recipient(left.kind, details),
            recipient_position=details.get("recipient_position") or None,
            recipient_id_document=details.get("recipient_id_document") or None,
            recipient_organisation=details.get("recipient_organisation") or None,
            document_number=details.get("document_number"),
            document_date=_document_date(details),
            document_issuer=details.get("document_issuer"),
            reason=event.reason,
            snapshot=_snapshot(session, item, event.from_location_id, details),
        )
        session.add(slip)
        session.flush()
        actor = session.get(User, event.actor_id) if event.actor_id else None
        slip.number = papers.make_final(session, slip, papers.SLIP, actor).number
        if exit_documents()[left.kind].record:
            slip.record_number = papers.make_final(session, slip, papers.RECORD, actor).number
        session.add(slip)
        slips.append(slip)
    session.flush()
    return slips
