"""Byte-stable files: the same data gives the same bytes (fixed timestamps inside XLSX)."""

import io
import re
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from ..i18n import XLSX_KG_FORMAT, Translator
from ..safecells import xlsx_text


class Kilograms(float):
    """A weight in kilograms inside an export's rows: a number cell shown as kilograms in
    XLSX, a weight with its unit in PDF (through the language's formatter)."""


def text_cell(value: Any, t: Translator) -> str:
    """A cell of a PDF table, as its reader reads it."""
    if value is None:
        return ""
    if isinstance(value, Kilograms):
        return t.fmt.weight(value * 1000, unit="kg")
    if isinstance(value, bool):
        return t("record.yes") if value else t("record.no")
    if isinstance(value, int | float):
        return t.number(value)
    if isinstance(value, date):
        return t.date(value)
    return str(value)


FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def workbook_bytes(
    sheets: Iterable[tuple[str, Sequence[Sequence[Any]], Sequence[float]]],
    title: str,
    stamp: datetime,
) -> bytes:
    """An XLSX of (sheet name, rows, column widths); timestamps fixed to ``stamp``. Numbers
    stay number cells; :class:`Kilograms` get a number format that shows the unit."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for name, rows, widths in sheets:
        sheet = workbook.create_sheet(name[:31])
        for row in rows:
            sheet.append([float(v) if isinstance(v, Kilograms) else v for v in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):
                xlsx_text(cell)  # a description "=HYPERLINK(…)" stays text
                if isinstance(value, Kilograms):
                    cell.number_format = XLSX_KG_FORMAT
        for n, width in enumerate(widths, start=1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(n)].width = width
        for row in sheet.iter_rows(min_row=1, max_row=1):
            for cell in row:
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.properties.title = title
    workbook.properties.creator = "evidence-service"
    out = io.BytesIO()
    workbook.save(out)
    return fixed_zip(out.getvalue(), stamp)


def fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """The workbook's members again, with fixed times. Members are copied as streams: a
    20,000-line ledger's sheet is tens of MB once unpacked, never needed whole."""
    fixed = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "docProps/core.xml":
                content = source.read(info.filename)
                content = _CORE_TIMES.sub(lambda m: m.group(1) + fixed + m.group(3), content)
                target.writestr(entry, content)
                continue
            with source.open(info) as member, target.open(entry, "w") as copy:
                shutil.copyfileobj(member, copy, 1 << 20)
    return out.getvalue()
