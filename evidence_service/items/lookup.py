"""Finding items: by code, by label key, by filters; as the API shows them; their history."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import String, bindparam, cast, func
from sqlmodel import Session, col, select
from sqlmodel.main import SQLModelConfig

from .. import payload
from ..auth import agency_scope
from ..errors import NotFound
from ..locations import get_location, normalise_hazard_classes
from ..models import (
    Case,
    Category,
    CustodyEvent,
    Disposition,
    Item,
    ItemBase,
    ItemStatus,
    Location,
    SealState,
    User,
    Warehouse,
)


class Person(BaseModel):
    name: str = Field(default="", max_length=200)
    position: str = Field(default="", max_length=200)
    id_document: str = Field(default="", max_length=64)


class ItemPublic(ItemBase):
    """An item as the API shows it: its own fields (``ItemBase``) and where it stands now."""

    # Every field is always in the answer, defaults or not.
    model_config = SQLModelConfig(
        from_attributes=True, json_schema_serialization_defaults_required=True
    )

    code: str
    label_payload: str
    status: ItemStatus
    location_code: str | None
    case_id: int
    judgment_number: str | None  # none before the first judgment
    seized_net_weight_g: float | None
    seized_gross_weight_g: float | None
    seal_state: SealState
    delivered_by: Person
    received_by: str
    disposition: Disposition
    version: int
    received_at: datetime
    updated_at: datetime


# The fields an item's row and its public form share.
ITEM_FIELDS = frozenset(ItemBase.model_fields)


class ItemPage(BaseModel):
    items: list[ItemPublic]
    total: int
    limit: int
    offset: int


class CustodyEventPublic(BaseModel):
    seq: int
    event_type: str
    occurred_at: datetime
    actor: str
    from_location_code: str | None
    to_location_code: str | None
    reason: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


# Built once: constructing a statement costs more than running it on the hot lookup path.
_ITEM_QUERY = (
    select(Item, Location.code, Case.judgment_number, User.username)
    .join(Case, col(Case.id) == Item.case_id)
    .join(User, col(User.id) == Item.received_by_id)
    .outerjoin(Location, col(Location.id) == Item.location_id)
)
_ITEM_BY_KEY = _ITEM_QUERY.where(col(Item.label_key) == bindparam("key"))


# The same answer as plain rows: many items read without building an ORM object for each.
_ITEM_ROWS = (
    select(  # type: ignore[call-overload]
        *Item.__table__.c,  # type: ignore[attr-defined]
        col(Location.code).label("location_code"),
        Case.judgment_number,
        User.username,
    )
    .join(Case, col(Case.id) == Item.case_id)
    .join(User, col(User.id) == Item.received_by_id)
    .outerjoin(Location, col(Location.id) == Item.location_id)
)


def _public(item: Any, location_code: str | None, judgment: str, receiver: str) -> ItemPublic:
    """``item``: an :class:`Item`, or a row with its columns."""
    return ItemPublic(
        **{name: getattr(item, name) for name in ITEM_FIELDS},
        code=item.code,
        label_payload=payload.make_payload("I", item.code),
        status=ItemStatus(item.status),
        location_code=location_code,
        case_id=item.case_id,
        judgment_number=judgment,
        seized_net_weight_g=item.seized_net_weight_g,
        seized_gross_weight_g=item.seized_gross_weight_g,
        seal_state=SealState(item.seal_state),
        delivered_by=Person(
            name=item.delivered_by_name,
            position=item.delivered_by_position,
            id_document=item.delivered_by_id_document,
        ),
        received_by=receiver,
        disposition=Disposition(item.disposition),
        version=item.version,
        received_at=item.received_at,
        updated_at=item.updated_at,
    )


# The item's own fields that are enums (the rows hold their values).
_OWN_ENUMS = {"category": Category}


def _public_of_row(row: Any) -> ItemPublic:
    """``_public`` of a row read from the database, built without validating it again: the
    values are the table's (its CHECKs and types hold), each enum made from its value as
    validation would (a batch's answer validated 1,000 items at ~25 µs each)."""
    own = {name: getattr(row, name) for name in ITEM_FIELDS}
    for name, kind in _OWN_ENUMS.items():
        own[name] = kind(own[name])
    return ItemPublic.model_construct(
        **own,
        code=row.code,
        label_payload=payload.make_payload("I", row.code),
        status=ItemStatus(row.status),
        location_code=row.location_code,
        case_id=row.case_id,
        judgment_number=row.judgment_number,
        seized_net_weight_g=row.seized_net_weight_g,
        seized_gross_weight_g=row.seized_gross_weight_g,
        seal_state=SealState(row.seal_state),
        delivered_by=Person.model_construct(
            name=row.delivered_by_name,
            position=row.delivered_by_position,
            id_document=row.delivered_by_id_document,
        ),
        received_by=row.username,
        disposition=Disposition(row.disposition),
        version=row.version,
        received_at=row.received_at,
        updated_at=row.updated_at,
    )


def items_public(session: Session, ids: Sequence[int]) -> list[ItemPublic]:
    """The items as the database holds them now (not as objects in the session say)."""
    rows = session.execute(_ITEM_ROWS.where(col(Item.id).in_(ids))).all()
    by_id = {row.id: _public_of_row(row) for row in rows}
    return [by_id[i] for i in ids]


def key_of(code: str) -> str:
    try:
        return payload.code_key(code)
    except ValueError:
        raise NotFound(
            f"item '{code}' not found", key="keysa_items.not_found", params={"code": code}
        ) from None


def get_item(session: Session, code: str, actor: User) -> Item:
    """An item the actor may see, by code (with or without dashes, any case)."""
    item = session.exec(select(Item).where(Item.label_key == key_of(code))).first()
    if item is None or item.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"item '{code}' not found", key="keysa_items.not_found", params={"code": code}
        )
    return item


