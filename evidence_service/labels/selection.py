"""Which items and locations a print request names, in the actor's agency scope."""

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlmodel import Session, col, select

from .. import payload
from ..auth import agency_scope
from ..cases import get_case
from ..errors import Conflict, Invalid, NotFound
from ..items import ITEM_ACTIONS, allows
from ..locations import get_location
from ..models import Case, Handover, HandoverLine, Item, Location, User, Warehouse

_ITEM_ROWS = (
    select(Item, Case, Location)
    .join(Case, col(Case.id) == Item.case_id)
    .outerjoin(Location, col(Location.id) == Item.location_id)
)
_LOCATION_ROWS = select(Location, Warehouse.name).join(
    Warehouse, col(Warehouse.id) == Location.warehouse_id
)


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _by_codes(
    session: Session,
    noun: str,
    codes: Sequence[str],
    query: Any,
    key_column: Any,
    in_scope: Callable[[Any], bool],
) -> list[Any]:
    """Rows for ``codes`` in request order (duplicates once); an unknown code → 404."""
    keys: dict[str, str] = {}
    for code in codes:
        try:
            keys.setdefault(payload.code_key(code), code)
        except ValueError:
            raise NotFound(
                f"{noun} '{code}' not found",
                key=f"keysb_labels.no_{noun}",
                params={"code": code},
            ) from None
    found: dict[str, Any] = {}
    for chunk in _chunks(list(keys)):
        for row in session.execute(query.where(col(key_column).in_(chunk))).all():
            found[row[0].label_key] = row
    rows: list[Any] = []
    for key, code in keys.items():
        match = found.get(key)
        if match is None or not in_scope(match):
            raise NotFound(
                f"{noun} '{code}' not found", key=f"keysb_labels.no_{noun}", params={"code": code}
            )
        rows.append(match)
    return rows


def select_items(
    session: Session,
    actor: User,
    *,
    codes: Sequence[str] | None = None,
    case_id: int | None = None,
    location_code: str | None = None,
) -> list[tuple[Item, Case, Location | None]]:
    """(item, its case, its location) to label, in the actor's agency scope.

    Named codes must all be labellable (a destroyed or released item → 409); a case or a
    location subtree yields the items of it still in the agency's custody.
    """
    scope = agency_scope(session, actor)
    if codes is not None:
        rows = _by_codes(
            session, "item", codes, _ITEM_ROWS, Item.label_key, lambda r: r[0].agency_id in scope
        )
        for item, *_ in rows:
            if not allows("print_label", item.status):
                raise Conflict(
                    f"item {item.code} is {item.status}: a {item.status} item cannot be relabelled",
                    key="keysb_labels.not_labellable",
                    params={"code": item.code, "status": item.status},
                )
        return [(r[0], r[1], r[2]) for r in rows]
    query = _ITEM_ROWS.where(
        col(Item.agency_id).in_(scope),
        col(Item.status).in_(ITEM_ACTIONS["print_label"].statuses),
    )
    if case_id is not None:
        get_case(session, case_id, actor)  # 404 outside the scope
        query = query.where(Item.case_id == case_id)
        field = "case_id"
    elif location_code is not None:
        within = get_location(session, location_code, actor)
        query = query.where(col(Location.path).startswith(within.path))
        field = "location_code"
    else:
        raise Invalid(
            "codes", "give codes, case_id or location_code", key="keysb_labels.choose_items"
        )
    found = session.execute(query.order_by(col(Item.code))).all()
    if not found:
        raise Invalid(field, "no items to label there", key="keysb_labels.nothing_there")
    return [(r[0], r[1], r[2]) for r in found]


def select_locations(
    session: Session,
    actor: User,
    *,
    codes: Sequence[str] | None = None,
    location_code: str | None = None,
) -> list[tuple[Location, str]]:
    """(location, warehouse name) to label: named codes, or a location and all below it."""
    scope = agency_scope(session, actor)
    query = _LOCATION_ROWS.add_columns(col(Warehouse.agency_id))
    if codes is not None:
        rows = _by_codes(
            session, "location", codes, query, Location.label_key, lambda r: r[2] in scope
        )
    elif location_code is not None:
        within = get_location(session, location_code, actor)
        rows = list(
            session.execute(
                query.where(col(Location.path).startswith(within.path)).order_by(col(Location.path))
            ).all()
        )
    else:
        raise Invalid(
            "codes",
            "give codes or location_code for location labels",
            key="keysb_labels.choose_locations",
        )
    return [(r[0], r[1]) for r in rows]


def deliverer_agencies(session: Session, items: Sequence[Item]) -> dict[int, str]:
    """The agency that handed each item over (the handover's deliverer, vn-legal-context §2.2),
    by item id, for the label's "Bên giao" (review, "Labels": the transferring agency)."""
    ids = [i.id for i in items if i.id is not None]
    if not ids:
        return {}
    rows = session.exec(
        select(HandoverLine.item_id, Handover.deliverer_agency)
        .join(Handover, col(Handover.id) == HandoverLine.handover_id)
        .where(col(HandoverLine.item_id).in_(ids), Handover.deliverer_agency != "")
        .order_by(col(Handover.id))
    ).all()
    return {item_id: agency for item_id, agency in rows}
