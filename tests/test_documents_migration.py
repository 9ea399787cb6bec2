"""Migration 0014 (documents) on a filled database: down to 0013 and up again keeps the
stocktake lines, batches and items, and the stocktake outcome CHECK knows 'unlocated'."""

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from evidence_service import stocktakes
from tests.conftest import fresh_database
from tests.factories import make_item, make_world


def test_0014_goes_down_and_up_on_a_filled_database(tmp_path):
    db = fresh_database(tmp_path, "evidence_docs_migration")
    with db.session(write=True) as session:
        world = make_world(session)
        make_item(session, world, location_code="S1")
        keeper = world.users["keeper"]
        count = stocktakes.start(
            session,
            stocktakes.StocktakeCreate(scope="location", warehouse_code="W1", location_code="R1"),
            keeper,
        )
        session.commit()
        signers = stocktakes.CloseRequest(keeper="A Kho", accountant="B Kế", head="C Trưởng")
        stocktakes.close(session, count.id, signers, keeper, 5)
        session.commit()
    with db.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM stocktake_lines")).scalar_one()
    assert before == 1
    command.downgrade(db.alembic_config(), "0013")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM stocktake_lines")).scalar_one() == before
    db.migrate()
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM stocktake_lines")).scalar_one() == before
        conn.execute(text("UPDATE stocktake_lines SET outcome = 'unlocated'"))
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text("UPDATE stocktake_lines SET outcome = 'nowhere'"))
    db.engine.dispose()
