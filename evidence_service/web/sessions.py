"""Browser sessions: a random cookie whose SHA-256 names a ``web_sessions`` row.

The row lives in the database, so every worker process sees a logout at once, and it is
checked against the user on every request, so disabling a user ends their sessions at once.
Each session has its own CSRF token; every POST must carry it (form field ``csrf_token`` or
header ``X-CSRF-Token``). The login form, which has no session yet, uses a double-submit
cookie instead.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from fastapi import Request, Response
from sqlalchemy import delete
from sqlmodel import Session, col, select

from .. import websign
from ..keys import keyring
from ..models import User, WebSession

SESSION_COOKIE = "ev_session"
LOGIN_CSRF_COOKIE = "ev_login_csrf"
LANG_COOKIE = "ev_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def _digest(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def start(session: Session, user: User, lang: str, minutes: int) -> str:
    """A new session for ``user``; returns the cookie value (only its hash is stored)."""
    assert user.id is not None
    now = datetime.now(UTC)
    # Expired sessions are of no use to anyone: drop them while we are writing anyway.
    session.execute(delete(WebSession).where(col(WebSession.expires_at) < now - timedelta(days=1)))
    value = new_token()
    row = WebSession(
        id=_digest(value),
        user_id=user.id,
        csrf_token=new_token(),
        lang=lang,
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    websign.sign(row)  # bound to the service's key: a row inserted by hand is refused
    session.add(row)
    return value


def lookup(session: Session, cookie_value: str | None) -> tuple[WebSession, User] | None:
    """The live session of this cookie and its (active) user, or None."""
    if not cookie_value or len(cookie_value) > 200:
        return None
    row = session.exec(
        select(WebSession, User)
        .join(User, col(User.id) == WebSession.user_id)
        .where(
            WebSession.id == _digest(cookie_value),
            col(WebSession.revoked).is_(False),
            col(WebSession.expires_at) > datetime.now(UTC),
            col(User.is_active),
        )
    ).first()
    if row is None or websign.session_problem(keyring(), row[0]) is not None:
        return None
    return row[0], row[1]


def end(session: Session, web_session: WebSession) -> None:
    web_session.revoked = True
    session.add(web_session)


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))


def is_https(request: Request) -> bool:
    # Behind a TLS-terminating proxy the scheme arrives in X-Forwarded-Proto (uvicorn applies
    # it with --proxy-headers; the header is read here too, it only decides the Secure flag).
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return request.url.scheme == "https" or forwarded == "https"


def set_cookie(
    response: Response, request: Request, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=is_https(request))
