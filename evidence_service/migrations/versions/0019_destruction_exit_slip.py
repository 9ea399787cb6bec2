"""the exit slip of a destruction: the exit-slip kind CHECK knows "destruction"; an item
may be on several handovers (its intake's, then one per return after a check-out)

Revision ID: 0019
Revises: 0015

An item destroyed leaves the warehouse to the council with its exit slip (Circular 04/2023
Art. 11(2), vn-legal-context §3.5, §4.3). PostgreSQL changes the constraint in place; SQLite
cannot alter a CHECK, so its saved table definition is edited, as 0015 does (the CHECK only
widens, so every row stays valid). Going down refuses while destruction slips exist: they
are official documents and the old schema has no word for them.

A return after a check-out is received like a new handover (Circular 04/2023 Art. 11(3),
§3.5): ``handover_lines.item_id`` is no longer unique (an index stays for the lookups). SQLite
rebuilds the table (nothing refers to it); going down refuses while an item is on two.
Create Date: 2026-12-01 20:45:00
"""

from collections.abc import Sequence

from alembic import op

OLD_KINDS = (
    "kind IN ('return_to_owner', 'confiscation', 'sale', 'treasury_deposit', "
    "'kept_with_file', 'transfer', 'check_out')"
)
NEW_KINDS = (
    "kind IN ('return_to_owner', 'confiscation', 'sale', 'treasury_deposit', "
    "'kept_with_file', 'transfer', 'check_out', 'destruction')"
)

revision: str = "0019"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _slip_kinds(OLD_KINDS, NEW_KINDS)
    with op.batch_alter_table("handover_lines", schema=None) as batch_op:
        batch_op.drop_constraint("uq_handover_lines_item_id", type_="unique")
        batch_op.create_index("ix_handover_lines_item_id", ["item_id"], unique=False)


def downgrade() -> None:
    found = (
        op.get_bind()
        .exec_driver_sql("SELECT count(*) FROM exit_slips WHERE kind = 'destruction'")
        .scalar_one()
    )
    if found:
        raise RuntimeError(
            f"{found} exit slips of destructions are official documents the schema before "
            "0019 cannot hold; not going down"
        )
    twice = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT count(*) FROM (SELECT item_id FROM handover_lines GROUP BY item_id "
            "HAVING count(*) > 1) AS t"
        )
        .scalar_one()
    )
    if twice:
        raise RuntimeError(
            f"{twice} items are on more than one handover (returns after a check-out); "
            "the schema before 0019 holds one each; not going down"
        )
    with op.batch_alter_table("handover_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_handover_lines_item_id")
        batch_op.create_unique_constraint("uq_handover_lines_item_id", ["item_id"])
    _slip_kinds(NEW_KINDS, OLD_KINDS)


def _slip_kinds(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.execute("ALTER TABLE exit_slips DROP CONSTRAINT ck_exit_slips_kind")
        op.execute(f"ALTER TABLE exit_slips ADD CONSTRAINT ck_exit_slips_kind CHECK ({new})")
        return
    table_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'exit_slips'"
    ).scalar_one()
    new_sql = table_sql.replace(old, new)
    assert new_sql.count(new) == 1, "exit_slips kind CHECK not found"
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'exit_slips'",
        (new_sql,),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
