"""Users, passwords, bearer tokens, roles and agency scope."""

import hashlib
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib.resources import files
from typing import Any

import jwt
from pwdlib import PasswordHash
from pydantic import BaseModel, Field
from sqlalchemy import func, text, update
from sqlmodel import Session, col, select

from . import totp
from .accounts import Accounts
from .config import LoginPolicy
from .db import Database, accounts_changed, keep_when_refused, session_writes
from .errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unauthorized
from .models import Agency, LoginAttempt, Role, SecurityEvent, User, WebSession

MIN_PASSWORD_LENGTH = 10
MIN_DISTINCT_CHARACTERS = 5
# Passwords every guessing list starts with, and their kin (checked case-insensitively).
_COMMON_PASSWORDS = frozenset(
    line
    for line in (files("evidence_service") / "data" / "common_passwords.txt")
    .read_text(encoding="utf-8")
    .casefold()
    .splitlines()
    if line and not line.startswith("#")
)
_hasher = PasswordHash.recommended()  # Argon2id
# Verifying against this keeps the time of a login for an unknown user the same as for a
# known one, so response times don't reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")

# What each role may do; "read" is implied for every role.
# Destruction batches: "prepare_destruction" builds a draft, "destroy" approves or cancels
# one, "record_destruction" records the execution and photos and closes the batch.
PERMISSIONS: dict[Role, frozenset[str]] = {
    # "audit_system": the whole custody chain's figures (anchor, verify), which span every
    # agency; managers audit their own agencies only ("audit").
    Role.admin: frozenset(
        {"read", "manage_agencies", "manage_users", "manage_locations", "audit", "audit_system"}
    ),
    Role.manager: frozenset(
        {
            "read",
            "manage_locations",
            "manage_cases",
            "intake",
            "move",
            "override",
            "label",
            "audit",
            "stocktake",
            "prepare_destruction",
            "destroy",
            "release",
            "record_destruction",
            # Two people for every exit: the second one, who confirms what another asked.
            "confirm_exit",
            "write_off",
            # The head confirms a ledger's closing (Circular 04/2023 Art. 30(4)(c)).
            "close_ledger",
        }
    ),
    # Keepers ask for releases and transfers ("release"); a manager confirms them.
    Role.keeper: frozenset(
        {
            "read",
            "manage_cases",
            "intake",
            "move",
            "label",
            "stocktake",
            "prepare_destruction",
            "release",
        }
    ),
    Role.council: frozenset({"read", "record_destruction"}),
    Role.auditor: frozenset({"read", "audit", "audit_system"}),
}
# Roles that also see (and, for managers, act on) the agencies below their own.
SEES_CHILD_AGENCIES = frozenset({Role.admin, Role.manager, Role.auditor})


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    full_name: str = Field(default="", max_length=200)
    role: Role
    agency_code: str
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)


class UserPublic(BaseModel):
    username: str
    full_name: str
    role: Role
    agency_code: str
    is_active: bool


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str, username: str, field: str = "password") -> None:
    """Refuse (422) a password a guesser tries first: short, on the deny-list, the username
    itself, or made of a few characters repeated."""
    folded = password.casefold()
    why = reason = None
    if len(password) < MIN_PASSWORD_LENGTH:
        why, reason = f"at least {MIN_PASSWORD_LENGTH} characters", "password_short"
    elif len(set(folded)) < MIN_DISTINCT_CHARACTERS:
        why, reason = f"at least {MIN_DISTINCT_CHARACTERS} different characters", "password_same"
    elif folded in _COMMON_PASSWORDS or folded.rstrip("0123456789!.") in _COMMON_PASSWORDS:
        why, reason = "not one of the commonly used passwords", "password_common"
    elif len(username) >= 3 and username.casefold() in folded:
        why, reason = "not containing the username", "password_username"
    if why:
        raise Invalid(
            field,
            f"the password is too weak: it must be {why}",
            key=f"keysa_auth.{reason}",
            params={"length": MIN_PASSWORD_LENGTH, "distinct": MIN_DISTINCT_CHARACTERS},
        )


def can(actor: User | None, action: str) -> bool:
    """Whether the user's role permits the action; the one reader of ``PERMISSIONS``."""
    return actor is not None and action in PERMISSIONS[Role(actor.role)]


