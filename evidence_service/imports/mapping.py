"""The column mapping: which ledger header feeds which field, and what ledgers write for
units, categories, seal states and dispositions. Data in ``data/import_mapping.toml``."""

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import DomainError

DEFAULT_MAPPING = Path(__file__).resolve().parent.parent / "data" / "import_mapping.toml"
FIELDS = (
    "external_ref",
    "description",
    "category",
    "quantity",
    "unit",
    "net_weight",
    "gross_weight",
    "volume_l",
    "judgment_number",
    "court",
    "decision_number",
    "decision_issuer",
    "decision_date",
    "received_at",
    "location_code",
    "seal_state",
    "seal_number",
    "condition",
    "hazard_classes",
    "disposition",
    "delivered_by",
    "handover_record_no",
    "entry_slip_no",
    "notes",
)
WEIGHT_UNITS = {"kg": 1000.0, "g": 1.0}  # the units a mapping's weight_unit may name
_SPACES = re.compile(r"\s+")
_BRACKETED = re.compile(r"^(.*?)\s*[(\[]\s*([^)\]]*)\s*[)\]]\s*$")
_COLUMN_NUMBER = re.compile(r"\s*[(\[]\s*\d{1,2}\s*[)\]]\s*$")
_PUNCTUATION = re.compile(r"[.:;*_\-–—'\"“”]+")


class MappingError(DomainError):
    status_code = 422


def norm(text: str) -> str:
    """Case, spacing and Unicode composition folded: what two spellings must share."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def fold(text: str) -> str:
    """``norm`` without Vietnamese diacritics (đ → d), for a last-resort match."""
    decomposed = unicodedata.normalize("NFD", norm(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Synonyms:
    """Values written in a ledger → the service's value."""

    exact: dict[str, str]
    folded: dict[str, str]

    @classmethod
    def build(cls, table: dict[str, list[str]]) -> "Synonyms":
        exact: dict[str, str] = {}
        folded: dict[str, str] = {}
        for value, words in table.items():
            for word in [value, *words]:
                exact.setdefault(norm(word), value)
                folded.setdefault(fold(word), value)
        return cls(exact, folded)

    def get(self, text: str) -> str | None:
        return self.exact.get(norm(text)) or self.folded.get(fold(text))


def header_key(text: str) -> str:
    """A header as matched: ``norm``, a trailing column number "(3)" and punctuation gone."""
    text = _COLUMN_NUMBER.sub("", norm(text))
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip(" ,")


_NON_WORD = re.compile(r"[^\w]+")


def _words(text: str) -> str:
    """Words between single spaces, with a space at each end: ' heroin ' in ' 1 heroin '."""
    return " " + _NON_WORD.sub(" ", text).strip() + " "


@dataclass(frozen=True)
class Keywords:
    """Words found in a description → a category (first match in the file's order)."""

    exact: tuple[tuple[str, str], ...]
    folded: tuple[tuple[str, str], ...]

    @classmethod
    def build(cls, table: dict[str, list[str]]) -> "Keywords":
        exact = [(_words(norm(w)), c) for c, words in table.items() for w in words]
        folded = [(_words(fold(w)), c) for c, words in table.items() for w in words]
        return cls(tuple(exact), tuple(folded))

    def find(self, description: str) -> str | None:
        text, folded = _words(norm(description)), _words(fold(description))
        for word, category in self.exact:
            if word in text:
                return category
        for word, category in self.folded:
            if word in folded:
                return category
        return None


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, list[str]]
    ignored: frozenset[str]
    units: Synonyms
    categories: Synonyms
    seal_states: Synonyms
    dispositions: Synonyms
    weight_unit: str | None = None  # None: a bare weight is kilograms, with a warning
    weight_grams: dict[str, float] = field(default_factory=lambda: dict(WEIGHT_UNITS))
    category_keywords: Keywords = field(default_factory=lambda: Keywords((), ()))
    totals: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()
    column_units: dict[str, str] = field(default_factory=dict)  # weight field → unit
    fallback_category: str | None = None
    # Given for one upload: the category of every row, the ledger's name (see rows.py).
    category: str | None = None
    ledger: str | None = None
    required: tuple[str, ...] = ()
    error_column: str = "Lỗi"
    _headers: dict[str, str] = field(default_factory=dict)
    _folded: dict[str, str] = field(default_factory=dict)

    def field_for(self, header: str) -> tuple[str | None, str | None]:
        """(field, unit written in brackets) for a header, or (None, None) if unknown."""
        text = _COLUMN_NUMBER.sub("", norm(header))
        found = self._lookup(text)
        unit = None
        if found is None and (m := _BRACKETED.match(text)):
            found = self._lookup(m.group(1))
            unit = self.units.get(m.group(2))
        return found, unit

    def _lookup(self, text: str) -> str | None:
        candidates = [text]
        if "/" in text:
            candidates += [part for part in text.split("/") if part.strip()]
        for candidate in candidates:
            key = header_key(candidate)
            found = self._headers.get(key)
            if found is not None:
                return found
        for candidate in candidates:
            found = self._folded.get(fold(header_key(candidate)))
            if found is not None:
                return found
        return None

    def footer(self, texts: list[str]) -> str | None:
        """'total' or 'signature' if a row's cells begin like a footer, else None."""
        for text in texts:
            key = header_key(text)
            if not key:
                continue
            for kind, words in (("signature", self.signatures), ("total", self.totals)):
                if any(key == w or key.startswith(w + " ") for w in words):
                    return kind
        return None

    def is_ignored(self, header: str) -> bool:
        key = header_key(header)
        return key in self.ignored or fold(key) in self.ignored

    def header(self, field_name: str) -> str:
        return self.columns[field_name][0]

    def for_file(
        self,
        weight_unit: str | None = None,
        category: str | None = None,
        ledger: str | None = None,
    ) -> "Mapping":
        """This mapping with the options given for one upload, each checked."""
        changes: dict[str, Any] = {}
        if weight_unit:
            unit = self.units.get(weight_unit)
            if unit not in self.weight_grams:
                known = ", ".join(self.weight_grams)
                raise MappingError(
                    f"weight unit '{weight_unit}' is not one of {known}",
                    key="keysb_imports.weight_unit",
                    params={"unit": weight_unit, "known": known},
                )
            changes["weight_unit"] = unit
        if category:
            found = self.categories.get(category)
            if found is None:
                raise MappingError(
                    f"unknown category '{category}'",
                    key="keysb_imports.category",
                    params={"value": category},
                )
            changes["category"] = found
        if ledger:
            name = norm(ledger)[:60]
            if not name or "|" in name:
                raise MappingError(
                    "a ledger name is up to 60 characters, without '|'",
                    key="keysb_imports.ledger_name",
                )
            changes["ledger"] = unicodedata.normalize("NFC", ledger.strip())[:60]
        return replace(self, **changes) if changes else self


