"""Official exports: the evidence ledger and the six-monthly/yearly summary, XLSX and PDF."""

from ..periods import parse_period, period_codes
from .ledger import Ledger, ledger, ledger_file, ledger_pdf, ledger_xlsx
from .summary import Summary, summary, summary_pdf, summary_xlsx

__all__ = [
    "Ledger",
    "Summary",
    "ledger",
    "ledger_file",
    "ledger_pdf",
    "ledger_xlsx",
    "parse_period",
    "period_codes",
    "summary",
    "summary_pdf",
    "summary_xlsx",
]
