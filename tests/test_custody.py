"""The custody log: hash chain, append-only triggers, and tamper detection."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from evidence_service import chains
from evidence_service.checkpoints import heads_now
from evidence_service.custody import chain_head, event_hash
from evidence_service.items import move_items
from evidence_service.links import verify_chain
from evidence_service.models import CustodyEvent
from tests.factories import make_item


def _chain(session: Session, world) -> int:
    """The keeper's province: its chain holds the items' events."""
    return chains.province_of(session, world.users["keeper"].agency_id)


def _events(session: Session, world, after: int = 0) -> list[CustodyEvent]:
    query = (
        select(CustodyEvent)
        .where(col(CustodyEvent.seq) > after, CustodyEvent.chain == _chain(session, world))
        .order_by(col(CustodyEvent.seq))
    )
    return list(session.exec(query).all())


def _base(session: Session, world) -> int:
    """Events already on the chain (the test world's users, locations, ...)."""
    return chain_head(session, _chain(session, world))[0]


def _three_items_and_a_move(session, world) -> list[CustodyEvent]:
    """Their four events; the chain's events before them are the world's."""
    before = _base(session, world)
    a = make_item(session, world)
    make_item(session, world)
    make_item(session, world)
    move_items(session, [a.code], "S1", world.users["keeper"], reason="sắp xếp lại")
    return _events(session, world, before)


def _drop_triggers(session: Session) -> None:
    on = "" if session.get_bind().dialect.name == "sqlite" else " ON custody_events"
    for action in ("update", "delete"):
        session.execute(text(f"DROP TRIGGER custody_events_no_{action}{on}"))


def test_events_form_a_hash_chain_from_genesis(session, world):
    events = _events(session, world) + _three_items_and_a_move(session, world)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    # A province's chain hangs from the common chain's head when it opened.
    assert events[0].event_type == "chain_opened"
    link = events[0].details["link"]
    assert events[0].prev_hash == link["hash"]
    assert link["hash"] == (chain_head(session, 0)[1] if link["seq"] else "0" * 64) or link["seq"]
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert all(event_hash(e.model_dump()) == e.hash for e in events)
    result = verify_chain(session)
    everything = session.exec(select(CustodyEvent)).all()
    assert result.ok and result.events_checked == len(everything)
    assert result.heads[_chain(session, world)] == (events[-1].seq, events[-1].hash)
    assert result.head_hash == heads_now(session).head_hash


def test_move_event_records_from_and_to(session, world):
    events = _three_items_and_a_move(session, world)
    move = events[-1]
    assert move.event_type == "move" and move.reason == "sắp xếp lại"
    assert move.from_location_id != move.to_location_id is not None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE custody_events SET reason = 'rewritten'",
        "DELETE FROM custody_events",
        "DELETE FROM items",
    ],
)
def test_database_refuses_rewriting_history(session, world, statement):
    count = len(_events(session, world)) + len(_three_items_and_a_move(session, world))
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text(statement))
    assert len(_events(session, world)) == count


def test_verify_names_an_edited_event(session, world):
    events = _three_items_and_a_move(session, world)
    _drop_triggers(session)
    session.execute(
        text("UPDATE custody_events SET reason = 'đã sửa' WHERE seq = :s AND chain = :c"),
        {"s": events[1].seq, "c": events[1].chain},
    )
    problem = verify_chain(session).problem
    assert problem is not None and problem.seq == events[1].seq and problem.event_id == events[1].id
    assert "edited" in problem.problem


def test_verify_names_a_deleted_event(session, world):
    c = _chain(session, world)
    b = _three_items_and_a_move(session, world)[0].seq - 1
    _drop_triggers(session)
    session.execute(text(f"DELETE FROM custody_events WHERE seq = {b + 2} AND chain = {c}"))
    problem = verify_chain(session).problem
    assert problem is not None and problem.seq == b + 3 and "missing" in problem.problem


def test_verify_names_reordered_events(session, world):
    c = _chain(session, world)
    b = _three_items_and_a_move(session, world)[0].seq - 1
    _drop_triggers(session)
    # Swap the positions of events 2 and 3 (their content and hashes stay as they were).
    session.execute(text(f"UPDATE custody_events SET seq = -2 WHERE seq = {b + 2} AND chain = {c}"))
    session.execute(
        text(f"UPDATE custody_events SET seq = {b + 2} WHERE seq = {b + 3} AND chain = {c}")
    )
    session.execute(text(f"UPDATE custody_events SET seq = {b + 3} WHERE seq = -2 AND chain = {c}"))
    problem = verify_chain(session).problem
    assert problem is not None and problem.seq == b + 2


