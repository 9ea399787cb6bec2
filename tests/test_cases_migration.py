"""Today's cases migrate without loss (on SQLite and on PostgreSQL, whichever the run uses):
each keeps its fields and gains one judgment and one enforcement decision whose day is
unknown, never invented; the deadlines then start on the earliest day it can have."""

import os
from datetime import UTC, date, datetime

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import Session, col, select

from evidence_service.db import Database
from evidence_service.legal.gather import gather
from evidence_service.models import Case, EnforcementDecision, Item, Judgment
from tests import conftest


def _revision_before_ours(db: Database) -> str:
    script = ScriptDirectory.from_config(db.alembic_config())
    for revision in script.walk_revisions():
        if "cases_as_the_law_sees_them" in (revision.module.__file__ or ""):
            assert isinstance(revision.down_revision, str)
            return revision.down_revision
    raise AssertionError("the cases migration is missing")


def _empty_database(tmp_path) -> tuple[Database, str | None]:
    if not conftest.ON_POSTGRES:
        return Database.from_url(f"sqlite:///{tmp_path / 'legacy.db'}"), None
    name = f"ev_legacy_cases_{os.getpid()}"
    conftest._admin(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    return Database.from_url(conftest._server_database(name)), name


def test_todays_cases_migrate_with_year_only_decisions(tmp_path):
    db, name = _empty_database(tmp_path)
    try:
        db.migrate(_revision_before_ours(db))
        now = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
        with db.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO agencies (code, name, created_at) VALUES ('L', 'THADS L', :t)"),
                {"t": now},
            )
            for n, (judgment, year, regime) in enumerate(
                [
                    ("311/2025/HS-ST", 2025, "before_2026_07_01"),
                    ("58/2026/HS-PT", 2026, "from_2026_07_01"),
                ],
                start=1,
            ):
                conn.execute(
                    text(
                        "INSERT INTO cases (agency_id, judgment_number, court, decision_issuer, "
                        "decision_year, decision_number, legal_regime, disposition, notes, "
                        "created_at) VALUES (1, :j, 'TAND huyện Cao Lộc', 'Cục THADS L', :y, "
                        ":n, :r, 'destroy', 'ghi chú', :t)"
                    ),
                    {"j": judgment, "y": year, "n": str(n), "r": regime, "t": now},
                )
        db.migrate()
        with Session(db.engine) as session:
            cases = session.exec(select(Case).order_by(col(Case.id))).all()
            assert [(c.judgment_number, c.decision_year, c.notes) for c in cases] == [
                ("311/2025/HS-ST", 2025, "ghi chú"),
                ("58/2026/HS-PT", 2026, "ghi chú"),
            ]
            judgments = session.exec(select(Judgment).order_by(col(Judgment.id))).all()
            assert [(j.number, j.level, j.judgment_date) for j in judgments] == [
                ("311/2025/HS-ST", "first_instance", None),
                ("58/2026/HS-PT", "appeal", None),
            ]
            decisions = session.exec(
                select(EnforcementDecision).order_by(col(EnforcementDecision.id))
            )
            assert [(d.number, d.year, d.decision_date) for d in decisions] == [
                ("1", 2025, None),
                ("2", 2026, None),
            ]
            # A case without judgment can now be stored; the old ones keep their key.
            session.add(Case(agency_id=1, legal_regime="from_2026_07_01", transfer_number="5"))
            session.commit()
            assert session.exec(select(Item)).all() == []
            entries = gather(session, [1], today=date(2026, 12, 1), with_agency_duties=False)
            assert entries == []  # no items yet: the case deadlines need dated judgments
    finally:
        db.engine.dispose()
        if name:
            conftest._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
