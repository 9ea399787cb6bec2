"""The files an import gives back: the rejects (the file's own columns and what was wrong, to
fix and import again) and the dry run's per-row report (what each row would create, or why
not). Both are formula-safe (``safecells``); stored gzip-compressed in the job row."""

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import translator
from ..safecells import csv_row, xlsx_text
from .mapping import Mapping
from .notes import notes_text

GZIP = b"\x1f\x8b"
LEDGER_T = translator("vi")  # the language of the ledgers offices keep
PREVIEW_COLUMNS = (
    "row",
    "ledger_number",
    "action",
    "code",
    "category",
    "category_source",
    "net_weight_g",
    "location",
    "case",
    "notes",
)


@dataclass
class PreviewRow:
    """What one row of the file does (or would do): ``action`` is create, correction,
    already_imported, conflict, rejected or footer; ``code`` an existing item's code, or the
    code a new one is expected to get (the next free ones when the check ran)."""

    row: int
    ledger_number: str
    action: str
    code: str = ""
    category: str = ""
    category_source: str = ""
    net_weight_g: float | None = None
    location: str = ""
    case: str = ""
    notes: str = ""  # in English, as the CSV and older clients read it
    # The same notes, each with its column, translation key and params (``checked.Note``),
    # for the pages; not a CSV column.
    keyed: list[dict[str, Any]] = field(default_factory=list)

    def __lt__(self, other: "PreviewRow") -> bool:
        return self.row < other.row

    def to_dict(self) -> dict[str, Any]:
        return {**self.columns(), "notes_keyed": self.keyed}

    def columns(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PREVIEW_COLUMNS}


def pack(rows: Iterable[Iterable[Any]]) -> bytes:
    """Rows as a stored CSV (UTF-8 with BOM): compressed as they are written, so only the
    compressed file is ever in memory (rejects repeat the file's cells: ~10× smaller)."""
    out = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6, mtime=0) as packed,
        io.TextIOWrapper(packed, encoding="utf-8", newline="") as text,
    ):
        text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        for row in rows:
            writer.writerow(csv_row(row))
    return out.getvalue()


def unpack(blob: bytes) -> bytes:
    """The CSV of a stored blob (older jobs stored it uncompressed)."""
    return gzip.decompress(blob) if blob.startswith(GZIP) else blob


def preview_rows(rows: Iterable[PreviewRow]) -> Iterator[list[Any]]:
    yield list(PREVIEW_COLUMNS)
    for r in rows:
        yield [
            "" if v is None else (f"{v:g}" if isinstance(v, float) else v)
            for v in r.columns().values()
        ]


def rejects_table(outcome: Any, mapping: Mapping) -> Iterator[list[str]]:
    """Header then rows: the file's own columns plus the error column. A row without a
    ledger number gets the reference it was given, so fixing and re-importing it cannot
    make a duplicate."""
    headers = list(outcome.headers)
    ref_column = outcome.ref_column
    add_ref = ref_column is None
    yield ([mapping.header("external_ref")] if add_ref else []) + headers + [mapping.error_column]
    for reject in outcome.rejects():
        cells = reject.cells + [""] * (len(headers) - len(reject.cells))
        cells = cells[: len(headers)]
        if ref_column is not None and not cells[ref_column] and reject.ref:
            cells[ref_column] = reject.ref
        # The error in the ledger's language (its headers and "Lỗi" column are Vietnamese).
        message = notes_text(LEDGER_T, reject.keyed) if reject.keyed else reject.message
        yield ([reject.ref] if add_ref else []) + cells + [message]


def write_table(rows: Iterable[list[Any]], target: Path, sheet_name: str) -> int:
    """Write rows as CSV (UTF-8 with BOM, for Excel) or XLSX, by the file's suffix: the
    number of rows after the header."""
    count = -1
    if target.suffix.lower() == ".xlsx":
        import openpyxl
        from openpyxl.cell import WriteOnlyCell

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(sheet_name)
        for row in rows:
            sheet.append([xlsx_text(WriteOnlyCell(sheet, value=v)) for v in row])
            count += 1
        workbook.save(target)
        return count
    with target.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        for row in rows:
            writer.writerow(csv_row(row))
            count += 1
    return count


def write_rejects(outcome: Any, mapping: Mapping, target: Path) -> int:
    return write_table(rejects_table(outcome, mapping), target, "Lỗi nhập")


def rejects_blob(outcome: Any, mapping: Mapping) -> bytes:
    return pack(rejects_table(outcome, mapping))


def preview_blob(outcome: Any) -> bytes:
    return pack(preview_rows(outcome.preview()))
