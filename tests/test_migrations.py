"""Migrations build the whole schema, and the models match it exactly."""

import os
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from evidence_service import custody
from evidence_service.db import Database
from evidence_service.models import metadata
from evidence_service.verification import verify_record
from tests.conftest import ON_POSTGRES, _admin, _server_database, fresh_database


def test_upgrade_head_on_empty_database_matches_models(tmp_path):
    db = fresh_database(tmp_path, "evidence_migrations")
    current, head = db.migration_status()
    assert current == head is not None
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    db.engine.dispose()


def _database_at_0007(tmp_path) -> Database:
    if not ON_POSTGRES:
        db = Database.from_url(f"sqlite:///{tmp_path / 'at-0007.db'}")
    else:
        name = f"ev_m0007_{os.getpid()}"
        _admin(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
        db = Database.from_url(_server_database(name))
    db.migrate(_before_signing(db))
    return db


def _before_signing(db: Database) -> str:
    """The revision just before 0013 (whatever the chain is after merges)."""
    script = ScriptDirectory.from_config(db.alembic_config())
    down = script.get_revision("0013").down_revision
    assert isinstance(down, str)
    return down


def test_signing_migration_keeps_the_history_and_records_a_baseline(tmp_path):
    """A database of just before signing with an item, its intake event and log rows:
    after 0013 and sealing, the old chain still verifies, every row has its baseline and
    the replay agrees with the tables."""
    db = _database_at_0007(tmp_path)
    now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    with db.engine.begin() as conn:
        run = lambda sql, **p: conn.execute(text(sql), p)  # noqa: E731
        run("INSERT INTO agencies (id, code, name, created_at) VALUES (1, 'A', 'A', :t)", t=now)
        run(
            "INSERT INTO users (id, username, full_name, role, agency_id, password_hash, "
            "is_active, token_version, created_at) VALUES (1, 'k', 'K', 'keeper', 1, 'h', "
            "true, 1, :t)",
            t=now,
        )
        run(
            "INSERT INTO cases (id, agency_id, judgment_number, court, decision_issuer, "
            "decision_year, decision_number, legal_regime, disposition, notes, created_at) "
            "VALUES (1, 1, 'J', 'C', 'I', 2026, '1', 'from_2026_07_01', 'destroy', '', :t)",
            t=now,
        )
        run(
            "INSERT INTO items (id, code, label_key, agency_id, case_id, category, "
            "description, hazard_classes, quantity, unit, condition, seal_state, "
            "delivered_by_name, delivered_by_position, delivered_by_id_document, "
            "received_by_id, disposition, status, version, received_at, updated_at, "
            "net_weight_g) VALUES (1, 'VC-1', 'VC1', 1, 1, 'drug', 'd', '[]', 1, 'g', '', "
            "'unsealed', '', '', '', 1, 'destroy', 'received', 1, :t, :t, 500)",
            t=now,
        )
        event = {
            "seq": 1, "item_id": 1, "event_type": "intake", "actor_id": 1, "occurred_at": now,
            "from_location_id": None, "to_location_id": None, "reason": "",
            "details": {"code": "VC-1"}, "prev_hash": custody.GENESIS_HASH,
        }  # fmt: skip
        event["hash"] = custody.event_hash(event)
        run(
            "INSERT INTO custody_events (seq, item_id, event_type, actor_id, occurred_at, "
            "reason, details, prev_hash, hash) VALUES (1, 1, 'intake', 1, :t, '', :d, :p, :h)",
            t=now,
            d='{"code": "VC-1"}',
            p=custody.GENESIS_HASH,
            h=event["hash"],
        )
        for n in range(2):
            run(
                "INSERT INTO scan_log (user_id, scanned_at, raw, result) VALUES (1, :t, :r, 'ok')",
                t=now,
                r=f"raw-{n}",
            )
    db.migrate()
    with db.unit_of_work() as session:
        assert custody.seal(session)
    with db.unit_of_work(write=False) as session:
        assert verify_record(session).ok, verify_record(session).problem
        kinds = session.execute(text("SELECT event_type, subject FROM custody_events")).all()
        assert ("intake", None) in kinds and ("baseline", None) in kinds
        assert ("baseline", "users") in kinds and ("sealed", "chain") in kinds
        seqs = session.execute(text("SELECT seq FROM scan_log ORDER BY id")).scalars().all()
        assert seqs == [1, 2]
    with db.engine.begin() as conn:  # and the baseline is what the replay compares with
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER IF EXISTS items_no_delete"))
        conn.execute(text("UPDATE items SET net_weight_g = 1"))
    with db.unit_of_work(write=False) as session:
        problem = verify_record(session).problem
        assert problem is not None and problem.table == "items" and "net_weight_g" in str(problem)
    db.engine.dispose()
    if ON_POSTGRES:
        _admin(f"DROP DATABASE IF EXISTS {db.engine.url.database} WITH (FORCE)")


def test_a_database_with_items_and_their_events_upgrades_from_0007(tmp_path):
    # The state of every deployment before the redesign's follow-ups: items that custody
    # events point at. Every later migration (0010 widens the items CHECKs) keeps them.
    db = Database.from_url(f"sqlite:///{tmp_path / 'old.db'}")
    db.migrate("0007")
    t = "2026-11-01 03:00:00.000000"
    statements = [
        f"INSERT INTO agencies (code, name, created_at) VALUES ('L', 'THADS L', '{t}')",
        "INSERT INTO users (username, full_name, role, agency_id, password_hash, is_active,"
        f" created_at) VALUES ('k', 'Keeper', 'keeper', 1, 'x', 1, '{t}')",
        f"INSERT INTO warehouses (code, name, agency_id, created_at) VALUES ('W', 'Kho', 1, '{t}')",
        "INSERT INTO locations (code, label_key, name, kind, warehouse_id, path,"
        " allowed_hazard_classes, secure, created_at) VALUES ('S1', 'S1', 'Kệ 1', 'shelf', 1,"
        f" 'S1', '[]', 0, '{t}')",
        "INSERT INTO cases (agency_id, judgment_number, court, decision_issuer, decision_year,"
        " decision_number, legal_regime, disposition, notes, created_at) VALUES (1, '1/2025/HS-ST',"
        f" 'TAND', 'Cục THADS L', 2025, '1', 'before_2026_07_01', 'destroy', '', '{t}')",
        "INSERT INTO items (code, label_key, agency_id, case_id, category, description,"
        " hazard_classes, quantity, unit, seal_state, condition, delivered_by_name,"
        " delivered_by_position, delivered_by_id_document, received_by_id, disposition, status,"
        " version, received_at, updated_at, location_id) VALUES ('VC26-000001-J', 'VC26000001J',"
        " 1, 1, 'other', 'Điện thoại', '[]', 1, 'piece', 'intact', '', 'A', 'B', 'C', 1,"
        f" 'destroy', 'stored', 1, '{t}', '{t}', 1)",
        "INSERT INTO custody_events (seq, item_id, event_type, actor_id, occurred_at, reason,"
        f" details, prev_hash, hash) VALUES (1, 1, 'intake', 1, '{t}', '', '{{}}', '0', 'h1')",
    ]
    with db.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    db.migrate()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT code, status FROM items").all() == [
            ("VC26-000001-J", "stored")
        ]
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        usage = conn.exec_driver_sql("SELECT item_count FROM location_usage").all()
        assert usage == [(1,)]
