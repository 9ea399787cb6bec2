"""The destruction batch workflow: draft → approved → executed → closed, or cancelled
before execution. Every transition is one function; each writes a custody event on every
item of the batch in the same transaction, and refuses (409) when the batch is in the
wrong state. A closed batch is frozen: nothing in it changes again."""

from datetime import UTC, datetime

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from .. import documents
from ..auth import agency_by_code, agency_scope, require
from ..checkpoints import current_anchor
from ..custody import EventType, append_events, lock_for_write
from ..errors import Conflict, Invalid, InvalidTransition, NotFound
from ..items import get_item, get_items
from ..legal.holidays import local_today
from ..models import (
    BatchStatus,
    CodeCounter,
    CouncilMember,
    CouncilRole,
    DestructionBatch,
    DestructionItem,
    DestructionPhoto,
    Disposition,
    ItemStatus,
    User,
)
from ..photos import check_photo
from .batches import (
    batch_event,
    bump,
    change_items,
    for_change,
    lines,
)
from .council import (
    check_close,
    check_decision_date,
    check_members,
    handled_items,
    handled_list,
)
from .deadlines import remember_council
from .record import render_record
from .schemas import (
    AddItemsRequest,
    ApproveRequest,
    BatchCreate,
    CancelRequest,
    PhotoPublic,
)
from .views import RECORD_KIND, batch_public, photo_public, record_subject, user_name

VOTING_ROLES = frozenset({CouncilRole.chair, CouncilRole.member})


def create_batch(session: Session, data: BatchCreate, actor: User) -> DestructionBatch:
    require(actor, "prepare_destruction")
    lock_for_write(session, actor.agency_id)
    agency_id = actor.agency_id
    if data.agency_code is not None:
        agency_id = agency_by_code(session, data.agency_code, actor).id or agency_id
    year = local_today().year  # the year in Viet Nam numbers the batch
    name = f"destruction:{agency_id}:{year}"
    counter = session.get(CodeCounter, name)
    if counter is None:
        counter = CodeCounter(name=name, value=0)
    counter.value += 1
    session.add(counter)
    assert actor.id is not None
    batch = DestructionBatch(
        agency_id=agency_id,
        number=f"TH-{year}-{counter.value:03d}",
        title=data.title,
        notes=data.notes,
        created_by_id=actor.id,
    )
    session.add(batch)
    session.flush()
    return batch


def add_items(
    session: Session, batch_id: int, data: AddItemsRequest, actor: User
) -> DestructionBatch:
    batch = for_change(session, batch_id, actor, "add_items")
    override = (data.override_reason or "").strip() or None
    if override:
        require(actor, "override")
    items = get_items(session, data.codes, actor)  # read afresh, under the lock
    if len({i.id for i in items}) != len(items):
        raise Invalid(
            "codes", "the same item is listed twice", key="docs15_refusal.same_item_twice"
        )
    open_lines = {
        item_id: number
        for item_id, number in session.execute(
            select(DestructionItem.item_id, DestructionBatch.number)
            .join(DestructionBatch, col(DestructionBatch.id) == DestructionItem.batch_id)
            .where(col(DestructionItem.open))
            .where(col(DestructionItem.item_id).in_([i.id for i in items]))
        ).all()
    }
    changes, events, added = [], [], []
    for item in items:
        if item.id in open_lines:
            raise Conflict(
                f"item {item.code} is already in open batch {open_lines[item.id]}",
                key="keysa_destruction.in_open_batch",
                params={"code": item.code, "batch": open_lines[item.id]},
            )
        if item.agency_id != batch.agency_id:
            raise Conflict(
                f"item {item.code} belongs to another agency than batch {batch.number}",
                key="keysa_destruction.other_agency",
                params={"code": item.code, "batch": batch.number},
            )
        if item.status != ItemStatus.stored:
            raise InvalidTransition(
                f"item {item.code} is {item.status}; only items in storage can be destroyed",
                key="keysa_destruction.not_stored",
                params={"code": item.code, "status": item.status},
            )
        if item.disposition != Disposition.destroy and not override:
            raise Conflict(
                f"item {item.code} has disposition '{item.disposition}', not 'destroy'; "
                "a manager may add it with an override_reason",
                key="keysa_destruction.not_for_destruction",
                params={"code": item.code, "disposition": item.disposition},
            )
        # Not given: the deadlines start from the case's own enforcement decision.
        decided = data.enforcement_decision_date
        assert item.id is not None and actor.id is not None and batch.id is not None
        added.append(
            {
                "batch_id": batch.id,
                "item_id": item.id,
                "added_by_id": actor.id,
                "override_reason": override if item.disposition != Disposition.destroy else None,
                "enforcement_decision_date": decided,
                "recorded_weight_g": item.net_weight_g,
            }
        )
        changes.append((item, {"status": ItemStatus.pending_destruction.value}))
        details = {"disposition": item.disposition}
        if item.disposition != Disposition.destroy:
            details["override_reason"] = override or ""
        events.append(batch_event(item, EventType.destruction_added, actor, batch, details=details))
    # One executemany (the ORM would insert row by row to learn the ids); the partial unique
    # index refuses an item in two open batches here.
    session.execute(insert(DestructionItem), added)
    change_items(session, changes, events)
    bump(session, batch)
    return batch


