"""What deploy checks beyond the lint: lane roles travelling in the diagram, every form of
the bundle enforceable, and `check_deploy` answering without storing anything."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from engine.errors import InvalidDiagramError
from engine.forms import load_forms
from engine.models import Definition, DefinitionVersion, Event
from engine.services import deployments, versions
from tests.support import ROOT, SOP_BPMN, SOP_LANE_ROLES, sop_forms

CATALOG = ROOT / "tests" / "fixtures" / "lint"
DEFAULTS = deployments.load_lane_roles(SOP_LANE_ROLES)
CONTOH = load_forms(CATALOG / "forms")
MINIMAL = (CATALOG / "pass" / "minimal.bpmn").read_bytes()


def counts(session) -> tuple[int, int, int]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Definition, DefinitionVersion, Event)
    )


def deploy(session, data: bytes, now, forms=CONTOH):
    return deployments.deploy_diagram(
        session, data, filename="contoh.bpmn", forms=forms, lane_roles=DEFAULTS, now=now
    )


def test_a_lanes_own_role_is_stored_and_gives_its_tasks_their_role(session, now):
    version = deploy(session, MINIMAL, now).version
    assert version.lane_roles == {**DEFAULTS, "Tim Kelembagaan": "tim_kelembagaan",
                                  "Kepala": "kepala_ukpbj"}
    activities = versions.content_of(session, version).activities
    assert activities["Task_A"]["role"] == "tim_kelembagaan"
    assert activities["Task_B"]["role"] == "kepala_ukpbj"


def test_a_lanes_own_role_overrides_the_default_for_its_name(session, now):
    data = (CATALOG / "pass" / "lane-role-default.bpmn").read_bytes()
    default = deploy(session, data, now).version
    assert default.lane_roles == DEFAULTS | {"Tim Kelembagaan": "tim_kelembagaan"}
    overridden = data.replace(
        b'<bpmn:lane id="Lane_Kepala" name="Kepala UKPBJ">',
        b'<bpmn:lane id="Lane_Kepala" name="Kepala UKPBJ"><bpmn:extensionElements>'
        b'<spiffworkflow:properties><spiffworkflow:property name="role" value="admin"/>'
        b"</spiffworkflow:properties></bpmn:extensionElements>",
    )
    other = deploy(session, overridden, now).version
    assert other.lane_roles["Kepala UKPBJ"] == "admin"
    assert versions.content_of(session, other).activities["Task_B"]["role"] == "admin"
    assert other.content_hash != default.content_hash


def test_the_sop_carries_no_lane_roles_and_keeps_the_defaults(session, now):
    deployed = deployments.deploy_diagram(
        session, SOP_BPMN.read_bytes(), filename="sop.bpmn", forms=sop_forms(),
        lane_roles=DEFAULTS, now=now,
    )
    assert not deployed.created
    assert deployed.version.lane_roles == DEFAULTS


def test_check_deploy_answers_without_storing(session):
    before = counts(session)
    assert deployments.check_deploy(session, MINIMAL, filename="x.bpmn", forms=CONTOH,
                                     lane_roles=DEFAULTS) == []
    problems = deployments.check_deploy(session, MINIMAL, filename="x.bpmn", forms={},
                                        lane_roles=DEFAULTS)
    assert {(p["rule"], p["element_id"]) for p in problems} == {
        ("alur/user-task-form", "Task_A"), ("alur/user-task-form", "Task_B")}
    assert counts(session) == before
    with pytest.raises(InvalidDiagramError) as refused:
        deployments.check_deploy(session, b"<bpmn", filename="x.bpmn", forms={},
                                 lane_roles=DEFAULTS)
    assert refused.value.code == "bpmn_malformed"


def broken_forms() -> dict:
    forms = copy.deepcopy(CONTOH)
    forms["contoh"]["components"].append({"type": "signature", "key": "tanda_tangan"})
    return forms


def test_a_form_the_server_cannot_enforce_refuses_the_deploy(session, now):
    before = counts(session)
    with pytest.raises(InvalidDiagramError) as refused:
        deploy(session, MINIMAL, now, forms=broken_forms())
    problems = refused.value.details["problems"]
    assert [(p["rule"], p["element_id"]) for p in problems] == [
        ("alur/form-schema", "Task_A"), ("alur/form-schema", "Task_B")]
    assert problems[0]["params"] | {"form": "contoh", "component": "tanda_tangan"} == (
        problems[0]["params"])
    assert "signature" in problems[0]["params"]["reason"]
    assert counts(session) == before


def test_a_broken_form_inside_a_group_is_named_and_an_unused_one_has_no_element(session):
    forms = copy.deepcopy(CONTOH)
    forms["lain"] = {"components": [{"type": "group", "id": "Group_1", "components": [
        {"type": "textfield", "key": "baik"},
        {"type": "textfield", "key": "buruk", "conditional": {"hide": "=a.b"}},
    ]}]}
    [problem] = deployments.check_deploy(session, MINIMAL, filename="x.bpmn", forms=forms,
                                         lane_roles=DEFAULTS)
    assert (problem["element_id"], problem["params"]["form"]) == (None, "lain")
    assert problem["params"]["component"] == "buruk"


def test_every_problem_of_a_refusal_comes_at_once(session, now):
    data = MINIMAL.replace(b'value="kepala_ukpbj"', b'value="bendahara"').replace(
        b'name="waktu_hari_kerja" value="2"', b'name="waktu_hari_kerja" value="0"')
    with pytest.raises(InvalidDiagramError) as refused:
        deploy(session, data, now, forms=broken_forms())
    rules = {p["rule"] for p in refused.value.details["problems"]}
    assert rules == {"alur/lane-role", "alur/waktu-positive", "alur/form-schema"}
