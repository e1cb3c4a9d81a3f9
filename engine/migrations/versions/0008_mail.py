"""mail: each person's language and which notices they want, and what was sent

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 10:30:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import engine.db  # noqa: F401

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
