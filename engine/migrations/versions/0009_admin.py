"""administration: default lane -> role mapping and admin edits

Each person gets an e-mail address for notices (`users.email`, set by an administrator),
and lane name -> role defaults an administrator edits (`lane_role_defaults`), which a
deploy reads before bpmn/lane-roles.toml for lanes that carry no role of their own.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 10:30:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.create_table(
        "lane_role_defaults",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lane", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["role"], ["roles.code"], name=op.f("fk_lane_role_defaults_role_roles")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"],
            name=op.f("fk_lane_role_defaults_changed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lane_role_defaults")),
        sa.UniqueConstraint("lane", name=op.f("uq_lane_role_defaults_lane")),
    )


def downgrade() -> None:
    op.drop_table("lane_role_defaults")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email")
