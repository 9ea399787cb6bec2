"""The ledger as PDF on A3 landscape, built page by page (``pdfdoc.LazyStory``): the agency
header, the title, the lines in small tables whose headings repeat on each page, then the
closing block (Circular 04/2023 Art. 30(4)(c)): the period's balance and the signatures of the
maker, the accountant, the storekeeper and the head. Numbers and dates read as the reader's
formatter writes them; codes, slips and dates never break inside (they sit in columns wide
enough, unwrapped)."""

from collections.abc import Callable, Iterator
from typing import Any

from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from ... import pdfdoc
from ...i18n import Translator
from ..stable import Kilograms, text_cell
from .columns import cells, closing_kind, closing_rows, headers, numbers, title_lines
from .lines import Ledger, LedgerLine
from .sheet import SIGNERS

# Millimetres across the 396 mm of an A3 landscape page inside its margins.
PDF_WIDTHS = [10, 19, 20, 34, 44, 25, 58, 14, 14, 20, 17, 19, 20, 30, 22, 30]
PDF_WRAPPED = {3, 4, 6, 13, 14, 15}  # case, basis, description, disposal, status, notes
PDF_ROWS_PER_TABLE = 30


def ledger_printout(
    head: Ledger, lines: Iterator[LedgerLine], t: Translator, totals: Callable[[], Ledger]
) -> bytes:
    titles = title_lines(head, t)
    heading = headers(t)
    column_numbers = numbers(t)

    def table(rows: list[list[Any]]) -> Any:
        return pdfdoc.light_table(
            heading, [column_numbers, *rows], PDF_WIDTHS, PDF_WRAPPED, header_rows=2
        )

    def story() -> Iterator[Any]:
        if head.agency is not None:
            if head.agency.parent:
                yield pdfdoc.para(head.agency.parent.upper(), "body")
            yield pdfdoc.para(head.agency.agency.upper(), "heading")
        yield pdfdoc.para(titles[0], "title")
        for words in titles[1:]:
            yield pdfdoc.para(words, "center")
        yield pdfdoc.spacer()
        chunk: list[list[Any]] = []
        for line in lines:
            chunk.append([text_cell(c, t) for c in cells(line, t)])
            if len(chunk) == PDF_ROWS_PER_TABLE:
                yield table(chunk)
                chunk = []
        if chunk:
            yield table(chunk)
        data = totals()
        yield pdfdoc.spacer(6)
        yield pdfdoc.para(
            t(f"ledger15.closing_{closing_kind(data.date_from, data.date_to)}"), "heading"
        )
        rows = [
            [words, t.number(count), text_cell(Kilograms(kg), t)]
            for words, count, kg in closing_rows(data, t)
        ]
        yield pdfdoc.table(
            [
                t("ledger15.closing_words"),
                t("ledger15.closing_count"),
                t("ledger15.closing_weight"),
            ],
            rows,
            [110, 35, 45],
        )
        yield pdfdoc.spacer(8)
        yield _signatures(
            [(t(f"ledger15.signer_{who}"), t("ledger15.sign_hint")) for who in SIGNERS]
        )

    return pdfdoc.build(
        pdfdoc.LazyStory(story()),
        " ".join(titles),
        pagesize=landscape(A3),
        margins_mm=(12, 12, 12, 12),
    )


def _signatures(blocks: list[tuple[str, str]]) -> Table:
    """The closing's signatures side by side: role, "(Ký, ghi rõ họ tên)", room to sign."""
    cells = [
        [
            [pdfdoc.para(role, "center"), pdfdoc.para(hint, "center"), Spacer(1, 22 * mm)]
            for role, hint in blocks
        ]
    ]
    return Table(cells, colWidths=[396 / len(blocks) * mm] * len(blocks))
