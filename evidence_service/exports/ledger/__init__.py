"""The evidence ledger (Mẫu 13): its lines and balance (``lines``), its columns (``columns``),
as XLSX (``sheet``) and as PDF (``printout``)."""

from datetime import date

from sqlmodel import Session

from ...i18n import translator
from ...models import User
from .columns import COLUMNS
from .lines import Ledger, LedgerLine, ledger, ledger_run
from .printout import ledger_printout
from .sheet import ledger_sheet

__all__ = [
    "COLUMNS",
    "Ledger",
    "LedgerLine",
    "ledger",
    "ledger_file",
    "ledger_pdf",
    "ledger_run",
    "ledger_xlsx",
]


def ledger_xlsx(data: Ledger, lang: str = "vi") -> bytes:
    return ledger_sheet(data, iter(data.lines), translator(lang), lambda: data)


def ledger_pdf(data: Ledger, lang: str = "vi") -> bytes:
    return ledger_printout(data, iter(data.lines), translator(lang), lambda: data)


def ledger_file(
    session: Session,
    actor: User,
    fmt: str,
    warehouse_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    lang: str = "vi",
) -> bytes:
    """The ledger as XLSX or PDF, its lines streamed from the database into the file (the
    memory it takes does not grow with the number of items but by the file's own size)."""
    run = ledger_run(session, actor, warehouse_code, date_from, date_to, lang)
    render = ledger_sheet if fmt == "xlsx" else ledger_printout
    return render(run.header(), run.lines(), run.t, run.header)
