"""Opening a seal (mở niêm phong, Decree 127/2017; vn-legal-context §2.4): for sampling, for
destruction or for an inspection. The seal is checked, opened, the item inspected, and a
record made of the seal before opening and the item after; the item may be sealed again
with a new seal. The item's change, its custody event and the record (an official document,
subject ``unsealing:<id>``) are one transaction."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator
from reportlab.platypus import Flowable
from sqlmodel import Session, col, select

from .. import documents as docs
from ..checkpoints import current_anchor
from ..custody import EventType, NewEvent
from ..errors import Invalid, InvalidTransition
from ..i18n import Translator, translator
from ..i18n.formatting import local_day
from ..models import Item, Location, OfficialDocument, SealState, Unsealing, UnsealPurpose, User
from .lifecycle import Versioned, for_change, update_item
from .requests import Participant, SamplingDetails, checked_opening

KIND = "unsealing_record"
SAMPLING_KIND = "sampling_record"
# The key of a sample's record facts in its approval, while it waits for a manager.
SAMPLING = "sampling"


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
        self.opened_at = checked_opening(self.resealed, self.new_seal_number, self.opened_at)
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
    _finalise(session, row, code, actor)
    return row


def record_destruction_opening(
    session: Session,
    item: Item,
    *,
    at: datetime,
    place: str,
    seal_number: str | None,
    seal_state: str,
    seal_note: str | None,
    condition: str | None,
    council: list[dict[str, Any]],
    decision: str | None,
    actor: User,
) -> Unsealing:
    """The unsealing record of an item the council opens to destroy it (vn-legal-context
    §2.4: every destruction starts with an unsealing; §6 "Unseal the items and record it";
    Decree 127/2017): the seal as the council found it, the item once opened, the council
    present and signing, the destruction decision it rests on; not sealed again. One record
    per item, as the model keeps one (``Unsealing.item_id``) and the item's documents list
    it. No custody event of its own: the destruction event carries the same seal check."""
    assert item.id is not None and actor.id is not None
    row = Unsealing(
        agency_id=item.agency_id,
        item_id=item.id,
        purpose=UnsealPurpose.destruction.value,
        opened_at=at,
        place=place,
        seal_number_before=seal_number or item.seal_number,
        seal_state_before=seal_state,
        seal_description=seal_note or "",
        condition_after=condition or "",
        resealed=False,
        participants=council,
        document_number=decision,
        created_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    _finalise(session, row, item.code, actor)
    return row


def sampling_facts(item: Item, data: SamplingDetails) -> dict[str, Any]:
    """The record's facts as asked, checked against the item now (a refusal is a 422 naming
    the field; nothing is written): a sealed item's opening must be described. Kept in the
    sample's approval when a manager must confirm, so the record is made then."""
    if item.seal_state != SealState.unsealed:
        required = {
            "place": data.place,
            "seal_description": data.seal_description,
            "condition_after": data.condition_after,
        }
        for field, value in required.items():
            if not value.strip():
                raise Invalid(
                    field,
                    f"item {item.code} is sealed: its unsealing record needs the {field}",
                    key=f"slips15_refusal.sealed_needs_{field}",
                    params={"code": item.code},
                )
        if len(data.participants) < 2:
            raise Invalid(
                "participants",
                f"item {item.code} is sealed: the organiser and a witness sign its opening",
                key="slips15_refusal.sealed_needs_participants",
                params={"code": item.code},
            )
    return data.model_dump(mode="json", include=set(SamplingDetails.model_fields))


