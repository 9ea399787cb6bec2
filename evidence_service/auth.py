"""Users, passwords, bearer tokens, roles and agency scope."""

from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pydantic import BaseModel, Field
from sqlalchemy import bindparam
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, select

from .errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from .models import Agency, Role, User

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHash.recommended()  # Argon2id
# Verifying against this keeps the time of a login for an unknown user the same as for a
# known one, so response times don't reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")

# What each role may do; "read" is implied for every role.
PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.admin: frozenset({"read", "manage_agencies", "manage_users", "manage_locations"}),
    Role.manager: frozenset(
        {"read", "manage_locations", "manage_cases", "intake", "move", "override", "label"}
    ),
    Role.keeper: frozenset({"read", "manage_cases", "intake", "move", "label"}),
    Role.council: frozenset({"read"}),
    Role.auditor: frozenset({"read"}),
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


def require(actor: User, permission: str) -> None:
    if permission not in PERMISSIONS[Role(actor.role)]:
        raise Forbidden(f"role '{actor.role}' may not {permission.replace('_', ' ')}")


def create_user(session: Session, data: UserCreate) -> User:
    agency = session.exec(select(Agency).where(Agency.code == data.agency_code)).first()
    if agency is None:
        raise Invalid("agency_code", f"unknown agency '{data.agency_code}'", data.agency_code)
    if session.exec(select(User).where(User.username == data.username)).first():
        raise Conflict(f"user '{data.username}' already exists")
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


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        _hasher.verify(password, _DUMMY_HASH)
        raise Unauthorized("incorrect username or password")
    if not _hasher.verify(password, user.password_hash) or not user.is_active:
        raise Unauthorized("incorrect username or password")
    return user


def issue_token(user: User, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(user.id), "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm="HS256")


def user_from_token(session: Session, token: str, secret: str) -> User:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp"]})
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        raise Unauthorized("invalid or expired token") from None
    # Checked on every request, so disabling a user stops their tokens at once. A plain
    # row, not an ORM load: this runs before every API call.
    row = session.execute(_USER_BY_ID, {"id": user_id}).mappings().first()
    if row is None or not row["is_active"]:
        raise Unauthorized("invalid or expired token")
    user = User(**row)
    make_transient_to_detached(user)
    return session.merge(user, load=False)  # the persistent row it is, without a reload


_USER_BY_ID = select(User.__table__).where(User.__table__.c.id == bindparam("id"))  # type: ignore[attr-defined]


def agency_scope(session: Session, actor: User) -> set[int]:
    """Ids of the agencies whose data the actor may see."""
    scope = {actor.agency_id}
    if Role(actor.role) not in SEES_CHILD_AGENCIES:
        return scope
    frontier = [actor.agency_id]
    while frontier:
        children = session.exec(select(Agency.id).where(Agency.parent_id.in_(frontier))).all()  # type: ignore[union-attr]
        frontier = [c for c in children if c is not None and c not in scope]
        scope.update(frontier)
    return scope


def agency_by_code(session: Session, code: str, actor: User) -> Agency:
    agency = session.exec(select(Agency).where(Agency.code == code)).first()
    if agency is None or agency.id not in agency_scope(session, actor):
        raise NotFound(f"agency '{code}' not found")
    return agency
