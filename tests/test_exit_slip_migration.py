"""Migration 0019 (a destruction's exit slip) on a filled database: it refuses to go down
while a destruction slip exists, goes down to 0015 and up again keeping the slips, and the
exit-slip kind CHECK knows 'destruction' only above 0019."""

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from evidence_service.items.handling import check_out
from evidence_service.items.requests import CheckoutRequest
from evidence_service.legal.holidays import local_today
from tests.conftest import fresh_database
from tests.factories import make_item, make_world
from tests.test_documents_migration import _drop_province_chains


def _kind(db, kind: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE exit_slips SET kind = :kind"), {"kind": kind})


def test_0019_goes_down_and_up_on_a_filled_database(tmp_path):
    db = fresh_database(tmp_path, "evidence_exit_slip_migration")
    with db.session(write=True) as session:
        world = make_world(session)
        item = make_item(session, world, location_code="S1")
        request = CheckoutRequest(
            recipient="TAND tỉnh Lạng Sơn",
            purpose="court",
            document_number="88/CV-TA",
            due_date=local_today() + timedelta(days=5),
            version=item.version,
        )
        check_out(session, item.code, request, world.users["keeper"])
        session.commit()
    with db.engine.connect() as conn:
        slips = conn.execute(text("SELECT id, number FROM exit_slips")).all()
    assert len(slips) == 1 and slips[0].number.endswith("/PXK")
    _drop_province_chains(db)
    _kind(db, "destruction")
    with pytest.raises(RuntimeError, match="exit slips of destructions"):
        command.downgrade(db.alembic_config(), "0015")
    assert db.migration_status()[0] == "0019"  # refused before changing anything
    _kind(db, "check_out")
    command.downgrade(db.alembic_config(), "0015")
    with pytest.raises(IntegrityError):
        _kind(db, "destruction")
    db.migrate()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT id, number FROM exit_slips")).all() == slips
    _kind(db, "destruction")
    with pytest.raises(IntegrityError):
        _kind(db, "nowhere")
    db.engine.dispose()