def remove_item(session: Session, batch_id: int, code: str, actor: User) -> DestructionBatch:
    batch = for_change(session, batch_id, actor, "remove_item")
    item = get_item(session, code, actor)
    session.refresh(item)
    line = session.exec(
        select(DestructionItem).where(
            DestructionItem.batch_id == batch.id, DestructionItem.item_id == item.id
        )
    ).first()
    if line is None:
        raise NotFound(
            f"item {item.code} is not in batch {batch.number}",
            key="docs15_refusal.not_in_batch",
            params={"code": item.code, "batch": batch.number},
        )
    session.execute(delete(DestructionItem).where(col(DestructionItem.id) == line.id))
    event = batch_event(item, EventType.destruction_removed, actor, batch)
    change_items(session, [(item, {"status": ItemStatus.stored.value})], [event])
    bump(session, batch)
    return batch


def approve(
    session: Session,
    batch_id: int,
    data: ApproveRequest,
    actor: User,
    min_voting: int,
    block_handlers: bool,
) -> DestructionBatch:
    batch = for_change(session, batch_id, actor, "approve")
    batch_lines = lines(session, batch)
    if not batch_lines:
        raise Conflict(
            f"batch {batch.number} has no items",
            key="keysa_destruction.no_items",
            params={"batch": batch.number},
        )
    voting = sum(1 for m in data.members if m.role in VOTING_ROLES)
    if voting < min_voting:
        raise Invalid(
            "members",
            f"the council needs at least {min_voting} voting members "
            f"(chair and members), {voting} given",
            key="keysa_destruction.too_few_members",
            params={"least": min_voting, "given": voting},
        )
    chairs = sum(1 for m in data.members if m.role == CouncilRole.chair)
    if chairs != 1:
        raise Invalid(
            "members",
            f"the council needs exactly one chair, {chairs} given",
            key="keysa_destruction.one_chair",
            params={"given": chairs},
        )
    check_members(data.members)
    if data.decision_date > local_today():
        raise Invalid(
            "decision_date",
            "the decision date is in the future",
            key="keysa_destruction.decision_future",
        )
    enforcement = [
        line.enforcement_decision_date
        for line, _ in batch_lines
        if line.enforcement_decision_date is not None
    ]
    check_decision_date(data.decision_date, [item for _, item in batch_lines], enforcement)
    scope = agency_scope(session, actor)
    user_ids: list[int | None] = []
    for n, member in enumerate(data.members):
        if member.username is None:
            user_ids.append(None)
            continue
        user = session.exec(select(User).where(User.username == member.username)).first()
        if user is None or user.agency_id not in scope:
            raise Invalid(
                f"members.{n}.username",
                "unknown user",
                member.username,
                key="keysa_destruction.unknown_user",
                params={"username": member.username},
            )
        user_ids.append(user.id)
    item_ids = [item.id for _, item in batch_lines if item.id is not None]
    handled = handled_items(
        session, item_ids, [(m.name, uid) for m, uid in zip(data.members, user_ids, strict=True)]
    )
    flagged = {m.name: codes for m, codes in zip(data.members, handled, strict=True) if codes}
    if flagged and block_handlers:
        raise Conflict(
            {
                "message": "council members took part in the custody of the items they would "
                "witness destroyed",
                "members": flagged,
            },
            key="keysa_destruction.handlers",
            params={"members": handled_list(flagged)},
        )
    assert batch.id is not None
    for member, user_id, codes in zip(data.members, user_ids, handled, strict=True):
        session.add(
            CouncilMember(
                batch_id=batch.id,
                name=member.name,
                position=member.position,
                organisation=member.organisation,
                role=member.role.value,
                user_id=user_id,
                handled_items=codes,
            )
        )
    bump(
        session,
        batch,
        status=BatchStatus.approved.value,
        decision_number=data.decision_number,
        decision_date=data.decision_date,
        decision_issuer=data.decision_issuer,
        approved_by_id=actor.id,
        approved_at=datetime.now(UTC),
    )
    remember_council(session, batch)
    details = {"decision_number": data.decision_number, "decision_date": str(data.decision_date)}
    append_events(
        session,
        [
            batch_event(item, EventType.destruction_approved, actor, batch, details=details)
            for _, item in batch_lines
        ],
    )
    return batch


