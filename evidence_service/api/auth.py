"""Routes for logging in and for users: the token, who am I, and user administration."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from .. import auth
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, IdempotencyKeyHeader, SessionDep, SettingsDep, create_once

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/token",
    responses={**error_responses(Unauthorized), 429: {"description": "locked out for a while"}},
)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> dict[str, str]:
    """Exchange username and password for a bearer token. Failed attempts are throttled per
    user and per client address (429 with Retry-After while locked)."""
    client = request.client.host if request.client else ""
    user = auth.authenticate(session, form.username, form.password, client, settings.login_policy)
    token = auth.issue_token(user, settings.secret_key, settings.access_token_minutes)
    return {"access_token": token, "token_type": "bearer"}


@router.get("/users/me", responses=error_responses(Unauthorized))
def me(actor: CurrentUser, session: SessionDep) -> auth.UserPublic:
    return auth.user_public(session, actor)


@router.get("/users", responses=error_responses(Unauthorized, Forbidden))
def list_users(actor: CurrentUser, session: SessionDep) -> list[auth.UserPublic]:
    return auth.list_users(session, actor)


@router.post(
    "/users",
    status_code=201,
    responses=error_responses(Unauthorized, Forbidden, Conflict, Invalid),
)
def create_user(
    data: auth.UserCreate, actor: CurrentUser, session: SessionDep, key: IdempotencyKeyHeader = None
) -> auth.UserPublic:
    return create_once(
        session,
        actor,
        key,
        "POST /users",
        data,
        auth.UserPublic,
        lambda: auth.user_public(session, auth.create_user(session, data, actor)),
    )


@router.patch(
    "/users/{username}",
    responses=error_responses(Unauthorized, Forbidden, NotFound, Conflict),
)
def update_user(
    username: str, data: auth.UserUpdate, request: Request, actor: CurrentUser, session: SessionDep
) -> auth.UserPublic:
    """Change a user's role or name, or disable them (their tokens stop working at once)."""
    client = request.client.host if request.client else ""
    user = auth.update_user(session, username, data, actor, client)
    return auth.user_public(session, user)
