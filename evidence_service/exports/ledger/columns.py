"""The ledger's columns (Mẫu 13, vn-legal-context §7), shared by the XLSX and the PDF: their
order, widths, headings (``ledger15.col_<name>``) and a line's cells."""

from datetime import date, timedelta
from typing import Any

from ...i18n import Translator
from ..stable import Kilograms
from .lines import Ledger, LedgerLine, status_words

ONE_DAY = timedelta(days=1)
NONE = "—"  # printed where a number the form asks for is not recorded (yet)

COLUMNS = [
    "number",
    "received",
    "entry_slip",
    "case",
    "basis",
    "code",
    "description",
    "unit",
    "quantity",
    "weight",
    "location",
    "out",
    "exit_slip",
    "disposal",
    "status",
    "notes",
]
XLSX_WIDTHS = [6, 12, 12, 26, 34, 16, 40, 8, 9, 13, 12, 12, 12, 26, 18, 30]
DATE_COLUMNS = frozenset({1, 11})  # 0-based: received, out


def headers(t: Translator) -> list[str]:
    return [t(f"ledger15.col_{c}") for c in COLUMNS]


def numbers(t: Translator) -> list[str]:
    """The row under the headings that numbers the columns, as on the paper form: (1), (2)…"""
    return [f"({n})" for n in range(1, len(COLUMNS) + 1)]


def disposal(line: LedgerLine, t: Translator) -> str:
    if line.disposal is None:
        return ""
    kind = t(f"ledger15.exit_{line.disposal}")
    if line.disposal_document:
        return t("ledger15.disposal_document", kind=kind, number=line.disposal_document)
    return kind


def cells(line: LedgerLine, t: Translator) -> list[Any]:
    """A line as the file's cells: dates as dates, the weight as :class:`Kilograms`."""
    return [
        line.number,
        line.received_on,
        line.entry_slip_no or NONE,
        line.case,
        line.basis,
        line.code,
        line.description,
        t.maybe(f"unit.{line.unit}", line.unit),
        line.quantity,
        Kilograms(line.net_weight_kg) if line.net_weight_kg is not None else None,
        line.location_code or "",
        line.out_on,
        (line.exit_slip_no or NONE) if line.disposal else "",
        disposal(line, t),
        t.maybe(f"ledger15.status_{line.status}", status_words(line.status, line.disposal, t)),
        line.notes,
    ]


def closing_rows(data: Ledger, t: Translator) -> list[tuple[str, int, float]]:
    """The closing block's figures (Circular 04/2023 Art. 30(4)(c)): opening, received, out
    by kind, out in all, closing: (words, count, kg)."""
    b = data.balance
    rows = [
        (t("ledger15.opening"), b.opening.count, b.opening.weight_kg),
        (t("ledger15.received"), b.received.count, b.received.weight_kg),
    ]
    rows += [
        (t("ledger15.out_kind", kind=t(f"ledger15.exit_{k}")), v.count, v.weight_kg)
        for k, v in b.out.items()
        if v.count
    ]
    rows += [
        (t("ledger15.out_total"), b.out_total.count, b.out_total.weight_kg),
        (t("ledger15.closing"), b.closing.count, b.closing.weight_kg),
    ]
    return rows


def closing_kind(first: date | None, last: date | None) -> str:
    """quarter, half, year or period: which closing Art. 30(4)(c) this one is."""
    if first is None or last is None or first.day != 1 or (last + ONE_DAY).day != 1:
        return "period"
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months == 3 and first.month in (1, 4, 7, 10):
        return "quarter"
    if months == 6 and first.month in (1, 7):
        return "half"
    if months == 12 and first.month == 1:
        return "year"
    return "period"


def title_lines(data: Ledger, t: Translator) -> list[str]:
    """The title and what it covers: warehouse, period."""
    lines = [t("ledger15.title")]
    if data.warehouse_code:
        lines.append(t("ledger.warehouse", code=data.warehouse_code, name=data.warehouse_name))
    if data.date_from or data.date_to:
        lines.append(
            t(
                "ledger.span",
                start=t.date(data.date_from) or t("ledger.open_end"),
                end=t.date(data.date_to) or t("ledger.open_end"),
            )
        )
    return lines
