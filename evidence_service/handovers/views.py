"""Finding handovers and what the API and the pages show of them."""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..auth import agency_scope
from ..documents import documents_about
from ..errors import NotFound
from ..models import Agency, Case, Handover, HandoverLine, Item, ReceiverRole, SealState, User
from . import rules
from .schemas import (
    ActRef,
    Deliverer,
    HandoverCustodian,
    HandoverLinePublic,
    HandoverPublic,
    HandoverSummary,
    Receiver,
)


def get_handover(session: Session, handover_id: int, actor: User) -> Handover:
    handover = session.get(Handover, handover_id)
    if handover is None or handover.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"handover {handover_id} not found",
            key="keysb_handovers.not_found",
        )
    return handover


def handover_lines(session: Session, handover: Handover) -> list[tuple[HandoverLine, Item]]:
    return [
        (line, item)
        for line, item in session.execute(
            select(HandoverLine, Item)
            .join(Item, col(Item.id) == HandoverLine.item_id)
            .where(HandoverLine.handover_id == handover.id)
            .order_by(col(HandoverLine.line_no))
        ).all()
    ]


def handover_facts(session: Session, handover: Handover) -> rules.HandoverFacts:
    judged = session.exec(
        select(func.count())
        .select_from(HandoverLine)
        .join(Item, col(Item.id) == HandoverLine.item_id)
        .join(Case, col(Case.id) == Item.case_id)
        .where(HandoverLine.handover_id == handover.id, col(Case.judgment_number).is_(None))
    ).one()
    return rules.HandoverFacts(
        place=handover.place,
        deliverer={
            "name": handover.deliverer_name,
            "position": handover.deliverer_position,
            "agency": handover.deliverer_agency,
            "id_document": handover.deliverer_id_document,
        },
        receiver_roles=frozenset(ReceiverRole(r["role"]) for r in handover.receivers),
        acts=frozenset(handover.acts),
        resolution=handover.resolution,
        judged=judged == 0,
        in_place=rules.in_place(handover.custodian, handover.handed_over_at),
        custodian=handover.custodian or {},
    )


def line_facts(session: Session, handover: Handover) -> list[rules.LineFacts]:
    return [
        rules.LineFacts(
            category=item.category,
            seal_number=line.seal_number,
            seal_state=SealState(line.seal_state),
            matches=line.matches,
            difference=line.difference,
            has_own_conclusion=line.forensic_conclusion is not None,
        )
        for line, item in handover_lines(session, handover)
    ]


def missing(session: Session, handover: Handover) -> list[rules.Problem]:
    """What keeps the handover from being final (nothing, once it is)."""
    if handover.final_at is not None:
        return []
    return rules.problems(handover_facts(session, handover), line_facts(session, handover))


_CUSTODIAN_TEXTS = ("warehouse", "kind", "name", "representative", "position", "contract", "place")


def _act(value: dict[str, Any] | None) -> ActRef | None:
    return ActRef.model_validate(value) if value else None


def handover_public(session: Session, handover: Handover) -> HandoverPublic:
    agency = session.get(Agency, handover.agency_id)
    creator = session.get(User, handover.created_by_id)
    documents = {d.kind: d.sha256 for d in documents_about(session, f"handover:{handover.id}")}
    assert agency is not None and creator is not None and handover.id is not None
    return HandoverPublic(
        id=handover.id,
        agency_code=agency.code,
        case_id=handover.case_id,
        record_number=handover.record_number,
        entry_slip_number=handover.entry_slip_number,
        implicit=handover.implicit,
        final=handover.final_at is not None,
        handed_over_at=handover.handed_over_at,
        place=handover.place,
        deliverer=Deliverer(
            name=handover.deliverer_name,
            position=handover.deliverer_position,
            id_document=handover.deliverer_id_document,
            agency=handover.deliverer_agency,
            introduction_letter=handover.introduction_letter,
        ),
        receivers=[Receiver.model_validate(r) for r in handover.receivers],
        acts={k: ActRef.model_validate(v) for k, v in handover.acts.items()},
        resolution=handover.resolution,
        notes=handover.notes,
        created_by=creator.username,
        final_at=handover.final_at,
        record_sha256=documents.get("handover_record"),
        entry_slip_sha256=documents.get("entry_slip"),
        missing=[p.code for p in missing(session, handover)],
        custodian=(
            HandoverCustodian(
                **{k: str(handover.custodian.get(k) or "") for k in _CUSTODIAN_TEXTS},
                in_place=rules.in_place(handover.custodian, handover.handed_over_at),
            )
            if handover.custodian
            else None
        ),
        lines=[
            HandoverLinePublic(
                line_no=line.line_no,
                item_code=item.code,
                description=item.description,
                category=item.category,
                quantity=item.quantity,
                unit=item.unit,
                net_weight_g=item.seized_net_weight_g,
                condition=item.condition,
                matches_seizure_record=line.matches,
                difference=line.difference,
                seal_number=line.seal_number,
                seal_state=SealState(line.seal_state),
                seal_signatories=list(line.seal_signatories),
                forensic_conclusion=_act(line.forensic_conclusion),
            )
            for line, item in handover_lines(session, handover)
        ],
    )


def list_handovers(
    session: Session, actor: User, limit: int = 50, offset: int = 0, final: bool | None = None
) -> list[HandoverSummary]:
    """The agencies' handovers, newest first."""
    count = (
        select(func.count())
        .where(HandoverLine.handover_id == Handover.id)
        .correlate(Handover)
        .scalar_subquery()
    )
    query = select(Handover, count).where(col(Handover.agency_id).in_(agency_scope(session, actor)))
    if final is not None:
        query = query.where(
            col(Handover.final_at).is_not(None) if final else col(Handover.final_at).is_(None)
        )
    rows = session.execute(
        query.order_by(col(Handover.id).desc()).limit(limit).offset(offset)
    ).all()
    return [
        HandoverSummary(
            id=h.id,  # type: ignore[arg-type]
            record_number=h.record_number,
            entry_slip_number=h.entry_slip_number,
            handed_over_at=h.handed_over_at,
            deliverer_name=h.deliverer_name,
            deliverer_agency=h.deliverer_agency,
            item_count=n,
            final=h.final_at is not None,
            implicit=h.implicit,
        )
        for h, n in rows
    ]


def handovers_of_item(session: Session, item_id: int) -> list[Handover]:
    """The item's handovers, oldest first: its intake's, then one per return after a
    check-out (``receiving.receive_return``)."""
    return list(
        session.exec(
            select(Handover)
            .join(HandoverLine, col(HandoverLine.handover_id) == Handover.id)
            .where(HandoverLine.item_id == item_id)
            .order_by(col(Handover.id))
        )
    )


def handover_of_item(session: Session, item_id: int) -> Handover | None:
    """The handover the item was received with (its intake's)."""
    found = handovers_of_item(session, item_id)
    return found[0] if found else None
