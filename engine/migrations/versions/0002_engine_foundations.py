"""engine foundations: stored-state format, timer failures set aside, SOP rules per version

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 00:30:00

Every stored workflow part records the format it was written in, so a loader can refuse
a format it does not know (rows written before this revision are in the first format).
An instance whose timers fail keeps its error, when it happened and how many tries have
failed in a row, so the worker can set it aside and go on with the others.

Each version now carries the SOP's rules as its diagram declares them (engine.sop). The
versions deployed before declared none: the engine applied the shipped SOP's rules to
every diagram, so those rules are written onto them here, and their running instances go
on exactly as before.
"""

import json

import sqlalchemy as sa
from alembic import op
from lxml import etree

import engine.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FIRST_FORMAT = "alur-parts-1+spiff-1.5"


NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
# What the engine assumed of every diagram before the rules moved into the diagram.
LEGACY_CONTEXT_KEYS = [
    "tahun_anggaran", "judul", "opd", "akhir_periode", "frekuensi_pelaporan",
    "catatan_perbaikan", "rekomendasi_disetujui", "keputusan_periode",
]


def legacy_rules(xml: str, main_process_id: str, activities: dict, lane_roles: dict) -> dict:
    """The rules the engine applied to a version deployed before this revision."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(xml.encode("utf-8"), parser=parser)
    main = root.xpath("bpmn:process[@id=$id]", id=main_process_id, namespaces=NS)
    periods = main[0].xpath("bpmn:callActivity/@id", namespaces=NS) if main else []
    opd_lanes = {name for name, role in lane_roles.items() if role == "pj_kinerja"}
    opd_nodes = {
        ref.text.strip()
        for lane in root.iter(f"{{{NS['bpmn']}}}lane")
        if lane.get("name") in opd_lanes
        for ref in lane.iterfind("bpmn:flowNodeRef", NS)
        if ref.text
    }
    return {
        "period_activities": sorted(periods),
        "period_end_variables": {element_id: "akhir_periode" for element_id in periods},
        "opd_variables": {element_id: "opd" for element_id in sorted(opd_nodes)},
        "context_keys": LEGACY_CONTEXT_KEYS,
        "context_views": {
            element_id: "capaian"
            for element_id, info in activities.items()
            if isinstance(info, dict) and info.get("form_key") == "pengolahan-data"
        },
    }


def _load(value):
    return json.loads(value) if isinstance(value, str) else value or {}


def _fill_legacy_rules() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT v.id, v.bpmn_xml, v.activities, v.lane_roles, d.key "
            "FROM definition_versions v JOIN definitions d ON d.id = v.definition_id"
        )
    ).all()
    for row in rows:
        rules = legacy_rules(row.bpmn_xml, row.key, _load(row.activities), _load(row.lane_roles))
        connection.execute(
            sa.text("UPDATE definition_versions SET rules = :rules WHERE id = :id"),
            {"rules": json.dumps(rules), "id": row.id},
        )


def upgrade() -> None:
    with op.batch_alter_table("definition_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rules", sa.JSON(), nullable=False, server_default="{}")
        )
    _fill_legacy_rules()
    with op.batch_alter_table("instance_states", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "format_version",
                sa.String(length=40),
                nullable=False,
                server_default=FIRST_FORMAT,
            )
        )
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("last_error_at", engine.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.drop_column("last_error_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("failed_attempts")
    with op.batch_alter_table("instance_states", schema=None) as batch_op:
        batch_op.drop_column("format_version")
    with op.batch_alter_table("definition_versions", schema=None) as batch_op:
        batch_op.drop_column("rules")
