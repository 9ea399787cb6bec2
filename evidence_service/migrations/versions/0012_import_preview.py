"""import_jobs.preview_csv: the per-row report of an import (gzip CSV)

Existing jobs keep their rejects as they are (plain CSV; new ones are gzip, and the reader
tells them apart by the gzip magic), and get no per-row report.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preview_csv", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_column("preview_csv")
