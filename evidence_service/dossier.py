"""Every document about one item, with where to get it: its handover record and entry slip,
its exit slips and hand-over records, its unsealing records, its stock card, the records of
the destruction batches and stocktakes that cover it (``GET /items/{code}/documents``, the
item page's links); and each of those documents to serve, the API and the pages alike (the
stored bytes once final, else drawn now). The pages' paths are the API's without its
prefix."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from . import custody_checks, documents
from .auth import agency_scope
from .errors import NotFound
from .exitslips import papers as exit_papers
from .exitslips.views import get_slip, slips_of_item
from .handovers import papers as handover_papers
from .handovers.views import get_handover, handovers_of_item
from .items import stock_card, unsealing
from .items.lookup import get_item
from .items.unsealing import unsealings_of_item
from .models import (
    DestructionBatch,
    DestructionItem,
    Handover,
    Item,
    OfficialDocument,
    Stocktake,
    StocktakeExpected,
    StocktakeLine,
    Unsealing,
    User,
)

API = "/api/v1"


class DocumentLink(BaseModel):
    kind: str  # the document's layout (documents/layouts/<kind>.toml)
    number: str | None  # once final
    date: datetime | None
    final: bool
    sha256: str | None  # of the stored bytes, once final
    url: str
    # Exit slips and their records: who received the item, and their position (None if the
    # slip was made before positions were asked).
    recipient: str | None = None
    recipient_position: str | None = None


def _kept(session: Session, kind: str, subject: str) -> tuple[str | None, str | None]:
    doc = documents.stored(session, kind, subject)
    return (doc.number, doc.sha256) if doc else (None, None)


def _handover(session: Session, handover: Handover) -> list[DocumentLink]:
    out = []
    for kind, path in (("handover_record", "record.pdf"), ("entry_slip", "entry-slip.pdf")):
        number, sha = _kept(session, kind, f"handover:{handover.id}")
        out.append(
            DocumentLink(
                kind=kind,
                number=number,
                date=handover.handed_over_at,
                final=handover.final_at is not None,
                sha256=sha,
                url=f"{API}/handovers/{handover.id}/{path}",
            )
        )
    return out


def item_documents(session: Session, code: str, actor: User) -> list[DocumentLink]:
    """The item's documents, in the order they were made; the stock card last (live)."""
    item = get_item(session, code, actor)
    assert item.id is not None
    links: list[DocumentLink] = []
    for handover in handovers_of_item(session, item.id):
        links += _handover(session, handover)
    for slip in slips_of_item(session, item.id):
        for kind, path in (
            ("exit_slip", f"{slip.id}.pdf"),
            ("exit_record", f"{slip.id}/record.pdf"),
        ):
            number, sha = _kept(session, kind, f"exit_slip:{slip.id}")
            if number is None:
                continue  # an exit that needs no hand-over record
            links.append(
                DocumentLink(
                    kind=kind,
                    number=number,
                    date=slip.issued_at,
                    final=True,
                    sha256=sha,
                    url=f"{API}/exit-slips/{path}",
                    recipient=slip.recipient or None,
                    recipient_position=slip.recipient_position,
                )
            )
    for row in unsealings_of_item(session, item.id):
        kind = unsealing.kind_of(row)  # a sample's record, or an opening's
        number, sha = _kept(session, kind, unsealing.subject(row))
        links.append(
            DocumentLink(
                kind=kind,
                number=number,
                date=row.opened_at,
                final=number is not None,
                sha256=sha,
                url=f"{API}/unsealings/{row.id}/record.pdf",
            )
        )
    for check in custody_checks.checks_of_item(session, item.id):
        number, sha = _kept(session, custody_checks.KIND, custody_checks.subject(check))
        links.append(
            DocumentLink(
                kind=custody_checks.KIND,
                number=number,
                date=check.checked_at,
                final=number is not None,
                sha256=sha,
                url=f"{API}/custody-checks/{check.id}.pdf",
            )
        )
    links += _destruction(session, item) + _stocktakes(session, item)
    links.append(
        DocumentLink(
            kind="stock_card",
            number=item.code,
            date=None,
            final=False,
            sha256=None,
            url=f"{API}/items/{item.code}/stock-card.pdf",
        )
    )
    return links


