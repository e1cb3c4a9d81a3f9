"""typed events: payload schema version, one global chain

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:00:00

Every event records the version of its type's payload schema (engine.events); the rows
already written are all version 1. Events without an instance (deploys, refused
uploads) form one global chain, which a partial unique index on `seq` now keeps from
forking: two appends that read the same head cannot both be stored.

A database whose global chain has already forked cannot take the index; the upgrade
stops and names the duplicated sequence numbers instead of deciding which event wins.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GLOBAL_ONLY = sa.text("instance_id IS NULL")
DUPLICATED_GLOBAL_SEQS = sa.text(
    "SELECT seq FROM events WHERE instance_id IS NULL GROUP BY seq HAVING COUNT(*) > 1 ORDER BY seq"
)


def upgrade() -> None:
    _refuse_forked_global_chain()
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payload_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.create_index(
            "ix_events_global_seq",
            ["seq"],
            unique=True,
            sqlite_where=GLOBAL_ONLY,
            postgresql_where=GLOBAL_ONLY,
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_global_seq")
        batch_op.drop_column("payload_version")


def _refuse_forked_global_chain() -> None:
    duplicated = op.get_bind().scalars(DUPLICATED_GLOBAL_SEQS).all()
    if duplicated:
        raise RuntimeError(
            "the global event chain has forked (events without an instance share seq "
            f"{', '.join(map(str, duplicated))}); an auditor must settle it before upgrading"
        )
