"""The demo data the README's first command loads."""

from sqlmodel import select

from evidence_service.demo import DEMO_PASSWORD, seed_demo
from evidence_service.links import verify_chain
from evidence_service.models import (
    Agency,
    Case,
    Category,
    DestructionItem,
    Handover,
    HandoverLine,
    Item,
    Warehouse,
)


def test_demo_data_has_every_category_and_a_valid_chain(session):
    assert seed_demo(session) is True
    session.commit()
    assert seed_demo(session) is False  # running it twice adds nothing
    categories = {item.category for item in session.exec(select(Item)).all()}
    assert categories == {c.value for c in Category}
    kinds = sorted(w.custodian_kind for w in session.exec(select(Warehouse)).all())
    assert kinds == ["local_authority", "own", "own", "police"]
    assert verify_chain(session).ok


def test_demo_login_works(client, session):
    seed_demo(session)
    session.commit()
    response = client.post(
        "/api/v1/auth/token", data={"username": "demo-keeper", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200


def test_demo_is_in_the_2025_structure_with_a_pre_judgment_case_and_cash_in_the_treasury(session):
    """Issue 14 points 1, 3 and 7 (vn-legal-context §1.1, §2.1, §2.3(1))."""
    seed_demo(session)
    session.commit()
    names = [a.name for a in session.exec(select(Agency)).all()]
    assert any(n.startswith("Phòng THADS khu vực") for n in names)
    assert not any("Chi cục" in n or "Cục THADS" in n or "huyện" in n for n in names)
    courts = {c.court for c in session.exec(select(Case)).all() if c.court}
    assert any(c.startswith("TAND khu vực") for c in courts)
    assert not any("huyện" in c for c in courts)
    waiting = [c for c in session.exec(select(Case)).all() if c.judgment_number is None]
    assert waiting and all(c.transfer_number and c.transfer_date for c in waiting)
    cash = session.exec(select(Item).where(Item.category == Category.cash.value)).all()
    assert cash and all(i.disposition != "destroy" for i in cash)
    assert any(i.disposition == "deposit_to_treasury" and i.disposition_document for i in cash)
    batched = set(session.exec(select(DestructionItem.item_id)).all())
    assert not batched & {i.id for i in cash}


def test_every_demo_item_has_its_handover_record_and_entry_slip(session):
    """So the destruction record and the ledger cite an entry slip ("Nhập: 01/PNK"), not
    "—"; the items kept by outside custodians are received in place (Decree 152 Art. 37)."""
    seed_demo(session)
    session.commit()
    handovers = session.exec(select(Handover)).all()
    assert handovers and all(
        h.final_at and h.record_number and h.entry_slip_number for h in handovers
    )
    on_record = set(session.exec(select(HandoverLine.item_id)).all())
    # (the environment's past destructions, seeded as history, are not in stock)
    in_stock = session.exec(select(Item).where(Item.status != "destroyed")).all()
    assert {i.id for i in in_stock} <= on_record
    in_place = [h for h in handovers if h.custodian]
    assert {h.custodian["kind"] for h in in_place} == {"police", "local_authority"}
