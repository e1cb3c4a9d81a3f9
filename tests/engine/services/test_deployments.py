"""Deploying diagrams: versions are immutable and content-addressed; bad diagrams change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.errors import InvalidDiagramError
from engine.models import DefinitionVersion, Event
from engine.services import deployments
from tests.support import ROOT, SOP_BPMN, start_sop

HOSTILE = Path(__file__).resolve().parents[2] / "fixtures" / "hostile"


def bundle():
    forms = deployments.load_forms_dir(ROOT / "forms")
    lanes = deployments.load_lane_roles(ROOT / "bpmn" / "lane-roles.toml")
    return forms, lanes


def versions(session) -> int:
    return session.scalar(select(func.count()).select_from(DefinitionVersion))


def test_same_content_is_the_same_version(session, now):
    forms, lanes = bundle()
    again = deployments.deploy_diagram(
        session, SOP_BPMN.read_bytes(), filename="x.bpmn", forms=forms, lane_roles=lanes, now=now
    )
    assert not again.created and again.version.version == 1


def test_new_version_leaves_running_instances_on_theirs(session, now):
    forms, lanes = bundle()
    running = start_sop(session, now)
    changed = SOP_BPMN.read_bytes() + b"\n<!-- a comment makes a new version -->"
    second = deployments.deploy_diagram(
        session, changed, filename="sop.bpmn", forms=forms, lane_roles=lanes, now=now
    )
    assert second.created and second.version.version == 2
    assert running.version.version == 1
    newer = start_sop(session, now)
    assert newer.version.version == 2
    assert (
        session.scalar(
            select(Event.type)
            .where(Event.instance_id.is_(None))
            .order_by(Event.seq.desc())
            .limit(1)
        )
        == "deployment_created"
    )


@pytest.mark.parametrize(
    "name", ["xxe-external-entity.bpmn", "billion-laughs.bpmn", "script-injection.bpmn"]
)
def test_hostile_diagrams_are_refused_and_change_nothing(session, now, name):
    forms, lanes = bundle()
    before = versions(session)
    with pytest.raises(InvalidDiagramError):
        deployments.deploy_diagram(
            session,
            (HOSTILE / name).read_bytes(),
            filename=name,
            forms=forms,
            lane_roles=lanes,
            now=now,
        )
    assert versions(session) == before


def test_unmapped_lane_is_refused_naming_the_lane(session, now):
    forms, lanes = bundle()
    lanes.pop("Kepala UKPBJ")
    with pytest.raises(InvalidDiagramError) as refused:
        deployments.deploy_diagram(
            session,
            SOP_BPMN.read_bytes(),
            filename="sop.bpmn",
            forms=forms,
            lane_roles=lanes,
            now=now,
        )
    messages = [p["message"] for p in refused.value.details["problems"]]
    assert any("Kepala UKPBJ" in m for m in messages)


def test_non_utf8_diagram_is_refused(session, now):
    forms, lanes = bundle()
    data = SOP_BPMN.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    with pytest.raises(InvalidDiagramError) as refused:
        deployments.deploy_diagram(
            session,
            data.encode("utf-16"),
            filename="sop.bpmn",
            forms=forms,
            lane_roles=lanes,
            now=now,
        )
    assert refused.value.code == "bpmn_not_utf8"
