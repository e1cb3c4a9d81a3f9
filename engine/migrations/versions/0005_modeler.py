"""modeler: the roles table with the process owner's role, and process drafts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 05:40:00

Roles become reference data: a `roles` table holding every role code, which
user_roles.role now refers to, with the new `pemilik_proses` (Pemilik Proses) who edits
diagrams and forms in the browser modeler and deploys new versions. Process drafts hold
an owner's unfinished diagram and forms on the server, with a revision number for
compare-and-set saves.
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ROLES = (
    ("kepala_ukpbj", "Kepala UKPBJ"),
    ("tim_kelembagaan", "Tim Pengelolaan Kelembagaan UKPBJ"),
    ("pj_kinerja", "Penanggung Jawab Kinerja"),
    ("admin", "Administrator"),
    ("auditor", "Auditor"),
    ("pemilik_proses", "Pemilik Proses"),
)


def upgrade() -> None:
    roles = op.create_table(
        "roles",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_roles")),
    )
    op.bulk_insert(roles, [{"code": code, "name": name} for code, name in ROLES])
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_user_roles_role_roles"), "roles", ["role"], ["code"]
        )

    op.create_table(
        "process_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_key", sa.String(length=120), nullable=True),
        sa.Column("base_version_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deployed_version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["base_version_id"], ["definition_versions.id"],
            name=op.f("fk_process_drafts_base_version_id_definition_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["deployed_version_id"], ["definition_versions.id"],
            name=op.f("fk_process_drafts_deployed_version_id_definition_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_process_drafts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_process_drafts_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_drafts")),
    )
    with op.batch_alter_table("process_drafts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_drafts_definition_key"), ["definition_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_process_drafts_base_version_id"), ["base_version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("process_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_drafts_base_version_id"))
        batch_op.drop_index(batch_op.f("ix_process_drafts_definition_key"))
    op.drop_table("process_drafts")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_user_roles_role_roles"), type_="foreignkey")
    op.drop_table("roles")
