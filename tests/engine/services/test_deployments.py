"""Deploying diagrams: versions are immutable and content-addressed; bad diagrams change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.db import RUNTIME_KEY
from engine.errors import InvalidDiagramError
from engine.models import DefinitionVersion, Event
from engine.runtime import build_runtime
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


# ---- bounds (issue 8): what the settings allow a diagram to ask of the engine -------------

def row_10_copies(count: str) -> bytes:
    """The SOP with row 10 made `count` times instead of once per OPD taking part."""
    from lxml import etree

    bpmn = "http://www.omg.org/spec/BPMN/20100524/MODEL"
    root = etree.fromstring(SOP_BPMN.read_bytes())
    loop = root.xpath("//*[@id='Task_10']/bpmn:multiInstanceLoopCharacteristics",
                      namespaces={"bpmn": bpmn})[0]
    cardinality = etree.Element(f"{{{bpmn}}}loopCardinality")
    cardinality.text = count
    loop.replace(loop.find(f"{{{bpmn}}}loopDataInputRef"), cardinality)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def deploy_bytes(session, data: bytes, now):
    forms, lanes = bundle()
    return deployments.deploy_diagram(
        session, data, filename="variant.bpmn", forms=forms, lane_roles=lanes, now=now
    )


def test_a_loop_above_the_settings_cap_is_refused_and_stores_nothing(session, now):
    session.info[RUNTIME_KEY] = build_runtime(max_loop_cardinality=2)
    before = versions(session)
    with pytest.raises(InvalidDiagramError) as refused:
        deploy_bytes(session, row_10_copies("3"), now)
    message = ("userTask '10. Memetakan paket per area strategis': loopCardinality 3 is more "
               "than the 2 copies allowed")
    assert ("Task_10", "alur/bounds", message) in [
        (p["element_id"], p["rule"], p["message"]) for p in refused.value.details["problems"]
    ]
    assert versions(session) == before


def test_the_same_loop_within_the_default_cap_deploys(session, now):
    assert deploy_bytes(session, row_10_copies("3"), now).created
