"""The column mapping: which ledger header feeds which field, and what ledgers write for
units, categories, seal states and dispositions. Data in ``data/import_mapping.toml``."""

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
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
WEIGHT_UNITS = {"kg": 1000.0, "g": 1.0}
_SPACES = re.compile(r"\s+")
_BRACKETED = re.compile(r"^(.*?)\s*[(\[]\s*([^)\]]*)\s*[)\]]\s*$")


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


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, list[str]]
    ignored: frozenset[str]
    units: Synonyms
    categories: Synonyms
    seal_states: Synonyms
    dispositions: Synonyms
    category_hazard_classes: dict[str, list[str]]
    weight_unit: str = "kg"
    required: tuple[str, ...] = ()
    error_column: str = "Lỗi"
    _headers: dict[str, str] = field(default_factory=dict)
    _folded: dict[str, str] = field(default_factory=dict)

    def field_for(self, header: str) -> tuple[str | None, str | None]:
        """(field, unit written in brackets) for a header, or (None, None) if unknown."""
        text = norm(header)
        unit = None
        found = self._headers.get(text) or self._folded.get(fold(text))
        if found is None and (m := _BRACKETED.match(text)):
            found = self._headers.get(m.group(1)) or self._folded.get(fold(m.group(1)))
            unit = self.units.get(m.group(2))
        return found, unit

    def is_ignored(self, header: str) -> bool:
        return norm(header) in self.ignored or fold(header) in self.ignored

    def header(self, field_name: str) -> str:
        return self.columns[field_name][0]


def parse_mapping(raw: dict[str, Any]) -> Mapping:
    defaults = _default_raw()
    merged = {**defaults, **raw}
    settings = {**defaults.get("settings", {}), **raw.get("settings", {})}
    columns = merged.get("columns", {})
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise MappingError(f"mapping: unknown field(s) {', '.join(unknown)}; known: {FIELDS}")
    headers: dict[str, str] = {}
    folded: dict[str, str] = {}
    for name, aliases in columns.items():
        if (
            not isinstance(aliases, list)
            or not aliases
            or not all(isinstance(a, str) for a in aliases)
        ):
            raise MappingError(f"mapping: columns.{name} must be a list of header names")
        for alias in aliases:
            headers.setdefault(norm(alias), name)
            folded.setdefault(fold(alias), name)
    weight_unit = settings.get("weight_unit", "kg")
    if weight_unit not in WEIGHT_UNITS:
        raise MappingError("mapping: settings.weight_unit must be 'kg' or 'g'")
    required = tuple(settings.get("required", ()))
    missing = sorted(set(required) - set(columns))
    if missing:
        raise MappingError(f"mapping: required field(s) without a column: {', '.join(missing)}")
    ignored = merged.get("ignored", {}).get("headers", [])
    return Mapping(
        columns={k: list(v) for k, v in columns.items()},
        ignored=frozenset([norm(h) for h in ignored] + [fold(h) for h in ignored]),
        units=Synonyms.build(merged.get("units", {})),
        categories=Synonyms.build(merged.get("categories", {})),
        seal_states=Synonyms.build(merged.get("seal_states", {})),
        dispositions=Synonyms.build(merged.get("dispositions", {})),
        category_hazard_classes=dict(merged.get("category_hazard_classes", {})),
        weight_unit=weight_unit,
        required=required,
        error_column=settings.get("error_column", "Lỗi"),
        _headers=headers,
        _folded=folded,
    )


@cache
def _default_raw() -> dict[str, Any]:
    return tomllib.loads(DEFAULT_MAPPING.read_text(encoding="utf-8"))


def load_mapping(path: Path | None = None, text: str | None = None) -> Mapping:
    """The shipped mapping, or a file/text overriding some of its sections."""
    if path is None and text is None:
        return parse_mapping({})
    try:
        source = text if text is not None else Path(path).read_text(encoding="utf-8")  # type: ignore[arg-type]
        raw = tomllib.loads(source)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"cannot read the mapping: {exc}") from None
    return parse_mapping(raw)