def require(actor: User, permission: str) -> None:
    if not can(actor, permission):
        raise Forbidden(
            f"role '{actor.role}' may not {permission.replace('_', ' ')}",
            key=f"keysa_auth.may_not_{permission}",
        )


def create_user(session: Session, data: UserCreate, actor: User | None = None) -> User:
    """``actor`` is None only from the command line and the demo data."""
    if actor is not None:
        require(actor, "manage_users")
        agency_by_code(session, data.agency_code, actor)  # 404 outside the admin's agencies
    agency = session.exec(select(Agency).where(Agency.code == data.agency_code)).first()
    if agency is None:
        raise Invalid(
            "agency_code",
            f"unknown agency '{data.agency_code}'",
            data.agency_code,
            key="keysa_auth.unknown_agency",
            params={"agency": data.agency_code},
        )
    if session.exec(select(User).where(User.username == data.username)).first():
        raise Conflict(
            f"user '{data.username}' already exists",
            key="keysa_auth.user_exists",
            params={"username": data.username},
        )
    check_password_strength(data.password, data.username)
    assert agency.id is not None
    user = User(
        username=data.username,
        full_name=data.full_name,
        role=data.role.value,
        agency_id=agency.id,
        password_hash=hash_password(data.password),
    )
    session.add(user)
    session.flush()
    accounts_changed(session)
    return user


def user_public(session: Session, user: User) -> UserPublic:
    agency = session.get(Agency, user.agency_id)
    assert agency is not None
    return UserPublic(
        username=user.username,
        full_name=user.full_name,
        role=Role(user.role),
        agency_code=agency.code,
        is_active=user.is_active,
    )


class TooManyAttempts(DomainError):
    status_code = 429

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


def record(
    session: Session,
    event: str,
    username: str,
    client: str = "",
    actor: User | None = None,
    **details: Any,
) -> None:
    session.add(security_event(event, username, client, actor, **details))


def security_event(
    event: str, username: str, client: str = "", actor: User | None = None, **details: Any
) -> SecurityEvent:
    actor_id = actor.id if actor else None
    return SecurityEvent(
        event=event, username=username, client=client, actor_id=actor_id, details=details
    )


def _failures_since(
    session: Session, since: datetime, column: Any, value: str, reset_by_success: bool
) -> list[datetime]:
    """Failed attempts in the window; for a user, only those after their last success (a
    success from one place does not excuse a client guessing many names: its count holds)."""
    start = since
    if reset_by_success:
        last_ok = session.scalar(
            select(func.max(LoginAttempt.at)).where(column == value, col(LoginAttempt.success))
        )
        start = max(since, _aware(last_ok)) if last_ok else since
    failed = select(LoginAttempt.at).where(
        column == value, col(LoginAttempt.success).is_(False), col(LoginAttempt.at) > start
    )
    return [_aware(at) for at in session.exec(failed).all()]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _lock_key(kind: str, value: str) -> int:
    digest = hashlib.sha256(f"login:{kind}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def reserve_attempt(
    database: Database,
    session: Session,
    username: str,
    client: str,
    policy: LoginPolicy,
    now: datetime,
) -> int:
    """Count the failures and record this attempt (as failed until proven otherwise) in one
    locked transaction of its own, committed before the password is even checked: parallel
    guesses queue here and each sees the ones before it, on both databases (SQLite: BEGIN
    IMMEDIATE; PostgreSQL: a lock per user and per client). Returns the attempt's id; raises
    429 while locked out.

    On SQLite a request that already writes (a page that read its session cookie) holds the
    database's one write lock: the count and the attempt go in its own transaction then, the
    attempt kept even if the request is refused (a second writer would wait on the first)."""
    if database.is_sqlite and session.in_transaction() and session_writes(session):
        attempt_id, retry = _count_and_record(session, username, client, policy, now, keep=True)
    else:
        with database.unit_of_work(write=True) as own:
            attempt_id, retry = _count_and_record(own, username, client, policy, now, keep=False)
    if attempt_id is None:  # locked out; the refusal's event is committed or kept
        raise TooManyAttempts(
            f"too many failed logins; try again in {retry // 60 + 1} minutes", retry
        )
    return attempt_id