def _extend(defaults: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """A mapping file's tables added to the shipped ones: lists joined (its own first)."""
    merged = dict(defaults)
    for section, table in raw.items():
        base = defaults.get(section)
        if not isinstance(table, dict) or not isinstance(base, dict) or section == "settings":
            merged[section] = table
            continue
        joined = dict(base)
        for key, value in table.items():
            old = base.get(key)
            if isinstance(value, list) and isinstance(old, list):
                joined[key] = [*value, *(v for v in old if v not in value)]
            else:
                joined[key] = value
        merged[section] = joined
    return merged


def parse_mapping(raw: dict[str, Any]) -> Mapping:
    defaults = _default_raw()
    merged = _extend(defaults, raw)
    settings = {**defaults.get("settings", {}), **raw.get("settings", {})}
    columns = merged.get("columns", {})
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise MappingError(
            f"mapping: unknown field(s) {', '.join(unknown)}; known: {FIELDS}",
            key="keysb_imports.mapping_unknown_fields",
            params={"fields": ", ".join(unknown)},
        )
    headers: dict[str, str] = {}
    folded: dict[str, str] = {}
    for name, aliases in columns.items():
        if (
            not isinstance(aliases, list)
            or not aliases
            or not all(isinstance(a, str) for a in aliases)
        ):
            raise MappingError(
                f"mapping: columns.{name} must be a list of header names",
                key="keysb_imports.mapping_columns",
                params={"field": name},
            )
    # The file's own names first, so that they win over a shipped alias of another field.
    own = raw.get("columns", {})
    for name, aliases in [*own.items(), *columns.items()]:
        for alias in aliases if isinstance(aliases, list) else []:
            headers.setdefault(header_key(alias), name)
            folded.setdefault(fold(header_key(alias)), name)
    grams = {str(k): float(v) for k, v in merged.get("weight_unit_grams", WEIGHT_UNITS).items()}
    weight_unit = settings.get("weight_unit") or None
    if weight_unit is not None and weight_unit not in grams:
        raise MappingError(
            f"mapping: settings.weight_unit must be one of {', '.join(grams)}",
            key="keysb_imports.weight_unit",
            params={"unit": weight_unit, "known": ", ".join(grams)},
        )
    required = tuple(settings.get("required", ()))
    missing = sorted(set(required) - set(columns))
    if missing:
        raise MappingError(
            f"mapping: required field(s) without a column: {', '.join(missing)}",
            key="keysb_imports.mapping_required",
            params={"fields": ", ".join(missing)},
        )
    ignored = [header_key(h) for h in merged.get("ignored", {}).get("headers", [])]
    footers = merged.get("footers", {})
    return Mapping(
        columns={k: list(v) for k, v in columns.items()},
        ignored=frozenset(ignored + [fold(h) for h in ignored]),
        units=Synonyms.build(merged.get("units", {})),
        categories=Synonyms.build(merged.get("categories", {})),
        seal_states=Synonyms.build(merged.get("seal_states", {})),
        dispositions=Synonyms.build(merged.get("dispositions", {})),
        weight_unit=weight_unit,
        weight_grams=grams,
        column_units={str(k): str(v) for k, v in merged.get("column_units", {}).items()},
        category_keywords=Keywords.build(merged.get("category_keywords", {})),
        totals=tuple(header_key(w) for w in footers.get("totals", [])),
        signatures=tuple(header_key(w) for w in footers.get("signatures", [])),
        required=required,
        error_column=settings.get("error_column", "Lỗi"),
        fallback_category=settings.get("fallback_category") or None,
        _headers=headers,
        _folded=folded,
    )


@cache
def _default_raw() -> dict[str, Any]:
    return tomllib.loads(DEFAULT_MAPPING.read_text(encoding="utf-8"))


def load_mapping(path: Path | None = None, text: str | None = None) -> Mapping:
    """The shipped mapping, or the shipped one extended by a file/text."""
    if path is None and text is None:
        return parse_mapping({})
    try:
        source = text if text is not None else Path(path).read_text(encoding="utf-8")  # type: ignore[arg-type]
        raw = tomllib.loads(source)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(
            f"cannot read the mapping: {exc}", key="keysb_imports.mapping_unreadable"
        ) from None
    return parse_mapping(raw)
