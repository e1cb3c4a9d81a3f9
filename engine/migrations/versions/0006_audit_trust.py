"""audit trust: signed instance heads, signed checkpoints of all heads, auditors' reads

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 07:40:00

Each instance's head (event count + last hash) gets an Ed25519 signature made with the
server key (kept outside the database, engine.signing); checkpoints list the heads that
moved since the previous one, chained and signed, so a chain rewritten together with its
head is still found out. Auditors' reads are kept for admins to see.
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("head_signature", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("head_key_id", sa.String(length=32), nullable=True))

    op.create_table(
        "chain_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("head_count", sa.Integer(), nullable=False),
        sa.Column("heads_digest", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_checkpoints")),
        sa.UniqueConstraint("seq", name=op.f("uq_chain_checkpoints_seq")),
    )
    op.create_table(
        "checkpoint_heads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"], ["chain_checkpoints.id"],
            name=op.f("fk_checkpoint_heads_checkpoint_id_chain_checkpoints"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instances.id"],
            name=op.f("fk_checkpoint_heads_instance_id_process_instances"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint_heads")),
    )
    with op.batch_alter_table("checkpoint_heads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checkpoint_heads_checkpoint_id"), ["checkpoint_id"], unique=False
        )
        batch_op.create_index("ix_checkpoint_heads_instance", ["instance_id", "checkpoint_id"])

    op.create_table(
        "audit_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("endpoint", sa.String(length=80), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("read_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_reads_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instances.id"],
            name=op.f("fk_audit_reads_instance_id_process_instances"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["definition_versions.id"],
            name=op.f("fk_audit_reads_version_id_definition_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_reads")),
    )
    with op.batch_alter_table("audit_reads", schema=None) as batch_op:
        batch_op.create_index("ix_audit_reads_at", ["read_at"])
        batch_op.create_index("ix_audit_reads_user", ["user_id", "read_at"])
        batch_op.create_index("ix_audit_reads_instance", ["instance_id", "read_at"])


def downgrade() -> None:
    op.drop_table("audit_reads")
    op.drop_table("checkpoint_heads")
    op.drop_table("chain_checkpoints")
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.drop_column("head_key_id")
        batch_op.drop_column("head_signature")
