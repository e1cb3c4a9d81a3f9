"""the SOP-AP header of a process, edited by its owner, for the generated SOP document

One row per definition (`sop_metadata`): Nomor SOP, the dates of making, revision and
effect, who approved it (position, name, NIP), the title, and the lists of the header
(Dasar Hukum, Kualifikasi Pelaksana, Keterkaitan, Peralatan/Perlengkapan, Pencatatan dan
Pendataan) as JSON arrays, the Peringatan as text, and the letterhead lines.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 13:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_LISTS = ("letterhead", "legal_bases", "qualifications", "related_sops", "equipment")


def upgrade() -> None:
    op.create_table(
        "sop_metadata",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.JSON(), nullable=False) for name in _LISTS),
        sa.Column("number", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=True),
        sa.Column("revised_on", sa.Date(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("approver_position", sa.String(length=200), nullable=False),
        sa.Column("approver_name", sa.String(length=200), nullable=False),
        sa.Column("approver_nip", sa.String(length=18), nullable=False),
        sa.Column("warning", sa.Text(), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"], ["definitions.id"],
            name=op.f("fk_sop_metadata_definition_id_definitions"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_sop_metadata_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sop_metadata")),
        sa.UniqueConstraint("definition_id", name=op.f("uq_sop_metadata_definition_id")),
    )


def downgrade() -> None:
    op.drop_table("sop_metadata")
