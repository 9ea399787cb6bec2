"""Routes for logging in and for users: the token, who am I, and user administration."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

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
    totp_code: Annotated[
        str, Form(max_length=16, description="the authenticator app's code, if enrolled")
    ] = "",
) -> dict[str, str]:
    """Exchange username and password (and, for users enrolled in two-factor sign-in, the
    code of their app) for a bearer token. Failed attempts are throttled per user and per
    client address (429 with Retry-After while locked)."""
    client = request.client.host if request.client else ""
    user = auth.authenticate(
        session,
        form.username,
        form.password,
        client,
        settings.login_policy,
        database=request.app.state.db,
        totp_code=totp_code,
        totp_required_roles=settings.totp_roles,
    )
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


@router.post("/users/me/password", responses=error_responses(Unauthorized, Invalid))
def change_own_password(
    data: auth.PasswordChange, request: Request, actor: CurrentUser, session: SessionDep
) -> auth.UserPublic:
    """Change your own password (the current one proves it is you). Every token and web
    session you had ends, this one too: log in again."""
    client = request.client.host if request.client else ""
    return auth.user_public(session, auth.change_own_password(session, data, actor, client))


class PasswordReset(BaseModel):
    new_password: str = Field(max_length=200)


@router.post(
    "/users/{username}/password",
    responses=error_responses(Unauthorized, Forbidden, NotFound, Invalid),
)
def reset_password(
    username: str, data: PasswordReset, request: Request, actor: CurrentUser, session: SessionDep
) -> auth.UserPublic:
    """An administrator sets a user's password (a reset): the user's tokens and sessions end."""
    client = request.client.host if request.client else ""
    user = auth.update_user(
        session, username, auth.UserUpdate(password=data.new_password), actor, client
    )
    return auth.user_public(session, user)


@router.post("/users/me/totp", responses=error_responses(Unauthorized))
def start_totp(request: Request, actor: CurrentUser, session: SessionDep) -> auth.TotpEnrolment:
    """Start two-factor enrolment: a new secret for your authenticator app. It holds once
    confirmed with a code (``POST /users/me/totp/confirm``)."""
    client = request.client.host if request.client else ""
    return auth.start_totp(session, actor, client)


class TotpConfirm(BaseModel):
    code: str = Field(max_length=16)


@router.post("/users/me/totp/confirm", responses=error_responses(Unauthorized, Invalid, Conflict))
def confirm_totp(
    data: TotpConfirm, request: Request, actor: CurrentUser, session: SessionDep
) -> auth.UserPublic:
    """Confirm enrolment with a code from the app: sign-in asks for one from now on, and your
    earlier tokens end."""
    client = request.client.host if request.client else ""
    return auth.user_public(session, auth.confirm_totp(session, data.code, actor, client))
