"""Handovers (giao nhận vật chứng, tài sản tạm giữ): a group of items received with its
record and entry slip.

- ``schemas``: what ``POST /handovers`` takes and what the API shows
- ``rules``: what a final record needs (the one home of the receiving rules, with sources)
- ``receiving``: receive with a handover, a plain intake's implicit handover, a return
  after a check-out received like a new handover, completion
- ``views``: finding and showing handovers
- ``papers``: the handover record and the entry slip (PDF)
"""

from .papers import RECORD, SLIP, render, stored
from .receiving import complete, receive, receive_items, receive_return
from .schemas import (
    HandoverCompletion,
    HandoverCreate,
    HandoverDetails,
    HandoverPublic,
    HandoverSummary,
)
from .views import get_handover, handover_of_item, handover_public, list_handovers

__all__ = [
    "RECORD",
    "SLIP",
    "HandoverCompletion",
    "HandoverCreate",
    "HandoverDetails",
    "HandoverPublic",
    "HandoverSummary",
    "complete",
    "get_handover",
    "handover_of_item",
    "handover_public",
    "list_handovers",
    "receive",
    "receive_items",
    "receive_return",
    "render",
    "stored",
]
