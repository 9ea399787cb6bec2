"""Reading a ledger file as rows, streamed: CSV (UTF-8, with or without BOM, comma or
semicolon) or XLSX (openpyxl read-only, formulas by their cached values, after the archive
passed ``archive.check_xlsx``). Anything else is refused with a clear message. Title rows
above the header, a column-number row "(1) (2) …" under it, and total and signature rows at
the foot are recognised and skipped, each with a note."""

import codecs
import csv
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from .archive import BadFile, Limits, check_xlsx
from .mapping import Mapping

SNIFF_BYTES = 64 * 1024
HEADER_SEARCH_ROWS = 30
_SURROGATE = re.compile("[\udc80-\udcff]")
_COLUMN_NUMBERS = re.compile(r"^\(?\d+\)?$")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


class Formula(str):
    """An XLSX cell holding a formula instead of a value."""


@dataclass
class Table:
    kind: str  # csv | xlsx
    headers: list[str]
    header_row: int
    fields: dict[int, str]  # column index → field
    header_units: dict[int, str]  # column index → unit written in the header's brackets
    rows: Iterator[tuple[int, list[Any]]]  # (row number as the user sees it, cells)
    estimated_rows: int | None
    delimiter: str | None = None
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)  # in English (API, CLI)
    # The same warnings with their translation key and params, for the pages.
    warnings_keyed: list[dict[str, Any]] = field(default_factory=list)
    footers: list[tuple[int, str]] = field(default_factory=list)  # (row, total | signature)
    _close: Any = None

    def column_of(self, field_name: str) -> int | None:
        for index, name in self.fields.items():
            if name == field_name:
                return index
        return None

    def close(self) -> None:
        if self._close is not None:
            self._close()


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _letters_to_index(letters: bytes) -> int:
    n = 0
    for c in letters:
        n = n * 26 + (c - 64)
    return n - 1


