"""who keeps a warehouse's items: the agency itself, or an outside custodian

Revision ID: 0020
Revises: 0019

From 01/07/2026 the agency receives items where they are stored and they stay there
(custody in place, Decree 152/2026 Art. 37); items may also be left with the owner, the
local authority or a hired custodian (Circular 01/2017 Art. 12(2)). A warehouse says who
keeps it (vn-legal-context §2.3, §3.5). Existing warehouses are the agency's own. Columns
are only added (ADD COLUMN with its CHECK works on SQLite and PostgreSQL alike), so no
table is rebuilt.
Create Date: 2026-12-02 04:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("own", "rented", "police", "treasury", "specialised", "owner", "local_authority", "hired")
TEXTS = ("custodian_name", "custodian_representative", "custodian_position", "custody_contract")


def upgrade() -> None:
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    op.execute(
        "ALTER TABLE warehouses ADD COLUMN custodian_kind VARCHAR(16) DEFAULT 'own' NOT NULL "
        f"CONSTRAINT ck_warehouses_custodian_kind CHECK (custodian_kind IN ({kinds}))"
    )
    for column in TEXTS:
        op.execute(f"ALTER TABLE warehouses ADD COLUMN {column} VARCHAR(200) DEFAULT '' NOT NULL")


def downgrade() -> None:
    outside = (
        op.get_bind()
        .exec_driver_sql("SELECT count(*) FROM warehouses WHERE custodian_kind <> 'own'")
        .scalar_one()
    )
    if outside:
        raise RuntimeError(
            f"{outside} warehouses are kept by someone other than the agency; the schema "
            "before 0020 cannot say so; not going down"
        )
    for column in (*reversed(TEXTS), "custodian_kind"):
        op.execute(f"ALTER TABLE warehouses DROP COLUMN {column}")
