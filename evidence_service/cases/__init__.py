"""Cases as the law sees them (vn-legal-context §2.1, §5): opened on the transfer decision,
then a chain of judgments and the enforcement decisions, with the case file.

- ``core``: the case, its lookup by id or by any judgment number, its one-line shape
- ``acts``: judgments (first instance, appeal, review) and enforcement decisions
- ``attachments``: the scanned acts, checked by decoding, with their SHA-256
- ``views``: the case page's data, with every deadline computed for the case
"""

from .acts import (
    EnforcementDecisionCreate,
    EnforcementDecisionPublic,
    ItemOrder,
    JudgmentCreate,
    JudgmentPublic,
    add_enforcement_decision,
    add_judgment,
    decision_public,
    decisions_of,
    get_judgment,
    judgment_public,
    judgments_of,
)
from .attachments import AttachmentPublic, attach, get_attachment, list_attachments
from .core import (
    JUDGMENT_PATTERN,
    CaseCreate,
    CasePublic,
    TransferDecision,
    case_public,
    create_case,
    find_case,
    get_case,
    judgment_level,
    list_cases,
)
from .views import CaseDetail, DeadlinePublic, case_detail, deadline_public, item_deadlines

__all__ = [
    "JUDGMENT_PATTERN",
    "AttachmentPublic",
    "CaseCreate",
    "CaseDetail",
    "CasePublic",
    "DeadlinePublic",
    "EnforcementDecisionCreate",
    "EnforcementDecisionPublic",
    "ItemOrder",
    "JudgmentCreate",
    "JudgmentPublic",
    "TransferDecision",
    "add_enforcement_decision",
    "add_judgment",
    "attach",
    "case_detail",
    "case_public",
    "create_case",
    "deadline_public",
    "decision_public",
    "decisions_of",
    "find_case",
    "get_attachment",
    "get_case",
    "get_judgment",
    "item_deadlines",
    "judgment_level",
    "judgment_public",
    "judgments_of",
    "list_attachments",
    "list_cases",
]
