"""Every sentence a person reads, and how numbers and dates read, in one place.

- ``vi.toml`` / ``en.toml``: the texts of every face, by key prefix: the web pages (``nav``,
  ``item``, ``destruction``, …), the shared vocabulary (``status``, ``category``, ``unit``,
  ``seal``, ``disposition``, ``kind``), the printed records (``record``,
  ``destruction_record``, ``stocktake_record``), the exports (``ledger``, ``summary``,
  ``period``, ``csv``), the labels (``label``) and the formatter's words (``format``).
  Vietnamese is the default and the fallback; both files hold the same keys.
- :mod:`.formatting`: one :class:`Formatter` per locale (numbers, weights, quantities,
  percentages, dates, times, durations), the local time zone (defined only there) and the
  parser of numbers typed in forms.
- :class:`Translator`: ``t(key, **values)`` plus the formatter of its language.

How to add a text: put the key in both files, then call ``t("section.key")``.
"""

from .catalog import DEFAULT_LANG, LANGUAGES, messages, normalise_lang
from .formatting import (
    FORMATTERS,
    LOCAL_TIME_ZONE,
    XLSX_DATE_FORMAT,
    XLSX_KG_FORMAT,
    Formatter,
    NumberError,
    day_start,
    formatter,
    local_day,
    local_time,
    parse_number,
)
from .translator import Translator, translator

__all__ = [
    "DEFAULT_LANG",
    "FORMATTERS",
    "LANGUAGES",
    "LOCAL_TIME_ZONE",
    "XLSX_DATE_FORMAT",
    "XLSX_KG_FORMAT",
    "Formatter",
    "NumberError",
    "Translator",
    "day_start",
    "formatter",
    "local_day",
    "local_time",
    "messages",
    "normalise_lang",
    "parse_number",
    "translator",
]
