"""How numbers, weights, quantities, dates and times read in each language: one
:class:`Formatter` per locale, used by the web pages, the PDFs, the XLSX and CSV files and the
labels alike.

Vietnamese groups thousands with ``.`` and marks decimals with ``,`` (``1.234,5 kg``);
English the other way round (``1,234.5 kg``). Dates read ``dd/mm/yyyy`` in both, and every
moment is shown in the local time of the offices (:data:`LOCAL_TIME_ZONE`). What is stored
stays SI and UTC: grams, litres, aware UTC datetimes.
"""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal

from .catalog import lookup, normalise_lang

# Asia/Ho_Chi_Minh. Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed
# offset is exact and needs no time-zone database on the server. The only definition.
LOCAL_TIME_ZONE = timezone(timedelta(hours=7), "ICT")

# XLSX cells stay numbers (so sums work); this number format shows them as kilograms with
# three decimals in the reader's own separators: 39,125 kg in a Vietnamese Excel.
XLSX_KG_FORMAT = '#,##0.000" kg"'
# Dates in XLSX are date cells (sortable, filterable) shown day/month/year, as on paper.
XLSX_DATE_FORMAT = "dd/mm/yyyy"

WeightUnit = Literal["g", "kg", "t"]
_GRAMS = {"g": 1.0, "kg": 1000.0, "t": 1_000_000.0}


def local_time(moment: datetime) -> datetime:
    """A stored moment in the offices' local time (a naive one is UTC: SQLite drops the zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TIME_ZONE)


def local_day(moment: datetime) -> date:
    return local_time(moment).date()


def day_start(day: date) -> datetime:
    """The UTC moment a local day begins."""
    return datetime.combine(day, time(0), LOCAL_TIME_ZONE).astimezone(UTC)


@dataclass(frozen=True)
class Formatter:
    """The number and date conventions of one language; get one with :func:`formatter`."""

    lang: str
    decimal_mark: str
    group_mark: str

    def number(self, value: float | None, decimals: int = 3, fixed: bool = False) -> str:
        """``1234.5`` → ``1.234,5`` (vi); no trailing zeros unless ``fixed``; '' for None."""
        if value is None:
            return ""
        text = f"{value:,.{decimals}f}"
        if "." in text and not fixed:
            text = text.rstrip("0").rstrip(".")
        if text.lstrip("-").strip("0.,") == "":
            text = text.lstrip("-")
        grouped = text.replace(",", "\0").replace(".", self.decimal_mark)
        return grouped.replace("\0", self.group_mark)

    def weight(self, grams: float | None, unit: WeightUnit | None = None) -> str:
        """A weight from grams in the unit people read: ``850 g``, ``39,125 kg``, ``2,4 t``
        (``unit`` forces one, e.g. kilograms down a ledger column)."""
        if grams is None:
            return ""
        if unit is None:
            unit = "t" if abs(grams) >= 1_000_000 else "kg" if abs(grams) >= 1000 else "g"
        return f"{self.number(grams / _GRAMS[unit], 2 if unit == 'g' else 3)} {unit}"

    def quantity(self, value: float | None, unit: str) -> str:
        """``3 cái``, ``1,5 lít``: the number and the unit's word (``unit.<code>``); a unit
        without one (``bánh``, ``can``, an agency's own) is its own word (data/units.toml:
        "a unit is printed as recorded"), never the key ``unit.bánh``."""
        if value is None:
            return ""
        key = f"unit.{unit}"
        word = lookup(self.lang, key)
        return f"{self.number(value)} {unit if word == key else word}"

    def percent(self, value: float | None, decimals: int = 1) -> str:
        """``16.667`` → ``16,7 %``."""
        return "" if value is None else f"{self.number(value, decimals)} %"

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = local_time(value)
        return value.strftime("%d/%m/%Y")

    def time(self, value: datetime | None) -> str:
        return "" if value is None else local_time(value).strftime("%H:%M")

    def datetime(self, value: datetime | None) -> str:
        return "" if value is None else local_time(value).strftime("%d/%m/%Y %H:%M")

    def duration(self, minutes: float | None) -> str:
        """``90`` → ``1 giờ 30 phút`` / ``1 h 30 min``."""
        if minutes is None:
            return ""
        hours, rest = divmod(round(minutes), 60)
        parts = [lookup(self.lang, "format.hours").format(n=hours)] if hours else []
        if rest or not hours:
            parts.append(lookup(self.lang, "format.minutes").format(n=rest))
        return " ".join(parts)


FORMATTERS = {
    "vi": Formatter("vi", decimal_mark=",", group_mark="."),
    "en": Formatter("en", decimal_mark=".", group_mark=","),
}


def formatter(lang: str | None) -> Formatter:
    return FORMATTERS[normalise_lang(lang)]


class NumberError(ValueError):
    pass


def parse_number(text: str | None) -> float | None:
    """A number typed in a form: ``,`` or ``.`` as the decimal mark (one of them, once).

    Thousands separators are refused rather than guessed: ``1.500`` means 1500 to a
    Vietnamese reader and 1.5 to an English one, and a weight must not depend on that.
    """
    if text is None or not text.strip():
        return None
    s = text.strip().replace(" ", "").replace("\u00a0", "")
    if s.count(",") + s.count(".") > 1:
        raise NumberError(text)
    try:
        value = float(s.replace(",", "."))
    except ValueError:
        raise NumberError(text) from None
    if not math.isfinite(value):  # "inf", "nan": not a weight anyone weighed
        raise NumberError(text)
    return value
