"""Cells that stay data in the spreadsheet that opens them (pure).

A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel
and LibreOffice as a formula when it opens a CSV file, and ``openpyxl`` writes a string
starting with ``=`` into an XLSX as a live formula: an item described as
``=HYPERLINK("http://…")`` would become a link in the ledger. Every CSV the service writes
passes its cells through ``csv_text`` (a leading ``'``, which the spreadsheet hides) and every
XLSX cell is written as text through ``xlsx_text``. Numbers are numbers and stay as they are.
"""

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def risky(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(value: Any) -> Any:
    """A CSV cell: a risky text gets a leading apostrophe."""
    return "'" + value if risky(value) else value


def csv_row(values: Any) -> list[Any]:
    return [csv_text(v) for v in values]


def xlsx_text(cell: Any) -> Any:
    """An openpyxl cell (normal or write-only) whose text is kept as text, not a formula."""
    if isinstance(cell.value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell
