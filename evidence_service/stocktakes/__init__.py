"""Stocktakes (kiểm kê): count by scanning, compare with the records, open discrepancies.

- ``workflow``: start, scan, progress and close a count, one outcome per item
- ``discrepancies``: what a count found wrong, until it is resolved
- ``record``: the stocktake record (biên bản kiểm kê) as a PDF
- ``closing``: close with participants and findings, the record made final
"""

from .closing import CloseRequest, Finding, Participant, close
from .discrepancies import Resolution, discrepancies, resolve, working_days_after
from .workflow import (
    Signers,
    StocktakeCreate,
    StocktakeScanRequest,
    StocktakeStatus,
    get_status,
    lines,
    progress,
    record_scan,
    shown_counts,
    start,
)

__all__ = [
    "CloseRequest",
    "Finding",
    "Participant",
    "Resolution",
    "Signers",
    "StocktakeCreate",
    "StocktakeScanRequest",
    "StocktakeStatus",
    "close",
    "discrepancies",
    "get_status",
    "lines",
    "progress",
    "record_scan",
    "resolve",
    "shown_counts",
    "start",
    "working_days_after",
]
