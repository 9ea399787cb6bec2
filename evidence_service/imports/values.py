"""Reading the values a ledger writes: Vietnamese decimal commas and dot thousands, weights with
units (kg, g, mg, lạng, tấn), day-first dates with two- or four-digit years. Each parser
returns the value or raises ``Problem`` naming what is wrong."""

import re
from datetime import date, datetime
from typing import Any

from ..i18n import day_start
from .mapping import Mapping

_NUMBER = re.compile(r"^[+-]?\d[\d.,]*$")
_WITH_UNIT = re.compile(r"^(?P<num>[+-]?\d[\d.,\s]*?)\s*(?P<unit>[^\d\s.,+-][^\d]*)?$")
_DAY_FIRST = re.compile(
    r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2,4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


class Problem(Exception):
    """What is wrong with a value: its ``kind``, the English ``message`` and the translation
    ``key`` with its ``params`` (``checked.Note``)."""

    def __init__(
        self, kind: str, message: str, key: str, params: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.key = key
        self.params = params or {}


def parse_decimal(text: str, dot_thousands: bool = False) -> float:
    """``12,5`` and ``12.5`` → 12.5; ``1.234,5`` and ``1,234.5`` → 1234.5; ``12.500`` is
    refused as ambiguous (12.5 or 12500?) unless ``dot_thousands`` (a number written with
    its unit, "1.250 g", as Vietnamese writes it): then it is 12500."""
    s = text.replace("\u00a0", "").replace(" ", "").strip()
    if not _NUMBER.match(s) or s[-1] in ".,":
        raise _not_a_number(text)
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("+-")
    if "." in s and "," in s:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        whole, fraction = s.rsplit(decimal, 1)
        if decimal in whole or not _grouped(whole.split(thousands)):
            raise _not_a_number(text)
        return sign * float(whole.replace(thousands, "") + "." + fraction)
    separator = "." if "." in s else "," if "," in s else None
    if separator is None:
        return sign * float(s)
    parts = s.split(separator)
    if len(parts) > 2:  # only thousands separators: 1.234.567
        if not _grouped(parts):
            raise _not_a_number(text)
        return sign * float("".join(parts))
    whole, fraction = parts
    if dot_thousands and separator == "." and _grouped(parts):
        return sign * float(whole + fraction)
    if len(fraction) == 3 and whole.lstrip("0"):
        decimal_reading = f"{whole},{fraction.rstrip('0') or '0'}"
        thousands_reading = str(int(whole + fraction))
        raise Problem(
            "ambiguous_number",
            f"'{text}' is ambiguous: {whole}{separator}{fraction} may mean "
            f"{decimal_reading} (decimal) or {thousands_reading} "
            f"(thousands); write {decimal_reading} or {thousands_reading}",
            "imports15_rows.ambiguous_number",
            {
                "text": text,
                "written": f"{whole}{separator}{fraction}",
                "decimal": decimal_reading,
                "thousands": thousands_reading,
            },
        )
    return sign * float(whole + "." + fraction)


def _not_a_number(text: str) -> Problem:
    return Problem(
        "bad_number", f"'{text}' is not a number", "imports15_rows.not_a_number", {"text": text}
    )


def _grouped(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 and g.isdigit() for g in groups[1:])


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def parse_quantity(value: Any, mapping: Mapping) -> tuple[float, str | None]:
    """(quantity, unit written beside it, e.g. '5 gói')."""
    number = _number(value)
    if number is not None:
        return number, None
    text = str(value).strip()
    m = _WITH_UNIT.match(text)
    if m is None:
        raise Problem(
            "bad_number",
            f"'{text}' is not a quantity",
            "imports15_rows.not_a_quantity",
            {"text": text},
        )
    unit = None
    if m.group("unit"):
        unit = mapping.units.get(m.group("unit"))
        if unit is None:
            written = m.group("unit").strip()
            raise Problem(
                "unknown_unit",
                f"unknown unit '{written}'",
                "imports15_rows.unknown_unit",
                {"text": written},
            )
    return parse_decimal(m.group("num")), unit


def parse_weight_g(
    value: Any, header_unit: str | None, mapping: Mapping
) -> tuple[float, str | None]:
    """(weight in grams, the unit assumed for a bare number or None). A bare number is in
    the column's unit (its header's brackets, the mapping's ``column_units``), else the
    file's or mapping's; where none is set it is kilograms and the unit is returned, so the
    row carries a warning: a bare number is never silently a kilogram."""
    grams = mapping.weight_grams
    default = header_unit if header_unit in grams else mapping.weight_unit
    number = _number(value)
    unit = default or "kg"
    assumed = default is None
    if number is None:
        text = str(value).strip()
        m = _WITH_UNIT.match(text)
        if m is None:
            raise Problem(
                "bad_weight",
                f"'{text}' is not a weight (write e.g. 12,5 kg or 500 g)",
                "imports15_rows.not_a_weight",
                {"text": text},
            )
        if m.group("unit"):
            found = mapping.units.get(m.group("unit"))
            if found not in grams:
                written = m.group("unit").strip()
                raise Problem(
                    "bad_weight",
                    f"'{written}' is not a weight unit (use kg, g, mg, lạng or tấn)",
                    "imports15_rows.not_a_weight_unit",
                    {"text": written},
                )
            unit, assumed = found, False
        try:
            number = parse_decimal(m.group("num"), dot_thousands=bool(m.group("unit")))
        except Problem as exc:
            kind = "ambiguous_number" if exc.kind == "ambiguous_number" else "bad_weight"
            # The weight's own number, the same sentence as any number's ("weight …").
            key = exc.key.replace("imports15_rows.", "imports15_rows.weight_")
            raise Problem(kind, f"weight {exc.message}", key, exc.params) from None
    if not number > 0 or number == float("inf"):
        raise Problem(
            "bad_weight",
            f"weight must be more than 0 (got {value})",
            "imports15_rows.weight_not_positive",
            {"text": str(value)},
        )
    return round(number * grams[unit], 6), unit if assumed else None


def parse_date(value: Any, today: date) -> date:
    if isinstance(value, datetime):
        found = value.date()
    elif isinstance(value, date):
        found = value
    else:
        text = str(value).strip()
        found = _date_from_text(text, today)
    if found > today:
        raise Problem(
            "future_date",
            f"{found:%d/%m/%Y} is in the future",
            "imports15_rows.future_date",
            {"date": found.isoformat()},
        )
    if found.year < 1950:
        raise Problem(
            "bad_date",
            f"{found:%d/%m/%Y} is too far in the past",
            "imports15_rows.past_date",
            {"date": found.isoformat()},
        )
    return found


def _date_from_text(text: str, today: date) -> date:
    m = _DAY_FIRST.match(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
        if len(m.group(3)) == 2:
            # 15/01/25 is 2025; a year after this one is last century (15/01/98: 1998).
            year += 2000 if year <= today.year % 100 else 1900
        elif len(m.group(3)) != 4:
            raise Problem(
                "bad_date",
                f"'{text}': write the year in full (dd/mm/yyyy)",
                "imports15_rows.year_in_full",
                {"text": text},
            )
        if month > 12 and day <= 12:
            raise Problem(
                "bad_date",
                f"'{text}': there is no month {month}; dates are day first (dd/mm/yyyy), "
                f"so this may mean {month:02d}/{day:02d}/{year}",
                "imports15_rows.no_such_month",
                {"text": text, "month": month, "swapped": f"{month:02d}/{day:02d}/{year}"},
            )
    elif m := _ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise Problem(
            "bad_date",
            f"'{text}' is not a date in dd/mm/yyyy",
            "imports15_rows.not_a_date",
            {"text": text},
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise Problem(
            "bad_date",
            f"'{text}' is not a real date",
            "imports15_rows.no_such_date",
            {"text": text},
        ) from None


def start_of_day_utc(day: date) -> datetime:
    """Midnight in Vietnam on that day, in UTC: the ledger's date, stored as a timestamp."""
    return day_start(day)
