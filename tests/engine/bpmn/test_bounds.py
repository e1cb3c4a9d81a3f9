"""Diagrams that must not take the server down (issue 8): refused at deploy, bounded at run.

The deploy checks are shown on variants of our own SOP, each made from the shipped XML by a
small edit below; the run-time bounds on small diagrams (tests/fixtures/diagrams) started
straight through BpmnRuntime, past the deploy checks that would refuse them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from engine.bpmn.bounds import bound_problems, strongly_connected
from engine.bpmn.limits import Limits
from engine.bpmn.parser import validate_diagram
from engine.bpmn.runtime import BpmnRuntime, complete_user_task
from engine.bpmn.timers import cycle_problems, duration_problems
from engine.errors import DiagramRunError, InvalidDiagramError
from engine.forms import load_forms
from engine.services.deployments import load_lane_roles
from tests.support import SOP_BPMN, SOP_FORMS, SOP_LANE_ROLES

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN}
DIAGRAMS = Path(__file__).resolve().parents[2] / "fixtures" / "diagrams"
T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
LIMITS = Limits()


# ---- SOP variants ------------------------------------------------------------------------

def sop_variant(change: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(SOP_BPMN.read_bytes())
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def element(root: etree._Element, element_id: str) -> etree._Element:
    return root.xpath("//*[@id=$id]", id=element_id)[0]


def add(parent: etree._Element, tag: str, text: str | None = None, **attributes):
    child = etree.SubElement(parent, f"{{{BPMN}}}{tag}", **attributes)
    child.text = text
    return child


def refusals(data: bytes) -> list[tuple[str | None, str]]:
    """Deploy's validation of `data` with the SOP's lanes and forms: its problems."""
    with pytest.raises(InvalidDiagramError) as refused:
        validate_diagram(data, lane_roles=load_lane_roles(SOP_LANE_ROLES),
                         form_keys=set(load_forms(SOP_FORMS)), max_bytes=5_000_000)
    return [(p["element_id"], p["message"]) for p in refused.value.details["problems"]]


def count_of_copies(text: str) -> Callable[[etree._Element], None]:
    """Row 10's multi-instance counts `text` copies instead of one per OPD taking part."""
    def change(root):
        loop = element(root, "Task_10").find("bpmn:multiInstanceLoopCharacteristics", NS)
        count = etree.Element(f"{{{BPMN}}}loopCardinality")
        count.text = text
        loop.replace(loop.find("bpmn:loopDataInputRef", NS), count)
    return change


def test_the_sop_itself_has_no_bound_problem():
    root = etree.fromstring(SOP_BPMN.read_bytes())
    assert bound_problems(root, LIMITS) == []


def test_a_huge_literal_loop_count_is_refused_naming_the_task():
    problems = refusals(sop_variant(count_of_copies("1000000000")))
    assert ("Task_10", "userTask '10. Memetakan paket per area strategis': loopCardinality "
            "1000000000 is more than the 200 copies allowed") in problems


def test_a_count_computed_from_literals_is_a_literal_too():
    problems = refusals(sop_variant(count_of_copies("100000 * 100000")))
    assert any(element_id == "Task_10" and "10000000000 is more than" in message
               for element_id, message in problems)


@pytest.mark.parametrize("text", ["200", "len(opd_peserta)"])
def test_a_count_within_the_cap_or_from_data_is_not_a_bound_problem(text):
    root = etree.fromstring(sop_variant(count_of_copies(text)))
    assert bound_problems(root, LIMITS) == []


def perbaiki_loops_back_to_its_gateway(root):
    """The "Perbaiki" branch of row 6 goes to a new gateway that returns to row 6's gateway
    instead of to row 1: a loop with nobody in it."""
    process = element(root, "GW_06").getparent()
    add(process, "exclusiveGateway", id="GW_ulang", name="Ulangi keputusan")
    element(root, "F6b").set("targetRef", "GW_ulang")
    add(process, "sequenceFlow", id="F_ulang", sourceRef="GW_ulang", targetRef="GW_06")


def test_a_cycle_of_gateways_without_a_wait_is_refused_naming_its_elements():
    problems = refusals(sop_variant(perbaiki_loops_back_to_its_gateway))
    [(element_id, message)] = [p for p in problems if "go round" in p[1]]
    assert element_id == "GW_06"
    assert "GW_06 (exclusiveGateway 'Rencana disetujui?')" in message
    assert "GW_ulang (exclusiveGateway 'Ulangi keputusan')" in message
    assert "without a wait" in message


