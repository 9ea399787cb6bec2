"""What the API shows of a batch, its photos and its record."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from .. import documents
from ..auth import agency_scope, require
from ..checkpoints import current_anchor
from ..environment.batch import batch_estimate
from ..environment.sites import site_flags
from ..errors import Conflict, NotFound
from ..models import (
    Agency,
    BatchStatus,
    Case,
    Category,
    CouncilMember,
    CouncilRole,
    DestructionBatch,
    DestructionItem,
    DestructionPhoto,
    EnforcementDecision,
    ExitKind,
    ExitSlip,
    ItemStatus,
    LegalRegime,
    Location,
    Unsealing,
    UnsealPurpose,
    User,
    Warehouse,
)
from ..photos import PhotoTooLarge
from .batches import get_batch, lines
from .checking import seal_problem
from .methods import load_methods
from .record import render_record
from .schemas import (
    BatchItemPublic,
    BatchPublic,
    BatchSummary,
    Flag,
    ItemResult,
    MemberPublic,
    PhotoPublic,
    SealSeen,
)

# The one refusal of a photo too large (photos.py): a destruction photo is a photo.
PayloadTooLarge = PhotoTooLarge


def user_name(user: User) -> str:
    """How a batch and its record name a user: the full name, else the username."""
    return user.full_name or user.username


def _users(session: Session, ids: set[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    rows = session.exec(select(User).where(col(User.id).in_(wanted))).all() if wanted else []
    return {u.id: u for u in rows if u.id is not None}


def photo_public(photo: DestructionPhoto, uploaded_by: str) -> PhotoPublic:
    assert photo.id is not None
    return PhotoPublic(
        id=photo.id,
        filename=photo.filename,
        content_type=photo.content_type,
        size_bytes=photo.size_bytes,
        sha256=photo.sha256,
        caption=photo.caption,
        uploaded_by=uploaded_by,
        uploaded_at=photo.uploaded_at,
    )


def _agency(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    assert agency is not None
    return agency


def batch_summary(session: Session, batch: DestructionBatch, item_count: int) -> BatchSummary:
    assert batch.id is not None
    return BatchSummary(
        id=batch.id,
        number=batch.number,
        agency_code=_agency(session, batch.agency_id).code,
        status=BatchStatus(batch.status),
        title=batch.title,
        created_at=batch.created_at,
        decision_number=batch.decision_number,
        decision_date=batch.decision_date,
        executed_at=batch.executed_at,
        method=batch.method,
        environmental_risk=batch.environmental_risk,
        item_count=item_count,
        closed_at=batch.closed_at,
        record_sha256=batch.record_sha256,
    )


def summaries(session: Session, actor: User, status: BatchStatus | None) -> list[BatchSummary]:
    query = (
        select(DestructionBatch)
        .options(defer(DestructionBatch.record_pdf))  # type: ignore[arg-type]
        .where(col(DestructionBatch.agency_id).in_(agency_scope(session, actor)))
    )
    if status is not None:
        query = query.where(DestructionBatch.status == status.value)
    batches = session.exec(query.order_by(col(DestructionBatch.id).desc())).all()
    counts: dict[int, int] = {
        batch_id: n
        for batch_id, n in session.execute(
            select(col(DestructionItem.batch_id), func.count())
            .where(col(DestructionItem.batch_id).in_([b.id for b in batches]))
            .group_by(col(DestructionItem.batch_id))
        ).all()
    }
    return [batch_summary(session, b, counts.get(b.id or 0, 0)) for b in batches]


def batch_public(session: Session, batch: DestructionBatch) -> BatchPublic:
    batch_lines = lines(session, batch)
    cases = {
        c.id: c
        for c in session.exec(
            select(Case).where(col(Case.id).in_({i.case_id for _, i in batch_lines}))
        )
    }
    warehouse_ids = {line.warehouse_id for line, _ in batch_lines}
    location_ids = {i.location_id for _, i in batch_lines if i.location_id is not None}
    by_location = dict(
        session.execute(
            select(Location.id, Warehouse.code)
            .join(Warehouse, col(Warehouse.id) == Location.warehouse_id)
            .where(col(Location.id).in_(location_ids))
        ).all()  # type: ignore[arg-type]
    )
    by_warehouse = dict(
        session.execute(
            select(Warehouse.id, Warehouse.code).where(col(Warehouse.id).in_(warehouse_ids))
        ).all()  # type: ignore[arg-type]
    )
    decisions: dict[int, list[str]] = {}
    for decision in session.exec(
        select(EnforcementDecision)
        .where(col(EnforcementDecision.case_id).in_(set(cases)))
        .order_by(col(EnforcementDecision.year), col(EnforcementDecision.id))
    ):
        decisions.setdefault(decision.case_id, []).append(decision.number)
    # The exit slip each destroyed item left with (made at execution, items.leaving).
    slips = {
        item_id: (slip_id, number)
        for item_id, slip_id, number in session.execute(
            select(col(ExitSlip.item_id), col(ExitSlip.id), col(ExitSlip.number)).where(
                col(ExitSlip.item_id).in_([i.id for _, i in batch_lines]),
                ExitSlip.kind == ExitKind.destruction.value,
            )
        )
    }
    # The record of each item's opening at execution (items.unsealing, purpose destruction).
    opened = {
        item_id: (row_id, number)
        for item_id, row_id, number in session.execute(
            select(col(Unsealing.item_id), col(Unsealing.id), col(Unsealing.number))
            .where(
                col(Unsealing.item_id).in_([i.id for _, i in batch_lines]),
                Unsealing.purpose == UnsealPurpose.destruction.value,
            )
            .order_by(col(Unsealing.id))
        )
    }
    items = []
    for line, item in batch_lines:
        case = cases[item.case_id]
        items.append(
            BatchItemPublic(
                code=item.code,
                category=Category(item.category),
                description=item.description,
                case_id=item.case_id,
                judgment_number=case.judgment_number,
                legal_regime=LegalRegime(case.legal_regime),
                item_status=ItemStatus(item.status),
                seal_number=item.seal_number,
                quantity=item.quantity,
                unit=item.unit,
                override_reason=line.override_reason,
                enforcement_decision_date=line.enforcement_decision_date,
                council_due_on=line.council_due_on,
                council_days_late=line.council_days_late,
                recorded_weight_g=(line.recorded_weight_g if line.result else item.net_weight_g),
                measured_weight_g=line.measured_weight_g,
                weight_difference_pct=line.weight_difference_pct,
                weight_flagged=line.weight_flagged,
                weight_note=line.weight_note,
                seal_intact=line.seal_intact,
                result=ItemResult(line.result) if line.result else None,
                exclusion_reason=line.exclusion_reason,
                warehouse_code=by_warehouse.get(line.warehouse_id)
                or by_location.get(item.location_id),
                condition=item.condition,
                condition_before=line.condition_before,
                method=line.line_method or batch.method,
                seal_state_seen=SealSeen(line.seal_state_seen) if line.seal_state_seen else None,
                seal_number_seen=line.seal_number_seen,
                seal_note=line.seal_note,
                entry_slip_no=item.entry_slip_no,
                exit_slip_id=slips.get(item.id, (None, None))[0],
                exit_slip_no=slips.get(item.id, (None, None))[1],
                unsealing_id=opened.get(item.id, (None, None))[0],
                unsealing_no=opened.get(item.id, (None, None))[1],
                enforcement_decisions=decisions.get(item.case_id)
                or ([case.decision_number] if case.decision_number else []),
            )
        )
    members_rows = session.exec(
        select(CouncilMember)
        .where(CouncilMember.batch_id == batch.id)
        .order_by(col(CouncilMember.id))
    ).all()
    member_users = _users(session, {m.user_id for m in members_rows})
    members = [
        MemberPublic(
            name=m.name,
            position=m.position,
            organisation=m.organisation,
            role=CouncilRole(m.role),
            username=member_users[m.user_id].username if m.user_id in member_users else None,
            handled_items=list(m.handled_items),
            present_confirmed_at=m.present_confirmed_at,
        )
        for m in members_rows
    ]
    photo_rows = session.exec(
        select(DestructionPhoto)
        .options(defer(DestructionPhoto.data))  # type: ignore[arg-type]
        .where(DestructionPhoto.batch_id == batch.id)
        .order_by(col(DestructionPhoto.id))
    ).all()
    people = _users(
        session,
        {batch.created_by_id, batch.approved_by_id, batch.executed_by_id, batch.closed_by_id}
        | {p.uploaded_by_id for p in photo_rows},
    )
    names = {user_id: user_name(user) for user_id, user in people.items()}
    photos = [photo_public(p, names.get(p.uploaded_by_id, "")) for p in photo_rows]
    method = load_methods().methods.get(batch.method) if batch.method else None
    summary = batch_summary(session, batch, len(items))
    return BatchPublic(
        **summary.model_dump(),
        agency_name=_agency(session, batch.agency_id).name,
        notes=batch.notes,
        created_by=names.get(batch.created_by_id, ""),
        decision_issuer=batch.decision_issuer,
        approved_by=names.get(batch.approved_by_id) if batch.approved_by_id else None,
        approved_at=batch.approved_at,
        site=batch.site,
        method_name=method.name_vi if method else batch.method,
        method_details=dict(batch.method_details),
        environment=dict(batch.environment),
        safety_plan_ref=batch.safety_plan_ref,
        executed_by=names.get(batch.executed_by_id) if batch.executed_by_id else None,
        closed_by=names.get(batch.closed_by_id) if batch.closed_by_id else None,
        cancelled_at=batch.cancelled_at,
        cancel_reason=batch.cancel_reason,
        destruction_due_on=batch.destruction_due_on,
        destruction_days_late=batch.destruction_days_late,
        ended_at=batch.ended_at,
        attendees=list(batch.attendees or []),
        contractor=batch.contractor or None,
        conclusion=batch.conclusion,
        record_number=record_number(session, batch),
        version=batch.version,
        items=items,
        members=members,
        photos=photos,
        flags=_flags(batch, items, members),
        estimated_releases=batch_estimate(batch, batch_lines),
        site_flags=site_flags(batch.method, batch.method_details, batch.environment),
    )


def _flags(
    batch: DestructionBatch, items: list[BatchItemPublic], members: list[MemberPublic]
) -> list[Flag]:
    flags = [
        Flag(
            kind="member_handled_items",
            member=m.name,
            message=f"{m.name} took part in the custody of {', '.join(m.handled_items)}",
        )
        for m in members
        if m.handled_items
    ]
    for i in items:
        if i.weight_flagged:
            flags.append(
                Flag(
                    kind="weight_discrepancy",
                    item_code=i.code,
                    message=f"{i.code}: measured {i.measured_weight_g:g} g, recorded "
                    f"{i.recorded_weight_g:g} g ({i.weight_difference_pct} %): {i.weight_note}",
                )
            )
        if i.override_reason:
            flags.append(
                Flag(
                    kind="override",
                    item_code=i.code,
                    message=f"{i.code}: added by override: {i.override_reason}",
                )
            )
        if seal_problem(i):
            flags.append(
                Flag(
                    kind="seal_not_intact",
                    item_code=i.code,
                    message=f"{i.code}: seal {i.seal_number_seen or ''} "
                    f"{i.seal_state_seen.value if i.seal_state_seen else ''}: {i.seal_note}",
                )
            )
    if batch.environmental_risk:
        flags.append(
            Flag(
                kind="environmental_risk", message=f"method '{batch.method}' harms the environment"
            )
        )
    return flags


RECORD_KIND = "destruction_record"  # documents/layouts/destruction_record.toml


def record_subject(batch: DestructionBatch) -> str:
    return f"destruction_batch:{batch.id}"


def record_number(session: Session, batch: DestructionBatch) -> str | None:
    """The "Số" of the batch's final record, once the batch is closed."""
    final = documents.stored(session, RECORD_KIND, record_subject(batch))
    return final.number if final else None


