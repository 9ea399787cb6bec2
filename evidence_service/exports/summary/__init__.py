"""The six-monthly or yearly report an office sends upward: ``figures`` (one period),
``report`` (the report: both periods, header, warehouses), ``files`` (XLSX and PDF)."""

from .figures import PeriodFigures
from .files import summary_pdf, summary_xlsx
from .report import Summary, WarehouseUse, summary

__all__ = ["PeriodFigures", "Summary", "WarehouseUse", "summary", "summary_pdf", "summary_xlsx"]
