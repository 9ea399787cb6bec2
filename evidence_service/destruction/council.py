"""The council are people, and nobody destroys alone.

- Members are distinct persons (compared after Unicode, case and whitespace folding), with a
  position and an organisation, and a procuracy representative supervises (Law 2008 Art.
  125(3): the procuracy at the same level supervises; under the rules from 01/07/2026
  presumably unchanged, to be confirmed: vn-legal-context §4.1 "Supervision").
- Members who handled the batch's items are found at approval and again at execution.
- Members with accounts confirm they are there themselves, with their own password (on the
  tablet that records the destruction), before the batch can be closed.
- The approver, the person recording the execution and the person closing are not all one
  user: at least two distinct users take part.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from ..custody import EventType, lock_for_write
from ..errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from ..i18n import local_time
from ..models import (
    BatchStatus,
    CouncilMember,
    CouncilRole,
    CustodyEvent,
    DestructionBatch,
    Item,
    User,
)
from ..people import person_key, require_distinct
from .batches import get_batch
from .schemas import MemberIn

# Events of the workflow itself don't count as handling an item.
WORKFLOW_EVENTS = frozenset(e.value for e in EventType if e.value.startswith("destruction"))


def check_members(members: Sequence[MemberIn]) -> None:
    require_distinct([m.name for m in members], "members")
    for n, member in enumerate(members):
        if not person_key(member.position):
            raise Invalid(
                f"members.{n}.position",
                "each member's position is required",
                key="keysa_destruction.member_position",
                params={"name": member.name},
            )
        if not person_key(member.organisation):
            raise Invalid(
                f"members.{n}.organisation",
                "each member's organisation is required",
                key="keysa_destruction.member_organisation",
                params={"name": member.name},
            )
    if not any(m.role == CouncilRole.procuracy for m in members):
        raise Invalid(
            "members",
            "a procuracy representative (Kiểm sát viên) must supervise the destruction "
            "(Law 2008 Art. 125(3)); add them with the role 'procuracy'",
            key="keysa_destruction.procuracy",
        )


def check_decision_date(decision: date, items: Sequence[Item], enforcement: Sequence[date]) -> None:
    """The council's decision comes after the enforcement decisions ordering destruction and
    not before the items' own history began."""
    if enforcement and decision < max(enforcement):
        raise Invalid(
            "decision_date",
            f"the council's decision cannot precede the enforcement decision ({max(enforcement)})",
            key="keysa_destruction.before_enforcement",
            params={"date": max(enforcement)},
        )
    first = min((local_time(i.received_at).date() for i in items), default=None)
    if first is not None and decision < first:
        raise Invalid(
            "decision_date",
            f"the council's decision cannot precede the items' receipt ({first})",
            key="keysa_destruction.before_receipt",
            params={"date": first},
        )


def handled_items(
    session: Session, item_ids: list[int], members: Sequence[tuple[str, int | None]]
) -> list[list[str]]:
    """For each (name, user id) member, the codes of the items whose custody history has
    them as an actor: matched by account, or by full name for members without one."""
    rows = session.execute(
        select(Item.code, CustodyEvent.actor_id, User.full_name)
        .join(Item, col(Item.id) == CustodyEvent.item_id)
        .join(User, col(User.id) == CustodyEvent.actor_id)
        .where(col(CustodyEvent.item_id).in_(item_ids))
        .where(col(CustodyEvent.event_type).not_in(WORKFLOW_EVENTS))
    ).all()
    found = []
    for name, user_id in members:
        codes = {
            code
            for code, actor_id, full_name in rows
            if (user_id is not None and actor_id == user_id)
            or (user_id is None and full_name and person_key(full_name) == person_key(name))
        }
        found.append(sorted(codes))
    return found


def handled_list(flagged: dict[str, list[str]]) -> str:
    """Members and the items they handled, as a refusal names them: "A (S1, S2); B (S3)"."""
    return "; ".join(f"{name} ({', '.join(codes)})" for name, codes in flagged.items())


def recheck_handlers(
    session: Session, batch: DestructionBatch, item_ids: list[int], block: bool
) -> None:
    """At execution: members who took part in the items' custody since approval are flagged
    (or refused, when handlers block)."""
    members = _members(session, batch)
    handled = handled_items(session, item_ids, [(m.name, m.user_id) for m in members])
    flagged = {m.name: codes for m, codes in zip(members, handled, strict=True) if codes}
    if flagged and block:
        raise Conflict(
            {
                "message": "council members took part in the custody of the items they would "
                "witness destroyed",
                "members": flagged,
            },
            key="keysa_destruction.handlers",
            params={"members": handled_list(flagged)},
        )
    for member, codes in zip(members, handled, strict=True):
        if codes != member.handled_items:
            member.handled_items = codes
            session.add(member)


def confirm_presence(
    session: Session, batch_id: int, actor: User, member_user: User
) -> CouncilMember:
    """A member with an account says they are there, on the device of ``actor``, with their
    own password (checked by the caller: ``auth.authenticate``)."""
    lock_for_write(session, actor.agency_id)
    batch = get_batch(session, batch_id, actor)
    session.refresh(batch)
    if batch.status not in (BatchStatus.approved, BatchStatus.executed):
        raise InvalidTransition(
            f"batch {batch.number} is {batch.status}: no council is sitting",
            key="keysa_destruction.no_council_sitting",
            params={"batch": batch.number},
        )
    member = next((m for m in _members(session, batch) if m.user_id == member_user.id), None)
    if member is None:
        raise NotFound(
            f"{member_user.username} is not a member of batch {batch.number}'s council",
            key="keysa_destruction.not_member",
            params={"username": member_user.username, "batch": batch.number},
        )
    if member.present_confirmed_at is None:
        member.present_confirmed_at = datetime.now(UTC)
        session.add(member)
        session.flush()
    return member


def check_close(session: Session, batch: DestructionBatch, actor: User) -> None:
    """Before close: every member with an account has confirmed presence, and at least two
    distinct users took part in approving, executing and closing."""
    absent = [
        m.name for m in _members(session, batch) if m.user_id and m.present_confirmed_at is None
    ]
    if absent:
        raise Conflict(
            {
                "message": "council members with accounts must confirm their presence "
                "themselves before the batch is closed",
                "members": absent,
            },
            key="keysa_destruction.presence",
            params={"members": ", ".join(absent)},
        )
    people = {batch.approved_by_id, batch.executed_by_id, actor.id} - {None}
    if len(people) < 2:
        raise Forbidden(
            "nobody destroys alone: the approval, the execution and the closing were all "
            "yours; another user must close the batch",
            key="keysa_destruction.nobody_alone",
        )


def _members(session: Session, batch: DestructionBatch) -> list[CouncilMember]:
    return list(
        session.exec(
            select(CouncilMember)
            .where(CouncilMember.batch_id == batch.id)
            .order_by(col(CouncilMember.id))
        ).all()
    )
