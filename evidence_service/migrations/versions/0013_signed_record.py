"""The signed record: events of every record (subject), key ids and signatures,
checkpoints, the logs as chains, signed web sessions; the baseline of every row

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-01 15:00:00

The baseline: one ``baseline`` event per row of the items table and of every chained table
(every column the table has, read generically), appended to the chain, so replay starts
from it and history before it stays covered by the hashes. The events are not signed here
(a migration has no key): the first signed append after it (``evidence-service migrate``
seals the chain at once when a key is set) covers them.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from evidence_service import custody, logchain
from evidence_service.models import metadata
from evidence_service.recording import CHAINED

revision: str = "0013"
down_revision: str | None = "0009"  # its baseline reads every column as it stands then
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LOGS = ("scan_log", "security_events", "login_attempts")


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


def upgrade() -> None:
    _events_triggers(create=False)
    with op.batch_alter_table("custody_events", schema=None) as batch:
        batch.alter_column("item_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("actor_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("subject", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("signature", sa.String(length=100), nullable=True))
        batch.create_index("ix_custody_events_subject", ["subject", "subject_id"], unique=False)
    _events_triggers(create=True)
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logs", sa.JSON(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoints")),
    )
    for name in _LOGS:
        with op.batch_alter_table(name, schema=None) as batch:
            batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
            batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
            batch.create_unique_constraint(op.f(f"uq_{name}_seq"), ["seq"])
    with op.batch_alter_table("web_sessions", schema=None) as batch:
        batch.add_column(sa.Column("signature", sa.String(length=120), nullable=True))
    bind = op.get_bind()
    # Sessions from before signing cannot be bound to the key: they end (users log in again).
    bind.execute(sa.text("DELETE FROM web_sessions"))
    _chain_logs(bind)
    _baseline(bind)


def _columns(bind: sa.Connection, name: str) -> sa.Table:
    """The table as the models know it, limited to the columns the database has now."""
    present = {c["name"] for c in sa.inspect(bind).get_columns(name)}
    model = metadata.tables[name]
    return sa.Table(name, sa.MetaData(), *(c._copy() for c in model.c if c.name in present))


def _chain_logs(bind: sa.Connection) -> None:
    for name in _LOGS:
        table = _columns(bind, name)
        prev = custody.GENESIS_HASH
        rows = bind.execute(sa.select(table).order_by(table.c.id)).mappings().all()
        for seq, row in enumerate(rows, 1):
            values = {**row, "seq": seq, "prev_hash": prev}
            prev = logchain.row_hash(name, values)
            bind.execute(
                table.update().where(table.c.id == row["id"]),
                {"seq": seq, "prev_hash": values["prev_hash"], "hash": prev},
            )


def _baseline(bind: sa.Connection) -> None:
    events = _columns(bind, "custody_events")
    head = bind.execute(
        sa.select(events.c.seq, events.c.hash).order_by(events.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (head[0], head[1]) if head else (0, custody.GENESIS_HASH)
    now = datetime.now(UTC)
    stamp = custody._ts(now)
    present = set(sa.inspect(bind).get_table_names())
    # A table a later migration creates is empty here: nothing to take a baseline of.
    for name in [n for n in ["items", *sorted(CHAINED)] if n in present]:
        table = _columns(bind, name)
        rows = []
        for record in bind.execute(sa.select(table).order_by(table.c.id)).mappings():
            seq += 1
            row = {
                "seq": seq,
                "item_id": record["id"] if name == "items" else None,
                "event_type": "baseline",
                "actor_id": None,
                "occurred_at": now,
                "from_location_id": None,
                "to_location_id": None,
                "reason": "",
                "details": {
                    "record": {
                        k: custody.plain(v)
                        for k, v in record.items()
                        if k not in custody.UNRECORDED
                    }
                },
                "prev_hash": prev,
                "subject": None if name == "items" else name,
                "subject_id": None if name == "items" else record["id"],
            }
            row["hash"] = prev = custody._hash(row, stamp)
            rows.append(row)
            if len(rows) >= 5000:
                bind.execute(events.insert(), rows)
                rows = []
        if rows:
            bind.execute(events.insert(), rows)


def downgrade() -> None:
    # Events appended since cannot be taken back: the chain is append-only.
    raise NotImplementedError("0013 is not reversible: the signed record is append-only")