def _count_and_record(
    session: Session, username: str, client: str, policy: LoginPolicy, now: datetime, keep: bool
) -> tuple[int | None, int]:
    """(the new attempt's id, 0), or (None, seconds until the lock-out ends)."""
    window = timedelta(minutes=policy.lock_minutes)
    add = (lambda row: keep_when_refused(session, row)) if keep else session.add
    if session.get_bind().dialect.name == "postgresql":
        for lock in sorted({_lock_key("user", username), _lock_key("client", client)}):
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})
    for key, column, value, limit in (
        ("username", LoginAttempt.username, username, policy.max_failures_per_user),
        ("client", LoginAttempt.client, client, policy.max_failures_per_client),
    ):
        failures = _failures_since(session, now - window, column, value, key == "username")
        if len(failures) >= limit:
            retry = int((min(failures) + window - now).total_seconds()) + 1
            add(security_event("login_refused_locked", username, client, locked_by=key))
            return None, retry
    attempt = LoginAttempt(username=username, client=client, at=now, success=False)
    add(attempt)
    session.flush()
    assert attempt.id is not None
    return attempt.id, 0


def authenticate(
    session: Session,
    username: str,
    password: str,
    client: str = "",
    policy: LoginPolicy = LoginPolicy(),
    *,
    database: Database,
    totp_code: str = "",
    totp_required_roles: frozenset[str] = frozenset(),
) -> User:
    """Check a login. Every attempt is recorded first, also when refused (see
    :func:`reserve_attempt`); too many failures for a user or from a client lock them out for
    a while. A user enrolled in two-factor sign-in also gives the code of their app; a user
    whose role must have it and who has not enrolled is refused (403)."""
    now = datetime.now(UTC)
    attempt_id = reserve_attempt(database, session, username, client, policy, now)
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        _hasher.verify(password, _DUMMY_HASH)  # same time as a real check
        ok = False
    else:
        ok = _hasher.verify(password, user.password_hash) and user.is_active
    second_factor = user.totp_secret if ok and user is not None else None
    if second_factor and not totp.verify(second_factor, totp_code):
        keep_when_refused(session, security_event("login_failed_totp", username, client))
        raise Unauthorized("a valid two-factor code is required", key="keysa_auth.totp_code")
    if user is None or not ok:
        keep_when_refused(session, security_event("login_failed", username, client))
        window_start = now - timedelta(minutes=policy.lock_minutes)
        failures = _failures_since(session, window_start, LoginAttempt.username, username, True)
        if len(failures) == policy.max_failures_per_user:
            locked = security_event("account_locked", username, client, minutes=policy.lock_minutes)
            keep_when_refused(session, locked)
        raise Unauthorized("incorrect username or password", key="login.failed")
    if user.role in totp_required_roles and not user.totp_secret:
        keep_when_refused(session, security_event("login_refused_no_totp", username, client))
        raise Forbidden(
            f"two-factor sign-in is required for the role '{user.role}': ask an administrator "
            "to enrol you (evidence-service users totp-enrol)",
            key="keysa_auth.totp_not_enrolled",
        )
    session.execute(
        update(LoginAttempt).where(col(LoginAttempt.id) == attempt_id).values(success=True)
    )
    record(session, "login_ok", username, client)
    return user


