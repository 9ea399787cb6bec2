"""Receiving a group of items with its handover record and entry slip.

``receive`` (``POST /handovers``) checks the handover against ``rules``, receives the items
through the one intake (``items.intake_items``) and makes both documents final, all in the
request's transaction. ``receive_items`` is what a plain intake (``POST /items``,
``/items/batch``, the web form) does: the same intake, and a handover made implicitly from
what it gave, a draft until ``complete`` supplies what the record needs.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from .. import custodians
from ..auth import require
from ..bulk import insert_rows
from ..cases.core import find_case
from ..custody import EventType, NewEvent, lock_for_write
from ..errors import Invalid, InvalidTransition, NotFound
from ..i18n.formatting import local_day
from ..items.handling import return_item
from ..items.intake import ItemCreate, intake_items, intake_rows
from ..items.lifecycle import update_item
from ..items.lookup import Person
from ..items.requests import ReturnRequest
from ..locations import get_location, warehouse_agency_id
from ..models import (
    HANDOVER_RE_ENTRY,
    Case,
    Checkout,
    ExitKind,
    ExitSlip,
    Handover,
    HandoverLine,
    Item,
    ReceiverRole,
    Role,
    SealState,
    User,
    Warehouse,
)
from ..recording import record_inserted
from . import papers, rules
from .schemas import HandoverCreate, HandoverDetails, HandoverItem, LineCompletion
from .views import get_handover, handover_facts, line_facts


def refusal(found: Sequence[rules.Problem]) -> Invalid:
    """One 422 naming every problem (so a form shows them all at once)."""
    error = Invalid(found[0].field, found[0].message)
    error.detail = [
        {"loc": ["body", *p.field.split(".")], "msg": p.message, "type": f"handover_{p.code}"}
        for p in found
    ]
    return error


def _cases(
    session: Session, actor: User, items_in: Sequence[ItemCreate]
) -> dict[tuple[int | None, str | None], Case]:
    """The items' cases, each looked up once (a batch names a few cases for many items)."""
    found: dict[tuple[int | None, str | None], Case] = {}
    for n, i in enumerate(items_in):
        key = (i.case_id, i.judgment_number)
        if key not in found:
            found[key] = find_case(session, actor, i.case_id, i.judgment_number, f"items.{n}")
    return found


def _agency_of(session: Session, actor: User, first: ItemCreate, case: Case) -> int:
    """The receiving agency: the one whose warehouse takes the first item (items belong to
    it, as intake decides), else the case's."""
    if first.location_code:
        try:
            return warehouse_agency_id(session, get_location(session, first.location_code, actor))
        except NotFound:
            pass  # intake names the unknown location
    return case.agency_id


def custodian_of(
    session: Session, actor: User, items_in: Sequence[ItemCreate]
) -> dict[str, Any] | None:
    """The outside custodian who keeps the handover's items where they go, as the record
    names it (``Handover.custodian``); None when they go into the agency's own keeping (its
    own or a rented warehouse, or receiving). One record is signed by one custodian for all
    its items (Decree 152/2026 Art. 37(4)), and a handover into the agency's keeping is
    signed by the deliverer and the receiving side instead (Circular 04/2023 Art. 10): a
    handover whose items go to both, or to two custodians, is refused (422, nothing
    written); they are two handovers."""
    warehouses: dict[int | None, Warehouse | None] = {}
    for code in {i.location_code for i in items_in}:
        if code is None:
            warehouses[None] = None
            continue
        try:
            location = get_location(session, code, actor)
        except NotFound:
            continue  # intake names the unknown location
        if location.warehouse_id not in warehouses:
            warehouses[location.warehouse_id] = session.get(Warehouse, location.warehouse_id)
    outside = {
        w.id: w for w in warehouses.values() if w is not None and custodians.held_by_others(w)
    }
    if not outside:
        return None
    if len(outside) > 1:
        names = sorted(w.custodian_name for w in outside.values())
        raise Invalid(
            "items",
            f"the items go to {len(outside)} outside custodians ({', '.join(names)}); "
            "one handover record is signed by one custodian: make one handover each",
            key="custody15_handover.two_custodians",
            params={"names": ", ".join(names)},
        )
    (warehouse,) = outside.values()
    if len(warehouses) > 1:
        raise Invalid(
            "items",
            f"some items stay with {warehouse.custodian_name} and others go into the "
            "agency's own keeping; the two are received on different records: make two "
            "handovers",
            key="custody15_handover.mixed",
            params={"name": warehouse.custodian_name},
        )
    return custodian_snapshot(warehouse)


