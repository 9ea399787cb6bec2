"""Migration 0022 on a filled database: it refuses to go down while a slip names its
receiver's position, paper or body or a record holds its sample, goes down to 0021 once
they are gone (the columns with them) and up again, the old rows keeping NULL (a dotted
blank when printed)."""

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, text

from evidence_service.items import ItemCreate, intake_items
from evidence_service.items.handling import check_out, take_sample
from evidence_service.items.requests import CheckoutRequest, SampleRequest
from evidence_service.legal.holidays import local_today
from evidence_service.models import Item
from tests.conftest import fresh_database
from tests.factories import item_data, make_world


def _columns(db, table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_0022_goes_down_and_up_on_a_filled_database(tmp_path):
    db = fresh_database(tmp_path, "evidence_slips15_migration")
    with db.session(write=True) as session:
        world = make_world(session)
        keeper = world.users["keeper"]
        first, second = intake_items(
            session,
            [ItemCreate(**item_data(world, location_code="S1")) for _ in range(2)],
            keeper,
        )
        request = CheckoutRequest(
            recipient="Hoàng Văn Lâm",
            recipient_position="Thư ký Tòa án",
            purpose="court",
            document_number="88/CV-TA",
            due_date=local_today() + timedelta(days=5),
        )
        check_out(session, session.get(Item, first).code, request, keeper)
        take_sample(session, session.get(Item, second).code, SampleRequest(taken_g=1.0), keeper)
        session.commit()
    with pytest.raises(RuntimeError, match="1 exit slips .* and 1 sampling records"):
        command.downgrade(db.alembic_config(), "0021")
    assert db.migration_status()[0] == "0022"  # refused before changing anything
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE exit_slips SET recipient_position = NULL"))
        conn.execute(text("UPDATE unsealings SET sample = NULL"))
    command.downgrade(db.alembic_config(), "0021")
    assert "recipient_position" not in _columns(db, "exit_slips")
    assert "sample" not in _columns(db, "unsealings")
    command.upgrade(db.alembic_config(), "0022")
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT recipient, recipient_position, recipient_id_document FROM exit_slips")
        ).all()
        samples = conn.execute(text("SELECT sample FROM unsealings")).all()
    assert rows == [("Hoàng Văn Lâm", None, None)] and samples == [(None,)]
    db.engine.dispose()
