"""Shared by the reports: the actor's warehouses, rounding, CSV."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session, col, select

from ..auth import agency_scope
from ..locations import get_warehouse
from ..models import (
    Agency,
    Category,
    User,
    Warehouse,
)

CATEGORIES = [c.value for c in Category]


def round_sum(value: float, digits: int = 6) -> float:
    # Trigger-maintained sums add and subtract floats: hide the last-bit residue.
    return round(value, digits) + 0.0


def scoped_warehouses(
    session: Session, actor: User, warehouse_code: str | None
) -> list[tuple[Warehouse, str]]:
    """(warehouse, agency code) the actor may see, optionally just one (404 if not visible)."""
    query = (
        select(Warehouse, Agency.code)
        .join(Agency, col(Agency.id) == Warehouse.agency_id)
        .where(col(Warehouse.agency_id).in_(agency_scope(session, actor)))
        .order_by(Warehouse.code)
    )
    if warehouse_code is not None:
        query = query.where(Warehouse.code == get_warehouse(session, warehouse_code, actor).code)
    return [(w, code) for w, code in session.exec(query).all()]


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text starting with a BOM, so Excel reads the Vietnamese in it as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return out.getvalue()
