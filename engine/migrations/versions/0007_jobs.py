"""jobs: one table for background work (timers, mail, digests, checkpoints, clean-up)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:20:00

Every running instance with a waiting timer gets its timer job, due when the instance's
`next_due_at` says, so the worker finds timers in the job table from now on.
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("run_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("locked_until", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_key")),
    )
    op.create_index("ix_jobs_due", "jobs", ["state", "run_at"], unique=False)
    payload = (
        "json_build_object('instance_id', id)"
        if op.get_bind().dialect.name == "postgresql"
        else "json_object('instance_id', id)"
    )
    op.execute(
        "INSERT INTO jobs (kind, key, payload, state, run_at, attempts, max_attempts,"
        " created_at)"
        f" SELECT 'timer', 'timer:' || id, {payload}, 'pending', next_due_at, 0, 5,"
        " next_due_at"
        " FROM process_instances WHERE status = 'running' AND next_due_at IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_due", table_name="jobs")
    op.drop_table("jobs")
