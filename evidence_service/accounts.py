"""Who may act, as each process knows it: the active accounts, read from the database at
most once a second, so that checking a bearer token costs no query.

A token names its user and the user's token version (``users.token_version``). It is honoured
while the account is active and its version is the token's. Disabling a user or changing
their role bumps the version, so their tokens stop: at once in the process that made the
change (its commit invalidates this copy), within a second in every other process (each reads
the table again when its copy is a second old).
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine, select

from .models import User

MAX_AGE_S = 1.0
MISS_RETRY_S = 0.05


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    full_name: str
    role: str
    agency_id: int
    token_version: int

    @cached_property
    def user(self) -> User:
        """The acting user, as domain functions take it: built once per read of the table
        (a table model costs more to build than the rest of a lookup), bound to no session
        and never changed by the domain code."""
        return User(
            id=self.id,
            username=self.username,
            full_name=self.full_name,
            role=self.role,
            agency_id=self.agency_id,
            token_version=self.token_version,
            password_hash="",
            is_active=True,
        )


_ACTIVE = select(
    User.id,  # type: ignore[call-overload]
    User.username,
    User.full_name,
    User.role,
    User.agency_id,
    User.token_version,
).where(User.is_active)


class Accounts:
    def __init__(self, engine: Engine, max_age_s: float = MAX_AGE_S) -> None:
        self._engine = engine
        # One thread of its own: a read waiting for a pooled connection holds up only the
        # checks waiting for it, never a commit.
        self.reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-accounts")
        self._max_age_s = max_age_s
        self._lock = threading.Lock()
        self._by_id: dict[int, Account] = {}
        self._read_at = float("-inf")

    def active(self, user_id: int) -> Account | None:
        """The account if it is active, as last read (no I/O: see ``needs_reading``)."""
        return self._by_id.get(user_id)

    def needs_reading(self, user_id: int) -> bool:
        """Whether to read the table before trusting what is known of this user: it is a
        second old, or the user is unknown (perhaps created by another process since)."""
        age = time.monotonic() - self._read_at
        return age > self._max_age_s or (user_id not in self._by_id and age > MISS_RETRY_S)

    def invalidate(self) -> None:
        """This process changed users (called after the commit, off the event loop): read
        them again now, so the next check here already knows."""
        self._read_at = float("-inf")
        self.read()

    def read(self) -> None:
        """Read the active accounts (blocking: call it from a worker thread)."""
        with self._lock:
            if time.monotonic() - self._read_at <= MISS_RETRY_S:
                return  # another thread has just read them
            started = time.monotonic()
            with self._engine.connect() as conn:
                rows = conn.execute(_ACTIVE).all()
            self._by_id = {row.id: Account(*row) for row in rows}
            self._read_at = started
