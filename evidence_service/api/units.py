"""Routes for units of quantity: the built-in ones and those the agency adds."""

from fastapi import APIRouter

from .. import units
from ..errors import Conflict, Forbidden, Invalid, Unauthorized, error_responses
from .deps import CurrentUser, SessionDep

router = APIRouter(tags=["items"])


@router.get("/units", responses=error_responses(Unauthorized))
def list_units(actor: CurrentUser, session: SessionDep) -> list[units.UnitPublic]:
    """Every unit an item may be recorded in, with its kind (count, mass, volume, length)."""
    return units.list_units(session, actor)


@router.post(
    "/units", status_code=201, responses=error_responses(Unauthorized, Forbidden, Conflict, Invalid)
)
def add_unit(data: units.UnitCreate, actor: CurrentUser, session: SessionDep) -> units.UnitPublic:
    """Add a unit of the agency's own, mapped to its kind so quantities still add up."""
    return units.add_unit(session, data, actor)