def sniff(path: Path) -> tuple[str, bytes]:
    """('xlsx' or 'csv', the first bytes) from the file's first bytes only, nothing parsed:
    what the upload request checks before it answers. Raises ``BadFile`` with the reason."""
    try:
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as exc:
        raise BadFile(
            f"cannot read the file: {exc.strerror}", key="keysb_imports.unreadable"
        ) from None
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise BadFile("the file is empty", key="cases14_errors.file_empty")
    if head.startswith(b"PK\x03\x04"):
        _zip_directory(path)
        return "xlsx", head
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadFile(
            "this is an old Excel .xls workbook; open it in Excel and save it as .xlsx "
            "(Excel Workbook) or CSV UTF-8",
            key="keysb_imports.old_xls",
        )
    if head.startswith(b"%PDF"):
        raise BadFile(
            "this is a PDF document, not a spreadsheet: give a CSV or XLSX file",
            key="keysb_imports.pdf",
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BadFile(
            "the file is UTF-16 text; save it as 'CSV UTF-8 (comma delimited)'",
            key="keysb_imports.utf16",
        )
    if b"\x00" in head:
        raise BadFile(
            "this is a binary file, not a spreadsheet: give a CSV or XLSX file",
            key="keysb_imports.binary",
        )
    try:
        # A multi-byte character may be cut at the end of the sample.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise BadFile(_not_utf8(head, exc.start), key="keysb_imports.not_utf8") from None
    return "csv", head


def _zip_directory(path: Path) -> None:
    """The archive's directory (its last bytes) names a workbook: nothing is inflated."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadFile(
            f"not a readable XLSX workbook ({type(exc).__name__}); "
            "open it in Excel and save it again as .xlsx or CSV UTF-8",
            key="keysb_imports.not_xlsx",
        ) from None
    if "xl/workbook.xml" not in names:
        raise BadFile(
            "a ZIP archive but not an XLSX workbook (no xl/workbook.xml)",
            key="keysb_imports.zip_not_xlsx",
        )


def open_table(path: Path, mapping: Mapping, limits: Limits | None = None) -> Table:
    """Open a ledger and find its header row. Raises ``BadFile`` with the reason."""
    kind, head = sniff(path)
    if kind == "xlsx":
        return _open_xlsx(path, mapping, limits or Limits())
    return _open_csv(path, head, mapping)


def _not_utf8(data: bytes, offset: int) -> str:
    line = data[:offset].count(b"\n") + 1
    return (
        f"the file is not UTF-8 text (byte 0x{data[offset]:02X} on line {line}); it may be in "
        "an old Vietnamese encoding (TCVN3, VNI, Windows-1258). In Excel choose "
        "'Save as → CSV UTF-8 (comma delimited)', or save it as .xlsx"
    )


def _sniff_delimiter(head: bytes) -> str:
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    best, best_count = ",", 0
    for delimiter in (";", ",", "\t"):
        count = max((_count_outside_quotes(line, delimiter) for line in lines), default=0)
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == delimiter and not quoted:
            count += 1
    return count


def _open_csv(path: Path, head: bytes, mapping: Mapping) -> Table:
    delimiter = _sniff_delimiter(head)
    with path.open("rb") as f:
        lines = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
    # Undecodable bytes become surrogates, found in the very row that holds them.
    stream: IO[str] = path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    records = _csv_records(reader, path)
    try:
        table = _with_header(records, mapping, "csv")
    except BaseException:
        stream.close()
        raise
    table.delimiter = delimiter
    table.estimated_rows = max(lines + 1 - table.header_row, 0)
    table._close = stream.close
    return table


def _csv_records(reader: Any, path: Path) -> Iterator[tuple[int, list[Any]]]:
    number = 0
    try:
        for record in reader:
            number += 1
            if _SURROGATE.search("".join(record)):
                raw = "".join(record).encode("utf-8", errors="surrogateescape")
                bad = _SURROGATE.search("".join(record))
                offset = len(
                    "".join(record)[: bad.start() if bad else 0].encode(
                        "utf-8", errors="surrogateescape"
                    )
                )
                raise BadFile(
                    f"row {number}: " + _not_utf8(raw, offset).replace(" on line 1", ""),
                    key="keysb_imports.not_utf8_row",
                    params={"row": number},
                )
            yield number, record
    except csv.Error as exc:
        raise BadFile(
            f"row {number + 1}: not readable as CSV ({exc})",
            key="keysb_imports.csv_row",
            params={"row": number + 1},
        ) from None


def _load(handle: IO[bytes], data_only: bool) -> Any:
    """A read-only workbook over an open file: openpyxl refuses a file *name* whose suffix
    is not .xlsx (an upload's temporary name), never an open file."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(handle, read_only=True, data_only=data_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise BadFile(
            f"not a readable XLSX workbook ({type(exc).__name__}); "
            "open it in Excel and save it again as .xlsx or CSV UTF-8",
            key="keysb_imports.not_xlsx",
        ) from None
    except Exception as exc:  # openpyxl raises many kinds of errors on broken files
        raise BadFile(
            f"not a readable XLSX workbook: {exc}", key="keysb_imports.not_xlsx"
        ) from None


def _open_xlsx(path: Path, mapping: Mapping, limits: Limits) -> Table:
    shape = check_xlsx(path, limits)
    handles = [path.open("rb")]
    workbook = formulas = None

    def close() -> None:
        for book in (workbook, formulas):
            if book is not None:
                book.close()
        for handle in handles:
            handle.close()

    try:
        workbook = _load(handles[0], data_only=True)
        # Formulas are read by the value Excel saved with them; a second reader over the
        # sheet tells a formula without a saved value from an empty cell (if it has any).
        if shape.formulas:
            handles.append(path.open("rb"))
            formulas = _load(handles[1], data_only=False)
    except BaseException:
        close()
        raise

    if not workbook.worksheets:
        close()
        raise BadFile("the workbook has no worksheet", key="keysb_imports.no_worksheet")
    sheet = workbook.worksheets[0]
    twin = formulas.worksheets[0] if formulas is not None else None
    try:
        table = _with_header(_xlsx_records(sheet, twin, limits), mapping, "xlsx")
        merged = _merged_ranges(path, getattr(sheet, "_worksheet_path", ""))
    except BaseException:
        close()
        raise
    for first_col, first_row, last_col, last_row in merged:
        if first_row <= table.header_row <= last_row and last_col > first_col:
            close()
            raise BadFile(
                f"the header row {table.header_row} has merged cells "
                f"({column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}); "
                "unmerge them and give each column a header of its own on one row",
                key="keysb_imports.merged_header",
                params={
                    "row": table.header_row,
                    "cells": f"{column_letter(first_col)}{first_row}:"
                    f"{column_letter(last_col)}{last_row}",
                },
            )
    table.sheet = sheet.title
    rows = shape.rows.get(getattr(sheet, "_worksheet_path", "").lstrip("/"))
    table.estimated_rows = max(rows - table.header_row, 0) if rows else None
    table._close = close
    return table


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=") and len(value) > 1


def _xlsx_records(sheet: Any, twin: Any, limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    # The declared dimension was checked; rows are then read without padding to it.
    sheet.reset_dimensions()
    values_rows = sheet.iter_rows(values_only=True)
    formula_rows: Iterator[Any] | None = None
    if twin is not None:
        twin.reset_dimensions()
        formula_rows = twin.iter_rows(values_only=True)
    try:
        for number, values in enumerate(values_rows, start=1):
            if number > limits.max_rows:
                raise BadFile(
                    f"the sheet has more than {limits.max_rows} rows",
                    key="keysb_imports.too_many_rows",
                    params={"rows": limits.max_rows},
                )
            cells = list(values[: limits.max_columns])
            if formula_rows is not None:
                written = next(formula_rows, ())
                for i, raw in enumerate(written[: len(cells)]):
                    if cells[i] is None and _is_formula(raw):
                        cells[i] = Formula(raw)
            yield number, cells
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise BadFile(
            f"the worksheet cannot be read: {exc}", key="keysb_imports.worksheet_unreadable"
        ) from None


def _merged_ranges(path: Path, member: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a worksheet, read from its XML (read-only mode does not give them)."""
    if not member:
        return []
    found = []
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as xml:
            tail = b""
            for block in iter(lambda: xml.read(1 << 20), b""):
                data = tail + block
                for m in _MERGE.finditer(data):
                    c1, r1 = _letters_to_index(m.group(1)), int(m.group(2))
                    c2 = _letters_to_index(m.group(3)) if m.group(3) else c1
                    r2 = int(m.group(4)) if m.group(4) else r1
                    found.append((c1, r1, c2, r2))
                tail = data[-200:]
                if found and len(found) > 10_000:
                    break
    except (KeyError, zipfile.BadZipFile, OSError):
        return []
    return sorted(set(found))


def cell_text(value: Any) -> str:
    """A cell as the user typed it (for reports and the rejects file)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def _with_header(records: Iterator[tuple[int, list[Any]]], mapping: Mapping, kind: str) -> Table:
    seen: list[list[str]] = []
    for number, cells in records:
        texts = [cell_text(c) for c in cells]
        if not any(texts):
            if number >= HEADER_SEARCH_ROWS:
                break
            continue
        fields, units, duplicates = _match_header(texts, mapping)
        if len(fields) >= 2:
            if duplicates:
                raise BadFile(
                    f"row {number}: several columns read as the same field: {duplicates}; "
                    "keep one column per field (or rename one)",
                    key="keysb_imports.same_field",
                    params={"row": number},
                )
            return _table(kind, texts, number, fields, units, records, mapping)
        seen.append(texts)
        if number >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise BadFile("the file has no rows with content", key="keysb_imports.no_rows")
    expected = ", ".join(f"'{mapping.header(f)}'" for f in mapping.required[:5])
    first = ", ".join(f"'{t}'" for t in seen[0] if t)[:300]
    raise BadFile(
        f"no header row found in the first {HEADER_SEARCH_ROWS} rows: expected columns such as "
        f"{expected} (first row with content: {first}). Pass a --mapping for other headers",
        key="keysb_imports.no_header",
        params={"rows": HEADER_SEARCH_ROWS, "expected": expected},
    )


def _match_header(texts: list[str], mapping: Mapping) -> tuple[dict[int, str], dict[int, str], str]:
    fields: dict[int, str] = {}
    units: dict[int, str] = {}
    where: dict[str, list[str]] = {}
    for index, text in enumerate(texts):
        if not text:
            continue
        name, unit = mapping.field_for(text)
        if name is None:
            continue
        fields[index] = name
        where.setdefault(name, []).append(f"{column_letter(index)} '{text}'")
        if unit is not None:
            units[index] = unit
    duplicates = "; ".join(
        f"{name}: {', '.join(cols)}" for name, cols in where.items() if len(cols) > 1
    )
    return fields, units, duplicates


def _table(
    kind: str,
    headers: list[str],
    header_row: int,
    fields: dict[int, str],
    units: dict[int, str],
    records: Iterator[tuple[int, list[Any]]],
    mapping: Mapping,
) -> Table:
    warnings: list[str] = []
    keyed: list[dict[str, Any]] = []
    last_named = max(i for i, h in enumerate(headers) if h)
    for index, header in enumerate(headers):
        if index > last_named:
            break
        if not header:
            warnings.append(
                f"column {column_letter(index)} has no header (merged header cells?); "
                "its values are not imported"
            )
            keyed.append(_keyed(warnings[-1], "no_header", column=column_letter(index)))
        elif index not in fields and not mapping.is_ignored(header):
            warnings.append(f"column {column_letter(index)} '{header}' is not imported")
            keyed.append(
                _keyed(warnings[-1], "not_imported", column=column_letter(index), header=header)
            )
    missing = [f for f in mapping.required if f not in fields.values()]
    if missing:
        names = ", ".join(f"'{mapping.header(f)}'" for f in missing)
        raise BadFile(
            f"row {header_row} looks like the header but lacks required column(s) {names}",
            key="keysb_imports.missing_columns",
            params={"row": header_row, "names": names},
        )
    table = Table(
        kind=kind,
        headers=headers,
        header_row=header_row,
        fields=fields,
        header_units=units,
        rows=iter(()),
        estimated_rows=None,
        warnings=warnings,
        warnings_keyed=keyed,
    )
    ref = next((i for i, f in fields.items() if f == "external_ref"), None)
    table.rows = _data_rows(records, mapping, table, ref)
    return table


def _keyed(message: str, name: str, **params: Any) -> dict[str, Any]:
    """A warning about the file, with its key (``[imports15_file]``) and params."""
    return {"message": message, "key": f"imports15_file.{name}", "params": params}


def _data_rows(
    records: Iterator[tuple[int, list[Any]]], mapping: Mapping, table: Table, ref: int | None
) -> Iterator[tuple[int, list[Any]]]:
    first = True
    signed = False
    for number, cells in records:
        if signed:
            if any(c is not None and cell_text(c) for c in cells):
                table.footers.append((number, "signature"))
            continue
        if first:
            texts = [cell_text(c) for c in cells]
            if not any(texts):
                continue
            first = False
            # Official ledgers number their columns under the header: (1) (2) (3) ...
            filled = [t for t in texts if t]
            if len(filled) >= 3 and all(_COLUMN_NUMBERS.match(t) for t in filled):
                table.warnings.append(f"row {number}: column numbers, skipped")
                table.warnings_keyed.append(
                    _keyed(table.warnings[-1], "column_numbers", row=number)
                )
                continue
        # A row with its ledger number is an item; only the others may be a footer.
        stt = cells[ref] if ref is not None and ref < len(cells) else None
        numbered = isinstance(stt, int | float) or cell_text(stt).rstrip(".").isdigit()
        kind = None if numbered else mapping.footer([cell_text(c) for c in cells])
        if kind is not None:
            table.footers.append((number, kind))
            signed = kind == "signature"
            continue
        yield number, cells