def custodian_snapshot(warehouse: Warehouse) -> dict[str, Any]:
    """What the record names of the warehouse's custodian (``Handover.custodian``)."""
    return {
        "warehouse_id": warehouse.id,
        "warehouse": warehouse.code,
        "kind": warehouse.custodian_kind,
        "name": warehouse.custodian_name,
        "representative": warehouse.custodian_representative,
        "position": warehouse.custodian_position,
        "contract": warehouse.custody_contract,
        "place": ", ".join(p for p in (warehouse.name, warehouse.address or "") if p),
    }


def _open(
    session: Session,
    actor: User,
    items_in: Sequence[ItemCreate],
    at: datetime,
    implicit: bool,
    details: dict[str, Any],
) -> Handover:
    """The handover row (its documents are numbered when they become final)."""
    cases = _cases(session, actor, items_in)
    first_case = next(iter(cases.values()))
    case_ids = {c.id for c in cases.values()}
    assert actor.id is not None
    return Handover(
        agency_id=_agency_of(session, actor, items_in[0], first_case),
        case_id=first_case.id if len(case_ids) == 1 else None,
        implicit=implicit,
        handed_over_at=at,
        created_by_id=actor.id,
        **details,
    )


def _add_lines(
    session: Session, handover: Handover, ids: Sequence[int], lines: Sequence[dict[str, Any]]
) -> None:
    session.add(handover)
    session.flush()
    table = HandoverLine.__table__  # type: ignore[attr-defined]
    rows = [
        {"handover_id": handover.id, "item_id": item_id, "line_no": n, **line}
        for n, (item_id, line) in enumerate(zip(ids, lines, strict=True), 1)
    ]
    # One executemany, the ids by line number (the handover is new: its lines are these),
    # and each row's record event from the values written (no RETURNING read back).
    connection = session.connection()
    insert_rows(connection, table, rows)
    found = select(table.c.line_no, table.c.id).where(table.c.handover_id == handover.id)
    id_of = dict(connection.execute(found).all())  # type: ignore[arg-type]
    for row in rows:
        row["id"] = id_of[row["line_no"]]
    record_inserted(session, table, rows)


def _details(data: HandoverDetails) -> dict[str, Any]:
    return {
        "place": data.place,
        "deliverer_name": data.deliverer.name,
        "deliverer_position": data.deliverer.position,
        "deliverer_id_document": data.deliverer.id_document,
        "deliverer_agency": data.deliverer.agency,
        "introduction_letter": data.deliverer.introduction_letter,
        "receivers": [r.model_dump(mode="json") for r in data.receivers],
        "acts": {k: v.model_dump(mode="json") for k, v in data.acts.items()},
        "resolution": data.resolution,
        "notes": data.notes,
    }


def _line(item: HandoverItem) -> dict[str, Any]:
    return {
        "matches": item.matches_seizure_record,
        "difference": item.difference,
        "seal_number": item.seal_number,
        "seal_state": (item.seal_state or SealState.unsealed).value,
        "seal_signatories": item.seal_signatories,
        "forensic_conclusion": (
            item.forensic_conclusion.model_dump(mode="json") if item.forensic_conclusion else None
        ),
    }


