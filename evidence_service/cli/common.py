"""What every command shares: the database from the settings, and errors as one line."""

from pydantic import ValidationError

from .. import checkpoints, keys
from ..config import Settings
from ..db import Database


def database(settings: Settings) -> Database:
    """The database, with the signing key (if one is set) for the commands that write."""
    keys.setup(settings.signing_key_file, settings.public_keys_file, required=False)
    checkpoints.configure(settings.checkpoint_every, settings.anchor_dir)
    return Database.from_url(settings.database_url, settings.sqlite_busy_timeout_ms)


def error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return str(getattr(exc, "detail", exc))
