"""Alembic environment: uses the engine handed over in ``config.attributes``."""

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from evidence_service import models

config = context.config
target_metadata = models.metadata


def render_item(type_: str, obj: Any, _autogen_context: Any) -> Any:
    # Our UTC wrapper is a plain timezone-aware DateTime in the database.
    if type_ == "type" and isinstance(obj, models.UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from evidence_service.config import get_settings

        engine = create_engine(get_settings().database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
