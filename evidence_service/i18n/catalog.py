"""The translation files: ``vi.toml`` and ``en.toml`` beside this module, flattened to dotted
keys (``[status] stored`` → ``status.stored``). Both files hold the same keys (a test checks)."""

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = ("vi", "en")
DEFAULT_LANG = "vi"
_DIR = Path(__file__).resolve().parent


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


def lookup(lang: str, key: str) -> str:
    """The text of ``key`` in ``lang``, else in Vietnamese, else the key itself (so a missing
    string shows up as its key instead of breaking a page or a record)."""
    return messages(lang).get(key) or messages(DEFAULT_LANG).get(key) or key
