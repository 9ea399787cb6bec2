"""Finding exit slips and what the API shows of them."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from ..auth import agency_scope
from ..documents import documents_about
from ..errors import NotFound
from ..models import ExitKind, ExitSlip, Item, User


class ExitSlipPublic(BaseModel):
    id: int
    kind: ExitKind
    item_code: str
    issued_at: datetime
    recipient: str
    recipient_position: str | None = None
    recipient_id_document: str | None = None
    recipient_organisation: str | None = None
    document_number: str | None
    document_date: date | None
    document_issuer: str | None
    number: str | None
    sha256: str | None
    record_number: str | None
    record_sha256: str | None
    snapshot: dict[str, Any]


def get_slip(session: Session, slip_id: int, actor: User) -> ExitSlip:
    slip = session.get(ExitSlip, slip_id)
    if slip is None or slip.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"exit slip {slip_id} not found",
            key="keysb_dossier.exit_slip_not_found",
        )
    return slip


def slip_public(session: Session, slip: ExitSlip) -> ExitSlipPublic:
    item = session.get(Item, slip.item_id)
    assert item is not None and slip.id is not None
    kept = {d.kind: d.sha256 for d in documents_about(session, f"exit_slip:{slip.id}")}
    return ExitSlipPublic(
        id=slip.id,
        number=slip.number,
        kind=ExitKind(slip.kind),
        item_code=item.code,
        issued_at=slip.issued_at,
        recipient=slip.recipient,
        recipient_position=slip.recipient_position,
        recipient_id_document=slip.recipient_id_document,
        recipient_organisation=slip.recipient_organisation,
        document_number=slip.document_number,
        document_date=slip.document_date,
        document_issuer=slip.document_issuer,
        sha256=kept.get("exit_slip"),
        record_number=slip.record_number,
        record_sha256=kept.get("exit_record"),
        snapshot=slip.snapshot,
    )


def slips_of_item(session: Session, item_id: int) -> list[ExitSlip]:
    return list(
        session.exec(
            select(ExitSlip).where(ExitSlip.item_id == item_id).order_by(col(ExitSlip.id))
        ).all()
    )
