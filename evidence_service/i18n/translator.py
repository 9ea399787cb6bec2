"""What pages, records, exports and labels call ``t``: the strings of one language plus its
formatter."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .catalog import DEFAULT_LANG, lookup, messages, normalise_lang
from .formatting import Formatter, formatter


@dataclass(frozen=True)
class Translator:
    """``t("item.moved", code="S1")`` looks up ``[item] moved`` and fills its ``{code}``."""

    lang: str

    def __call__(self, key: str, **values: Any) -> str:
        text = lookup(self.lang, key)
        return text.format(**values) if values else text

    @property
    def fmt(self) -> Formatter:
        return formatter(self.lang)

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

    # The formatter's helpers, so templates can write ``t.weight(item.net_weight_g)``.
    def number(self, value: float | None, decimals: int = 3) -> str:
        return self.fmt.number(value, decimals)

    def weight(self, grams: float | None) -> str:
        return self.fmt.weight(grams)

    def quantity(self, value: float | None, unit: str) -> str:
        return self.fmt.quantity(value, unit)

    def percent(self, value: float | None, decimals: int = 1) -> str:
        return self.fmt.percent(value, decimals)

    def date(self, value: date | datetime | None) -> str:
        return self.fmt.date(value)

    def datetime(self, value: datetime | None) -> str:
        return self.fmt.datetime(value)


def translator(lang: str | None) -> Translator:
    return Translator(normalise_lang(lang))