def test_verify_names_an_inserted_event(session, world):
    c = _chain(session, world)
    events = _three_items_and_a_move(session, world)
    b = events[0].seq - 1
    _drop_triggers(session)
    for seq in (b + 4, b + 3):  # one by one from the top: SQLite checks UNIQUE row by row
        session.execute(
            text(f"UPDATE custody_events SET seq = {seq + 1} WHERE seq = {seq} AND chain = {c}")
        )
    forged = events[1].model_dump(exclude={"id"})
    forged.update(seq=b + 3, reason="forged", hash="f" * 64)
    session.add(CustodyEvent(**forged))
    session.flush()
    problem = verify_chain(session).problem
    assert problem is not None and problem.seq == b + 3


def test_anchor_detects_truncation_of_the_last_events(session, world):
    c = _chain(session, world)
    b = _three_items_and_a_move(session, world)[0].seq - 1
    anchor = heads_now(session)
    assert anchor.chains and anchor.chains[_chain(session, world)][0] == b + 4
    assert verify_chain(session, anchor).ok
    _drop_triggers(session)
    session.execute(text(f"DELETE FROM custody_events WHERE seq >= {b + 3} AND chain = {c}"))
    assert verify_chain(session).ok  # without the anchor the shorter chain looks fine
    problem = verify_chain(session, anchor).problem
    assert problem is not None and "truncated" in problem.problem and problem.seq == b + 3


def test_anchor_detects_a_rewritten_history_with_recomputed_hashes(session, world):
    events = _three_items_and_a_move(session, world)
    anchor = heads_now(session)
    _drop_triggers(session)
    # A forger edits event 2 and recomputes every hash after it: the links are consistent,
    # the signatures are not (the forger has no key).
    prev = events[0].hash
    for event in events[1:]:
        fields = event.model_dump()
        fields["prev_hash"] = prev
        if event.seq == events[1].seq:
            fields["reason"] = "rewritten"
        fields["hash"] = prev = event_hash(fields)
        session.execute(
            text(
                "UPDATE custody_events SET reason = :r, prev_hash = :p, hash = :h "
                "WHERE seq = :s AND chain = :c"
            ),
            {
                "r": fields["reason"],
                "p": fields["prev_hash"],
                "h": fields["hash"],
                "s": event.seq,
                "c": event.chain,
            },
        )
    problem = verify_chain(session).problem
    assert problem is not None and problem.seq == events[1].seq and "signature" in problem.problem
    # Dropping the signatures too leaves the head unsigned; the anchor names the rewrite.
    session.execute(
        text("UPDATE custody_events SET signature = NULL WHERE chain = :c"), {"c": events[0].chain}
    )
    problem = verify_chain(session).problem
    assert problem is not None and "not signed" in problem.problem
    problem = verify_chain(session, anchor).problem
    assert problem is not None and problem.seq == events[-1].seq and "anchor" in problem.problem


def test_audit_endpoints_give_anchor_and_verify(client, session, world):
    n = _three_items_and_a_move(session, world)[-1].seq
    session.commit()
    anchor = client.get("/api/v1/audit/anchor", headers=world.headers("auditor")).json()
    assert anchor["chains"][str(_chain(session, world))][0] == n and len(anchor["head_hash"]) == 64
    checked = client.get(
        "/api/v1/audit/verify",
        params={"events": anchor["events"], "head_hash": anchor["head_hash"]},
        headers=world.headers("auditor"),
    ).json()
    assert checked["ok"] and checked["events_checked"] == anchor["events"], checked
    wrong = client.get(
        "/api/v1/audit/verify",
        params={"events": n, "head_hash": "0" * 64},
        headers=world.headers("auditor"),
    ).json()
    assert not wrong["ok"] and wrong["problem"]["table"] == "checkpoints", wrong
    assert "no signed checkpoint" in wrong["problem"]["problem"]
    assert client.get("/api/v1/audit/anchor", headers=world.headers("keeper")).status_code == 403


def test_the_hash_format_is_fixed():
    """Stored chains are verified with this hash: its canonical form may never change."""
    fields = {
        "seq": 7,
        "item_id": 42,
        "event_type": "move",
        "actor_id": 3,
        "occurred_at": datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC),
        "from_location_id": 5,
        "to_location_id": None,
        "reason": "xếp kho",
        "details": {"status": "stored", "override": {"reason": "đầy", "capacity": [1.5]}},
        "prev_hash": "ab" * 32,
    }
    assert event_hash(fields) == "3bb37769911d83b9903e57bf09acdf7cabf1d5c433038691d14756b112a2ba53"