def issue_token(user: User, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "ver": user.token_version,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def token_user_id(token: str, secret: str) -> int:
    """Whose token this is, if its signature holds (else 401)."""
    return _token_claims(token, secret)[0]


def user_from_token(accounts: Accounts, token: str, secret: str) -> User:
    """The user a bearer token names, while the account is active and the token's version
    is the account's, as ``accounts`` knows them (no I/O)."""
    user_id, version, expires = _token_claims(token, secret)
    account = accounts.active(user_id)
    if expires <= time.time() or account is None or account.token_version != version:
        raise Unauthorized("invalid or expired token", key="login.required")
    return account.user


# A keeper sends the same token all day: its signature is checked once (a failure raises and
# is not remembered), its expiry on every use.
@lru_cache(maxsize=4096)
def _token_claims(token: str, secret: str) -> tuple[int, int, float]:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp"]})
        return int(claims["sub"]), int(claims.get("ver", 1)), float(claims["exp"])
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        raise Unauthorized("invalid or expired token", key="login.required") from None


def agency_scope(session: Session, actor: User) -> set[int]:
    """Ids of the agencies whose data the actor may see."""
    scope = {actor.agency_id}
    if Role(actor.role) not in SEES_CHILD_AGENCIES:
        return scope
    # The whole subtree in one recursive query, however deep (UNION: a cycle ends it).
    tree = select(col(Agency.id)).where(Agency.id == actor.agency_id).cte("tree", recursive=True)
    tree = tree.union(select(col(Agency.id)).join(tree, col(Agency.parent_id) == tree.c.id))
    scope.update(session.exec(select(tree.c.id)).all())
    return scope


def agency_by_code(session: Session, code: str, actor: User) -> Agency:
    agency = session.exec(select(Agency).where(Agency.code == code)).first()
    if agency is None or agency.id not in agency_scope(session, actor):
        raise NotFound(
            f"agency '{code}' not found", key="keysa_auth.agency_not_found", params={"agency": code}
        )
    return agency


def user_by_username(session: Session, username: str) -> User:
    """An active user by name: the actor of a command-line run."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.is_active:
        raise NotFound(
            f"user '{username}' not found or inactive",
            key="keysa_auth.user_inactive",
            params={"username": username},
        )
    return user


class UserUpdate(BaseModel):
    full_name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    is_active: bool | None = Field(default=None, description="false: its tokens stop at once")
    password: str | None = Field(
        default=None,
        max_length=200,
        description="a new password (an admin's reset): the user's tokens and sessions end",
    )


# Two-factor enrolment is not a field anyone may PATCH: it is set by the enrolment steps only.
_KEEP = object()


def _user_in_scope(session: Session, username: str, actor: User) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or user.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"user '{username}' not found",
            key="keysa_auth.user_not_found",
            params={"username": username},
        )
    return user


def list_users(session: Session, actor: User) -> list[UserPublic]:
    require(actor, "manage_users")
    scope = agency_scope(session, actor)
    users = session.exec(
        select(User).where(col(User.agency_id).in_(scope)).order_by(col(User.username))
    ).all()
    return [user_public(session, u) for u in users]


def update_user(
    session: Session,
    username: str,
    data: UserUpdate,
    actor: User | None,
    client: str = "",
    totp_secret: object = _KEEP,
    totp_pending: object = _KEEP,
) -> User:
    """Every change of a user passes here: role, name, whether they may log in, password
    (an admin's reset, or the user's own change once :func:`change_own_password` checked the
    old one) and two-factor enrolment. Security events record it. A change of role, state or
    password moves the user's "tokens valid after" point (``token_version``) forward: their
    bearer tokens and web sessions end, and never come back.

    ``actor`` is None only from the command line. A user changing only their own password or
    two-factor enrolment needs no ``manage_users``."""
    own_credentials = (
        actor is not None
        and actor.username == username
        and data.role is None
        and data.is_active is None
        and data.full_name is None
    )
    if actor is not None and not own_credentials:
        require(actor, "manage_users")
    if actor is None or own_credentials:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            raise NotFound(
                f"user '{username}' not found",
                key="keysa_auth.user_not_found",
                params={"username": username},
            )
    else:
        user = _user_in_scope(session, username, actor)
    if (
        actor is not None
        and user.id == actor.id
        and (data.is_active is False or data.role not in (None, user.role))
    ):
        raise Conflict(
            "you cannot disable yourself or change your own role", key="keysa_auth.own_account"
        )
    if data.password is not None:
        check_password_strength(data.password, user.username)
    revoked = False
    if data.role is not None and data.role != user.role:
        record(session, "role_changed", username, client, actor, before=user.role, after=data.role)
        user.role = data.role.value
        revoked = True  # tokens carry no role, but a changed role starts afresh
    if data.is_active is not None and data.is_active != user.is_active:
        record(
            session, "user_enabled" if data.is_active else "user_disabled", username, client, actor
        )
        user.is_active = data.is_active
        revoked = True  # re-enabling does not revive the old tokens
    if data.password is not None:
        own = actor is not None and actor.id == user.id
        record(session, "password_changed" if own else "password_reset", username, client, actor)
        user.password_hash = hash_password(data.password)
        revoked = True
    if totp_pending is not _KEEP:
        user.totp_pending = totp_pending  # type: ignore[assignment]
    if totp_secret is not _KEEP:
        record(session, "totp_enrolled" if totp_secret else "totp_removed", username, client, actor)
        user.totp_secret = totp_secret  # type: ignore[assignment]
        revoked = True
    if revoked:
        user.token_version += 1
        # Web sessions end too (a re-enabled account's old cookies stay dead).
        session.execute(
            update(WebSession)
            .where(col(WebSession.user_id) == user.id, col(WebSession.revoked).is_(False))
            .values(revoked=True)
        )
    accounts_changed(session)
    if data.full_name is not None:
        user.full_name = data.full_name
    session.add(user)
    session.flush()
    return user


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


def change_own_password(
    session: Session, data: PasswordChange, actor: User, client: str = ""
) -> User:
    """A user's own new password, once the current one is proven (a stolen session alone
    cannot take the account over)."""
    user = session.get(User, actor.id)
    if user is None or not _hasher.verify(data.current_password, user.password_hash):
        record(session, "password_change_refused", actor.username, client, actor)
        raise Invalid(
            "current_password",
            "the current password is not correct",
            key="keysa_auth.current_password",
        )
    if data.new_password == data.current_password:
        raise Invalid(
            "new_password",
            "the new password must differ from the current one",
            key="keysa_auth.same_password",
        )
    return update_user(
        session, actor.username, UserUpdate(password=data.new_password), actor, client
    )


class TotpEnrolment(BaseModel):
    secret: str = Field(description="base32; type it into the app if it cannot read the QR code")
    otpauth_uri: str = Field(description="the link an authenticator app reads from a QR code")


def start_totp(session: Session, actor: User, client: str = "") -> TotpEnrolment:
    """Propose a new two-factor secret for the actor; it holds once confirmed with a code."""
    secret = totp.new_secret()
    update_user(session, actor.username, UserUpdate(), actor, client, totp_pending=secret)
    return TotpEnrolment(secret=secret, otpauth_uri=totp.provisioning_uri(secret, actor.username))


def confirm_totp(session: Session, code: str, actor: User, client: str = "") -> User:
    """The app makes the proposed secret's codes: from now on sign-in asks for one. Every
    token and session issued before ends (they were issued without it)."""
    user = session.get(User, actor.id)
    if user is None or not user.totp_pending:
        raise Conflict(
            "no two-factor enrolment was started: start one first",
            key="keysa_auth.totp_not_started",
        )
    if not totp.verify(user.totp_pending, code):
        raise Invalid(
            "code",
            "the code does not match: check the app's clock and try again",
            key="keysa_auth.totp_mismatch",
        )
    return update_user(
        session,
        actor.username,
        UserUpdate(),
        actor,
        client,
        totp_secret=user.totp_pending,
        totp_pending=None,
    )


def enrol_totp_by_admin(session: Session, username: str, remove: bool = False) -> str | None:
    """From the command line: give a user a two-factor secret at once (the returned secret is
    handed to them to put in their app), or remove theirs."""
    secret = None if remove else totp.new_secret()
    update_user(session, username, UserUpdate(), None, totp_secret=secret, totp_pending=None)
    return secret


class SecurityEventPublic(BaseModel):
    at: datetime
    event: str
    username: str
    client: str
    details: dict[str, Any]


def security_events(session: Session, actor: User, limit: int) -> list[SecurityEventPublic]:
    """Security events about the users of the actor's agencies, newest first."""
    require(actor, "audit")
    usernames = select(User.username).where(col(User.agency_id).in_(agency_scope(session, actor)))
    rows = session.exec(
        select(SecurityEvent)
        .where(col(SecurityEvent.username).in_(usernames))
        .order_by(col(SecurityEvent.id).desc())
        .limit(limit)
    ).all()
    return [SecurityEventPublic.model_validate(r, from_attributes=True) for r in rows]
