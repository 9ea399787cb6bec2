"""Making a document final: its number is taken then, and its bytes are kept with their
SHA-256, so what is served later is what was issued.

Numbers run per kind of document, agency and year (the year in Viet Nam), from 1, as
administrative documents are numbered (Decree 30/2020/NĐ-CP Art. 15: numbers restart every
1 January at each issuer). The counter is one row of ``code_counters`` bumped by a single
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement: on PostgreSQL two transactions
numbering at once queue on that row and get consecutive numbers (a rolled-back one leaves a
gap, never a duplicate; the unique key on kind, agency, year and number backs it); on SQLite
the writer holds the database's only write lock.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from ..legal.holidays import local_today
from ..models import OfficialDocument, User
from .layouts import layout


@dataclass(frozen=True)
class Number:
    """A document's number: ``seq`` in ``year``, printed ``05/BB-HĐTH``."""

    kind: str
    agency_id: int
    year: int
    seq: int
    code: str

    @property
    def printed(self) -> str:
        return f"{self.seq:02d}/{self.code}"


def take_number(session: Session, kind: str, agency_id: int, year: int | None = None) -> Number:
    """The next number of ``kind`` at ``agency_id`` in ``year`` (default: this year in Viet
    Nam). Taken for good: call it when the document becomes final."""
    year = year or local_today().year
    name = f"doc:{kind}:{agency_id}:{year}"
    value = session.execute(
        text(
            "INSERT INTO code_counters (name, value) VALUES (:name, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = code_counters.value + 1 RETURNING value"
        ),
        {"name": name},
    ).scalar_one()
    return Number(kind, agency_id, year, int(value), layout(kind).code)


def finalise(
    session: Session,
    kind: str,
    agency_id: int,
    subject: str,
    render: Callable[[Number], bytes],
    actor: User | None = None,
    year: int | None = None,
) -> OfficialDocument:
    """Number the document, render it with that number (``render(number)`` gives the PDF
    bytes) and keep the bytes and their SHA-256. ``subject`` names what it is about
    (``destruction_batch:12``): one final document of a kind per subject."""
    if stored(session, kind, subject) is not None:
        raise ValueError(f"{kind} for {subject} is already final")
    number = take_number(session, kind, agency_id, year)
    pdf = render(number)
    document = OfficialDocument(
        kind=kind,
        agency_id=agency_id,
        year=number.year,
        seq=number.seq,
        number=number.printed,
        subject=subject,
        sha256=hashlib.sha256(pdf).hexdigest(),
        pdf=pdf,
        finalised_by_id=actor.id if actor else None,
    )
    session.add(document)
    session.flush()
    return document


def stored(session: Session, kind: str, subject: str) -> OfficialDocument | None:
    """The final document of ``kind`` about ``subject``, if it was made final (its bytes
    are read when used)."""
    return session.exec(
        select(OfficialDocument)
        .options(defer(OfficialDocument.pdf))  # type: ignore[arg-type]
        .where(OfficialDocument.kind == kind, OfficialDocument.subject == subject)
    ).first()


def documents_about(session: Session, subject: str) -> list[OfficialDocument]:
    """Every final document about ``subject`` (for the pages' links), oldest first."""
    return list(
        session.exec(
            select(OfficialDocument)
            .options(defer(OfficialDocument.pdf))  # type: ignore[arg-type]
            .where(OfficialDocument.subject == subject)
            .order_by(OfficialDocument.id)  # type: ignore[arg-type]
        )
    )