def get_items(
    session: Session, codes: Sequence[str], actor: User, scope: set[int] | None = None
) -> list[Item]:
    """Items the actor may see, by code, in the order given, in one query; the first code
    not found is refused as :func:`get_item` would. Read afresh: callers hold the write lock.
    ``scope``: the actor's agency scope, if the caller has it already."""
    keys = [_key_or_none(code) for code in codes]
    if scope is None:
        scope = agency_scope(session, actor)
    found = session.exec(
        select(Item)
        .where(col(Item.label_key).in_({key for key in keys if key is not None}))
        .execution_options(populate_existing=True)
    ).all()
    by_key = {item.label_key: item for item in found if item.agency_id in scope}
    for code, key in zip(codes, keys, strict=True):
        if key not in by_key:
            raise NotFound(
                f"item '{code}' not found", key="keysa_items.not_found", params={"code": code}
            )
    return [by_key[key] for key in keys if key is not None]


def _key_or_none(code: str) -> str | None:
    try:
        return payload.code_key(code)
    except ValueError:
        return None


def item_public(session: Session, code: str, actor: User) -> ItemPublic:
    row = session.execute(_ITEM_BY_KEY, {"key": key_of(code)}).first()
    if row is None or row[0].agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"item '{code}' not found", key="keysa_items.not_found", params={"code": code}
        )
    return _public(*row)


def list_items(
    session: Session,
    actor: User,
    *,
    status: ItemStatus | None = None,
    category: Category | None = None,
    location_code: str | None = None,
    warehouse_code: str | None = None,
    case_id: int | None = None,
    hazard_class: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ItemPage:
    query = _ITEM_QUERY.where(col(Item.agency_id).in_(agency_scope(session, actor)))
    if status is not None:
        query = query.where(Item.status == status.value)
    if category is not None:
        query = query.where(Item.category == category.value)
    if case_id is not None:
        query = query.where(Item.case_id == case_id)
    if location_code is not None:
        within = get_location(session, location_code, actor)
        query = query.where(col(Location.path).startswith(within.path))
    if warehouse_code is not None:
        query = query.join(Warehouse, col(Warehouse.id) == Location.warehouse_id).where(
            Warehouse.code == warehouse_code
        )
    if hazard_class is not None:
        (normalised,) = normalise_hazard_classes([hazard_class], "hazard_class", where="query")
        # The list is stored as JSON text; a quoted match finds the exact class.
        query = query.where(cast(Item.hazard_classes, String).contains(f'"{normalised}"'))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(col(Item.id)).limit(limit).offset(offset)).all()
    return ItemPage(items=[_public(*r) for r in rows], total=total, limit=limit, offset=offset)


def custody_history(session: Session, code: str, actor: User) -> list[CustodyEventPublic]:
    item = get_item(session, code, actor)
    rows = session.exec(
        select(CustodyEvent)
        .where(CustodyEvent.item_id == item.id)
        .order_by(col(CustodyEvent.id))  # ids follow time across chains
    ).all()
    location_ids = {r.from_location_id for r in rows} | {r.to_location_id for r in rows}
    locations = {
        loc.id: loc.code
        for loc in session.exec(select(Location).where(col(Location.id).in_(location_ids))).all()
    }
    users = {
        u.id: u.username
        for u in session.exec(
            select(User).where(col(User.id).in_({r.actor_id for r in rows}))
        ).all()
    }
    return [
        CustodyEventPublic(
            seq=r.seq,
            event_type=r.event_type,
            occurred_at=r.occurred_at,
            actor=users[r.actor_id],
            from_location_code=locations.get(r.from_location_id),
            to_location_code=locations.get(r.to_location_id),
            reason=r.reason,
            details=r.details,
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in rows
    ]
