"""one custody chain per province: custody_events.chain, (chain, seq) unique, checkpoints
of every chain's head

Revision ID: 0018
Revises: 0017 (0013 on its branch; main had 0014, 0017 at the merge)
Create Date: 2026-12-01 17:45:00

No event is rewritten. Every existing event becomes chain 0, the common chain (the genesis
chain); its hashes stay valid because a chain-0 event's hash does not include the chain. A
province's chain starts at its first write after this, with a signed ``chain_opened``
event whose ``prev_hash`` is the common chain's head then (``custody._opening``), so each
province's history hangs from the signed history before it. Checkpoints written before
this stay valid as anchors of the common chain (``chains`` is NULL on them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _events_triggers(create: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL keeps its triggers through ALTER TABLE
    for action in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS custody_events_no_{action.lower()}")
        if create:
            op.execute(
                f"CREATE TRIGGER custody_events_no_{action.lower()} BEFORE {action} ON "
                f"custody_events BEGIN SELECT RAISE(ABORT, 'custody_events: {action} is not "
                f"allowed (append-only)'); END"
            )


def _rechain(chain_first: bool) -> None:
    _events_triggers(create=False)
    with op.batch_alter_table("custody_events", schema=None) as batch:
        if chain_first:
            batch.add_column(sa.Column("chain", sa.Integer(), server_default="0", nullable=False))
            batch.drop_constraint("uq_custody_events_seq", type_="unique")
            batch.create_unique_constraint("uq_custody_events_chain_seq", ["chain", "seq"])
        else:
            batch.drop_constraint("uq_custody_events_chain_seq", type_="unique")
            batch.create_unique_constraint("uq_custody_events_seq", ["seq"])
            batch.drop_column("chain")
    _events_triggers(create=True)


def upgrade() -> None:
    _rechain(chain_first=True)
    with op.batch_alter_table("checkpoints", schema=None) as batch:
        batch.add_column(sa.Column("chains", sa.JSON(), nullable=True))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM custody_events WHERE chain <> 0 LIMIT 1")).first():
        raise RuntimeError("provinces' chains hold events: they cannot go back to one chain")
    with op.batch_alter_table("checkpoints", schema=None) as batch:
        batch.drop_column("chains")
    _rechain(chain_first=False)