def period_without_people(root):
    """The reporting period calls a process with nothing in it to wait for: the SOP's
    loop back into the call activity (17b) then never waits."""
    call = element(root, "Call_Periode")
    call.set("calledElement", "periode_kosong")
    empty = add(root, "process", id="periode_kosong", name="Periode kosong", isExecutable="true")
    add(empty, "startEvent", id="K_Start")
    add(empty, "endEvent", id="K_End")
    add(empty, "sequenceFlow", id="K0", sourceRef="K_Start", targetRef="K_End")


def test_a_call_activity_waits_only_if_its_process_waits():
    problems = refusals(sop_variant(period_without_people))
    cycles = [p for p in problems if "go round" in p[1]]
    assert len(cycles) == 1 and cycles[0][0] == "GW_merge"
    assert "Call_Periode (callActivity 'Periode pelaporan (11-17)')" in cycles[0][1]


def strongly_connected_sets(edges: dict[str, list[str]]) -> set[frozenset]:
    return {frozenset(c) for c in strongly_connected(list(edges), edges)}


def test_cycles_are_found_however_the_graph_is_entered():
    edges = {"a": ["b"], "b": ["c", "a"], "c": ["d"], "d": ["c"], "e": ["e"], "f": []}
    assert strongly_connected_sets(edges) == {
        frozenset("ab"), frozenset("cd"), frozenset("e"), frozenset("f")}
    long = {str(i): [str(i + 1)] for i in range(5000)} | {"5000": ["0"]}
    assert strongly_connected_sets(long) == {frozenset(long)}  # no recursion limit


def timer_12(kind: str, text: str) -> Callable[[etree._Element], None]:
    """Row 12's timer (the end of the period) becomes a `kind` timer of `text`."""
    def change(root):
        definition = element(root, "TimerEventDefinition_12")
        for child in list(definition):
            definition.remove(child)
        add(definition, kind, text)
    return change


@pytest.mark.parametrize(("text", "expected"), [
    ('"R/PT0S"', "the interval 'PT0S' must be longer than zero"),
    ('"R3/PT-5M"', "the interval 'PT-5M' is not an ISO 8601 duration"),
    ('"R3/PT10S"', "the interval 'PT10S' is shorter than the minimum of 60 seconds"),
    ('"R/P1D"', "a cycle must say how often it repeats"),
    ('"R5000/P1D"', "the cycle repeats 5000 times; at most 1000 are allowed"),
    ('"tiap hari"', "'tiap hari' is not an ISO 8601 cycle"),
])
def test_bad_timer_cycles_are_refused_naming_the_event(text, expected):
    problems = refusals(sop_variant(timer_12("timeCycle", text)))
    assert any(element_id == "Timer_12" and message.startswith(
        "intermediateCatchEvent 'Akhir periode pelaporan': timeCycle: ") and expected in message
        for element_id, message in problems), problems


@pytest.mark.parametrize(("kind", "text"), [
    ("timeDuration", '"P-1D"'), ("timeDuration", '"P20Y"'), ("timeDuration", '"PT"'),
    ("timeDate", '"besok"'),
])
def test_bad_durations_and_dates_are_refused(kind, text):
    problems = refusals(sop_variant(timer_12(kind, text)))
    assert any(element_id == "Timer_12" and f": {kind}: " in message
               for element_id, message in problems), problems


@pytest.mark.parametrize(("kind", "text"), [
    ("timeCycle", '"R3/P1D"'), ("timeCycle", '"R2/2026-01-01T00:00:00/PT1H"'),
    ("timeDuration", '"P3D"'), ("timeDuration", '"PT0S"'), ("timeCycle", "siklus"),
])
def test_sane_timers_and_timers_from_data_pass(kind, text):
    root = etree.fromstring(sop_variant(timer_12(kind, text)))
    assert bound_problems(root, LIMITS) == []


def test_cycle_and_duration_rules_follow_the_settings():
    strict = Limits(min_timer_cycle_seconds=3600, max_timer_repetitions=2)
    assert cycle_problems("R2/PT1H", strict) == []
    assert cycle_problems("R3/PT1H", strict) and cycle_problems("R2/PT59M", strict)
    assert duration_problems("P1W", strict) == [] and duration_problems("P1W2D", strict)


def conditions_from_other_modelers(root):
    """Conditions as Camunda 8 (FEEL), Camunda 7 (JUEL) and Activiti would write them."""
    for flow_id, text in [("F6a", '=keputusan_rencana = "setujui"'),
                          ("F6b", "${keputusan_rencana == 'x'}"),
                          ("F17a", "#{keputusan_periode}")]:
        element(root, flow_id).find("bpmn:conditionExpression", NS).text = text


