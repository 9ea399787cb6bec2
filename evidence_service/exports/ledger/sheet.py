"""The ledger as XLSX, streamed (openpyxl's write-only mode: rows go to a temporary file as
they come): the agency header and title rows, the column headings and their numbers frozen
and repeated on every printed page, dates as date cells, weights as numbers of kilograms, then
the closing block with its four signatures (Circular 04/2023 Art. 30(4)(c)). Printed on A3
landscape, fitted to the page's width."""

import io
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from ...i18n import XLSX_DATE_FORMAT, XLSX_KG_FORMAT, Translator
from ...periods import day_start
from ...safecells import risky, xlsx_text
from ..stable import Kilograms, fixed_zip
from .columns import (
    COLUMNS,
    DATE_COLUMNS,
    NONE,
    XLSX_WIDTHS,
    cells,
    closing_kind,
    closing_rows,
    headers,
    numbers,
    title_lines,
)
from .lines import Ledger, LedgerLine

SIGNERS = ("maker", "accountant", "keeper", "head")
ENTRY_SLIP = COLUMNS.index("entry_slip")


def ledger_sheet(
    head: Ledger, lines: Iterator[LedgerLine], t: Translator, totals: Callable[[], Ledger]
) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(t("ledger.sheet")[:31])
    last_column = get_column_letter(len(XLSX_WIDTHS))
    for n, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    bold, big = Font(bold=True), Font(bold=True, size=14)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def text(value: Any, font: Any = None, align: Any = None) -> Any:
        cell = xlsx_text(WriteOnlyCell(sheet, value=value))
        if font is not None:
            cell.font = font
        if align is not None:
            cell.alignment = align
        return cell

    # One styled cell per formatted column, its value replaced line after line: a row is
    # written out as it is appended, so the cell is free again for the next one (making a
    # styled cell per value cost a fifth of the file's time).
    styled: dict[int, Any] = {}

    def formatted(n: int, value: Any, number_format: str) -> Any:
        out = styled.get(n)
        if out is None:
            out = styled[n] = WriteOnlyCell(sheet)
            out.number_format = number_format
        out.value = value
        return out

    def cell(n: int, value: Any) -> Any:
        if isinstance(value, Kilograms):
            return formatted(n, float(value), XLSX_KG_FORMAT)
        if n in DATE_COLUMNS and isinstance(value, date):
            return formatted(n, value, XLSX_DATE_FORMAT)
        if n == ENTRY_SLIP and value == NONE:
            return None  # no entry slip recorded: an empty cell (the PDF prints "—")
        if isinstance(value, str):
            # An empty cell is not written at all (each written cell costs its XML); a text
            # that would read as a formula is forced to text. Codes and slips stay strings.
            return text(value) if risky(value) else (value or None)
        return value

    # Write-only: the sheet's views and print setup go out with its first row, so the
    # title rows are counted before any is written.
    tops: list[tuple[str, Any, Any]] = []
    agency = head.agency
    if agency is not None:
        tops.append((agency.parent.upper(), Font(size=11), Alignment(horizontal="left")))
        tops.append((agency.name.upper(), bold, Alignment(horizontal="left")))
    tops += [(w, big if n == 0 else bold, centre) for n, w in enumerate(title_lines(head, t))]
    heading_row = len(tops) + 2  # a blank row between the title and the headings
    sheet.freeze_panes = f"A{heading_row + 2}"
    sheet.print_title_rows = f"{heading_row}:{heading_row + 1}"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A3
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    for n, (words, font, align) in enumerate(tops, start=1):
        sheet.merged_cells.add(f"A{n}:{last_column}{n}")
        sheet.append([text(words, font, align)])
    sheet.append([])
    sheet.append([text(h, bold, centre) for h in headers(t)])
    sheet.append([text(h, None, centre) for h in numbers(t)])
    for line in lines:
        sheet.append([cell(n, v) for n, v in enumerate(cells(line, t))])
    data = totals()
    sheet.append([])
    kind = closing_kind(data.date_from, data.date_to)
    sheet.append([None, text(t(f"ledger15.closing_{kind}"), bold)])
    sheet.append(
        [
            None,
            text(t("ledger15.closing_words"), bold),
            None,
            None,
            None,
            None,
            None,
            None,
            text(t("ledger15.closing_count"), bold),
            text(t("ledger15.closing_weight"), bold),
        ]
    )
    for words, count, kg in closing_rows(data, t):
        sheet.append(
            [None, text(words), None, None, None, None, None, None, count, cell(-1, Kilograms(kg))]
        )
    sheet.append([])
    signers = [None] * len(XLSX_WIDTHS)
    hints = [None] * len(XLSX_WIDTHS)
    for n, who in zip((1, 5, 9, 13), SIGNERS, strict=True):
        signers[n] = text(t(f"ledger15.signer_{who}"), bold, centre)
        hints[n] = text(t("ledger15.sign_hint"), None, centre)
    sheet.append(signers)
    sheet.append(hints)
    workbook.properties.title = " ".join(title_lines(head, t))
    workbook.properties.creator = "evidence-service"
    out = io.BytesIO()
    workbook.save(out)
    stamp = day_start(head.date_to or head.date_from or date(2000, 1, 1))
    return fixed_zip(out.getvalue(), stamp)
