"""SIRUP procurement packages, one per budget year and Kode RUP

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 13:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tahun_anggaran", sa.Integer(), nullable=False),
        sa.Column("kd_rup", sa.String(length=20), nullable=False),
        sa.Column("nama_paket", sa.String(length=1000), nullable=False),
        sa.Column("pagu", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("metode_pengadaan", sa.String(length=60), nullable=True),
        sa.Column("jenis_pengadaan", sa.String(length=60), nullable=True),
        sa.Column("kd_satker", sa.String(length=32), nullable=True),
        sa.Column("nama_satker", sa.String(length=200), nullable=True),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("tgl_awal_pemilihan", sa.Date(), nullable=True),
        sa.Column("tgl_akhir_pemilihan", sa.Date(), nullable=True),
        sa.Column("status_pdn", sa.String(length=32), nullable=True),
        sa.Column("status_ukm", sa.String(length=32), nullable=True),
        sa.Column("sumber_dana", sa.JSON(), nullable=False),
        sa.Column("imported_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["opd_id"], ["opds.id"], name=op.f("fk_packages_opd_id_opds")),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["users.id"], name=op.f("fk_packages_imported_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint(
            "tahun_anggaran", "kd_rup", name=op.f("uq_packages_tahun_anggaran_kd_rup")
        ),
    )
    op.create_index(
        "ix_packages_tahun_anggaran_opd_id", "packages", ["tahun_anggaran", "opd_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_packages_tahun_anggaran_opd_id", table_name="packages")
    op.drop_table("packages")
