"""item_photos: photos of an item, its packaging and its seal, with their SHA-256

Revision ID: 0009
Revises: 0012
Create Date: 2026-12-01 14:30:00

Written beside 0010–0012 and chained after them: 0009 runs after 0012.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('item', 'packaging', 'seal')", name=op.f("ck_item_photos_kind")
        ),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_item_photos_size")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_item_photos_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_item_photos_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_photos")),
    )
    with op.batch_alter_table("item_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_photos_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("item_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_photos_item_id"))
    op.drop_table("item_photos")
