"""Shared by the reports: the actor's warehouses, rounding, CSV."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from ..auth import agency_scope
from ..i18n import Translator
from ..locations import get_warehouse
from ..models import (
    Agency,
    Category,
    User,
    Warehouse,
)
from ..safecells import csv_text

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


# Person CSV: the words of a column's stored values (by translation key prefix), and the
# columns left out because they restate another one in English for machines.
VALUE_WORDS = {
    "kind": "kind.",
    "category": "category.",
    "status": "status.",
    "disposition": "disposition.",
    "reason": "dashboard.ageing_",
    "measure": "dashboard.measure_",
    "state": "dashboard.state_",
    "section": "dashboard.group_",
}
MACHINE_ONLY = frozenset({"message"})


def csv_cell(value: Any) -> Any:
    """A value for machines: a decimal point, ISO 8601, true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def person_cell(column: str, value: Any, t: Translator) -> str:
    """A value for people, as the web page shows it: the language's formatter and words;
    a column with ``_kg`` in its name holds kilograms, one ending ``_percent``/``pct`` a share."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("record.yes") if value else t("record.no")
    if column.endswith(("_percent", "pct")) and isinstance(value, int | float):
        return t.percent(value)
    if "_kg" in column and isinstance(value, int | float):
        return t.fmt.weight(value * 1000, unit="kg")
    if isinstance(value, int | float):
        return t.number(value, 4)
    if isinstance(value, datetime):
        return t.datetime(value)
    if isinstance(value, date):
        return t.date(value)
    if column in VALUE_WORDS and isinstance(value, str):
        return t.maybe(VALUE_WORDS[column] + value, value)
    return str(value)


def person_header(column: str, t: Translator) -> str:
    if column.startswith("category_"):
        category = column.removeprefix("category_")
        return t("csv.category_count", category=t.maybe(f"category.{category}", category))
    return t(f"csv.{column}")


def _safe(value: Any, text: Any) -> Any:
    """A text the data holds is kept from being a formula; a formatted number is a number."""
    return csv_text(text) if isinstance(value, str) else text


def to_csv(
    header: Sequence[str], rows: Iterable[Sequence[Any]], t: Translator | None = None
) -> str:
    """CSV text starting with a BOM, so Excel reads the Vietnamese in it as UTF-8.

    Without ``t`` the file is for machines (the API's ``format=csv``): the column names,
    numbers with a decimal point and no grouping, ISO 8601 dates in UTC. With ``t`` it is for
    people (the dashboard's downloads): column titles from the translation files (``csv.*``)
    and every value as the web page shows it in that language (``39,125 kg`` in Vietnamese).
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    if t is None:
        writer.writerow(header)
        writer.writerows([csv_text(csv_cell(v)) for v in row] for row in rows)
        return out.getvalue()
    keep = [n for n, column in enumerate(header) if column not in MACHINE_ONLY]
    writer.writerow([person_header(header[n], t) for n in keep])
    writer.writerows(
        [_safe(row[n], person_cell(header[n], row[n], t)) for n in keep] for row in rows
    )
    return out.getvalue()
