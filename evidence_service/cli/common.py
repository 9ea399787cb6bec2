"""What every command shares: the database from the settings, and errors as one line."""

from pydantic import ValidationError

from ..config import Settings
from ..db import Database


def database(settings: Settings) -> Database:
    return Database.from_url(settings.database_url, settings.sqlite_busy_timeout_ms)


def error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return str(getattr(exc, "detail", exc))
