"""What checking ledger rows produces: the errors of a row (each placed in its cell), the rows
ready to import, and the row being checked as it passes from reading to resolving."""

from dataclasses import dataclass, field
from typing import Any

from ..i18n.catalog import messages
from ..items import ItemCreate
from ..models import Location
from .mapping import Mapping
from .reader import Table, cell_text, column_letter


@dataclass
class Note:
    """A sentence about a row (a warning, or why it cannot be imported): the English
    ``message`` the API, the CLI and the CSV files keep, and the translation ``key`` and its
    ``params`` the pages show it through (``[imports15_rows]``; params raw: numbers, grams
    as ``*_g``, dates ISO, formatted by the reader's formatter). Key names must be in both
    ``vi.toml`` and ``en.toml`` (tests/test_imports15_keys.py)."""

    message: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "key": self.key, "params": self.params}


def invalid_value(error: Any, wrapper: str | None = None) -> tuple[str, dict[str, Any]]:
    """The key and params of a value a pydantic model refused: the rule's own sentence
    (``errors.value_error`` puts it in ``ctx``), else its type's (``[validation]``), else
    the generic one; with ``wrapper``, that sentence as the ``reason`` of the wrapper's."""
    ctx = dict(error.get("ctx") or {})
    key = ctx.pop("key", None)
    params = {k: v for k, v in ctx.items() if isinstance(v, str | int | float)}
    if not isinstance(key, str):
        key, params = f"validation.{error.get('type', '')}", {}
        if key not in messages("en"):
            key = "ledger15_error.invalid_value"
    if wrapper is None:
        return key, params
    return wrapper, {"reason": {"key": key, "params": params}}


def plain_params(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters of a refusal that a JSON report can hold as they are."""
    return {k: v for k, v in params.items() if v is None or isinstance(v, str | int | float | bool)}


@dataclass
class RowError:
    row: int
    column: str
    cell: str
    value: str
    kind: str
    message: str
    key: str  # its sentence (``Note``): every error has one
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "value": self.value,
            "kind": self.kind,
            "message": self.message,
            "key": self.key,
            "params": self.params,
        }

    def note(self) -> dict[str, Any]:
        """The error as the per-row report shows it: its column's header and its sentence."""
        return {"column": self.column, **Note(self.message, self.key, self.params).to_dict()}


@dataclass
class ValidRow:
    row: int
    cells: list[Any]
    ref: str
    data: ItemCreate
    new_case: str | None  # judgment number of a case this import creates
    warnings: list[Note] = field(default_factory=list)
    category_source: str = "column"  # column | file | inferred
    # An item already imported from this ledger line that the row changes: its code and
    # the changes {field: [before, after]}, applied as a correction when confirmed.
    correction: tuple[str, dict[str, list[Any]]] | None = None
    location: str | None = None
    case: str = ""  # the judgment number as written


@dataclass
class Checked:
    valid: list[ValidRow] = field(default_factory=list)
    rejected: list[tuple[int, list[Any], str, list[RowError]]] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # row, ref, item code
    empty: int = 0
    conflicts: list[ValidRow] = field(default_factory=list)  # with their correction


@dataclass
class ParsedRow:
    """One row's cells, the values read from them, and what checking has found so far."""

    number: int
    cells: list[Any]
    values: dict[str, Any]
    errors: list[RowError]
    item: dict[str, Any] = field(default_factory=dict)
    warnings: list[Note] = field(default_factory=list)
    category_source: str = "column"
    ref: str | None = None
    stt: str | None = None  # the ledger number as written
    fingerprint: str = ""
    old_fingerprint: str = ""
    old_ref: str | None = None  # the reference an earlier version of the import gave it
    case_id: int | None = None
    new_case: str | None = None
    agency_id: int | None = None
    location: Location | None = None


class Sheet:
    """Where each field sits in the file, so an error names the user's own column and cell."""

    def __init__(self, mapping: Mapping, table: Table) -> None:
        self.mapping = mapping
        self.table = table
        self.columns = {name: index for index, name in table.fields.items()}

    def error(
        self,
        row: ParsedRow,
        field_name: str | None,
        kind: str,
        message: str,
        key: str,
        params: dict[str, Any] | None = None,
    ) -> None:
        """Put an error in the row's cell of ``field_name``: its English ``message`` and its
        translation ``key`` with ``params`` (see ``Note``)."""
        index = self.columns.get(field_name) if field_name else None
        header = self.table.headers[index] if index is not None else ""
        value = cell_text(row.cells[index]) if index is not None and index < len(row.cells) else ""
        cell = f"{column_letter(index)}{row.number}" if index is not None else ""
        row.errors.append(
            RowError(row.number, header, cell, value, kind, message, key, params or {})
        )

    def header(self, name: str) -> str:
        index = self.columns.get(name)
        return self.table.headers[index] if index is not None else self.mapping.header(name)
