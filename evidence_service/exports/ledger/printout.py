"""The ledger as PDF on A3 landscape, framed by the document engine (``documents``: national
and agency headers, "Số", place and date, "Trang x/y", the custody chain head): the legal basis,
the lines in small tables whose headings and column numbers repeat on every page, then the
closing block (Circular 04/2023 Art. 30(4)(c)): the period's balance and the signatures of the
maker, the accountant, the storekeeper and the head. Numbers and dates read as the reader's
formatter writes them; codes, slips and dates sit unwrapped in columns wide enough for them,
so they never break inside.

The lines are plain-text tables (``pdfdoc.light_table``): a paragraph per cell would cost
most of the time of a 20,000-line ledger."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from ... import documents, pdfdoc
from ...i18n import Translator
from ...legal.holidays import local_today
from ..stable import Kilograms, text_cell
from .columns import cells, closing_kind, closing_rows, headers, numbers, title_lines
from .lines import Ledger, LedgerLine

KIND = "evidence_ledger"
CLOSED_KIND = "ledger_closing"  # the same ledger, frozen by its closing act (``closing``)
SIGNERS = ("maker", "accountant", "keeper", "head")
FRAME_MM = 385  # an A3 landscape page inside the engine's margins
# Millimetres across the frame, per column (columns.COLUMNS).
PDF_WIDTHS = [9, 18, 19, 40, 42, 25, 52, 12, 12, 18, 17, 18, 17, 22, 21, 43]
PDF_WRAPPED = {3, 4, 6, 13, 14, 15}  # case, basis, description, disposal, status, notes
PDF_ROWS_PER_TABLE = 30


@dataclass(frozen=True)
class Closed:
    """What a closed ledger prints besides its lines (``closing``): the number of the
    closing act, and who closed it and when."""

    number: str
    on: date
    by: str


def ledger_printout(
    head: Ledger,
    lines: Iterator[LedgerLine],
    t: Translator,
    totals: Callable[[], Ledger],
    closed: Closed | None = None,
) -> bytes:
    """The ledger as PDF; ``closed``: the period's ledger as its closing act freezes it
    (kind ``ledger_closing``: "Số: …", the closing note above the signatures)."""
    titles = title_lines(head, t)
    heading = headers(t)
    column_numbers = numbers(t)

    def table(rows: list[list[Any]]) -> Any:
        return pdfdoc.light_table(
            heading, [column_numbers, *rows], PDF_WIDTHS, PDF_WRAPPED, header_rows=2
        )

    doc = documents.Document(
        kind=CLOSED_KIND if closed else KIND,
        lang=t.lang,
        agency=head.agency or documents.AgencyHeader(parent="", name="", place=""),
        day=closed.on if closed else head.made_on or local_today(),
        number=closed.number if closed else None,
        chain_head=head.chain_head,
        subtitle=" — ".join(titles[1:]),
    )

    def body() -> Iterator[Any]:
        """Drawn from as the pages fill: the lines are read from the database chunk by
        chunk, so neither they nor their tables are all in memory at once."""
        yield from documents.basis(doc)
        yield documents.spacer(3)
        chunk: list[list[Any]] = []
        for line in lines:
            chunk.append([text_cell(c, t) for c in cells(line, t)])
            if len(chunk) == PDF_ROWS_PER_TABLE:
                yield table(chunk)
                chunk = []
        if chunk:
            yield table(chunk)
        data = totals()
        yield documents.spacer(6)
        yield documents.heading(t(f"ledger15.closing_{closing_kind(data.date_from, data.date_to)}"))
        yield documents.table(
            [
                documents.Column(t("ledger15.closing_words"), 110),
                documents.Column(t("ledger15.closing_count"), 35, right=True),
                documents.Column(t("ledger15.closing_weight"), 45, right=True),
            ],
            [
                [words, t.number(count), text_cell(Kilograms(kg), t)]
                for words, count, kg in closing_rows(data, t)
            ],
        )
        if closed is not None:
            yield documents.spacer(3)
            yield documents.para(
                t(
                    "docs15_closing.closed",
                    number=closed.number,
                    date=t.date(closed.on),
                    by=closed.by,
                )
            )
        yield documents.spacer(8)
        yield from documents.signatures(
            t,
            [documents.Signer(t(f"ledger15.signer_{who}")) for who in SIGNERS],
            per_row=4,
            width_mm=FRAME_MM,
        )

    return documents.render(doc, body())
