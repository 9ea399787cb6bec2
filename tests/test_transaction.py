"""The request owns its transaction: one commit before the response, nothing on failure."""

from typing import Any

import pytest
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from evidence_service.api.deps import CurrentUser, SessionDep
from evidence_service.db import Database
from evidence_service.items import ItemCreate, intake_items
from evidence_service.models import CustodyEvent, Item, ScanLog
from tests.factories import World, item_data
from tests.test_web import log_in

API = "/api/v1"


def count(session: Session, model: Any) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def intake(client: TestClient, world: World) -> Any:
    return client.post(f"{API}/items", json=item_data(world), headers=world.headers("keeper"))


def test_a_write_is_seen_by_the_next_request(client, world):
    created = intake(client, world)
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert client.get(f"{API}/items/{code}", headers=world.headers()).status_code == 200


def test_without_the_commit_the_write_is_lost_and_the_suite_sees_it(
    client, world, app, monkeypatch
):
    """The proof that the tests would catch a missing commit: the app's own sessions."""
    db: Database = app.state.db
    finish = db.finish
    monkeypatch.setattr(db, "finish", lambda session, ok: finish(session, False))
    created = intake(client, world)
    assert created.status_code == 201  # the answer was built...
    code = created.json()["code"]
    monkeypatch.undo()
    # ...but nothing was committed, and the next request knows it.
    assert client.get(f"{API}/items/{code}", headers=world.headers()).status_code == 404


def test_a_500_while_building_the_response_leaves_nothing_written(app, world, session):
    @app.post("/test/intake-then-unencodable")
    def intake_then_fail(actor: CurrentUser, db: SessionDep) -> JSONResponse:
        intake_items(db, [ItemCreate(**item_data(world))], actor)
        return JSONResponse({"weight": float("inf")})  # JSON cannot encode it: fails late

    items, events = count(session, Item), count(session, CustodyEvent)
    session.commit()
    with TestClient(app, raise_server_exceptions=False) as plain:
        response = plain.post("/test/intake-then-unencodable", headers=world.headers())
    assert response.status_code == 500
    assert (count(session, Item), count(session, CustodyEvent)) == (items, events)


def test_a_failed_commit_answers_503_never_200(app, world, session, monkeypatch):
    session.commit()

    def refuse(_self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Session, "commit", refuse)
    with TestClient(app) as plain:
        response = intake(plain, world)
    monkeypatch.undo()
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"
    assert count(session, Item) == 0


def test_a_refused_request_writes_nothing_but_its_scan_log(client, world, session):
    logs = count(session, ScanLog)
    response = client.post(
        f"{API}/scan", json={"payload": "EV1IVC26999999ZZ"}, headers=world.headers()
    )
    assert response.status_code in (404, 422), response.text
    assert count(session, ScanLog) == logs + 1


def test_a_get_cannot_write_even_if_it_tries(app, world, session):
    @app.get("/test/sneaky-write")
    def sneaky(actor: CurrentUser, db: SessionDep) -> dict[str, str]:
        intake_items(db, [ItemCreate(**item_data(world))], actor)
        return {"status": "wrote"}

    session.commit()
    with TestClient(app, raise_server_exceptions=False) as plain:
        response = plain.get("/test/sneaky-write", headers=world.headers())
    assert response.status_code >= 500  # the database itself refused: read-only transaction
    assert count(session, Item) == 0


@pytest.mark.parametrize("path", ["/scan", "/items", "/locations", "/dashboard"])
def test_pages_read_in_read_only_transactions(client, world, path, session):
    """Every GET page of the keepers' loop renders without writing."""
    log_in(client, "manager")
    events = count(session, CustodyEvent)
    assert client.get(path).status_code in (200, 404)
    assert count(session, CustodyEvent) == events


def test_kept_rows_of_concurrent_work_share_one_transaction():
    from concurrent.futures import ThreadPoolExecutor
    from threading import Event

    from evidence_service.db import KeptRows

    batches: list[list[Any]] = []
    first_started, release = Event(), Event()

    def write(rows: list[Any]) -> None:
        if not batches:
            first_started.set()
            release.wait(5)  # the first write is slow: the others gather behind it
        batches.append(list(rows))

    kept = KeptRows(write)
    with ThreadPoolExecutor(20) as pool:
        first = pool.submit(kept.save, ["scan-0"])
        assert first_started.wait(5)
        rest = [pool.submit(kept.save, [f"scan-{n}"]) for n in range(1, 20)]
        while len(kept._waiting) < 19:  # every other save is queued behind the first
            release.wait(0.01)
        release.set()
        for done in [first, *rest]:
            done.result(5)
    assert batches[0] == ["scan-0"]
    assert sorted(batches[1]) == sorted(f"scan-{n}" for n in range(1, 20))
    assert len(batches) == 2


def test_a_bad_kept_row_loses_nobody_elses():
    from concurrent.futures import ThreadPoolExecutor
    from threading import Event

    from evidence_service.db import KeptRows

    saved: list[Any] = []
    first_started, release = Event(), Event()

    def write(rows: list[Any]) -> None:
        if rows == ["slow"]:
            first_started.set()
            release.wait(5)
        if "bad" in rows:
            raise ValueError("refused by the database")
        saved.extend(rows)

    kept = KeptRows(write)
    with ThreadPoolExecutor(4) as pool:
        slow = pool.submit(kept.save, ["slow"])
        assert first_started.wait(5)
        futures = {row: pool.submit(kept.save, [row]) for row in ("a", "bad", "b")}
        while len(kept._waiting) < 3:  # the three wait together behind the slow one
            release.wait(0.01)
        release.set()
        slow.result(5)
        with pytest.raises(ValueError):
            futures["bad"].result(5)
        futures["a"].result(5)
        futures["b"].result(5)
    assert sorted(saved) == ["a", "b", "slow"]


