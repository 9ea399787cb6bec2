"""Bearer tokens are checked without a query; revocation is at once here, within a second
in every other process."""

import time

from fastapi.testclient import TestClient
from sqlalchemy import event, update

from evidence_service.accounts import MAX_AGE_S, Accounts
from evidence_service.db import Database
from evidence_service.models import User
from tests.factories import make_item

API = "/api/v1"


def test_disabling_a_user_stops_their_tokens_at_once_and_enabling_does_not_revive_them(
    client, world
):
    keeper = world.headers("keeper")
    assert client.get(f"{API}/users/me", headers=keeper).status_code == 200
    admin = world.headers("admin")
    disabled = client.patch(f"{API}/users/keeper", json={"is_active": False}, headers=admin)
    assert disabled.status_code == 200, disabled.text
    assert client.get(f"{API}/users/me", headers=keeper).status_code == 401
    enabled = client.patch(f"{API}/users/keeper", json={"is_active": True}, headers=admin)
    assert enabled.status_code == 200, enabled.text
    assert client.get(f"{API}/users/me", headers=keeper).status_code == 401  # the old token
    fresh = client.post(
        f"{API}/auth/token", data={"username": "keeper", "password": "test-password-1"}
    )
    token = fresh.json()["access_token"]
    me = client.get(f"{API}/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200


def test_a_role_change_stops_the_old_tokens(client, world):
    keeper = world.headers("keeper")
    changed = client.patch(
        f"{API}/users/keeper", json={"role": "auditor"}, headers=world.headers("admin")
    )
    assert changed.status_code == 200, changed.text
    assert client.get(f"{API}/users/me", headers=keeper).status_code == 401


def test_another_process_disabling_a_user_is_seen_within_a_second(app, world, database):
    headers = world.headers("keeper")
    other_process = Database(database.engine)  # its own accounts, as a second worker has
    with TestClient(app) as plain:
        assert plain.get(f"{API}/users/me", headers=headers).status_code == 200
        with other_process.unit_of_work() as session:
            session.execute(update(User).where(User.username == "keeper").values(is_active=False))
        deadline = time.monotonic() + MAX_AGE_S + 0.5
        while plain.get(f"{API}/users/me", headers=headers).status_code == 200:
            assert time.monotonic() < deadline, "still accepted more than a second later"
            time.sleep(0.05)


def test_an_item_lookup_checks_the_token_without_a_query_for_the_user(app, world, session):
    code = make_item(session, world).code
    session.commit()
    headers = world.headers("keeper")
    db: Database = app.state.db
    db.accounts = Accounts(db.engine, max_age_s=60)  # no re-read due during the test
    engine = db.engine
    plain = TestClient(app)
    assert plain.get(f"{API}/items/{code}", headers=headers).status_code == 200  # reads them
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert plain.get(f"{API}/items/{code}", headers=headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "FROM users" in s and "JOIN" not in s], statements
