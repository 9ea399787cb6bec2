"""a count may find an item short: fewer than the book says (discrepancy kind "short")

Revision ID: 0023
Revises: 0022

A shortfall is a partial loss (Circular 01/2017 Art. 14, vn-legal-context §3.7): like a
missing item or a broken seal it needs its cause and measures in the count's record. The
kind CHECK only widens: PostgreSQL changes it in place; SQLite cannot alter a CHECK, so its
saved table definition is edited, as 0019 does. Going down refuses while a shortfall is
recorded (the old schema has no word for it).
Create Date: 2026-12-02 05:30:00
"""

from collections.abc import Sequence

from alembic import op

OLD_KINDS = "kind IN ('missing', 'seal_broken')"
NEW_KINDS = "kind IN ('missing', 'seal_broken', 'short')"

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _kinds(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    found = (
        op.get_bind()
        .exec_driver_sql("SELECT count(*) FROM discrepancies WHERE kind = 'short'")
        .scalar_one()
    )
    if found:
        raise RuntimeError(
            f"{found} shortfalls found by counts are on record; the schema before 0023 "
            "cannot hold them; not going down"
        )
    _kinds(NEW_KINDS, OLD_KINDS)


def _kinds(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.execute("ALTER TABLE discrepancies DROP CONSTRAINT ck_discrepancies_kind")
        op.execute(f"ALTER TABLE discrepancies ADD CONSTRAINT ck_discrepancies_kind CHECK ({new})")
        return
    table_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'discrepancies'"
    ).scalar_one()
    new_sql = table_sql.replace(old, new)
    assert new_sql.count(new) == 1, "discrepancies kind CHECK not found"
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'discrepancies'",
        (new_sql,),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
