"""The models and the migrations describe the same schema; data migrations keep meaning."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import engine.models  # noqa: F401
from engine import sop
from engine.bpmn.parser import load_xml
from engine.db import Base, make_engine
from engine.migrations import upgrade_database
from engine.services import deployments
from tests.conftest import isolated_database
from tests.support import SOP_BPMN, SOP_KEY


def test_models_match_migrations(db_engine):
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_versions_deployed_before_the_rules_moved_keep_the_same_rules(database_url, tmp_path):
    """Revision 0002 writes onto old versions the rules the engine applied to them, which
    are exactly what the shipped diagram now declares."""
    url = isolated_database(database_url, "legacy", tmp_path, build=False)
    upgrade_database(url, "0001")
    old_text = re.sub(
        r'\s*<spiffworkflow:property name="(opens_period|period_end_variable|opd_variable|'
        r'context_keys|context_view)" value="[^"]*"/>',
        "",
        SOP_BPMN.read_text(),
    )
    engine = make_engine(url)
    with engine.begin() as connection:
        _insert_old_version(connection, old_text)
    upgrade_database(url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT rules FROM definition_versions")).scalar_one()
        kept = connection.execute(text("SELECT version_id FROM process_instances")).scalar_one()
    engine.dispose()
    stored = json.loads(stored) if isinstance(stored, str) else stored
    root = load_xml(SOP_BPMN.read_bytes(), max_bytes=10 * 1024 * 1024)
    declared = sop.read_rules(root, SOP_KEY)
    assert sop.SopRules.from_dict(stored) == declared and kept is not None


def _insert_old_version(connection, bpmn_text: str) -> None:
    now = datetime(2026, 1, 5, tzinfo=UTC)
    definition_id = connection.execute(
        text("INSERT INTO definitions (key, name, created_at) VALUES (:k, :n, :t) RETURNING id"),
        {"k": SOP_KEY, "n": "SOP Pengelolaan Kinerja", "t": now},
    ).scalar_one()
    lanes = deployments.load_lane_roles(SOP_BPMN.parent / "lane-roles.toml")
    connection.execute(
        text(
            "INSERT INTO definition_versions (definition_id, version, content_hash, filename, "
            "bpmn_xml, forms, activities, lane_roles, deployed_at) VALUES (:d, 1, :h, :f, :x, "
            ":forms, :activities, :lanes, :t)"
        ),
        {
            "d": definition_id,
            "h": "0" * 64,
            "f": SOP_BPMN.name,
            "x": bpmn_text,
            "forms": "{}",
            "activities": json.dumps({"Task_13": {"form_key": "pengolahan-data"}}),
            "lanes": json.dumps(lanes),
            "t": now,
        },
    )
    # a running instance on it: SQLite alters a table by copying it, which must not break
    # the key that points at the version (the migration once failed exactly there)
    connection.execute(
        text(
            "INSERT INTO process_instances (registration_no, title, version_id, status, "
            "started_at, updated_at, period_no, data, event_count, row_version) "
            "SELECT 'AK-2026-00001', 'Pelaksanaan lama', id, 'running', :t, :t, 1, '{}', 0, 1 "
            "FROM definition_versions"
        ),
        {"t": now},
    )
