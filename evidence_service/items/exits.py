"""Exits and the judgment's order, each asked by one user and confirmed by a manager who
did not ask (``items/approvals.py``): a disposition change, a release (return to owner,
confiscation hand-over, sale) and a transfer to another agency."""

from typing import Any

from sqlmodel import Session, select

from ..custody import EventType
from ..errors import Invalid, InvalidTransition
from ..models import Agency, ApprovalKind, Disposition, Item, ItemStatus, User
from ..people import clean_name
from . import approvals
from .disposition_rules import check_disposition
from .handling import places_to_await_destruction
from .lifecycle import for_change
from .requests import (
    RELEASABLE,
    DispositionRequest,
    Documented,
    ReleaseRequest,
    TransferRequest,
    document_reference,
    receiver_details,
)


def change_disposition(
    session: Session, code: str, data: DispositionRequest, actor: User
) -> tuple[Item, list[str]]:
    """Ask to record the disposition a judgment ordered (only those the law allows for the
    item: ``items/disposition_rules.py``). It takes effect once a manager who did not ask
    confirms it. Returns the item and advice for the keeper."""
    item = for_change(session, code, actor, data.version, "disposition")
    check_disposition(item, data.disposition)
    details = {
        "before": item.disposition,
        "after": data.disposition.value,
        **_document(data),
    }
    approvals.ask(
        session,
        item,
        ApprovalKind.disposition,
        actor,
        data.reason,
        {"disposition": data.disposition.value},
        (EventType.disposition, details),
    )
    return item, ["the change waits for a manager's confirmation"]


def _document(data: Documented) -> dict[str, Any]:
    return document_reference(data.document_number, data.document_date, data.document_issuer)


def advice_after_disposition(session: Session, actor: User, item: Item) -> list[str]:
    """Items to be destroyed should wait in a secure awaiting-destruction location."""
    places = places_to_await_destruction(session, actor, item)
    if places is None:
        return []
    return [
        "move this item to a secure awaiting-destruction location"
        + (f": {', '.join(places)}" if places else " (none is set up yet)")
    ]


def release(session: Session, code: str, data: ReleaseRequest, actor: User) -> Item:
    """Ask to hand the item over as the judgment ordered (return, confiscation, sale): it
    waits on its shelf (``pending_release``) until a manager who did not ask confirms, then
    leaves the warehouse for good."""
    item = for_change(session, code, actor, data.version, "release")
    if Disposition(item.disposition) not in RELEASABLE:
        raise InvalidTransition(
            f"item {item.code} has disposition '{item.disposition}': record the judgment's "
            f"order (return, confiscation, sale) before releasing it",
            key="keysa_items.release_needs_order",
            params={"code": item.code, "disposition": item.disposition},
        )
    details = {
        "disposition": item.disposition,
        "recipient": data.recipient,
        **receiver_details(data),
        **_document(data),
    }
    return approvals.ask(
        session,
        item,
        ApprovalKind.release,
        actor,
        data.reason,
        {"status": ItemStatus.released.value},
        (EventType.release, details),
        leaves=True,
    )


def transfer(session: Session, code: str, data: TransferRequest, actor: User) -> Item:
    """Ask to hand the item to another agency that will keep it: confirmed by a manager, it
    is in transit until the receiving agency's keeper scans it in."""
    item = for_change(session, code, actor, data.version, "transfer")
    to_agency = session.exec(select(Agency).where(Agency.code == data.to_agency.strip())).first()
    if to_agency is None:
        raise Invalid(
            "to_agency",
            f"no agency has the code '{data.to_agency}'",
            data.to_agency,
            key="keysa_auth.unknown_agency",
            params={"agency": data.to_agency},
        )
    if to_agency.id == item.agency_id:
        raise Invalid(
            "to_agency",
            "the item already belongs to that agency",
            data.to_agency,
            key="keysa_items.same_agency",
            params={"code": item.code, "agency": to_agency.code},
        )
    # The receiving agency is the body the receiver acts for, unless the keeper says more.
    details = {
        "to_agency": to_agency.code,
        "to_agency_id": to_agency.id,
        "recipient_organisation": to_agency.name,
        **({"recipient": clean_name(data.recipient)} if data.recipient.strip() else {}),
        **receiver_details(data),
        **_document(data),
    }
    return approvals.ask(
        session,
        item,
        ApprovalKind.transfer,
        actor,
        data.reason,
        {"status": ItemStatus.in_transit.value},
        (EventType.transfer, details),
        leaves=True,
        to_agency_id=to_agency.id,
    )
