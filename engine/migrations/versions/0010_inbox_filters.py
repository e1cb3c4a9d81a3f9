"""saved inbox filters, per person or shared with a role

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 10:30:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("shared_role", sa.String(length=32), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_saved_filters_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shared_role"], ["roles.code"], name=op.f("fk_saved_filters_shared_role_roles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filters")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_saved_filters_owner_id_name")),
    )
    op.create_index(
        op.f("ix_saved_filters_owner_id"), "saved_filters", ["owner_id"], unique=False
    )
    op.create_index(
        op.f("ix_saved_filters_shared_role"), "saved_filters", ["shared_role"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_saved_filters_shared_role"), table_name="saved_filters")
    op.drop_index(op.f("ix_saved_filters_owner_id"), table_name="saved_filters")
    op.drop_table("saved_filters")
