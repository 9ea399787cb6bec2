"""the receiver of an exit beside the name (position, identity paper, body); the sample a
sampling record took

Revision ID: 0022
Revises: 0021

An exit order and slip state the name and position of the person receiving (Decree 142/2024
Art. 14; vn-legal-context §2.2 end, §7), whose papers are checked (§3.5): ``exit_slips``
gains ``recipient_position``, ``recipient_id_document`` and ``recipient_organisation``, NULL
on the slips made before (they print a dotted blank). A sample taken from an item makes its
record (biên bản lấy mẫu, with the unsealing of Decree 127/2017, §2.4): ``unsealings``
gains ``sample`` (JSON: the weight taken, before and after, the lab and its document), NULL
for an opening that took nothing. Columns are only added (nullable), so no row changes.
Going down refuses while a slip names a receiver's position, paper or body, or a record
holds a sample: those are facts of official documents the old schema cannot hold.
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECEIVER = (
    ("recipient_position", 200),
    ("recipient_id_document", 100),
    ("recipient_organisation", 300),
)


def upgrade() -> None:
    with op.batch_alter_table("exit_slips", schema=None) as batch_op:
        for name, length in RECEIVER:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    with op.batch_alter_table("unsealings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sample", sa.JSON(), nullable=True))


def downgrade() -> None:
    bind = op.get_bind()
    given = " OR ".join(f"{name} IS NOT NULL" for name, _ in RECEIVER)
    slips = bind.exec_driver_sql(f"SELECT count(*) FROM exit_slips WHERE {given}").scalar_one()
    samples = bind.exec_driver_sql(
        "SELECT count(*) FROM unsealings "
        "WHERE sample IS NOT NULL AND CAST(sample AS TEXT) <> 'null'"
    ).scalar_one()
    if slips or samples:
        raise RuntimeError(
            f"{slips} exit slips name their receiver's position, paper or body and {samples} "
            "sampling records hold their sample; the schema before 0022 cannot hold them; "
            "not going down"
        )
    with op.batch_alter_table("unsealings", schema=None) as batch_op:
        batch_op.drop_column("sample")
    with op.batch_alter_table("exit_slips", schema=None) as batch_op:
        for name, _ in reversed(RECEIVER):
            batch_op.drop_column(name)
