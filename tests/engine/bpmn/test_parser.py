"""Loading and linting uploaded BPMN: hostile inputs refused, a valid SOP described."""

from __future__ import annotations

import codecs
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.expressions import RestrictedScriptEngine
from engine.bpmn.parser import ActivityInfo, build_specs, load_xml, validate_diagram
from engine.errors import InvalidDiagramError, PayloadTooLargeError

ZONE = ZoneInfo("Asia/Jakarta")

SHARED = Path(__file__).parents[3] / ".." / "shared" / "conformance"
LANE_ROLES = {"Tim Kelembagaan": "tim_kelembagaan", "Kepala UKPBJ": "kepala_ukpbj"}
FORM_KEYS = {"usulan", "telaah"}
MAX_BYTES = 1_000_000
# The byte scan cannot see this DOCTYPE; the check of the parsed tree must.
UTF7_DOCTYPE = (
    b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE x +AFs-+ADw-!ENTITY a +ACI-b+ACI-'
    b'+AD4-+AF0-+AD4-<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
    b"&a;</bpmn:definitions>"
)

VALID = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs" targetNamespace="http://example.org/alur">
  <bpmn:process id="p_main" name="SOP" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_tim" name="Tim Kelembagaan">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>ut_usulan</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>gw</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_no</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_kepala" name="Kepala UKPBJ">
        <bpmn:flowNodeRef>timer</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>ut_telaah</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_yes</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="ut_usulan" name="Susun usulan">
      <bpmn:documentation>Tim menyusun usulan.</bpmn:documentation>
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="sop_step" value="1"/>
          <spiffworkflow:property name="waktu_hari_kerja" value="3"/>
          <spiffworkflow:property name="form_key" value="usulan"/>
          <spiffworkflow:property name="kelengkapan" value="Surat usulan"/>
          <spiffworkflow:property name="output" value="Draf usulan"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" default="f_no"/>
    <bpmn:intermediateCatchEvent id="timer">
      <bpmn:timerEventDefinition id="timer_def">
        <bpmn:timeDate>deadline</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="ut_telaah" name="Telaah usulan">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="sop_step" value="2"/>
          <spiffworkflow:property name="waktu_hari_kerja" value="1"/>
          <spiffworkflow:property name="form_key" value="telaah"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end_yes"/>
    <bpmn:endEvent id="end_no"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ut_usulan"/>
    <bpmn:sequenceFlow id="f2" sourceRef="ut_usulan" targetRef="gw"/>
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="timer">
      <bpmn:conditionExpression>decision == "yes"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="end_no"/>
    <bpmn:sequenceFlow id="f3" sourceRef="timer" targetRef="ut_telaah"/>
    <bpmn:sequenceFlow id="f4" sourceRef="ut_telaah" targetRef="end_yes"/>
  </bpmn:process>
