"""Opening a seal (mở niêm phong, Decree 127/2017; vn-legal-context §2.4): for sampling, for
destruction or for an inspection. The seal is checked, opened, the item inspected, and a
record made of the seal before opening and the item after; the item may be sealed again
with a new seal. The item's change, its custody event and the record (an official document,
subject ``unsealing:<id>``) are one transaction."""

from dataclasses import replace
from datetime import UTC, datetime

from pydantic import BaseModel, Field, model_validator
from reportlab.platypus import Flowable
from sqlmodel import Session, col, select

from .. import documents as docs
from ..checkpoints import current_anchor
from ..custody import EventType, NewEvent
from ..errors import InvalidTransition, value_error
from ..i18n import Translator, translator
from ..i18n.formatting import local_day
from ..models import OfficialDocument, SealState, Unsealing, UnsealPurpose, User
from .lifecycle import Versioned, for_change, update_item

KIND = "unsealing_record"


class Participant(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=200)


class UnsealRequest(Versioned):
    purpose: UnsealPurpose
    opened_at: datetime | None = Field(default=None, description="defaults to now")
    place: str = Field(min_length=1, max_length=300)
    seal_description: str = Field(
        min_length=1, max_length=4000, description="the seal as seen before opening"
    )
    condition_after: str = Field(
        min_length=1, max_length=4000, description="the item as found once opened"
    )
    resealed: bool = False
    new_seal_number: str | None = Field(default=None, max_length=64)
    # The organiser and at least one witness sign (Decree 127/2017: the participants sign).
    participants: list[Participant] = Field(min_length=2, max_length=20)
    document_number: str | None = Field(
        default=None, max_length=100, description="the decision or order to open it"
    )
    notes: str = Field(default="", max_length=20000)

    @model_validator(mode="after")
    def _checked(self) -> "UnsealRequest":
        if self.resealed and not (self.new_seal_number or "").strip():
            raise value_error("a new seal needs its number", "keysa_items.new_seal_number")
        if not self.resealed and self.new_seal_number:
            raise value_error(
                "a new seal number is given but resealed is false", "keysa_items.not_resealed"
            )
        if self.opened_at is not None:
            if self.opened_at.tzinfo is None:
                self.opened_at = self.opened_at.replace(tzinfo=UTC)
            if self.opened_at > datetime.now(UTC):
                raise value_error("opened_at cannot be in the future", "keysa_items.opened_future")
        return self


class UnsealingPublic(BaseModel):
    id: int
    number: str | None
    item_code: str
    purpose: UnsealPurpose
    opened_at: datetime
    seal_number_before: str | None
    seal_state_before: SealState
    resealed: bool
    new_seal_number: str | None
    sha256: str | None


def unseal(session: Session, code: str, data: UnsealRequest, actor: User) -> Unsealing:
    """Open the item's seal with its record; refused (409) if the item has no seal."""
    item = for_change(session, code, actor, data.version, "seal_check")
    if item.seal_state == SealState.unsealed:
        raise InvalidTransition(
            f"item {item.code} has no seal to open",
            key="keysa_items.no_seal",
            params={"code": item.code},
        )
    assert item.id is not None and actor.id is not None
    at = data.opened_at or datetime.now(UTC)
    row = Unsealing(
        agency_id=item.agency_id,
        item_id=item.id,
        purpose=data.purpose.value,
        opened_at=at,
        place=data.place,
        seal_number_before=item.seal_number,
        seal_state_before=item.seal_state,
        seal_description=data.seal_description,
        condition_after=data.condition_after,
        resealed=data.resealed,
        new_seal_number=data.new_seal_number,
        participants=[p.model_dump() for p in data.participants],
        document_number=data.document_number,
        notes=data.notes,
        created_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    after = SealState.intact if data.resealed else SealState.unsealed
    event = NewEvent(
        item.id,
        EventType.unsealing,
        actor.id,
        reason=data.reason,
        details={
            "unsealing": row.id,
            "purpose": data.purpose.value,
            "seal_state_before": item.seal_state,
            "seal_number_before": item.seal_number,
            "seal_state": after.value,
            "seal_number": data.new_seal_number if data.resealed else item.seal_number,
        },
    )
    update_item(
        session,
        item,
        event,
        seal_state=after.value,
        seal_number=data.new_seal_number if data.resealed else item.seal_number,
    )
    doc = _document(session, row, "vi")

    def draw(number: docs.Number) -> bytes:
        return docs.render(replace(doc, number=number.printed), _body(session, doc, row, code))

    row.number = docs.finalise(session, KIND, row.agency_id, subject(row), draw, actor).number
    session.add(row)
    session.flush()
    return row


def subject(row: Unsealing) -> str:
    return f"unsealing:{row.id}"


def _document(session: Session, row: Unsealing, lang: str) -> docs.Document:
    return docs.Document(
        kind=KIND,
        lang=lang,
        agency=docs.agency_header(session, row.agency_id),
        day=local_day(row.opened_at),
        number=row.number,
        chain_head=current_anchor(session).printed(),
        subtitle=translator(lang)(f"handover_unseal.purpose_{row.purpose}"),
    )


def _seal_before(t: Translator, row: Unsealing) -> str:
    return t(
        "handover_unseal.seal_before",
        number=row.seal_number_before or "…",
        state=t(f"handover_seal.{row.seal_state_before}"),
        description=row.seal_description,
    )


def _body(session: Session, doc: docs.Document, row: Unsealing, code: str) -> list[Flowable]:
    t = doc.t
    extra = [t("handover_unseal.order", number=row.document_number)] if row.document_number else []
    out: list[Flowable] = [
        *docs.basis(doc, extra),
        docs.para(
            t(
                "handover_unseal.opening",
                when=docs.moment_words(t, row.opened_at),
                place=row.place,
            )
        ),
        *docs.bullets(
            [
                t(
                    "handover_unseal.participant",
                    name=p["name"],
                    position=p.get("position") or "…",
                    organisation=p.get("organisation") or "…",
                )
                for p in row.participants
            ]
        ),
        docs.para(t("handover_unseal.item", code=code)),
        docs.heading(t("handover_unseal.step_check")),
        docs.para(_seal_before(t, row)),
        docs.heading(t("handover_unseal.step_inspect")),
        docs.para(row.condition_after),
        docs.heading(t("handover_unseal.step_after")),
        docs.para(
            t("handover_unseal.resealed", number=row.new_seal_number)
            if row.resealed
            else t("handover_unseal.left_open")
        ),
    ]
    if row.notes:
        out.append(docs.para(t("handover_record.notes", notes=row.notes)))
    out += [docs.para(t("handover_unseal.conclusion")), *docs.copies(doc)]
    return out + docs.signatures(
        t, [docs.Signer(p.get("position") or p["name"], p["name"]) for p in row.participants]
    )


def render(session: Session, row: Unsealing, code: str, lang: str) -> bytes:
    doc = _document(session, row, lang)
    return docs.render(doc, _body(session, doc, row, code))


def stored(session: Session, row: Unsealing) -> OfficialDocument | None:
    return docs.stored(session, KIND, subject(row))


def unsealings_of_item(session: Session, item_id: int) -> list[Unsealing]:
    return list(
        session.exec(
            select(Unsealing).where(Unsealing.item_id == item_id).order_by(col(Unsealing.id))
        ).all()
    )
