"""The SOP's own rules come from the diagram: read at deploy, refused when one is missing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.errors import InvalidDiagramError
from engine.models import DefinitionVersion
from engine.services import deployments, versions
from engine.sop import SopRules
from tests.support import ROOT, SOP_BPMN, deploy_sop

FIXTURES = ROOT / "tests" / "fixtures" / "bpmn"
FORMS = deployments.load_forms_dir(ROOT / "forms")
LANES = deployments.load_lane_roles(ROOT / "bpmn" / "lane-roles.toml")


def deploy_text(session, text: str, now, filename: str = "variant.bpmn"):
    return deployments.deploy_diagram(
        session, text.encode("utf-8"), filename=filename, forms=FORMS, lane_roles=LANES, now=now
    ).version


def refusal(session, text: str, now) -> list[dict]:
    before = session.scalar(select(func.count()).select_from(DefinitionVersion))
    with pytest.raises(InvalidDiagramError) as refused:
        deploy_text(session, text, now)
    assert session.scalar(select(func.count()).select_from(DefinitionVersion)) == before
    return refused.value.details["problems"]


def without_property(text: str, name: str) -> str:
    return re.sub(rf'\s*<spiffworkflow:property name="{name}" value="[^"]*"/>', "", text)


def test_the_shipped_sop_declares_its_rules(session, now):
    version = deploy_sop(session, now)
    rules = versions.content_of(session, version).rules
    assert rules.period_activities == {"Call_Periode"}
    assert rules.period_end_variables == {"Call_Periode": "akhir_periode"}
    for element_id in ("Task_10", "Task_11", "Task_12", "Timer_12"):
        assert rules.opd_variables[element_id] == "opd"
    assert "Task_13" not in rules.opd_variables and "Task_01" not in rules.opd_variables
    assert rules.context_views == {"Task_13": "capaian"}
    assert rules.context_keys[:2] == ("tahun_anggaran", "judul")
    assert SopRules.from_dict(rules.to_dict()) == rules


def test_an_opd_lane_without_its_variable_is_refused(session, now):
    problems = refusal(session, without_property(SOP_BPMN.read_text(), "opd_variable"), now)
    lanes = sorted(p["element_id"] for p in problems)
    assert lanes == ["Lane_Main_PJ", "Lane_OPD_PJ", "Lane_Periode_PJ"]
    assert "opd_variable" in problems[0]["message"] and "pj_kinerja" in problems[0]["message"]


def test_a_loop_into_a_call_activity_needs_a_declared_period(session, now):
    problems = refusal(session, without_property(SOP_BPMN.read_text(), "opens_period"), now)
    assert [p["element_id"] for p in problems] == ["Call_Periode"]
    assert "opens_period" in problems[0]["message"]


def test_a_period_flag_in_the_wrong_place_is_refused(session, now):
    text = SOP_BPMN.read_text().replace(
        '<spiffworkflow:property name="form_key" value="pengolahan-data"/>',
        '<spiffworkflow:property name="form_key" value="pengolahan-data"/>'
        '<spiffworkflow:property name="opens_period" value="true"/>',
    )
    problems = refusal(session, text, now)
    assert [p["element_id"] for p in problems] == ["Task_13"]


def test_an_opd_variable_on_a_lane_of_no_opd_role_is_refused(session, now):
    text = SOP_BPMN.read_text().replace(
        '<bpmn:lane id="Lane_Main_Tim" name="Tim Pengelolaan Kelembagaan UKPBJ">',
        '<bpmn:lane id="Lane_Main_Tim" name="Tim Pengelolaan Kelembagaan UKPBJ">'
        "<bpmn:extensionElements><spiffworkflow:properties>"
        '<spiffworkflow:property name="opd_variable" value="opd"/>'
        "</spiffworkflow:properties></bpmn:extensionElements>",
    )
    assert [p["element_id"] for p in refusal(session, text, now)] == ["Lane_Main_Tim"]


def test_an_unknown_view_or_a_bad_context_key_is_refused(session, now):
    text = (
        SOP_BPMN.read_text()
        .replace('value="capaian"', 'value="grafik"')
        .replace('value="tahun_anggaran judul', 'value="tahun-anggaran judul')
    )
    problems = {p["element_id"]: p["message"] for p in refusal(session, text, now)}
    assert "grafik" in problems["Task_13"]
    assert "tahun-anggaran" in problems["sop_pengelolaan_kinerja"]


def test_a_period_beside_a_parallel_branch_is_refused(session, now):
    text = (FIXTURES / "period-beside-parallel-branch.bpmn").read_text()
    problems = refusal(session, text, now)
    assert [p["element_id"] for p in problems] == ["Call_Period"]
    assert "gateway 'Split'" in problems[0]["message"]


def test_a_period_with_a_boundary_timer_deploys(session, now):
    version = deploy_text(session, (FIXTURES / "period-with-boundary-timer.bpmn").read_text(), now)
    assert versions.content_of(session, version).rules.period_activities == {"Call_Period"}


def test_a_diagram_that_needs_no_rule_declares_none(session, now):
    text = (FIXTURES / "period-with-boundary-timer.bpmn").read_text()
    text = text.replace('<bpmn:outgoing>FLoop</bpmn:outgoing>', "")
    text = re.sub(r'<bpmn:sequenceFlow id="FLoop".*?</bpmn:sequenceFlow>', "", text, flags=re.S)
    text = text.replace("<bpmn:incoming>FLoop</bpmn:incoming>", "")
    version = deploy_text(session, without_property(text, "opens_period"), now)
    assert versions.content_of(session, version).rules == SopRules()


def test_reserved_ids_are_refused(session, now):
    text = (FIXTURES / "period-with-boundary-timer.bpmn").read_text().replace('"Mulai"', '"Start"')
    text = text.replace(">Mulai<", ">Start<")
    assert "Start" in {p["element_id"] for p in refusal(session, text, now)}
