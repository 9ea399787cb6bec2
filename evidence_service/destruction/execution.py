"""Executing a batch: the method and its fields, the environmental record, and per item the
seal, the weight measured before destruction and the result (destroyed, or excluded and
back to storage)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from .. import payload
from ..custody import EventType
from ..environment.sites import check_site
from ..errors import Invalid
from ..i18n import local_time
from ..i18n.formatting import local_day
from ..items.unsealing import record_destruction_opening
from ..models import (
    BatchStatus,
    Category,
    CouncilMember,
    CouncilRole,
    DestructionBatch,
    Item,
    ItemStatus,
    Location,
    SealState,
    User,
)
from .batches import batch_event, bump, change_items, for_change, lines
from .checking import batch_facts, check_line
from .council import recheck_handlers
from .deadlines import remember_destruction
from .methods import check_fields, load_methods
from .schemas import ExecuteRequest, ItemResult, SealSeen


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The seal as the council found it, in the item's seal states (torn is broken).
_SEAL_BEFORE = {
    SealSeen.intact: SealState.intact.value,
    SealSeen.torn: SealState.broken.value,
    SealSeen.suspicious: SealState.suspicious.value,
    SealSeen.unsealed: SealState.unsealed.value,
}


def _chair(session: Session, batch: DestructionBatch) -> dict[str, str | None]:
    """The council's chair, who receives the items for it (its exit slips name them): name,
    and the position and body the batch recorded for them (no identity paper: a member is
    named by the council's decision)."""
    chair = session.exec(
        select(CouncilMember).where(
            CouncilMember.batch_id == batch.id, CouncilMember.role == CouncilRole.chair.value
        )
    ).first()
    if chair is None:
        return {"council_chair": None}
    return {
        "council_chair": chair.name,
        "recipient_position": chair.position or None,
        "recipient_organisation": chair.organisation or None,
    }


def execute(
    session: Session,
    batch_id: int,
    data: ExecuteRequest,
    actor: User,
    tolerance_pct: float,
    block_handlers: bool = False,
) -> DestructionBatch:
    batch = for_change(session, batch_id, actor, "execute")
    table = load_methods()
    method = table.get(data.method)
    details = check_fields(method.fields, data.method_details, "method_details")
    environment = check_fields(table.common_fields, data.environment, "environment")
    check_site(method.id, details, environment)  # distances, wind, a note when too close
    executed_at = _as_utc(data.executed_at)
    if executed_at > datetime.now(UTC) + timedelta(minutes=5):
        raise Invalid(
            "executed_at",
            "the destruction cannot be in the future",
            key="docs15_refusal.destruction_future",
        )
    assert batch.decision_date is not None
    # The decision's day is a day in Vietnam: 10:00 there on the day before is before it,
    # whatever the UTC date says.
    if local_time(executed_at).date() < batch.decision_date:
        raise Invalid(
            "executed_at",
            f"the destruction cannot precede the council's decision of {batch.decision_date} "
            "(local time)",
            key="docs15_refusal.before_decision",
            params={"date": batch.decision_date.strftime("%d/%m/%Y")},
        )
    batch_lines = lines(session, batch)
    received = max((i.received_at for _, i in batch_lines), default=None)
    if received is not None and local_time(executed_at).date() < local_time(received).date():
        raise Invalid(
            "executed_at",
            "the destruction cannot precede the items' receipt",
            key="docs15_refusal.before_receipt",
        )
    recheck_handlers(
        session, batch, [i.id for _, i in batch_lines if i.id is not None], block_handlers
    )
    by_key = {item.label_key: (line, item) for line, item in batch_lines}
    results: dict[str, Any] = {}
    for n, entry in enumerate(data.items):
        try:
            key = payload.code_key(entry.code)
        except ValueError:
            raise Invalid(
                f"items.{n}.code",
                "not an item code",
                entry.code,
                key="docs15_refusal.not_item_code",
                params={"code": entry.code},
            ) from None
        if key not in by_key:
            raise Invalid(
                f"items.{n}.code",
                f"not in batch {batch.number}",
                entry.code,
                key="docs15_refusal.not_in_batch",
                params={"code": entry.code, "batch": batch.number},
            )
        if key in results:
            raise Invalid(
                f"items.{n}.code",
                "listed twice",
                entry.code,
                key="docs15_refusal.listed_twice",
                params={"code": entry.code},
            )
        results[key] = (n, entry)
    facts = batch_facts(data, executed_at)
    missing = [item.code for key, (_, item) in by_key.items() if key not in results]
    if missing:
        raise Invalid(
            "items",
            f"give a result for every item; missing: {', '.join(missing)}",
            key="docs15_refusal.result_missing",
            params={"codes": ", ".join(missing)},
        )
    safety_plan = (data.safety_plan_ref or "").strip() or None
    if safety_plan is None and any(i.category == Category.fireworks for _, i in batch_lines):
        raise Invalid(
            "safety_plan_ref",
            "fireworks need the approved safety plan reference",
            key="docs15_refusal.safety_plan",
        )
    locations = {
        loc.id: loc
        for loc in session.exec(
            select(Location).where(col(Location.id).in_({i.location_id for _, i in batch_lines}))
        )
    }
    # What each item's exit slip names: the council (its chair signs for it) and its decision.
    exit_basis = {
        **_chair(session, batch),
        "document_number": batch.decision_number,
        "document_date": batch.decision_date.isoformat(),
        "document_issuer": batch.decision_issuer,
    }
    changes, events = [], []
    opened: list[tuple[Item, Any]] = []  # the sealed items the council opens to destroy
    for key, (line, item) in by_key.items():
        n, entry = results[key]
        recorded = item.net_weight_g
        measured = entry.measured_weight_g
        destroyed = entry.result == ItemResult.destroyed
        check = check_line(n, entry, item, table)
        used = check.method or method
        if destroyed and used.categories and item.category not in used.categories:
            raise Invalid(
                f"items.{n}.method" if check.method else "method",
                f"{used.name_en} is only for {', '.join(used.categories)}"
                f"; item {item.code} is {item.category}",
                key="docs15_refusal.method_category",
                params={"code": item.code, "category": item.category},
            )
        if destroyed and measured is None:
            raise Invalid(
                f"items.{n}.measured_weight_g",
                "weigh every item before destruction",
                key="docs15_refusal.weigh_first",
                params={"code": item.code},
            )
        reason = (entry.exclusion_reason or "").strip()
        if not destroyed and not reason:
            raise Invalid(
                f"items.{n}.exclusion_reason",
                "say why the item is excluded",
                key="docs15_refusal.exclusion_reason",
                params={"code": item.code},
            )
        difference = None
        if measured is not None and recorded:
            difference = round(abs(measured - recorded) / recorded * 100, 3)
        flagged = difference is not None and difference > tolerance_pct
        note = (entry.weight_note or "").strip() or None
        if flagged and note is None:
            raise Invalid(
                f"items.{n}.weight_note",
                f"the measured {measured:g} g differs from the recorded {recorded:g} g by "
                f"{difference} % (tolerance {tolerance_pct:g} %): add a note",
                key="docs15_refusal.weight_note",
                params={"code": item.code},
            )
        location = locations.get(item.location_id)
        line.recorded_weight_g, line.measured_weight_g = recorded, measured
        line.weight_difference_pct, line.weight_flagged, line.weight_note = (
            difference,
            flagged,
            note,
        )
        line.seal_intact, line.result = check.seal_intact, entry.result.value
        line.seal_state_seen, line.seal_number_seen = check.seal_state.value, check.seal_number
        line.seal_note, line.condition_before = check.seal_note, check.condition
        line.line_method = check.method.id if check.method else None
        line.exclusion_reason = reason or None
        line.warehouse_id = location.warehouse_id if location else None
        line.open = False
        session.add(line)
        common = {
            "seal_intact": check.seal_intact,
            "seal_state": check.seal_state.value,
            "seal_number": check.seal_number,
            "seal_note": check.seal_note,
            "condition": check.condition,
            "recorded_weight_g": recorded,
            "measured_weight_g": measured,
            "difference_pct": difference,
            "weight_flagged": flagged,
            "weight_note": note,
        }
        if destroyed and (check.seal_state != SealSeen.unsealed or item.seal_number):
            opened.append((item, check))
        if destroyed:
            changes.append(
                (
                    item,
                    {
                        "status": ItemStatus.destroyed.value,
                        "location_id": None,
                        "seal_state": check.item_seal_state(item),
                    },
                )
            )
            events.append(
                batch_event(
                    item,
                    EventType.destruction,
                    actor,
                    batch,
                    from_location_id=item.location_id,
                    details={
                        **common,
                        "method": used.id,
                        "site": data.site,
                        "executed_at": executed_at.isoformat(),
                        **exit_basis,
                    },
                )
            )
        else:
            changes.append(
                (
                    item,
                    {"status": ItemStatus.stored.value, "seal_state": check.item_seal_state(item)},
                )
            )
            events.append(
                batch_event(
                    item,
                    EventType.destruction_excluded,
                    actor,
                    batch,
                    reason=reason,
                    details=common,
                )
            )
    session.flush()
    change_items(session, changes, events)
    bump(
        session,
        batch,
        status=BatchStatus.executed.value,
        executed_at=executed_at,
        site=data.site,
        method=method.id,
        method_details=details,
        environment=environment,
        safety_plan_ref=safety_plan,
        environmental_risk=method.is_risky(details),
        executed_by_id=actor.id,
        **facts,
    )
    remember_destruction(session, batch, local_day(executed_at))
    council = [
        {"name": m.name, "position": m.position, "organisation": m.organisation}
        for m in session.exec(
            select(CouncilMember)
            .where(CouncilMember.batch_id == batch.id)
            .order_by(col(CouncilMember.id))
        )
    ]
    for item, check in opened:  # each opening has its record (vn-legal-context §2.4, §6)
        record_destruction_opening(
            session,
            item,
            at=executed_at,
            place=data.site,
            seal_number=check.seal_number,
            seal_state=_SEAL_BEFORE[SealSeen(check.seal_state)],
            seal_note=check.seal_note,
            condition=check.condition,
            council=council,
            decision=batch.decision_number,
            actor=actor,
        )
    return batch
