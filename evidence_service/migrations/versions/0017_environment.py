"""environment_facilities (licensed facilities an admin set) and warehouse_sites (where each
warehouse is): the distances of the destruction planner and the environment report

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-01 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from evidence_service.models import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = "'hazardous_waste_incineration', 'cement_kiln', 'chemical_treatment'"


def upgrade() -> None:
    op.create_table(
        "environment_facilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("province", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("permit_ref", sa.String(length=200), nullable=False),
        sa.Column("material_groups", sa.JSON(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"kind IN ({_KINDS})", name=op.f("ck_environment_facilities_kind")),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)",
            name=op.f("ck_environment_facilities_lat"),
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)",
            name=op.f("ck_environment_facilities_lon"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_environment_facilities_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_environment_facilities")),
        sa.UniqueConstraint("key", name=op.f("uq_environment_facilities_key")),
    )
    op.create_table(
        "warehouse_sites",
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("province", sa.String(length=100), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "latitude >= -90 AND latitude <= 90", name=op.f("ck_warehouse_sites_lat")
        ),
        sa.CheckConstraint(
            "longitude >= -180 AND longitude <= 180", name=op.f("ck_warehouse_sites_lon")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_warehouse_sites_updated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_warehouse_sites_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("warehouse_id", name=op.f("pk_warehouse_sites")),
    )


def downgrade() -> None:
    op.drop_table("warehouse_sites")
    op.drop_table("environment_facilities")
