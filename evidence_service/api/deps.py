"""Dependencies shared by the routes, as ``Annotated`` aliases."""

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, TypeAdapter
from sqlmodel import Session

from ..auth import token_user_id, user_from_token
from ..config import Settings
from ..db import Database
from ..errors import Invalid, Unauthorized
from ..idempotency import run_once
from ..models import User
from ..recording import CURRENT_ACTOR
from .transaction import request_session


# Dependencies that do no blocking I/O are ``async`` so FastAPI runs them inline instead
# of hopping to a worker thread for each: that hop costs more than the work on a hot path.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


SessionDep = Annotated[Session, Depends(request_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_current_user(
    request: Request, token: Annotated[str | None, Depends(_bearer)]
) -> User:
    return await user_of_token(request, token)


async def user_of_token(request: Request, token: str | None) -> User:
    # Inline, without a thread hop: the accounts are read at most once a second, in the
    # database's own threads (never on the event loop: the pool may be busy).
    if not token:
        raise Unauthorized("not authenticated", key="login.required")
    db: Database = request.app.state.db
    secret = request.app.state.settings.secret_key
    if db.accounts.needs_reading(token_user_id(token, secret)):
        await asyncio.get_running_loop().run_in_executor(db.accounts.reader, db.accounts.read)
    user = user_from_token(db.accounts, token, secret)
    CURRENT_ACTOR.set(user.id)  # the record events of this request name who acted
    return user


async def bearer_user(request: Request) -> User:
    """:func:`get_current_user` for the hot routes that take no dependencies (solving them
    costs more than the work): the token read from the header as ``OAuth2PasswordBearer``
    reads it."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return await user_of_token(request, token if scheme.lower() == "bearer" else None)


CurrentUser = Annotated[User, Depends(get_current_user)]
# What a route that calls bearer_user itself declares, so the API description still says so.
BEARER_SECURITY: dict[str, Any] = {"security": [{"OAuth2PasswordBearer": []}]}
Created = TypeVar("Created")
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="resending the same request with the same key returns the first response",
    ),
]


def create_once(
    session: Session,
    actor: User,
    key: str | None,
    route: str,
    body: BaseModel,
    answer: type[Created],
    create: Callable[[], Created],
    status_code: int = 201,
) -> Created:
    """Run a create under an idempotency key and return what it made, as ``answer``.

    A resend with the same key gets the first answer back, rebuilt from the stored JSON, and
    creates nothing. ``status_code`` is the route's own, recorded with the key.
    """
    if key is None:  # nothing is stored, so there is no stored answer to rebuild it from
        return create()
    adapter = TypeAdapter(answer)
    status, content = run_once(
        session,
        actor,
        key,
        route,
        body.model_dump(mode="json"),
        lambda: (status_code, adapter.dump_python(create(), mode="json")),
    )
    return adapter.validate_python(content)


def if_match_version(
    if_match: Annotated[
        str | None, Header(alias="If-Match", description="the item's ETag (its version)")
    ] = None,
) -> int | None:
    """The version an ``If-Match`` header names (``"3"``, ``W/"3"``); ``*`` means any."""
    if if_match is None or if_match.strip() == "*":
        return None
    try:
        return int(if_match.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise Invalid(
            "If-Match",
            "must be the item's version (its ETag)",
            where="header",
            key="keysb_api.if_match",
        ) from None


IfMatch = Annotated[int | None, Depends(if_match_version)]
VersionedBody = TypeVar("VersionedBody", bound=BaseModel)


def with_if_match(data: VersionedBody, version: int | None) -> VersionedBody:
    """The request body with the If-Match version in place of its own, if one was sent."""
    return data if version is None else data.model_copy(update={"version": version})
