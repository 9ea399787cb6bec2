"""The document engine: official documents kept final with their number and SHA-256; the
fields the corrected destruction and stocktake records print (vn-documents-review)

- ``official_documents``: one row per final document (kind, agency, year, number, subject,
  bytes, SHA-256); numbers from ``code_counters`` rows named ``doc:<kind>:<agency>:<year>``.
- destruction batches: end time, attendees who are not members, the contractor and its
  contract, the conclusion; lines: condition before destruction, method, the seal as checked
  (number, state, note).
- stocktakes: participants; scans and lines: quantity found and condition; discrepancies:
  cause and measures; the outcome ``unlocated`` (seen without a location scan).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OUTCOMES_OLD = "outcome IN ('verified', 'misplaced', 'missing', 'unexpected', 'checked_out')"
_OUTCOMES_NEW = (
    "outcome IN ('verified', 'misplaced', 'missing', 'unexpected', 'checked_out', 'unlocated')"
)


def upgrade() -> None:
    op.create_table(
        "official_documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=96), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("finalised_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("finalised_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "agency_id", "year", "seq", name="uq_official_documents_kind"),
        sa.UniqueConstraint("kind", "subject", name="uq_official_documents_subject"),
    )
    op.create_index("ix_official_documents_agency_id", "official_documents", ["agency_id"])
    op.create_index("ix_official_documents_subject", "official_documents", ["subject"])
    # Columns are added in place (ALTER TABLE ADD COLUMN, also on SQLite): the tables other
    # tables point at are not recreated.
    add = op.add_column
    string = sqlmodel.sql.sqltypes.AutoString
    empty_list, empty_map = sa.text("'[]'"), sa.text("'{}'")
    add("destruction_batches", sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
    add(
        "destruction_batches",
        sa.Column("attendees", sa.JSON(), nullable=False, server_default=empty_list),
    )
    add(
        "destruction_batches",
        sa.Column("contractor", sa.JSON(), nullable=False, server_default=empty_map),
    )
    add("destruction_batches", sa.Column("conclusion", string(), nullable=True))
    add("destruction_items", sa.Column("condition_before", sa.String(1000), nullable=True))
    add("destruction_items", sa.Column("line_method", sa.String(64), nullable=True))
    add("destruction_items", sa.Column("seal_number_seen", sa.String(64), nullable=True))
    add("destruction_items", sa.Column("seal_state_seen", sa.String(16), nullable=True))
    add("destruction_items", sa.Column("seal_note", string(), nullable=True))
    add(
        "stocktakes",
        sa.Column("participants", sa.JSON(), nullable=False, server_default=empty_list),
    )
    for table in ("stocktake_scans", "stocktake_lines"):
        add(table, sa.Column("quantity_found", sa.Float(), nullable=True))
        add(table, sa.Column("condition", sa.String(500), nullable=True))
    add("discrepancies", sa.Column("cause", string(), nullable=True))
    add("discrepancies", sa.Column("measures", string(), nullable=True))
    # Nothing points at stocktake lines: on SQLite the table may be rebuilt for its CHECK.
    with op.batch_alter_table("stocktake_lines") as batch:
        batch.drop_constraint(op.f("ck_stocktake_lines_outcome"), type_="check")
        batch.create_check_constraint(op.f("ck_stocktake_lines_outcome"), _OUTCOMES_NEW)


def downgrade() -> None:
    # In place (ALTER TABLE DROP COLUMN, SQLite 3.35+): tables others point at stay.
    drop = op.drop_column
    drop("discrepancies", "measures")
    drop("discrepancies", "cause")
    op.execute("DELETE FROM stocktake_lines WHERE outcome = 'unlocated'")
    with op.batch_alter_table("stocktake_lines") as batch:
        batch.drop_constraint(op.f("ck_stocktake_lines_outcome"), type_="check")
        batch.create_check_constraint(op.f("ck_stocktake_lines_outcome"), _OUTCOMES_OLD)
    for table in ("stocktake_lines", "stocktake_scans"):
        drop(table, "condition")
        drop(table, "quantity_found")
    drop("stocktakes", "participants")
    for name in (
        "seal_note",
        "seal_state_seen",
        "seal_number_seen",
        "line_method",
        "condition_before",
    ):
        drop("destruction_items", name)
    for name in ("conclusion", "contractor", "attendees", "ended_at"):
        drop("destruction_batches", name)
    op.drop_index("ix_official_documents_subject", "official_documents")
    op.drop_index("ix_official_documents_agency_id", "official_documents")
    op.drop_table("official_documents")