def test_a_scan_is_logged_before_its_answer_damaged_labels_too(client, world, session):
    code = client.post(f"{API}/items", json=item_data(world), headers=world.headers()).json()[
        "code"
    ]
    label = client.get(f"{API}/items/{code}", headers=world.headers()).json()["label_payload"]
    before = session.exec(select(func.count()).select_from(ScanLog)).one()
    assert client.post(f"{API}/scan", json={"payload": label}, headers=world.headers()).is_success
    assert (
        client.post(
            f"{API}/scan", json={"payload": "EV1IXXXX"}, headers=world.headers()
        ).status_code
        == 422
    )
    session.expire_all()
    assert session.exec(select(func.count()).select_from(ScanLog)).one() == before + 2


def test_a_kept_row_takes_a_fresh_id_once_its_work_rolled_back(database, world):
    from evidence_service.db import keep_when_refused
    from evidence_service.models import ScanResult

    keeper = world.users["keeper"].id
    refused = database.open(write=True)
    log = ScanLog(user_id=keeper, raw="refused", result=ScanResult.not_found)
    keep_when_refused(refused, log)
    refused.flush()
    given = log.id
    refused.rollback()
    refused.close()
    # Another process takes that id before the kept row is written.
    with database.unit_of_work() as other:
        other.add(ScanLog(id=given, user_id=keeper, raw="other", result=ScanResult.ok))
    database._kept.save([log])
    with database.session() as session:
        raws = session.exec(select(ScanLog.raw).order_by(ScanLog.id)).all()
    assert raws[-2:] == ["other", "refused"]


def test_kept_log_rows_written_together_keep_their_chains_verifiable(database, world):
    """The writer appends the kept rows of many units of work in one go (plain values and
    ORM rows mixed, two logs at once): each log's chain still verifies, in order."""
    from evidence_service.auth import security_event
    from evidence_service.db import keep_when_refused
    from evidence_service.logchain import LogEntry, verify_log
    from evidence_service.models import ScanResult, SecurityEvent

    keeper = world.users["keeper"].id
    refused = [database.open(write=False) for _ in range(3)]
    for n, session in enumerate(refused):
        values = {"user_id": keeper, "raw": f"scan {n}", "result": ScanResult.not_found.value}
        keep_when_refused(session, LogEntry("scan_log", values))
        keep_when_refused(session, ScanLog(user_id=keeper, raw=f"orm {n}", result="ok"))
        keep_when_refused(session, security_event("login_failed", f"user{n}", "10.0.0.1"))
    pending = [database.finish_read(session, ok=False) for session in refused]
    for future in pending:
        assert future is not None
        future.result(timeout=30)
    with database.session() as session:
        raws = session.exec(select(ScanLog.raw).order_by(ScanLog.seq)).all()
        assert sorted(raws[-6:]) == sorted(
            [f"scan {n}" for n in range(3)] + [f"orm {n}" for n in range(3)]
        )
        assert count(session, SecurityEvent) >= 3
        for name in ("scan_log", "security_events"):
            assert verify_log(session, name)[1:] == (None, None)
        # An edit behind the log's back is still found.
        session.exec(  # type: ignore[call-overload]
            ScanLog.__table__.update().where(ScanLog.raw == "scan 1").values(raw="other")  # type: ignore[attr-defined]
        )
        assert verify_log(session, "scan_log")[2] == "does not match its hash (edited or inserted)"


def test_a_scan_whose_log_row_cannot_be_written_answers_503_and_leaves_no_row(
    app, world, session, monkeypatch
):
    """The scan log's own writer (a bare driver connection): a driver error after the row
    was sent rolls it back, and the scan answers 503 (as a failed commit does), never 200."""
    from evidence_service import logchain
    from evidence_service.payload import make_payload
    from tests.factories import make_item

    item = make_item(session, world)
    before = count(session, ScanLog)
    session.commit()
    db: Database = app.state.db
    append = logchain.append_rows_driver

    def append_then_fail(cursor: Any, dialect: Any, entries: Any) -> None:
        append(cursor, dialect, entries)
        raise db.engine.dialect.loaded_dbapi.OperationalError("disk I/O error")

    monkeypatch.setattr(logchain, "append_rows_driver", append_then_fail)
    with TestClient(app) as plain:
        response = plain.post(
            f"{API}/scan",
            json={"payload": make_payload("item", item.code)},
            headers=world.headers("keeper"),
        )
    monkeypatch.undo()
    assert response.status_code == 503, response.text
    assert count(session, ScanLog) == before


def test_kept_rows_written_after_a_read_leave_reads_read_only(database, world):
    """The log writer borrows a pooled connection a read may have made read-only (SQLite's
    query_only): its row is written, and the next read on that connection is read-only again."""
    from evidence_service.db import keep_when_refused
    from evidence_service.logchain import LogEntry
    from evidence_service.models import ScanResult

    database.engine.dispose()  # one pooled connection from here on: the read's, then the writer's
    keeper = world.users["keeper"].id
    with database.unit_of_work(write=False) as read:
        read.exec(select(func.count()).select_from(ScanLog)).one()
        values = {"user_id": keeper, "raw": "after a read", "result": ScanResult.ok.value}
        keep_when_refused(read, LogEntry("scan_log", values))
    with database.session() as check:
        assert check.exec(select(ScanLog.raw).order_by(ScanLog.id)).all()[-1] == "after a read"
    read = database.open(write=False)
    read.add(ScanLog(user_id=keeper, raw="a read that writes", result=ScanResult.ok.value))
    with pytest.raises(Exception, match="readonly|read-only|read only"):
        read.flush()
    database.finish(read, ok=False)
