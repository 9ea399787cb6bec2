"""a handover says who keeps its items where they are (custody in place)

Revision ID: 0021
Revises: 0020

From 01/07/2026 the agency receives items where they are stored and they stay there
(Decree 152/2026 Art. 37, vn-legal-context §2.3): the handover record names the custodian
body and its representative, who signs it. ``handovers.custodian`` keeps what the record
printed (the custodian's warehouse, kind, name, representative, position, contract) as the
handover saw it; NULL for a handover into the agency's own keeping. A nullable column is
only added (ADD COLUMN works on SQLite and PostgreSQL alike), so no table is rebuilt.
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("handovers", sa.Column("custodian", sa.JSON(), nullable=True))


def downgrade() -> None:
    kept = (
        op.get_bind()
        .exec_driver_sql(
            # rows written before the model stored None as SQL NULL hold JSON null
            "SELECT count(*) FROM handovers "
            "WHERE custodian IS NOT NULL AND CAST(custodian AS TEXT) <> 'null'"
        )
        .scalar_one()
    )
    if kept:
        raise RuntimeError(
            f"{kept} handovers were received where an outside custodian keeps the items; the "
            "schema before 0021 cannot say who; not going down"
        )
    # A plain DROP COLUMN on both (SQLite 3.35+): a batch rebuild would drop the table that
    # handover_lines refers to, which the foreign keys refuse.
    op.execute("ALTER TABLE handovers DROP COLUMN custodian")
