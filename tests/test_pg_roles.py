"""Least privilege on PostgreSQL: the app role cannot rewrite the record, disable the
triggers or delete items, and the service works with it."""

import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from evidence_service import pgroles
from evidence_service.db import Database
from evidence_service.verification import verify_record
from tests.factories import make_item, make_world

pytestmark = pytest.mark.postgres_only  # roles are PostgreSQL's
APP_ROLE = f"evidence_app_{os.getpid()}"


@pytest.fixture
def app_db(database: Database):
    db = database
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP ROLE IF EXISTS {APP_ROLE}"))
        conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN"))
        conn.execute(text(f"GRANT CONNECT ON DATABASE {db.engine.url.database} TO {APP_ROLE}"))
        pgroles.grant(conn, APP_ROLE)
    app = Database.from_url(str(db.engine.url.set(username=APP_ROLE).render_as_string(False)))
    yield app
    app.engine.dispose()
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP OWNED BY {APP_ROLE}"))
        conn.execute(text(f"DROP ROLE {APP_ROLE}"))


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE custody_events DISABLE TRIGGER ALL",
        "ALTER TABLE custody_events DISABLE TRIGGER custody_events_no_update",
        "DROP TRIGGER custody_events_no_update ON custody_events",
        "UPDATE custody_events SET reason = 'x'",
        "DELETE FROM custody_events",
        "TRUNCATE custody_events",
        "UPDATE checkpoints SET events = 0",
        "DELETE FROM scan_log",
        "DELETE FROM security_events",
        "UPDATE login_attempts SET success = true",
        "DELETE FROM items",
        "SET session_replication_role = replica",
    ],
)
def test_the_app_role_cannot_rewrite_the_record(app_db, statement):
    with app_db.engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text(statement))


def test_the_service_works_as_the_app_role(app_db):
    with app_db.session(write=True) as session:
        world = make_world(session)
        session.commit()
        make_item(session, world, location_code="S1")
    with app_db.session() as session:
        assert verify_record(session).ok
