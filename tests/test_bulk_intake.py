"""The bulk intake's short cuts answer and record exactly what the general paths do."""

import json

from sqlalchemy import text
from sqlmodel import col, select

from evidence_service import handovers
from evidence_service.custody import EventType
from evidence_service.items import ItemCreate, item_public, items_public
from evidence_service.items.lookup import _public
from evidence_service.models import CustodyEvent, HandoverLine, Item
from evidence_service.verification import verify_record
from tests.factories import item_data

VARIED = [
    {},
    {"location_code": None},
    {
        "category": "fireworks",
        "hazard_classes": ["1.4G"],
        "location_code": "F1",
        "seal_number": "NP-1",
        "delivered_by": {"name": "Nguyễn Văn A", "position": "Điều tra viên"},
        "net_weight_g": 39125.0,
        "gross_weight_g": 40000.0,
        "volume_l": 2.5,
    },
    {"quantity": 3, "unit": "piece", "condition": "móp méo", "external_ref": "STT-7"},
]


def _received(session, world):
    keeper = world.users["keeper"]
    items_in = [ItemCreate(**item_data(world, **o)) for o in VARIED]
    ids = handovers.receive_items(session, items_in, keeper, None)
    session.commit()
    return ids


def test_a_batch_answer_equals_each_item_as_the_general_lookup_answers_it(session, world):
    ids = _received(session, world)
    keeper = world.users["keeper"]
    answers = items_public(session, ids)
    codes = dict(session.execute(select(col(Item.id), col(Item.code))).all())
    for item_id, answer in zip(ids, answers, strict=True):
        general = item_public(session, codes[item_id], keeper)
        assert json.loads(answer.model_dump_json()) == general.model_dump(mode="json")
        # Built without validation, it is still what validation makes of the same row.
        assert type(answer).model_validate(answer.model_dump()) == general
    row = session.execute(
        select(Item, Item.code).where(col(Item.id) == ids[2])
    ).first()  # the ORM object through the validating builder, for the enum types
    assert row is not None
    validated = _public(row[0], "F1", None, "keeper")
    assert answers[2].category is validated.category


def test_a_plain_intake_records_its_handover_lines_as_the_recorder_would(session, world):
    ids = _received(session, world)
    lines = session.exec(select(HandoverLine).order_by(col(HandoverLine.id))).all()
    assert [line.item_id for line in lines] == ids
    assert [line.line_no for line in lines] == list(range(1, len(ids) + 1))
    seals = dict(session.execute(select(col(Item.id), col(Item.seal_state))).all())
    assert [line.seal_state for line in lines] == [seals[i] for i in ids]
    assert lines[2].seal_state == "intact" and lines[2].seal_number == "NP-1"
    events = session.exec(
        select(CustodyEvent)
        .where(CustodyEvent.subject == "handover_lines")
        .order_by(col(CustodyEvent.id))
    ).all()
    assert [e.event_type for e in events] == [EventType.record_created] * len(lines)
    assert [e.subject_id for e in events] == [line.id for line in lines]
    for event, line in zip(events, lines, strict=True):
        record = event.details["record"]
        assert set(record) == set(HandoverLine.__table__.c.keys())  # type: ignore[attr-defined]
        assert record["item_id"] == line.item_id and record["seal_state"] == line.seal_state
        assert record["matches"] is True and record["seal_signatories"] == []
        assert record["forensic_conclusion"] is None
    # The intake events went on the items' province's chain, as the lookup by item would.
    intakes = session.exec(
        select(CustodyEvent).where(CustodyEvent.event_type == EventType.intake)
    ).all()
    assert {e.item_id for e in intakes} == set(ids)
    assert {e.chain for e in intakes} == {world.agencies["parent"].id}
    assert verify_record(session).problem is None


def test_an_edited_handover_line_is_found_by_verify(session, world):
    _received(session, world)
    assert verify_record(session).problem is None
    line = session.exec(select(HandoverLine).where(HandoverLine.line_no == 2)).one()
    # Behind the service's back: a plain statement, not through the ORM (which records it).
    session.connection().execute(
        text("UPDATE handover_lines SET seal_state = 'broken' WHERE id = :i"), {"i": line.id}
    )
    session.commit()
    problem = verify_record(session).problem
    assert problem is not None and "handover_lines" in str(problem)
