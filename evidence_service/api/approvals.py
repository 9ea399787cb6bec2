"""Routes for the second person: the requests waiting for a manager, their confirmation or
refusal, and the receiving agency's scan of a transferred item."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..items import ItemPublic, approvals, items_public
from ..models import ApprovalStatus
from .deps import CurrentUser, SessionDep

router = APIRouter(tags=["approvals"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)


class Decision(BaseModel):
    note: str = Field(default="", max_length=1000)


class ReceiveRequest(BaseModel):
    location_code: str = Field(min_length=1, max_length=32)
    override_reason: str | None = Field(default=None, max_length=1000)


def _public(session: SessionDep, item_id: int | None) -> ItemPublic:
    assert item_id is not None
    return items_public(session, [item_id])[0]


@router.get("/approvals", responses=error_responses(Unauthorized))
def list_approvals(
    actor: CurrentUser, session: SessionDep, status: ApprovalStatus | None = ApprovalStatus.pending
) -> list[approvals.ApprovalPublic]:
    """Requests of your agencies (and transfers coming to them), newest first; ``can_confirm``
    says whether you may decide one."""
    return approvals.list_approvals(session, actor, status)


@router.post("/approvals/{approval_id}/confirm", responses=ERRORS)
def confirm(
    approval_id: int, data: Decision, actor: CurrentUser, session: SessionDep
) -> ItemPublic:
    """Confirm a request as a second person (a manager who did not ask): it is done now."""
    return _public(session, approvals.confirm(session, approval_id, actor, data.note).id)


@router.post("/approvals/{approval_id}/refuse", responses=ERRORS)
def refuse(approval_id: int, data: Decision, actor: CurrentUser, session: SessionDep) -> ItemPublic:
    """Refuse a request: nothing is done and a held item is back on its shelf as it was."""
    return _public(session, approvals.refuse(session, approval_id, actor, data.note).id)


@router.post("/items/{code}/receive", responses=ERRORS)
def receive(code: str, data: ReceiveRequest, actor: CurrentUser, session: SessionDep) -> ItemPublic:
    """The receiving agency's keeper scans a transferred item in, to one of its locations."""
    item = approvals.receive(session, code, data.location_code, actor, data.override_reason)
    return _public(session, item.id)