def close(session: Session, batch_id: int, actor: User) -> DestructionBatch:
    """Generate the record, store it with its SHA-256, and freeze the batch."""
    batch = for_change(session, batch_id, actor, "close")
    check_close(session, batch, actor)
    bump(
        session,
        batch,
        status=BatchStatus.closed.value,
        closed_at=datetime.now(UTC),
        closed_by_id=actor.id,
    )
    head = current_anchor(
        session
    ).printed()  # the record carries the chain head: an anchor on paper
    public = batch_public(session, batch)
    header = documents.agency_header(session, batch.agency_id)
    final = documents.finalise(
        session,
        RECORD_KIND,
        batch.agency_id,
        record_subject(batch),
        lambda number: render_record(
            public, lang="vi", chain_head=head, header=header, number=number.printed
        ),
        actor,
    )
    pdf, digest = final.pdf, final.sha256
    batch.record_pdf, batch.record_sha256 = pdf, digest
    session.add(batch)
    session.flush()
    append_events(
        session,
        [
            batch_event(
                item,
                EventType.destruction_closed,
                actor,
                batch,
                details={"record_sha256": digest, "result": line.result},
            )
            for line, item in lines(session, batch)
        ],
    )
    return batch


def cancel(session: Session, batch_id: int, data: CancelRequest, actor: User) -> DestructionBatch:
    batch = for_change(session, batch_id, actor, "cancel")
    changes, events = [], []
    for line, item in lines(session, batch):
        line.open = False
        session.add(line)
        changes.append((item, {"status": ItemStatus.stored.value}))
        events.append(
            batch_event(item, EventType.destruction_cancelled, actor, batch, reason=data.reason)
        )
    session.flush()
    change_items(session, changes, events)
    bump(
        session,
        batch,
        status=BatchStatus.cancelled.value,
        cancelled_at=datetime.now(UTC),
        cancel_reason=data.reason,
    )
    return batch


def add_photo(
    session: Session,
    batch_id: int,
    actor: User,
    filename: str,
    data: bytes,
    caption: str,
) -> PhotoPublic:
    batch = for_change(session, batch_id, actor, "add_photo")
    checked = check_photo(data, max_bytes=len(data), field="file")  # the faces limit the size
    assert batch.id is not None and actor.id is not None
    photo = DestructionPhoto(
        batch_id=batch.id,
        filename=(filename or "photo")[-200:],
        content_type=checked.content_type,
        size_bytes=checked.size_bytes,
        sha256=checked.sha256,
        data=data,
        caption=caption[:500],
        uploaded_by_id=actor.id,
    )
    session.add(photo)
    batch.version += 1
    session.add(batch)
    session.flush()
    return photo_public(photo, user_name(actor))