def test_conditions_in_another_language_say_which_language_is_read_here():
    problems = dict(refusals(sop_variant(conditions_from_other_modelers)))
    assert problems["F6a"].startswith("sequenceFlow 'Setujui': this looks like a FEEL expression")
    assert problems["F6b"].startswith("sequenceFlow 'Perbaiki': this looks like a JUEL/EL")
    assert "JUEL/EL" in problems["F17a"] and "(a) Rekomendasi disetujui" in problems["F17a"]
    for message in problems.values():
        assert 'restricted Python-like expressions' in message
        assert 'keputusan == "setuju"' in message
        assert "invalid syntax" not in message


# ---- run-time bounds ---------------------------------------------------------------------

def runtime(**limits) -> BpmnRuntime:
    return BpmnRuntime(zone=ZoneInfo("Asia/Jakarta"), max_bpmn_bytes=1_000_000,
                       limits=Limits(**limits))


def specs_of(rt: BpmnRuntime, name: str):
    return rt.parse_specs((DIAGRAMS / name).read_text(encoding="utf-8"))


def test_a_loop_without_wait_is_stopped_after_the_step_budget():
    rt = runtime(max_engine_steps=50)
    told = []
    with pytest.raises(DiagramRunError) as stopped:
        rt.start(specs_of(rt, "gateway-loop.bpmn"), {"selesai": False}, T0,
                 on_run_error=told.append)
    assert stopped.value.code == "engine_steps_exceeded"
    assert stopped.value.status == 422
    assert stopped.value.details["limit"] == 50
    assert stopped.value.details["element_id"] in {"GW_a", "GW_b"}
    assert told == [stopped.value]  # the services record it on the instance from here


def test_the_same_diagram_runs_when_it_does_not_loop():
    rt = runtime(max_engine_steps=50)
    live = rt.start(specs_of(rt, "gateway-loop.bpmn"), {"selesai": True}, T0)
    assert live.workflow.completed


@pytest.mark.parametrize(("count", "code"), [
    (10**9, "loop_cardinality_exceeded"), (2.5, "loop_not_countable"),
])
def test_a_loop_count_from_data_is_checked_before_any_copy_is_made(count, code):
    rt = runtime(max_loop_cardinality=20)
    with pytest.raises(DiagramRunError) as stopped:
        rt.start(specs_of(rt, "loop-from-data.bpmn"), {"jumlah": count}, T0)
    assert stopped.value.code == code
    assert stopped.value.details["element_id"] == "Laporan"
    assert stopped.value.details["element_name"] == "Laporan per salinan"


def test_a_loop_count_within_the_cap_makes_its_copies():
    rt = runtime(max_loop_cardinality=20)
    live = rt.start(specs_of(rt, "loop-from-data.bpmn"), {"jumlah": 20}, T0)
    ready = [t for t in live.workflow.get_tasks() if t.task_spec.bpmn_id == "Laporan"
             and t.task_spec.manual and t.state == 16]  # TaskState.READY
    assert len(ready) == 20


@pytest.mark.parametrize("cycle", ["R/PT0S", "R3/PT-5M", "setiap hari"])
def test_a_timer_cycle_from_data_that_makes_no_sense_stops_the_step(cycle):
    """Completing the task before the timer answered 500 (SpiffWorkflow raised a bare
    Exception, or looped); now the step stops with a DiagramRunError naming the event."""
    rt = runtime()
    live = rt.start(specs_of(rt, "timer-from-data.bpmn"), {}, T0)
    [task] = [t for t in live.workflow.get_tasks() if t.task_spec.bpmn_id == "Isi"
              and t.state == 16]
    with pytest.raises(DiagramRunError) as stopped:
        complete_user_task(live, task, {"siklus": cycle})
    assert stopped.value.code == "timer_invalid"
    assert stopped.value.details["element_id"] == "Pengingat"
    assert stopped.value.details["problems"]


def test_a_sane_timer_cycle_from_data_waits():
    rt = runtime()
    live = rt.start(specs_of(rt, "timer-from-data.bpmn"), {}, T0)
    [task] = [t for t in live.workflow.get_tasks() if t.task_spec.bpmn_id == "Isi"
              and t.state == 16]
    complete_user_task(live, task, {"siklus": "R2/P1D"})
    assert not live.workflow.completed
