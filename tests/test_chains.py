"""One custody chain per province: each province's events on its own chain, opened by a link
to the common chain; a province's writers wait only for their own province's lock."""

import warnings

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from evidence_service import chains
from evidence_service.custody import lock_for_write
from evidence_service.db import Database
from evidence_service.links import verify_chain
from evidence_service.verification import verify_record
from tests.factories import load_world, make_item


def _chains_of(session: Session, item_id: int) -> set[int]:
    found = session.execute(
        text("SELECT DISTINCT chain FROM custody_events WHERE item_id = :i"), {"i": item_id}
    )
    return {row[0] for row in found}


def test_each_province_writes_its_own_chain(session, world):
    a = make_item(session, world, location_code="S2")
    b = make_item(
        session, world, actor="other-keeper", location_code="X1", case_id=world.cases["other"].id
    )
    province_a = chains.province_of(session, world.agencies["parent"].id)
    province_b = chains.province_of(session, world.agencies["other"].id)
    assert province_a != province_b
    assert chains.province_of(session, world.agencies["child"].id) == province_a  # a district
    assert _chains_of(session, a.id or 0) == {province_a}
    assert _chains_of(session, b.id or 0) == {province_b}
    for chain in (province_a, province_b):
        first = session.execute(
            text(
                "SELECT event_type, prev_hash, details FROM custody_events "
                "WHERE chain = :c AND seq = 1"
            ),
            {"c": chain},
        ).one()
        assert first[0] == "chain_opened" and first[1] != "0" * 64
    result = verify_chain(session)
    assert result.ok, result.problem
    assert {province_a, province_b, chains.COMMON} <= set(result.heads)


@pytest.mark.postgres_only
def test_a_province_does_not_wait_for_another_provinces_lock(database: Database, world):
    """Province A's lock held (as a long import holds it): B's intake goes through; the
    whole-record lock held (what every writer took before), it waits."""
    with database.session(write=True) as setup:
        world = load_world(setup)
        keeper_a = world.users["keeper"]
    holder = database.session(write=True).__enter__()
    try:
        lock_for_write(holder, keeper_a.agency_id)
        with database.session(write=True) as other:
            other.execute(text("SET LOCAL lock_timeout = '2s'"))
            world_b = load_world(other)
            make_item(
                other,
                world_b,
                actor="other-keeper",
                location_code="X1",
                case_id=world_b.cases["other"].id,
            )
        holder.rollback()
        lock_for_write(holder)  # everything
        with database.session(write=True) as other, pytest.raises(OperationalError):
            other.execute(text("SET LOCAL lock_timeout = '1s'"))
            world_b = load_world(other)
            make_item(
                other,
                world_b,
                actor="other-keeper",
                location_code="X1",
                case_id=world_b.cases["other"].id,
            )
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.postgres_only
def test_verify_reads_one_repeatable_read_snapshot(database: Database, world):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "isolation level ignored" was one
        with database.unit_of_work(write=False) as session:
            assert verify_record(session).ok
            level = session.execute(text("SHOW transaction_isolation")).scalar_one()
    assert level == "repeatable read"