</bpmn:definitions>
"""


def validate(text: str, **overrides):
    options = {"lane_roles": LANE_ROLES, "form_keys": FORM_KEYS, "max_bytes": MAX_BYTES}
    return validate_diagram(text.encode(), **(options | overrides))


def problems_of(text: str, **overrides) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidDiagramError) as caught:
        validate(text, **overrides)
    assert caught.value.code == "invalid_diagram"
    problems = caught.value.details["problems"]
    assert caught.value.message == f"The diagram was refused: {len(problems)} problem(s)"
    return [(problem["element_id"], problem["message"]) for problem in problems]


def test_valid_diagram_is_described():
    parsed = validate(VALID)
    assert parsed.main_process_id == "p_main"
    assert parsed.process_ids == ["p_main"]
    assert parsed.lanes == LANE_ROLES
    assert set(parsed.activities) == {"ut_usulan", "ut_telaah"}
    assert parsed.activities["ut_usulan"] == ActivityInfo(
        element_id="ut_usulan", name="Susun usulan", process_id="p_main",
        lane="Tim Kelembagaan", role="tim_kelembagaan", sop_step="1", waktu_hari_kerja=3,
        form_key="usulan", documentation="Tim menyusun usulan.", kelengkapan="Surat usulan",
        output="Draf usulan", is_multi_instance=False,
    )
    telaah = parsed.activities["ut_telaah"]
    assert (telaah.role, telaah.waktu_hari_kerja, telaah.kelengkapan) == ("kepala_ukpbj", 1, "")


def test_build_specs_keeps_spiff_extension_properties():
    spec, subprocesses = build_specs(load_xml(VALID.encode(), max_bytes=MAX_BYTES))
    assert spec.name == "p_main"
    assert subprocesses == {}
    task_spec = spec.task_specs["ut_usulan"]
    assert task_spec.extensions["properties"]["form_key"] == "usulan"
    assert task_spec.lane == "Tim Kelembagaan"


def run_valid_diagram(data: dict) -> BpmnWorkflow:
    spec, subprocesses = build_specs(load_xml(VALID.encode(), max_bytes=MAX_BYTES))
    workflow = BpmnWorkflow(spec, subprocesses, script_engine=RestrictedScriptEngine(zone=ZONE))
    workflow.do_engine_steps()
    [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()
    workflow.refresh_timers()
    workflow.do_engine_steps()
    return workflow


def test_restricted_engine_runs_gateway_and_timer_of_a_valid_diagram():
    workflow = run_valid_diagram({"decision": "yes", "deadline": "2000-01-01T00:00:00+00:00"})
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert [task.task_spec.bpmn_id for task in ready] == ["ut_telaah"]
    assert run_valid_diagram({"decision": "no"}).is_completed()


def test_unmapped_lane_is_refused_naming_the_lane_id():
    roles = {"Tim Kelembagaan": "tim_kelembagaan"}
    assert problems_of(VALID, lane_roles=roles) == [
        ("lane_kepala", "lane 'Kepala UKPBJ' has no role mapping"),
        ("ut_telaah", "user task is in lane 'Kepala UKPBJ', which has no role"),
    ]


def test_missing_form_key_is_refused():
    text = VALID.replace('<spiffworkflow:property name="form_key" value="telaah"/>', "")
    assert problems_of(text) == [("ut_telaah", "user task has no 'form_key' property")]


def test_unknown_form_is_refused():
    assert problems_of(VALID, form_keys={"usulan"}) == [
        ("ut_telaah", "form 'telaah' does not exist")
    ]


def test_start_event_form_must_exist_too():
    start = """<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="form_key" value="mulai"/>
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>"""
    text = VALID.replace('<bpmn:startEvent id="start"/>', start)
    assert problems_of(text) == [("start", "form 'mulai' does not exist")]
    assert validate(text, form_keys=FORM_KEYS | {"mulai"}).main_process_id == "p_main"


def test_all_problems_are_collected_at_once():
    text = (
        VALID.replace('value="3"', 'value="-1"')
        .replace('name="sop_step" value="2"', 'name="sop_step" value=""')
        .replace("<bpmn:flowNodeRef>ut_telaah</bpmn:flowNodeRef>", "")
        .replace("<bpmn:timeDate>deadline</bpmn:timeDate>", "<bpmn:timeDate>x.y</bpmn:timeDate>")
        .replace('decision == "yes"', "open('x')")
    )
    assert problems_of(text) == [
        ("timer", "attribute access is not allowed"),
        ("f_yes", "function call 'open' is not allowed"),
        ("ut_usulan", "property 'waktu_hari_kerja' must be a whole number of days (1 or more)"),
        ("ut_telaah", "user task is not in a lane"),
        ("ut_telaah", "user task has no 'sop_step' property"),
    ]


def test_scripts_services_and_rules_are_refused():
    extra = """
    <bpmn:serviceTask id="svc"/>
    <bpmn:businessRuleTask id="rule"/>
    <bpmn:sendTask id="send" implementation="##WebService"/>
    <bpmn:manualTask id="manual">
      <bpmn:extensionElements>
        <spiffworkflow:preScript>import os</spiffworkflow:preScript>
      </bpmn:extensionElements>
    </bpmn:manualTask>
  </bpmn:process>"""
    problems = problems_of(VALID.replace("</bpmn:process>", extra))
    assert problems[:4] == [
        ("svc", "service tasks are not supported"),
        ("rule", "business rule tasks are not supported"),
        ("send", "sendTask with an implementation is not supported"),
        ("manual", "pre/post scripts are not allowed"),
    ]


def test_non_executable_diagram_is_refused():
    text = VALID.replace('isExecutable="true"', 'isExecutable="false"')
    assert problems_of(text) == [("defs", "the diagram has no executable process")]


def test_spiff_validation_errors_name_the_element():
    text = VALID.replace('<bpmn:startEvent id="start"/>', "")
    text = text.replace('<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ut_usulan"/>', "")
    assert problems_of(text) == [("p_main", "No start event found")]


def test_main_process_is_the_one_not_called():
    called = """<bpmn:process id="p_sub" isExecutable="true">
    <bpmn:startEvent id="sub_start"/>
  </bpmn:process>
  <bpmn:process id="p_main" """
    text = VALID.replace('<bpmn:process id="p_main" ', called).replace(
        '<bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="end_no"/>',
        """<bpmn:callActivity id="call" calledElement="p_sub"/>
        <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="call"/>
        <bpmn:sequenceFlow id="f_call" sourceRef="call" targetRef="end_no"/>""",
    )
    parsed = validate(text)
    assert parsed.main_process_id == "p_main"
    assert parsed.process_ids == ["p_sub", "p_main"]
    assert parsed.activities["call"].lane is None
    spec, subprocesses = build_specs(parsed.root)
    assert spec.name == "p_main"
    assert set(subprocesses) == {"p_sub"}


def test_oversize_upload_is_refused_before_parsing():
    with pytest.raises(PayloadTooLargeError) as caught:
        load_xml(VALID.encode(), max_bytes=100)
    assert (caught.value.code, caught.value.status) == ("bpmn_too_large", 413)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<bpmn:definitions", "bpmn_malformed"),
        (b"", "bpmn_malformed"),
        (b'<?xml version="1.0"?><root/>', "bpmn_not_bpmn"),
        (b'<!doctype x><x/>', "bpmn_doctype_forbidden"),
        (b"<x>\n<!ENTITY a 'b'>\n</x>", "bpmn_doctype_forbidden"),
        (codecs.BOM_UTF16_LE + '<!DOCTYPE x []><x/>'.encode("utf-16-le"), "bpmn_doctype_forbidden"),
        ('<!DOCTYPE x []><x/>'.encode("utf-16-be"), "bpmn_doctype_forbidden"),
        ('<!DOCTYPE x []><x/>'.encode("utf-32"), "bpmn_doctype_forbidden"),
        (UTF7_DOCTYPE, "bpmn_doctype_forbidden"),
    ],
)
def test_load_xml_refuses_bad_input_with_a_code(data, code):
    with pytest.raises(InvalidDiagramError) as caught:
        load_xml(data, max_bytes=MAX_BYTES)
    assert caught.value.code == code


def test_malformed_xml_reports_the_line():
    with pytest.raises(InvalidDiagramError) as caught:
        load_xml(VALID.replace("</bpmn:process>", "").encode(), max_bytes=MAX_BYTES)
    assert caught.value.details["line"] > 1


def test_miwg_reference_files_load():
    files = sorted((SHARED / "miwg-reference").glob("*.bpmn"))
    if not files:
        pytest.skip(f"../shared not present: {SHARED / 'miwg-reference'}")
    for path in files:
        root = load_xml(path.read_bytes(), max_bytes=10_000_000)
        assert root.get("id"), path.name


def test_process_without_id_is_a_problem_not_a_crash():
    """Nothing can refer to a nameless process and the engine cannot name its spec."""
    text = VALID.replace('<bpmn:process id="p_main"', "<bpmn:process", 1)
    assert text != VALID
    assert (None, "a process has no id") in problems_of(text)


def test_spiffworkflow_value_errors_become_problems():
    """SpiffWorkflow's parser raises a bare ValueError on bounds that are not numbers."""
    sop = Path(__file__).parents[3] / "bpmn" / "sop-pengelolaan-kinerja.bpmn"
    text = sop.read_text(encoding="utf-8").replace('x="', 'x="abc', 1)
    forms = {path.name.removesuffix(".form.json")
             for path in (sop.parents[1] / "forms").glob("*.form.json")}
    with pytest.raises(InvalidDiagramError) as refused:
        validate(text, form_keys=forms, lane_roles={})
    rules = {problem["rule"] for problem in refused.value.details["problems"]}
    assert "alur/engine" in rules
