"""the monthly checks of items held by others (custody_checks)

Revision ID: 0024
Revises: 0023 (only its own table)

Items left with the owner or a relative, the local authority or a hired custodian are
checked every month (Circular 01/2017 Art. 12(2), vn-legal-context §3.5): one row per check
of one outside custodian's warehouse, its lines and participants as JSON, beside its
official document (official_documents, kind ``custody_check_record``). Only a new table:
it works alike on SQLite and PostgreSQL, and down drops it.
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custody_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("custodian", sa.JSON(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("discrepancies", sa.Integer(), nullable=False),
        sa.Column("conclusion", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_custody_checks_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_custody_checks_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_custody_checks_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_checks")),
    )
    with op.batch_alter_table("custody_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custody_checks_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_custody_checks_warehouse_id"), ["warehouse_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("custody_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_checks_warehouse_id"))
        batch_op.drop_index(batch_op.f("ix_custody_checks_agency_id"))
    op.drop_table("custody_checks")
