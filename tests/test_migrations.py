"""Migrations build the whole schema, and the models match it exactly."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from evidence_service.models import metadata
from tests.conftest import fresh_database


def test_upgrade_head_on_empty_database_matches_models(tmp_path):
    db = fresh_database(tmp_path, "evidence_migrations")
    current, head = db.migration_status()
    assert current == head is not None
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    db.engine.dispose()
