"""Migration 0019 on a filled database: it refuses to go down while a destruction slip
exists or an item is on two handovers, goes down to 0015 and up again keeping the slips and
the handover lines; the exit-slip kind CHECK knows 'destruction' only above 0019, and only
above it may a returned item be on a second handover."""

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from evidence_service.handovers import receive_items, receive_return
from evidence_service.items import ItemCreate
from evidence_service.items.handling import check_out
from evidence_service.items.requests import CheckoutRequest, ReturnRequest
from evidence_service.legal.holidays import local_today
from evidence_service.models import Item
from tests.conftest import fresh_database
from tests.factories import item_data, make_world
from tests.test_documents_migration import _drop_province_chains


def _kind(db, kind: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE exit_slips SET kind = :kind"), {"kind": kind})


def test_0019_goes_down_and_up_on_a_filled_database(tmp_path):
    db = fresh_database(tmp_path, "evidence_exit_slip_migration")
    with db.session(write=True) as session:
        world = make_world(session)
        keeper = world.users["keeper"]
        data = ItemCreate(**item_data(world, location_code="S1"))
        (item_id,) = receive_items(session, [data], keeper, None)  # with its handover
        request = CheckoutRequest(
            recipient="TAND tỉnh Lạng Sơn",
            purpose="court",
            document_number="88/CV-TA",
            due_date=local_today() + timedelta(days=5),
        )
        code = check_out(session, session.get(Item, item_id).code, request, keeper).code
        session.commit()
    with db.engine.connect() as conn:
        slips = conn.execute(text("SELECT id, number FROM exit_slips")).all()
    assert len(slips) == 1 and slips[0].number.endswith("/PXK")
    _drop_province_chains(db)
    _kind(db, "destruction")
    command.downgrade(db.alembic_config(), "0019")  # the later migrations are not under test
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
        assert conn.execute(text("SELECT item_id FROM handover_lines")).all() == [(item_id,)]
    _kind(db, "destruction")
    with pytest.raises(IntegrityError):
        _kind(db, "nowhere")
    _kind(db, "check_out")
    # Above 0019 the returned item is received on a second handover; going down refuses.
    with db.session(write=True) as session:
        receive_return(session, code, ReturnRequest(), world.users["keeper"])
        session.commit()
    with db.engine.connect() as conn:
        lines = conn.execute(text("SELECT item_id FROM handover_lines")).all()
    assert lines == [(item_id,), (item_id,)]
    _drop_province_chains(db)
    command.downgrade(db.alembic_config(), "0019")
    with pytest.raises(RuntimeError, match="more than one handover"):
        command.downgrade(db.alembic_config(), "0015")
    assert db.migration_status()[0] == "0019"
    db.engine.dispose()