def get_photo(session: Session, batch_id: int, photo_id: int, actor: User) -> DestructionPhoto:
    batch = get_batch(session, batch_id, actor)
    photo = session.get(DestructionPhoto, photo_id)
    if photo is None or photo.batch_id != batch.id:
        raise NotFound(
            f"photo {photo_id} not found in batch {batch.number}",
            key="keysa_destruction.photo_not_found",
            params={"id": photo_id, "batch": batch.number},
        )
    return photo


@dataclass(frozen=True)
class Record:
    pdf: bytes
    sha256: str | None  # set for the frozen record only


def record(session: Session, batch_id: int, actor: User, lang: str) -> Record:
    """The frozen record of a closed batch; otherwise (or in English) a rendering of the
    batch as it is now: a draft before closing, a translation after."""
    require(actor, "read")
    batch = get_batch(session, batch_id, actor)
    if batch.status == BatchStatus.closed and lang == "vi":
        if batch.record_pdf is None:
            raise Conflict(
                f"batch {batch.number} is closed but has no stored record",
                key="keysa_destruction.no_stored_record",
                params={"batch": batch.number},
            )
        return Record(batch.record_pdf, batch.record_sha256)
    closed = batch.status == BatchStatus.closed
    public = batch_public(session, batch)
    head = current_anchor(session).printed()
    pdf = render_record(
        public,
        lang=lang,
        draft=not closed,
        chain_head=head,
        header=documents.agency_header(session, batch.agency_id),
        number=public.record_number,
    )
    return Record(pdf, None)