def receive(session: Session, data: HandoverCreate, actor: User) -> Handover:
    """Receive the items of a handover, all or nothing, with its final record and slip;
    refused (422, every problem named, nothing written) if the record would lack anything
    ``rules`` asks for."""
    require(actor, "intake")
    lock_for_write(session)
    at = data.handed_over_at or datetime.now(UTC)
    who = Person(**_person(data))
    items_in = [i.model_copy(update={"received_at": at, "delivered_by": who}) for i in data.items]
    cases = list(_cases(session, actor, items_in).values())
    keeper = custodian_of(session, actor, items_in)
    place = data.place or (keeper["place"] if keeper else "")
    facts = rules.HandoverFacts(
        place=place,
        deliverer=data.deliverer.model_dump(),
        receiver_roles=frozenset(r.role for r in data.receivers),
        acts=frozenset(data.acts),
        resolution=data.resolution,
        judged=all(c.judgment_number for c in cases),
        in_place=rules.in_place(keeper, at),
        custodian=keeper or {},
    )
    found = rules.problems(
        facts,
        [
            rules.LineFacts(
                category=i.category.value,
                seal_number=i.seal_number,
                seal_state=i.seal_state,
                matches=i.matches_seizure_record,
                difference=i.difference,
                has_own_conclusion=i.forensic_conclusion is not None,
            )
            for i in data.items
        ],
    )
    if found:
        raise refusal(found)
    details = {**_details(data), "place": place, "custodian": keeper}
    handover = _open(session, actor, items_in, at, False, details)
    ids = intake_items(session, items_in, actor, data.override_reason)
    _add_lines(session, handover, ids, [_line(i) for i in data.items])
    papers.make_final(session, handover, actor)
    return handover


def _person(data: HandoverDetails) -> dict[str, str]:
    d = data.deliverer
    return {"name": d.name, "position": d.position, "id_document": d.id_document}


def receive_items(
    session: Session, items_in: Sequence[ItemCreate], actor: User, override_reason: str | None
) -> list[int]:
    """A plain intake and its implicit handover (a draft record): what ``POST /items``,
    ``/items/batch`` and the web intake do. Returns the new items' ids in input order."""
    require(actor, "intake")
    lock_for_write(session)
    at = min((i.received_at for i in items_in if i.received_at), default=datetime.now(UTC))
    who = items_in[0].delivered_by
    keeper = custodian_of(session, actor, items_in)
    details = {
        "custodian": keeper,
        "place": keeper["place"] if keeper else "",
        "deliverer_name": who.name,
        "deliverer_position": who.position,
        "deliverer_id_document": who.id_document,
        "receivers": _keeper_receiving(actor),
    }
    handover = _open(session, actor, items_in, at, True, details)
    rows = intake_rows(session, items_in, actor, override_reason)
    ids = [row["id"] for row in rows]
    lines = [
        {
            "matches": True,
            "difference": "",
            "seal_number": row["seal_number"],
            "seal_state": row["seal_state"],  # as intake decided it
            "seal_signatories": [],
            "forensic_conclusion": None,
        }
        for row in rows
    ]
    _add_lines(session, handover, ids, lines)
    return ids


def _keeper_receiving(actor: User) -> list[dict[str, Any]]:
    if actor.role != Role.keeper:
        return []
    return [
        {
            "role": ReceiverRole.keeper.value,
            "name": actor.full_name or actor.username,
            "position": "",
        }
    ]


def receive_return(session: Session, code: str, data: ReturnRequest, actor: User) -> Item:
    """A checked-out item brought back (the end of a trích xuất) is received like a new
    handover (Circular 04/2023 Art. 11(3), vn-legal-context §3.5): the return
    (``items.handling.return_item``) and an implicit handover of the item, delivered by the
    body that had it, a draft record and entry slip until ``complete`` gives the rest. The
    handover cites the check-out it ends (``HANDOVER_RE_ENTRY``: the requester's document and
    the check-out's exit slip), so both documents say it is a re-entry after extraction."""
    item = return_item(session, code, data, actor)
    checkout = session.exec(
        select(Checkout).where(Checkout.item_id == item.id).order_by(col(Checkout.id).desc())
    ).first()
    assert checkout is not None and checkout.returned_at is not None and actor.id is not None
    slip = session.exec(
        select(ExitSlip)
        .where(ExitSlip.item_id == item.id, ExitSlip.kind == ExitKind.check_out)
        .order_by(col(ExitSlip.id).desc())
    ).first()
    handover = Handover(
        agency_id=item.agency_id,
        case_id=item.case_id,
        implicit=True,
        handed_over_at=checkout.returned_at,
        created_by_id=actor.id,
        deliverer_agency=checkout.recipient,
        receivers=_keeper_receiving(actor),
        acts={
            HANDOVER_RE_ENTRY: {
                "number": checkout.document_number,
                "date": local_day(checkout.checked_out_at).isoformat(),
                # The letter's issuer when the check-out gave it, else the body that asked.
                "issuer": (slip and slip.document_issuer) or checkout.recipient,
                "purpose": checkout.purpose,
                "exit_slip": slip and slip.number,
                "checkout_id": checkout.id,
            }
        },
    )
    line = {
        "matches": True,
        "difference": "",
        "seal_number": item.seal_number,
        "seal_state": item.seal_state,
        "seal_signatories": [],
        "forensic_conclusion": None,
    }
    _add_lines(session, handover, [item.id], [line])  # type: ignore[list-item]
    return item


