"""What a judgment orders for each item (destroy the drugs, return the phone, confiscate the
motorbike: vn-legal-context §5.2). The case's disposition is only the default an item gets at
intake; the judgment's order replaces it item by item, each change a custody event with the
values before and after, naming the judgment (and the document carrying it out: for cash, the
deposit slip of the State Treasury account, §2.1, §2.3(1))."""

from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from ..auth import require
from ..cases import ItemOrder, JudgmentCreate, add_judgment, get_case, get_judgment
from ..custody import EventType, NewEvent, lock_for_write
from ..errors import Invalid
from ..models import Case, Item, Judgment, User
from .disposition_rules import check_disposition
from .lifecycle import for_change, update_items


class JudgmentRecorded(BaseModel):
    judgment_id: int
    changed_items: list[str]


def order_dispositions(
    session: Session, case: Case, judgment: Judgment, orders: list[ItemOrder], actor: User
) -> list[str]:
    """Give each ordered item of the case its disposition from ``judgment``; all or nothing.
    Returns the codes of the items whose disposition or judgment changed."""
    require(actor, "manage_cases")
    lock_for_write(session, actor.agency_id)
    codes = [o.item_code for o in orders]
    of_case = set(
        session.exec(
            select(Item.code).where(Item.case_id == case.id, col(Item.code).in_(codes))
        ).all()
    )
    changes: list[tuple[Item, dict[str, Any]]] = []
    events: list[NewEvent] = []
    for n, order in enumerate(orders):
        if order.item_code not in of_case:
            raise Invalid(
                f"dispositions.{n}.item_code",
                f"item {order.item_code} is not an item of case {case.id}",
                order.item_code,
                key="cases14_errors.item_not_of_case",
                params={"code": order.item_code},
            )
        item = for_change(session, order.item_code, actor, None, "disposition")
        check_disposition(item, order.disposition)  # the law's table (disposition_rules)
        before = {
            "disposition": item.disposition,
            "judgment_id": item.disposition_judgment_id,
            "document": item.disposition_document,
        }
        after = {
            "disposition": order.disposition.value,
            "judgment_id": judgment.id,
            "document": order.document,
        }
        if before == after:
            continue
        assert item.id is not None and actor.id is not None
        details = {
            "before": before,
            "after": after,
            "judgment_number": judgment.number,
            "document_number": order.document or judgment.number,
        }
        events.append(
            NewEvent(
                item.id,
                EventType.disposition,
                actor.id,
                None,
                None,
                f"ordered by judgment {judgment.number}",
                details,
            )
        )
        changes.append(
            (
                item,
                {
                    "disposition": after["disposition"],
                    "disposition_judgment_id": judgment.id,
                    "disposition_document": order.document,
                },
            )
        )
    update_items(session, changes, events)
    return [item.code for item, _ in changes]


def record_judgment(
    session: Session, case_id: int, data: JudgmentCreate, actor: User
) -> JudgmentRecorded:
    """Attach the judgment to the case's chain and apply what it orders for each item."""
    judgment = add_judgment(session, case_id, data, actor)
    case = get_case(session, case_id, actor)
    changed = order_dispositions(session, case, judgment, data.dispositions, actor)
    assert judgment.id is not None
    return JudgmentRecorded(judgment_id=judgment.id, changed_items=changed)


def order_from_judgment(
    session: Session, case_id: int, judgment_id: int, orders: list[ItemOrder], actor: User
) -> JudgmentRecorded:
    """Apply (or correct) a recorded judgment's orders for some items."""
    case = get_case(session, case_id, actor)
    judgment = get_judgment(session, case, judgment_id)
    changed = order_dispositions(session, case, judgment, orders, actor)
    return JudgmentRecorded(judgment_id=judgment_id, changed_items=changed)
