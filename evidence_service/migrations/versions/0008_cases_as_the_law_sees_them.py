"""Cases from the transfer decision: judgments as a chain, dated enforcement decisions, the
case file, per-item dispositions, remembered lateness, agency units

Existing cases keep everything: each becomes one judgment (its level read from the number,
no date: none was kept) and one enforcement decision of known year and unknown day.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:30:00
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_DISPOSITIONS = "'destroy', 'confiscate', 'return_to_owner', 'sell', 'keep_with_file', 'pending'"
NEW_DISPOSITIONS = (
    "'destroy', 'confiscate', 'return_to_owner', 'sell', 'keep_with_file', "
    "'deposit_to_treasury', 'pending'"
)
LOOSENED = ["judgment_number", "court", "decision_issuer", "decision_year", "decision_number"]


def _sqlite_loosen(table: str, columns: list[str], checks: bool) -> None:
    """Drop NOT NULL from ``columns`` and widen the disposition CHECK of an SQLite table in
    place. ``items`` and ``cases`` are never recreated (that would drop the triggers and trip
    the foreign keys that point at them); loosening a constraint does not change how rows
    are stored, so the schema text may be edited (sqlite.org/lang_altertable.html §7)."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    for column in columns:
        sql, n = re.subn(rf"(\b{column}\b [A-Z]+(?:\(\d+\))?) NOT NULL", r"\1", sql)
        assert n == 1, f"{table}.{column}: NOT NULL not found"
    if checks:
        assert OLD_DISPOSITIONS in sql, f"{table}: disposition CHECK not found"
        sql = sql.replace(OLD_DISPOSITIONS, NEW_DISPOSITIONS)
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, table)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _widen_dispositions_postgresql(table: str) -> None:
    op.drop_constraint(op.f(f"ck_{table}_disposition"), table, type_="check")
    op.create_check_constraint(
        op.f(f"ck_{table}_disposition"), table, f"disposition IN ({NEW_DISPOSITIONS})"
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    string = sqlmodel.sql.sqltypes.AutoString
    if sqlite:
        _sqlite_loosen("cases", LOOSENED, checks=True)
        _sqlite_loosen("items", [], checks=True)
    else:
        for column in LOOSENED:
            op.alter_column("cases", column, nullable=True)
        _widen_dispositions_postgresql("cases")
        _widen_dispositions_postgresql("items")

    op.add_column("cases", sa.Column("transfer_issuer", string(length=200), nullable=True))
    op.add_column("cases", sa.Column("transfer_number", string(length=64), nullable=True))
    op.add_column("cases", sa.Column("transfer_date", sa.Date(), nullable=True))
    op.add_column("cases", sa.Column("investigating_body", string(length=200), nullable=True))

    op.create_table(
        "judgments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", string(length=64), nullable=False),
        sa.Column("judgment_date", sa.Date(), nullable=True),
        sa.Column("court", string(length=200), nullable=False),
        sa.Column("level", string(length=16), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "level IN ('first_instance', 'appeal', 'review')", name=op.f("ck_judgments_level")
        ),
        sa.CheckConstraint(
            "effective_date IS NULL OR judgment_date IS NULL OR effective_date >= judgment_date",
            name=op.f("ck_judgments_effective_after_date"),
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_judgments_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_judgments_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgments")),
        sa.UniqueConstraint("case_id", "number", name=op.f("uq_judgments_case_id")),
    )
    op.create_index(op.f("ix_judgments_case_id"), "judgments", ["case_id"])
    op.create_index(op.f("ix_judgments_number"), "judgments", ["number"])

    op.create_table(
        "enforcement_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("issuer", string(length=200), nullable=False),
        sa.Column("number", string(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "year BETWEEN 1990 AND 2100", name=op.f("ck_enforcement_decisions_year")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_enforcement_decisions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_enforcement_decisions_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_decisions")),
        sa.UniqueConstraint(
            "issuer", "year", "number", name=op.f("uq_enforcement_decisions_issuer")
        ),
    )
    op.create_index(op.f("ix_enforcement_decisions_case_id"), "enforcement_decisions", ["case_id"])

    op.create_table(
        "case_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", string(length=32), nullable=False),
        sa.Column("title", string(length=300), nullable=False),
        sa.Column("filename", string(length=200), nullable=False),
        sa.Column("media_type", string(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", string(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('transfer_decision', 'judgment', 'enforcement_decision', "
            "'seizure_record', 'forensic_conclusion', 'other')",
            name=op.f("ck_case_attachments_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_attachments_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_case_attachments_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attachments")),
    )
    op.create_index(op.f("ix_case_attachments_case_id"), "case_attachments", ["case_id"])

    op.create_table(
        "agency_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("code", string(length=16), nullable=False),
        sa.Column("kind", string(length=8), nullable=False),
        sa.Column("factor", sa.Float(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('count', 'mass', 'volume', 'length')", name=op.f("ck_agency_units_kind")
        ),
        sa.CheckConstraint("factor > 0", name=op.f("ck_agency_units_factor_positive")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_agency_units_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_agency_units_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_units")),
        sa.UniqueConstraint("agency_id", "code", name=op.f("uq_agency_units_agency_id")),
    )
    op.create_index(op.f("ix_agency_units_agency_id"), "agency_units", ["agency_id"])

    # items: plain ADD COLUMNs (never a rebuild, see above).
    if sqlite:  # an inline REFERENCES: SQLite cannot add a constraint to a table
        op.execute(
            "ALTER TABLE items ADD COLUMN disposition_judgment_id INTEGER "
            "CONSTRAINT fk_items_disposition_judgment_id_judgments REFERENCES judgments (id)"
        )
    else:
        op.add_column("items", sa.Column("disposition_judgment_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_items_disposition_judgment_id_judgments",
            "items",
            "judgments",
            ["disposition_judgment_id"],
            ["id"],
        )
    op.add_column("items", sa.Column("disposition_document", string(length=100), nullable=True))
    op.add_column("destruction_items", sa.Column("council_due_on", sa.Date(), nullable=True))
    op.add_column("destruction_items", sa.Column("council_days_late", sa.Integer(), nullable=True))
    op.add_column("destruction_batches", sa.Column("destruction_due_on", sa.Date(), nullable=True))
    op.add_column(
        "destruction_batches", sa.Column("destruction_days_late", sa.Integer(), nullable=True)
    )

    # Today's cases, without loss: one judgment and one decision each.
    level = (
        "CASE WHEN judgment_number LIKE '%PT%' THEN 'appeal' "
        "WHEN judgment_number LIKE '%GĐT%' OR judgment_number LIKE '%TT' THEN 'review' "
        "ELSE 'first_instance' END"
    )
    op.execute(
        "INSERT INTO judgments (case_id, number, judgment_date, court, level, created_at) "
        f"SELECT id, judgment_number, NULL, court, {level}, created_at FROM cases "
        "WHERE judgment_number IS NOT NULL"
    )
    op.execute(
        "INSERT INTO enforcement_decisions (case_id, issuer, number, year, decision_date, "
        "created_at) SELECT id, decision_issuer, decision_number, decision_year, NULL, "
        "created_at FROM cases WHERE decision_number IS NOT NULL"
    )


def downgrade() -> None:
    # Only cases that still fit the old shape can go back; others stop the downgrade.
    for column in ("destruction_days_late", "destruction_due_on"):
        op.drop_column("destruction_batches", column)
    for column in ("council_days_late", "council_due_on"):
        op.drop_column("destruction_items", column)
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(
            "fk_items_disposition_judgment_id_judgments", "items", type_="foreignkey"
        )
    op.drop_column("items", "disposition_document")
    op.drop_column("items", "disposition_judgment_id")
    op.drop_table("agency_units")
    op.drop_table("case_attachments")
    op.drop_table("enforcement_decisions")
    op.drop_table("judgments")
    for column in ("investigating_body", "transfer_date", "transfer_number", "transfer_issuer"):
        op.drop_column("cases", column)