def complete(
    session: Session,
    handover_id: int,
    data: HandoverDetails,
    lines: Sequence[LineCompletion],
    actor: User,
) -> Handover:
    """Give an implicit handover what its record needs, and make it final (refused, 422,
    while ``rules`` still find something missing)."""
    require(actor, "intake")
    lock_for_write(session)
    handover = get_handover(session, handover_id, actor)
    if handover.final_at is not None:
        raise InvalidTransition(
            f"handover {handover.record_number} is final already",
            key="keysb_handovers.final",
            params={"number": handover.record_number},
        )
    details = _details(data)
    # The check-out a re-entry ends is the service's own fact, not the form's: kept.
    kept = {k: v for k, v in handover.acts.items() if k == HANDOVER_RE_ENTRY}
    details["acts"] = {**details["acts"], **kept}
    if handover.custodian:
        # A draft names the custodian as its warehouse says now (e.g. its representative,
        # added since the intake); the final record keeps it.
        warehouse = session.get(Warehouse, handover.custodian["warehouse_id"])
        if warehouse is not None:
            handover.custodian = custodian_snapshot(warehouse)
    if handover.custodian and not details["place"].strip():
        details["place"] = handover.custodian.get("place", "")  # the place of storage
    for name, value in details.items():
        setattr(handover, name, value)
    if data.handed_over_at is not None:
        handover.handed_over_at = data.handed_over_at
    rows = {
        item.code: (line, item)
        for line, item in session.execute(
            select(HandoverLine, Item)
            .join(Item, col(Item.id) == HandoverLine.item_id)
            .where(HandoverLine.handover_id == handover.id)
        ).all()
    }
    for given in lines:
        if given.item_code not in rows:
            raise Invalid(
                "lines",
                f"item {given.item_code} is not in this handover",
                given.item_code,
                key="keysb_handovers.not_in_handover",
                params={"code": given.item_code},
            )
        line, item = rows[given.item_code]
        line.matches, line.difference = given.matches_seizure_record, given.difference
        line.seal_signatories = given.seal_signatories
        line.forensic_conclusion = (
            given.forensic_conclusion.model_dump(mode="json") if given.forensic_conclusion else None
        )
        if given.seal_state is not None and given.seal_state != line.seal_state:
            _correct_seal(session, item, line, given.seal_state, actor)
        session.add(line)
    session.add(handover)
    session.flush()
    found = rules.problems(handover_facts(session, handover), line_facts(session, handover))
    if found:
        raise refusal(found)
    papers.make_final(session, handover, actor)
    return handover


def _correct_seal(
    session: Session, item: Item, line: HandoverLine, state: SealState, actor: User
) -> None:
    """The seal as it really was at the handover (a plain intake took "intact" from a typed
    number): the line and the item say so, the item's change with its event."""
    assert item.id is not None and actor.id is not None
    event = NewEvent(
        item.id,
        EventType.seal_check,
        actor.id,
        reason="handover record",
        details={
            "seal_state_before": item.seal_state,
            "seal_state": state.value,
            "handover_id": line.handover_id,
        },
    )
    line.seal_state = state.value
    update_item(session, item, event, seal_state=state.value)
