"""Destruction batches (tiêu hủy vật chứng): the workflow, its methods and environmental
record (data), the legal deadlines (data), the record and the totals.

- ``batches``: the transitions table (who may take each step, from which states) and the
  lock of a batch for a step
- ``workflow``: draft → approved → executed → closed, or cancelled before execution; photos
- ``execution``: the execution step (method, environment, per-item checks)
- ``views``: what the API shows of a batch, its photos and record
- ``record``: the destruction record (biên bản tiêu hủy) as a PDF
- ``methods``: ``data/destruction_methods.toml`` and the check of each method's fields
- ``deadlines``: ``data/legal_deadlines.toml`` and the deadlines report
- ``totals``: counts and weights destroyed, for the reports
"""

from .batches import TRANSITIONS, allowed_transitions, get_batch
from .deadlines import DeadlineReport, deadline_report, load_deadlines
from .execution import execute
from .methods import Method, MethodField, load_methods
from .schemas import (
    AddItemsRequest,
    ApproveRequest,
    BatchCreate,
    BatchPublic,
    BatchSummary,
    CancelRequest,
    CloseRequest,
    ExecuteRequest,
    MethodFieldPublic,
    MethodPublic,
    PhotoPublic,
)
from .totals import DestructionTotals, destruction_totals, totals_csv
from .views import (
    PayloadTooLarge,
    Record,
    batch_public,
    get_photo,
    record,
    summaries,
)
from .workflow import (
    add_items,
    add_photo,
    approve,
    cancel,
    close,
    create_batch,
    remove_item,
)

__all__ = [
    "TRANSITIONS",
    "AddItemsRequest",
    "ApproveRequest",
    "BatchCreate",
    "BatchPublic",
    "BatchSummary",
    "CancelRequest",
    "CloseRequest",
    "DeadlineReport",
    "DestructionTotals",
    "ExecuteRequest",
    "Method",
    "MethodField",
    "MethodFieldPublic",
    "MethodPublic",
    "PayloadTooLarge",
    "PhotoPublic",
    "Record",
    "add_items",
    "add_photo",
    "allowed_transitions",
    "approve",
    "batch_public",
    "cancel",
    "close",
    "create_batch",
    "deadline_report",
    "destruction_totals",
    "execute",
    "get_batch",
    "get_photo",
    "load_deadlines",
    "load_methods",
    "record",
    "remove_item",
    "summaries",
    "totals_csv",
]
