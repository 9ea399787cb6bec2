"""Storage rules hold under real concurrent writers in separate server processes."""

import threading

import httpx
import pytest
from sqlmodel import select

from evidence_service.auth import issue_token
from evidence_service.models import Item
from tests.conftest import LIVE_SECRET, fresh_database, live_server
from tests.factories import make_item, make_world


@pytest.mark.slow  # a real server process
def test_twenty_concurrent_moves_into_last_free_slot_exactly_one_succeeds(tmp_path):
    db = fresh_database(tmp_path, "evidence_concurrency")
    with db.session(write=True) as session:
        world = make_world(session)
        make_item(session, world, location_code="S1")  # S1 holds 2: one slot left
        codes = [make_item(session, world, location_code="S2").code for _ in range(20)]
        token = issue_token(world.users["keeper"], LIVE_SECRET, 10)
        session.commit()

    barrier = threading.Barrier(len(codes))
    statuses: list[int] = []

    def move(base: str, code: str) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            barrier.wait()
            response = http.post(
                f"/api/v1/items/{code}/moves", json={"to_location_code": "S1"}, timeout=60
            )
            statuses.append(response.status_code)

    with live_server(str(db.engine.url.render_as_string(hide_password=False))) as server:
        threads = [threading.Thread(target=move, args=(server.url, c)) for c in codes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert sorted(statuses) == [200] + [409] * 19
    with db.session() as session:
        in_s1 = session.exec(select(Item).where(Item.location_id.is_not(None))).all()  # type: ignore[union-attr]
        assert sum(1 for i in in_s1 if i.version == 2) == 1
        from evidence_service.links import verify_chain

        assert verify_chain(session).ok
    db.engine.dispose()
