"""Translations (``i18n/<lang>.toml``) and locale formatting for the web pages.

Every user-visible string of the pages comes from the translation files: ``t("scan.title")``
looks up ``[scan] title`` in the current language, falls back to Vietnamese, then to the key
itself (so a missing string shows up as its key instead of breaking the page). Placeholders
use ``str.format`` names: ``t("item.moved", code="S1")``.

Dates are ``dd/mm/yyyy`` in both languages and shown in Vietnam time; numbers group
thousands with ``.`` and mark decimals with ``,`` in Vietnamese (``1.234,5``), the other way
round in English (``1,234.5``).
"""

import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = ("vi", "en")
DEFAULT_LANG = "vi"
VIETNAM = timezone(timedelta(hours=7), "ICT")
_DIR = Path(__file__).resolve().parent / "i18n"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@lru_cache(maxsize=len(LANGUAGES))
def messages(lang: str) -> dict[str, str]:
    """All strings of one language, flattened to dotted keys."""
    with (_DIR / f"{lang}.toml").open("rb") as f:
        return _flatten(tomllib.load(f))


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANG


@dataclass(frozen=True)
class Translator:
    """What templates call ``t``, plus the number and date helpers of the language."""

    lang: str

    def __call__(self, key: str, **values: Any) -> str:
        text = messages(self.lang).get(key) or messages(DEFAULT_LANG).get(key) or key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in messages(self.lang)

    def maybe(self, key: str, fallback: str) -> str:
        """The translation of ``key`` if there is one, else ``fallback`` (e.g. a raw value)."""
        return self(key) if self.has(key) else fallback

    def section(self, prefix: str) -> dict[str, str]:
        """Every string under ``prefix.`` (e.g. for the JavaScript of a page)."""
        start = f"{prefix}."
        base = {k: v for k, v in messages(DEFAULT_LANG).items() if k.startswith(start)}
        base.update({k: v for k, v in messages(self.lang).items() if k.startswith(start)})
        return {k[len(start) :]: v for k, v in base.items()}

    def number(self, value: float | int | None, decimals: int = 3) -> str:
        return format_number(value, self.lang, decimals)

    def weight(self, grams: float | None) -> str:
        return format_weight(grams, self.lang)

    def date(self, value: date | datetime | None) -> str:
        return format_date(value)

    def datetime(self, value: datetime | None) -> str:
        return format_datetime(value)


def format_number(value: float | int | None, lang: str, decimals: int = 3) -> str:
    """``1234.5`` → ``1.234,5`` (vi) or ``1,234.5`` (en); no trailing zeros; '' for None."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if lang == "vi":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def format_weight(grams: float | None, lang: str) -> str:
    """A weight in the unit people read: ``850 g``, ``1,25 kg``, ``2,4 t``."""
    if grams is None:
        return ""
    if abs(grams) >= 1_000_000:
        return f"{format_number(grams / 1_000_000, lang, 3)} t"
    if abs(grams) >= 1000:
        return f"{format_number(grams / 1000, lang, 3)} kg"
    return f"{format_number(grams, lang, 2)} g"


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:  # stored in UTC (SQLite drops the zone)
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VIETNAM)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return _local(value).strftime("%d/%m/%Y %H:%M")


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
        return float(s.replace(",", "."))
    except ValueError:
        raise NumberError(text) from None
