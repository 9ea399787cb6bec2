"""Web sessions bound to the service's key: a row carries the signature of its id, user and
expiry, so a row inserted by hand (a login without a password) is refused when used and
named by ``verify``. Sessions themselves stay out of the custody chain."""

from datetime import datetime

from . import keys
from .custody import _ts
from .models import WebSession


def _message(session_id: str, user_id: int, expires_at: datetime) -> str:
    return f"evidence-web-session:{session_id}:{user_id}:{_ts(expires_at)}"


def sign(row: WebSession) -> None:
    key = keys.signer()
    row.signature = f"{key.key_id}:{key.sign(_message(row.id, row.user_id, row.expires_at))}"


def session_problem(ring: keys.Keyring, row: WebSession) -> str | None:
    """None if the row is the service's, else what is wrong with it."""
    kid, _, signature = (row.signature or "").partition(":")
    return ring.verify(
        kid or None, _message(row.id, row.user_id, row.expires_at), signature or None
    )
