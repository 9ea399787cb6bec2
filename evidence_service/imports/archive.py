"""An XLSX is a ZIP archive of XML: before any XML parser sees one, the archive itself is
checked against limits, so a small file cannot take the memory or the processor.

Checked from the archive's directory and by streaming the members (never inflating one
whole into memory): the total uncompressed size; the shared-string table's count (the
``<si>`` entries, counted as they stream, whatever ``uniqueCount`` claims); each worksheet's
declared dimension (``<dimension ref="A1:XFD1048576"/>``, which openpyxl would pad every row
to) and its real rows. A sheet that holds formulas is noted, so the reader looks for
formulas without a saved value only where there are some.
"""

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DomainError

_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})?\$?(\d+)?(?::\$?([A-Z]{1,3})\$?(\d+))?"'
)
_ROW = re.compile(rb"<(?:\w+:)?row[\s>]")
_SI = re.compile(rb"<(?:\w+:)?si[\s>]")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>]")
BLOCK = 1 << 20


class BadFile(DomainError):
    """The file cannot be read as a ledger at all (as opposed to rows with errors)."""

    status_code = 422


@dataclass(frozen=True)
class Limits:
    """What one ledger workbook may hold (settings ``EVIDENCE_IMPORT_MAX_*``)."""

    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_shared_strings: int = 500_000
    max_rows: int = 200_000
    max_columns: int = 100

    @classmethod
    def of(cls, settings: Any) -> "Limits":
        """The limits a ``Settings`` sets (``import_max_*``)."""
        return cls(
            max_unpacked_bytes=settings.import_max_unpacked_bytes,
            max_shared_strings=settings.import_max_shared_strings,
            max_rows=settings.import_max_rows,
            max_columns=settings.import_max_columns,
        )


@dataclass
class Shape:
    rows: dict[str, int] = field(default_factory=dict)  # worksheet member → rows
    formulas: bool = False


def _column(letters: bytes | None) -> int:
    n = 0
    for c in letters or b"A":
        n = n * 26 + (c - 64)
    return n


def check_xlsx(path: Path, limits: Limits) -> Shape:
    """The workbook's shape, or ``BadFile`` naming the limit it passes."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadFile(
            f"not a readable XLSX workbook ({type(exc).__name__})", key="keysb_imports.not_xlsx"
        ) from None
    shape = Shape()
    with archive:
        members = archive.infolist()
        unpacked = sum(m.file_size for m in members)
        if unpacked > limits.max_unpacked_bytes:
            raise BadFile(
                f"the workbook unpacks to {unpacked // (1024 * 1024)} MB, more than the "
                f"{limits.max_unpacked_bytes // (1024 * 1024)} MB allowed",
                key="keysb_imports.unpacked_too_large",
                params={
                    "size": unpacked // (1024 * 1024),
                    "limit": limits.max_unpacked_bytes // (1024 * 1024),
                },
            )
        for member in members:
            name = member.filename
            if name.startswith("xl/sharedStrings") and name.endswith(".xml"):
                _count(archive, name, _SI, limits.max_shared_strings, "shared strings")
            elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
                shape.rows[name], formulas = _sheet(archive, name, limits)
                shape.formulas = shape.formulas or formulas
    return shape


def _stream(archive: zipfile.ZipFile, name: str):  # type: ignore[no-untyped-def]
    tail = b""
    try:
        with archive.open(name) as xml:
            for block in iter(lambda: xml.read(BLOCK), b""):
                yield tail + block, len(tail)
                tail = block[-64:]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BadFile(
            f"not a readable XLSX workbook: {name} ({type(exc).__name__})",
            key="keysb_imports.not_xlsx",
        ) from None


def _count(
    archive: zipfile.ZipFile, name: str, pattern: re.Pattern[bytes], limit: int, what: str
) -> int:
    total = 0
    for data, overlap in _stream(archive, name):
        total += sum(1 for m in pattern.finditer(data) if m.end() > overlap)
        if total > limit:
            raise BadFile(
                f"the workbook holds more than {limit} {what}",
                key="keysb_imports.too_many_strings",
                params={"limit": limit},
            )
    return total


def _sheet(archive: zipfile.ZipFile, name: str, limits: Limits) -> tuple[int, bool]:
    rows, formulas, first = 0, False, True
    for data, overlap in _stream(archive, name):
        if first:
            first = False
            m = _DIMENSION.search(data, 0, 4096)
            if m is not None and m.group(3):
                columns = _column(m.group(3)) - _column(m.group(1)) + 1
                height = int(m.group(4)) - int(m.group(2) or 1) + 1
                if columns > limits.max_columns or height > limits.max_rows:
                    declared = m.group(0).decode(errors="replace").split('"')[1]
                    raise BadFile(
                        f"the sheet declares the range {declared} "
                        f"({height} rows × {columns} columns), more than {limits.max_rows} rows "
                        f"or {limits.max_columns} columns; delete the empty rows and columns "
                        "and save it again",
                        key="keysb_imports.range_too_large",
                        params={
                            "range": declared,
                            "rows": height,
                            "columns": columns,
                            "max_rows": limits.max_rows,
                            "max_columns": limits.max_columns,
                        },
                    )
        rows += sum(1 for m in _ROW.finditer(data) if m.end() > overlap)
        formulas = formulas or any(m.end() > overlap for m in _FORMULA.finditer(data))
        if rows > limits.max_rows + 1:
            raise BadFile(
                f"the sheet has more than {limits.max_rows} rows",
                key="keysb_imports.too_many_rows",
                params={"rows": limits.max_rows},
            )
    return rows, formulas
