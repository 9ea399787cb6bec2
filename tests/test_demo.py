"""The demo data the README's first command loads."""

from sqlmodel import select

from evidence_service.demo import DEMO_PASSWORD, seed_demo
from evidence_service.links import verify_chain
from evidence_service.models import Category, Item, Warehouse


def test_demo_data_has_every_category_and_a_valid_chain(session):
    assert seed_demo(session) is True
    session.commit()
    assert seed_demo(session) is False  # running it twice adds nothing
    categories = {item.category for item in session.exec(select(Item)).all()}
    assert categories == {c.value for c in Category}
    assert len(session.exec(select(Warehouse)).all()) == 2
    assert verify_chain(session).ok


def test_demo_login_works(client, session):
    seed_demo(session)
    session.commit()
    response = client.post(
        "/api/v1/auth/token", data={"username": "demo-keeper", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