def record_sample(
    session: Session, item: Item, facts: dict[str, Any], weights: dict[str, Any], actor: User
) -> tuple[Unsealing, dict[str, Any]]:
    """The record of a sample taken now (``facts`` from :func:`sampling_facts`, ``weights``
    taken and before/after), final and numbered; returns it and the item's seal fields after
    it (sealed again with the new seal, else left open; an item with no seal stays so)."""
    assert item.id is not None and actor.id is not None
    data = SamplingDetails.model_validate(facts)
    place = session.get(Location, item.location_id) if item.location_id else None
    participants = [p.model_dump() for p in data.participants] or [
        {"name": actor.full_name or actor.username, "position": "", "organisation": ""}
    ]
    row = Unsealing(
        agency_id=item.agency_id,
        item_id=item.id,
        purpose=UnsealPurpose.sampling.value,
        opened_at=data.opened_at or datetime.now(UTC),
        place=data.place or (place.code if place else ""),
        seal_number_before=item.seal_number,
        seal_state_before=item.seal_state,
        seal_description=data.seal_description,
        condition_after=data.condition_after or item.condition or "",
        resealed=data.resealed,
        new_seal_number=data.new_seal_number,
        participants=participants,
        document_number=data.document_number,
        notes=data.notes,
        sample={
            **weights,
            "description": data.sample_description,
            "recipient_document": data.recipient_document,
        },
        created_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    _finalise(session, row, item.code, actor)
    if data.resealed:
        seal = {"seal_state": SealState.intact.value, "seal_number": data.new_seal_number}
    elif item.seal_state != SealState.unsealed:
        seal = {"seal_state": SealState.unsealed.value, "seal_number": item.seal_number}
    else:
        seal = {}
    return row, seal


def sampled(
    session: Session,
    item: Item,
    details: dict[str, Any],
    changes: dict[str, Any],
    facts: dict[str, Any],
    actor: User,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A sample taken now (at once, or when a manager confirms it): its record made from
    the sample event's ``details`` and weight ``changes``; returns what the event adds (the
    record, which the stock card cites, and the seal before and after) and the item's seal
    fields to set with the weights."""
    weights = {
        "taken_g": details["taken_g"],
        "net_weight_before_g": details["net_weight_before_g"],
        "net_weight_after_g": details["net_weight_after_g"],
        "gross_weight_before_g": item.gross_weight_g,
        "gross_weight_after_g": changes.get("gross_weight_g"),
        "recipient": details.get("recipient") or "",
    }
    row, seal = record_sample(session, item, facts, weights, actor)
    more = {
        "unsealing": row.id,
        "sampling_record": row.number,
        "seal_state_before": item.seal_state,
        "seal_number_before": item.seal_number,
        "seal_state": seal.get("seal_state", item.seal_state),
        "seal_number": seal.get("seal_number", item.seal_number),
    }
    return more, seal


def _finalise(session: Session, row: Unsealing, code: str, actor: User) -> None:
    doc = _document(session, row, "vi")

    def draw(number: docs.Number) -> bytes:
        return docs.render(replace(doc, number=number.printed), _body(session, doc, row, code))

    kind = kind_of(row)
    row.number = docs.finalise(session, kind, row.agency_id, subject(row), draw, actor).number
    session.add(row)
    session.flush()


def kind_of(row: Unsealing) -> str:
    """The record's kind: a sample's record, or the record of an opening that took none."""
    return SAMPLING_KIND if row.sample is not None else KIND


def subject(row: Unsealing) -> str:
    return f"unsealing:{row.id}"


def _document(session: Session, row: Unsealing, lang: str) -> docs.Document:
    t = translator(lang)
    if row.sample is None:
        subtitle = t(f"handover_unseal.purpose_{row.purpose}")
    elif row.seal_state_before == SealState.unsealed:
        subtitle = t("slips15_sampling.no_seal")
    else:
        subtitle = t("handover_unseal.purpose_sampling")
    return docs.Document(
        kind=kind_of(row),
        lang=lang,
        agency=docs.agency_header(session, row.agency_id),
        day=local_day(row.opened_at),
        number=row.number,
        chain_head=current_anchor(session).printed(),
        subtitle=subtitle,
    )


def _seal_before(t: Translator, row: Unsealing) -> str:
    return t(
        "handover_unseal.seal_before",
        number=row.seal_number_before or "…",
        state=t(f"handover_seal.{row.seal_state_before}"),
        description=row.seal_description,
    )


def _participants(t: Translator, row: Unsealing) -> list[Flowable]:
    return docs.bullets(
        [
            t(
                "handover_unseal.participant",
                name=p["name"],
                position=p.get("position") or "…",
                organisation=p.get("organisation") or "…",
            )
            for p in row.participants
        ]
    )


def _signers(row: Unsealing) -> list[docs.Signer]:
    return [docs.Signer(p.get("position") or p["name"], p["name"]) for p in row.participants]


def _sample_lines(t: Translator, row: Unsealing) -> list[str]:
    """The sample: what it is, the weight taken, before and after, and who receives it."""
    sample = row.sample or {}
    lines = [
        t(
            "slips15_sampling.weights",
            taken=t.weight(sample.get("taken_g")),
            before=t.weight(sample.get("net_weight_before_g")),
            after=t.weight(sample.get("net_weight_after_g")),
        )
    ]
    if sample.get("gross_weight_before_g") is not None:
        lines.append(
            t(
                "slips15_sampling.gross",
                before=t.weight(sample.get("gross_weight_before_g")),
                after=t.weight(sample.get("gross_weight_after_g")),
            )
        )
    if sample.get("description"):
        lines.append(t("slips15_sampling.description", description=sample["description"]))
    lines.append(
        t(
            "slips15_sampling.recipient",
            recipient=sample.get("recipient") or "…",
            document=sample.get("recipient_document") or "…",
        )
    )
    return lines


def _sampling_body(
    session: Session, doc: docs.Document, row: Unsealing, code: str
) -> list[Flowable]:
    t = doc.t
    sealed = row.seal_state_before != SealState.unsealed
    extra = [t("slips15_sampling.order", number=row.document_number)] if row.document_number else []
    out: list[Flowable] = [
        *docs.basis(doc, extra),
        docs.para(
            t(
                "handover_unseal.opening",
                when=docs.moment_words(t, row.opened_at),
                place=row.place or "…",
            )
        ),
        *_participants(t, row),
        docs.para(
            t("slips15_sampling.item" if sealed else "slips15_sampling.item_no_seal", code=code)
        ),
    ]
    if sealed:
        out += [
            docs.heading(t("handover_unseal.step_check")),
            docs.para(_seal_before(t, row)),
            docs.heading(t("handover_unseal.step_inspect")),
        ]
    else:
        out.append(docs.heading(t("slips15_sampling.step_condition")))
    step = 3 if sealed else 2  # after the seal and the item, or the item alone
    out += [
        docs.para(row.condition_after or "…"),
        docs.heading(t("slips15_sampling.step_sample", n=step)),
        *[docs.para(line) for line in _sample_lines(t, row)],
    ]
    if sealed or row.resealed:
        out += [
            docs.heading(t("slips15_sampling.step_after", n=step + 1)),
            docs.para(
                t("handover_unseal.resealed", number=row.new_seal_number)
                if row.resealed
                else t("handover_unseal.left_open")
            ),
        ]
    if row.notes:
        out.append(docs.para(t("handover_record.notes", notes=row.notes)))
    out += [docs.para(t("handover_unseal.conclusion")), *docs.copies(doc)]
    return out + docs.signatures(t, _signers(row))


def _body(session: Session, doc: docs.Document, row: Unsealing, code: str) -> list[Flowable]:
    if row.sample is not None:
        return _sampling_body(session, doc, row, code)
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
    return docs.stored(session, kind_of(row), subject(row))


def unsealings_of_item(session: Session, item_id: int) -> list[Unsealing]:
    return list(
        session.exec(
            select(Unsealing).where(Unsealing.item_id == item_id).order_by(col(Unsealing.id))
        ).all()
    )
