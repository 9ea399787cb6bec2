"""The command line (verify, anchor, backup, restore) and what survives crashes."""

import json
import threading
import time
from collections import Counter

import httpx
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from evidence_service import keys
from evidence_service.auth import issue_token
from evidence_service.cli import app
from evidence_service.config import get_settings
from evidence_service.db import Database
from evidence_service.links import verify_chain
from tests.conftest import LIVE_SECRET, fresh_database, live_server, start_server
from tests.factories import make_item, make_world

runner = CliRunner()


def _cli(db: Database, *args: str, stdin: str | None = None):
    get_settings.cache_clear()
    url = db.engine.url.render_as_string(hide_password=False)
    env = {"EVIDENCE_DATABASE_URL": url}
    try:
        return runner.invoke(app, list(args), input=stdin, env=env)
    finally:
        get_settings.cache_clear()


@pytest.fixture
def db_with_items(tmp_path):
    db = fresh_database(tmp_path, "evidence_cli")
    with db.session(write=True) as session:
        world = make_world(session)
        for _ in range(3):
            make_item(session, world)
        session.commit()
    yield db
    db.engine.dispose()


def test_agencies_and_users_can_be_created_from_the_command_line(db_with_items):
    result = _cli(
        db_with_items, "agencies", "create", "NEW-1", "--name", "Chi cục Mới", "--parent", "A-PROV"
    )
    assert result.exit_code == 0, result.output
    result = _cli(
        db_with_items,
        "users",
        "create",
        "newkeeper",
        "--role",
        "keeper",
        "--agency",
        "NEW-1",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    short = _cli(
        db_with_items,
        "users",
        "create",
        "x2",
        "--role",
        "keeper",
        "--agency",
        "NEW-1",
        "--password-stdin",
        stdin="short\n",
    )
    assert short.exit_code == 1 and "password" in short.output


def _events(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM custody_events")).scalar_one())


def _last(db: Database) -> tuple[int, int]:
    """(chain, seq) of the newest event."""
    with db.engine.connect() as conn:
        newest = "SELECT chain, seq FROM custody_events ORDER BY id DESC LIMIT 1"
        chain, seq = conn.execute(text(newest)).one()
        return int(chain), int(seq)


def test_verify_passes_then_names_a_tampered_event(db_with_items):
    n = _events(db_with_items)
    ok = _cli(db_with_items, "verify")
    assert ok.exit_code == 0 and f"OK: {n} events" in ok.output
    chain, seq = _last(db_with_items)
    with db_with_items.engine.begin() as conn:
        on = "" if conn.dialect.name == "sqlite" else " ON custody_events"
        conn.execute(text(f"DROP TRIGGER custody_events_no_update{on}"))
        conn.execute(
            text(
                f"UPDATE custody_events SET reason = 'sửa' "
                f"WHERE chain = {chain} AND seq = {seq - 1}"
            )
        )
    failed = _cli(db_with_items, "verify")
    assert failed.exit_code == 1 and f"chain {chain} event seq={seq - 1}" in failed.output
    assert "edited" in failed.output


def test_anchor_file_proves_truncation(db_with_items, tmp_path):
    anchor_file = tmp_path / "anchor.json"
    result = _cli(db_with_items, "anchor", "--out", str(anchor_file))
    n = _events(db_with_items)
    assert result.exit_code == 0 and json.loads(anchor_file.read_text())["events"] == n
    assert _cli(db_with_items, "verify", "--anchor", str(anchor_file)).exit_code == 0
    printed = f"EVG {n} {json.loads(anchor_file.read_text())['head_hash'][:16]}"
    assert _cli(db_with_items, "verify", "--anchor", printed).exit_code == 0  # from a PDF footer
    chain, seq = _last(db_with_items)
    with db_with_items.engine.begin() as conn:
        on = "" if conn.dialect.name == "sqlite" else " ON custody_events"
        conn.execute(text(f"DROP TRIGGER custody_events_no_delete{on}"))
        conn.execute(text(f"DELETE FROM custody_events WHERE chain = {chain} AND seq = {seq}"))
    # The replay names the item whose intake went; the anchor, the truncation.
    alone = _cli(db_with_items, "verify")
    assert alone.exit_code == 1 and "items:" in alone.output and "not on the chain" in alone.output
    failed = _cli(db_with_items, "verify", "--anchor", str(anchor_file))
    assert failed.exit_code == 1 and "truncated" in failed.output


def _intake(http: httpx.Client, tag: str, n: int, case_id: int) -> list[str]:
    items = [
        {
            "case_id": case_id,
            "category": "other",
            "description": f"{tag}-{i}",
            "quantity": 1,
            "unit": "piece",
            "net_weight_g": 10.0,
            "location_code": "S2",
        }
        for i in range(n)
    ]
    response = http.post("/api/v1/items/batch", json={"items": items}, timeout=30)
    response.raise_for_status()
    return [item["code"] for item in response.json()]


def _committed_world(db: Database) -> tuple[str, int]:
    with db.session(write=True) as session:
        world = make_world(session)
        session.commit()
        token = issue_token(world.users["keeper"], LIVE_SECRET, 30)
        case_id = world.cases["destroy"].id
    assert case_id is not None
    return token, case_id


@pytest.mark.sqlite_only
@pytest.mark.slow  # a real server process
def test_online_backup_under_writes_restores_everything_acknowledged_before_it(tmp_path):
    db = fresh_database(tmp_path, "evidence_backup")
    token, case_id = _committed_world(db)
    acknowledged: list[tuple[float, list[str]]] = []
    stop = threading.Event()
    url = db.engine.url.render_as_string(hide_password=False)
    with live_server(url, workers=2) as server:

        def write() -> None:
            with httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {token}"}
            ) as http:
                n = 0
                while not stop.is_set():
                    codes = _intake(http, f"b{n}", 5, case_id)
                    acknowledged.append((time.monotonic(), codes))
                    n += 1

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(1.0)
        backup_started = time.monotonic()
        result = _cli(db, "backup", str(tmp_path / "backup.db"))
        time.sleep(0.5)
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    before = [code for at, codes in acknowledged if at < backup_started for code in codes]
    assert len(before) >= 5

    restored = Database.from_url(f"sqlite:///{tmp_path / 'restored.db'}")
    outcome = _cli(restored, "restore", str(tmp_path / "backup.db"))
    assert outcome.exit_code == 0, outcome.output
    with restored.session() as session:
        assert verify_chain(session).ok
        present = set(session.execute(text("SELECT code FROM items")).scalars())
    assert set(before) <= present
    refused = _cli(restored, "restore", str(tmp_path / "backup.db"))
    assert refused.exit_code == 1 and "--force" in refused.output


@pytest.mark.sqlite_only
@pytest.mark.slow  # a real server process
def test_sigkill_mid_stream_loses_no_acknowledged_write_and_leaves_no_partial_batch(tmp_path):
    db = fresh_database(tmp_path, "evidence_crash")
    token, case_id = _committed_world(db)
    url = db.engine.url.render_as_string(hide_password=False)
    server = start_server(url, workers=1)
    acknowledged: list[str] = []
    moved: list[str] = []
    stop = threading.Event()

    def write() -> None:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            n = 0
            while not stop.is_set():
                try:
                    codes = _intake(http, f"k{n}", 4, case_id)
                    acknowledged.extend(codes)
                    move = {"item_codes": codes[:2], "to_location_code": "R1"}
                    response = http.post("/api/v1/moves", json=move, timeout=30)
                    if response.status_code == 200:
                        moved.extend(codes[:2])
                except httpx.HTTPError:
                    return  # the server is gone
                n += 1

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(1.5)
    server.process.kill()  # SIGKILL: no shutdown, no flush, mid-request
    server.process.wait()
    stop.set()
    writer.join()
    assert len(acknowledged) >= 8

    restarted = start_server(url, workers=1)
    try:
        with db.session() as session:
            assert verify_chain(session).ok
            rows = session.execute(
                text(
                    "SELECT i.code, i.description, l.code FROM items i "
                    "JOIN locations l ON l.id = i.location_id"
                )
            ).all()
        where = {code: location for code, _, location in rows}
        assert set(acknowledged) <= set(where)
        assert all(where[code] == "R1" for code in moved)
        batches = Counter(description.rsplit("-", 1)[0] for _, description, _ in rows)
        assert all(count == 4 for count in batches.values()), batches
        assert httpx.get(f"{restarted.url}/readyz").status_code == 200
    finally:
        restarted.process.terminate()
        restarted.process.wait()
    db.engine.dispose()


@pytest.mark.sqlite_only  # backup/restore commands are SQLite's (pg_dump on PostgreSQL)
def test_an_auditor_verifies_a_restored_backup_with_only_the_public_key(db_with_items, tmp_path):
    """Backup, restore elsewhere, verify with the .pub file alone: no private key in the
    process. A key made elsewhere does not verify it, and a forged head is named."""
    pub = tmp_path / "signing.key.pub"
    pub.write_text(keys.signer().public_line())
    assert _cli(db_with_items, "backup", str(tmp_path / "backup.db")).exit_code == 0
    restored = Database.from_url(f"sqlite:///{tmp_path / 'restored.db'}")
    assert _cli(restored, "restore", str(tmp_path / "backup.db")).exit_code == 0
    signing = keys.signer()
    keys.install(None)  # the auditor's machine: no signing key at all
    try:
        ok = _cli(restored, "verify", "--public-keys", str(pub))
        assert ok.exit_code == 0, ok.output
        other = tmp_path / "other.key"
        keys.create_key_file(other)
        wrong = _cli(restored, "verify", "--public-keys", str(keys.public_path(other)))
        assert wrong.exit_code == 1 and "not among the trusted public keys" in wrong.output
        assert _cli(restored, "verify").exit_code == 2  # no public key: says so
    finally:
        keys.install(signing)
    restored.engine.dispose()