def _destruction(session: Session, item: Item) -> list[DocumentLink]:
    batches = session.exec(
        select(DestructionBatch)
        .join(DestructionItem, col(DestructionItem.batch_id) == DestructionBatch.id)
        .where(DestructionItem.item_id == item.id)
        .order_by(col(DestructionBatch.id))
    ).all()
    out = []
    for batch in batches:
        number, sha = _kept(session, "destruction_record", f"destruction_batch:{batch.id}")
        out.append(
            DocumentLink(
                kind="destruction_record",
                number=number or batch.number,
                date=batch.executed_at,
                final=batch.closed_at is not None,
                sha256=sha or batch.record_sha256,
                url=f"{API}/destruction-batches/{batch.id}/record.pdf",
            )
        )
    return out


def _stocktakes(session: Session, item: Item) -> list[DocumentLink]:
    counted = select(StocktakeLine.stocktake_id).where(StocktakeLine.item_id == item.id)
    expected = select(StocktakeExpected.stocktake_id).where(StocktakeExpected.item_id == item.id)
    stocktakes = session.exec(
        select(Stocktake)
        .where(col(Stocktake.id).in_(counted) | col(Stocktake.id).in_(expected))
        .order_by(col(Stocktake.id))
    ).all()
    out = []
    for st in stocktakes:
        number, sha = _kept(session, "stocktake_record", f"stocktake:{st.id}")
        out.append(
            DocumentLink(
                kind="stocktake_record",
                number=number,
                date=st.closed_at or st.started_at,
                final=st.status == "closed",
                sha256=sha,
                url=f"{API}/stocktakes/{st.id}/record.pdf",
            )
        )
    return out


@dataclass(frozen=True)
class Fetched:
    """A document to serve: the stored bytes (with their SHA-256) or bytes drawn now."""

    pdf: bytes
    sha256: str | None
    name: str


def _served(kept: OfficialDocument | None, draw: Callable[[], bytes], name: str) -> Fetched:
    if kept is not None:
        return Fetched(kept.pdf, kept.sha256, name)
    return Fetched(draw(), None, name)


def handover_pdf(
    session: Session, handover_id: int, kind: str, actor: User, lang: str = "vi"
) -> Fetched:
    """The handover record or entry slip: stored once final (Vietnamese), else drawn now."""
    handover = get_handover(session, handover_id, actor)
    kept = handover_papers.stored(session, handover, kind) if lang == "vi" else None
    return _served(
        kept,
        lambda: handover_papers.render(session, handover, kind, lang),
        f"{kind}-{handover_id}-{lang}",
    )


def exit_pdf(session: Session, slip_id: int, kind: str, actor: User, lang: str = "vi") -> Fetched:
    """The exit slip, or its hand-over record (404 for an exit that needs none)."""
    slip = get_slip(session, slip_id, actor)
    if kind == exit_papers.RECORD and slip.record_number is None:
        raise NotFound(
            f"exit slip {slip_id} has no hand-over record (its exit needs none)",
            key="keysb_dossier.no_exit_record",
        )
    kept = exit_papers.stored(session, slip, kind) if lang == "vi" else None
    return _served(
        kept, lambda: exit_papers.render(session, slip, kind, lang), f"{kind}-{slip_id}-{lang}"
    )


def unsealing_pdf(session: Session, unsealing_id: int, actor: User, lang: str = "vi") -> Fetched:
    row = session.get(Unsealing, unsealing_id)
    if row is None or row.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"unsealing {unsealing_id} not found",
            key="keysb_dossier.unsealing_not_found",
        )
    item = session.get(Item, row.item_id)
    assert item is not None
    kept = unsealing.stored(session, row) if lang == "vi" else None
    return _served(
        kept,
        lambda: unsealing.render(session, row, item.code, lang),
        f"unsealing-{unsealing_id}-{lang}",
    )


def stock_card_pdf(session: Session, code: str, actor: User, lang: str = "vi") -> Fetched:
    """Live: drawn on request, never stored."""
    pdf = stock_card.stock_card_pdf(session, code, actor, lang)
    return Fetched(pdf, None, f"stock-card-{code}-{lang}")
