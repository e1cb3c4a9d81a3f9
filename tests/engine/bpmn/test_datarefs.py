"""Data items: unique ids in the file, variable names in `name`, ids rewritten for Spiff."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.datarefs import normalised_copy, reference_problems
from engine.bpmn.expressions import RestrictedScriptEngine
from engine.bpmn.parser import build_specs, load_xml, validate_diagram
from engine.errors import InvalidDiagramError
from engine.services import deployments

ZONE = ZoneInfo("Asia/Jakarta")

ROOT = Path(__file__).resolve().parents[3]
SOP_BPMN = ROOT / "bpmn" / "sop-pengelolaan-kinerja.bpmn"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN}
MAX_BYTES = 5_000_000
DATA_ITEMS = ("dataInput", "dataOutput", "inputDataItem", "outputDataItem", "dataObject")
REF_TAGS = (
    "loopDataInputRef", "loopDataOutputRef", "dataInputRefs", "dataOutputRefs",
)


def tag(name: str) -> str:
    return f"{{{BPMN}}}{name}"


def sop_root() -> etree._Element:
    return load_xml(SOP_BPMN.read_bytes(), max_bytes=MAX_BYTES)


def data_items(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(*(tag(name) for name in DATA_ITEMS)))


# --- the shipped diagram ---------------------------------------------------------------


def test_shipped_diagram_has_unique_ids():
    ids = Counter(node.get("id") for node in sop_root().iter(etree.Element) if node.get("id"))
    assert [item for item, count in ids.items() if count > 1] == []


def test_shipped_diagram_passes_the_bpmn_xsd():
    validator = BpmnValidator()
    document = etree.parse(str(SOP_BPMN))
    validator.preprocess(document.getroot())
    valid = validator.validator.validate(document)
    assert [error.message for error in validator.validator.error_log] == []
    assert valid


def test_shipped_diagram_keeps_variable_names_in_name_and_resolves_every_reference():
    root = sop_root()
    items = data_items(root)
    assert items and all(item.get("name") and item.get("id") != item.get("name") for item in items)
    assert reference_problems(root) == []
    ids = {node.get("id") for node in root.iter(etree.Element)}
    refs = [node.text for node in root.iter(*(tag(name) for name in REF_TAGS))]
    assert refs and all(ref in ids for ref in refs)


def test_shipped_diagram_is_accepted_at_deploy():
    parsed = validate_diagram(
        SOP_BPMN.read_bytes(),
        lane_roles=deployments.load_lane_roles(ROOT / "bpmn" / "lane-roles.toml"),
        form_keys=set(deployments.load_forms_dir(ROOT / "forms")),
        max_bytes=MAX_BYTES,
    )
    assert parsed.main_process_id == "sop_pengelolaan_kinerja"


def test_spiff_sees_variable_names_and_no_declaration_only_data_objects():
    spec, subprocesses = build_specs(sop_root())
    task_10 = spec.task_specs["Task_10"]
    assert (task_10.data_input.bpmn_id, task_10.data_output.bpmn_id) == (
        "opd_peserta", "pemetaan_opd",
    )
    assert (task_10.input_item.bpmn_id, task_10.output_item.bpmn_id) == ("opd", "pemetaan")
    call_opd = subprocesses["periode_pelaporan"].task_specs["Call_OPD"]
    assert (call_opd.data_input.bpmn_id, call_opd.data_output.bpmn_id) == (
        "opd_peserta", "laporan_periode",
    )
    assert (call_opd.input_item.bpmn_id, call_opd.output_item.bpmn_id) == ("opd", "laporan")
    periode = subprocesses["periode_pelaporan"].io_specification
    assert [ref.bpmn_id for ref in periode.data_inputs] == ["opd_peserta", "akhir_periode"]
    assert [ref.bpmn_id for ref in periode.data_outputs] == [
        "laporan_periode", "keputusan_periode", "akhir_periode", "rekomendasi_disetujui",
    ]
    laporan = subprocesses["laporan_opd"].io_specification
    assert [ref.bpmn_id for ref in laporan.data_inputs] == ["opd", "akhir_periode"]
    assert [ref.bpmn_id for ref in laporan.data_outputs] == ["laporan"]
    # The dataObjects only declare Task_10's collections: Spiff must not turn them into
    # workflow data objects (they would appear in workflow.data and feed expressions).
    assert spec.data_objects == {}


def test_normalised_copy_leaves_the_tree_untouched():
    root = sop_root()
    before = etree.tostring(root)
    tree = normalised_copy(root)
    assert etree.tostring(root) == before
    assert tree is not root
    assert {item.get("id") for item in data_items(tree)} == {
        "opd", "pemetaan", "opd_peserta", "akhir_periode", "laporan_periode",
        "keputusan_periode", "rekomendasi_disetujui", "laporan",
    }
    assert tree.find(".//bpmn:dataObject", NS) is None
    refs = {node.text for node in tree.iter(*(tag(name) for name in REF_TAGS))}
    assert refs == {
        "opd_peserta", "pemetaan_opd", "laporan_periode", "akhir_periode", "opd",
        "keputusan_periode", "rekomendasi_disetujui", "laporan",
    }


# --- renamed ids run the same ------------------------------------------------------------


def renamed(new_id) -> bytes:
    """The shipped diagram with every data item's id replaced by new_id(item, n)."""
    root = sop_root()
    mapping = {}
    for n, item in enumerate(data_items(root)):
        assert item.get("id") not in mapping
        mapping[item.get("id")] = new_id(item, n)
        item.set("id", mapping[item.get("id")])
    for ref in root.iter(*(tag(name) for name in REF_TAGS)):
        ref.text = mapping[ref.text]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class Driver:
    """Completes the SOP's user tasks by element id, recording what every ready task sees."""

    def __init__(self, data: bytes):
        spec, subprocesses = build_specs(load_xml(data, max_bytes=MAX_BYTES))
        engine = RestrictedScriptEngine(zone=ZONE)
        self.workflow = BpmnWorkflow(spec, subprocesses, script_engine=engine)
        self.workflow.do_engine_steps()
        self.trace: list = []

    def ready(self) -> list:
        tasks = self.workflow.get_tasks(state=TaskState.READY)
        return [task for task in tasks if task.task_spec.manual]

    def complete(self, element_id: str, times: int = 1, **data) -> None:
        for _ in range(times):
            task = next(t for t in self.ready() if t.task_spec.bpmn_id == element_id)
            task.set_data(**data)
            task.run()
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps()
            self.trace.append((element_id, sorted(
                (t.task_spec.bpmn_id, json.dumps(t.data, sort_keys=True, default=str))
                for t in self.ready()
            )))


def run_sop(data: bytes) -> list:
    """Drive the SOP: a rejected plan, 2 OPDs, then periods decided a, b and c."""
    sop = Driver(data)
    for decision in ("perbaiki", "setujui"):
        for step in range(1, 6):
            sop.complete(f"Task_{step:02d}")
        sop.complete("Task_06", keputusan_rencana=decision)
    sop.complete("Task_07", opd_peserta=["OPD_A", "OPD_B"])
    sop.complete("Task_08")
    sop.complete("Task_09", akhir_periode="2020-01-31")
    for opd in ("OPD_A", "OPD_B"):
        sop.complete("Task_10", pemetaan={"paket": [opd]})
    ends = ["2020-02-28", "2020-03-31", "2020-04-30"]
    for period, decision in enumerate("abc"):
        sop.complete("Task_11", times=2)
        sop.complete("Task_12", times=2, laporan={"periode": period})
        for step in range(13, 17):
            sop.complete(f"Task_{step}")
        sop.complete(
            "Task_17", keputusan_periode=decision, akhir_periode=ends[period],
            rekomendasi_disetujui="ya" if decision == "a" else None,
        )
        if decision == "a":
            sop.complete("Task_17a")
    sop.complete("Task_17c")
    assert sop.workflow.completed
    return [*sop.trace, ("end", json.dumps(sop.workflow.data, sort_keys=True, default=str))]


def test_data_item_ids_do_not_matter_only_names_do():
    shipped = run_sop(SOP_BPMN.read_bytes())
    opaque = run_sop(renamed(lambda item, n: f"Item_{n:03d}"))
    legacy = run_sop(renamed(lambda item, n: item.get("name")))  # old style: id == name
    assert shipped == opaque == legacy
    # and the data really flows: one OPD per instance, each period's own end date,
    # the per-OPD reports collected, Task_10's mapping collected.
    task_11 = [json.loads(data) for step, ready in shipped[:-1] for bpmn_id, data in ready
               if bpmn_id == "Task_11" and step in ("Task_10", "Task_17", "Task_17a")]
    assert {(d["opd"], d["akhir_periode"]) for d in task_11} == {
        (opd, end)
        for opd in ("OPD_A", "OPD_B")
        for end in ("2020-01-31", "2020-02-28", "2020-03-31")
    }
    final = json.loads(shipped[-1][1])
    assert final["pemetaan_opd"] == [{"paket": ["OPD_A"]}, {"paket": ["OPD_B"]}]
    assert final["laporan_periode"] == [{"periode": 2}, {"periode": 2}]
    assert final["akhir_periode"] == "2020-04-30"


def test_a_stored_legacy_diagram_still_builds_but_is_refused_at_deploy():
    """Versions deployed before unique ids (id == name, shared ids) must keep running."""
    root = load_xml(renamed(lambda item, n: item.get("name")), max_bytes=MAX_BYTES)
    for obj in list(root.iter(tag("dataObject"))):
        obj.getparent().remove(obj)
    spec, subprocesses = build_specs(root)
    assert spec.task_specs["Task_10"].data_output.bpmn_id == "pemetaan_opd"
    problems = [{"element_id": p["element_id"], "message": p["message"]}
                for p in reference_problems(root)]
    assert {"element_id": "opd", "message": "id 'opd' is used by 3 elements; give each data "
            "item a unique id and put the variable name in its name"} in problems
    assert {"element_id": "Task_10", "message": "loopDataOutputRef 'pemetaan_opd' does not "
            "refer to any data item; declare a dataObject (or a dataInput/dataOutput) with "
            "that id"} in problems


# --- refusals ----------------------------------------------------------------------------

LANES = {"Tim": "tim_kelembagaan"}
FORMS = {"isi"}
SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs" targetNamespace="http://example.org/alur">
  <bpmn:process id="p_main" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_tim" name="Tim">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>ut</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:dataObject id="DataObject_items" name="items"/>
    <bpmn:dataObject id="DataObject_hasil" name="hasil"/>
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="ut" name="Isi">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="sop_step" value="1"/>
          <spiffworkflow:property name="waktu_hari_kerja" value="1"/>
          <spiffworkflow:property name="form_key" value="isi"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopDataInputRef>DataObject_items</bpmn:loopDataInputRef>
        <bpmn:loopDataOutputRef>DataObject_hasil</bpmn:loopDataOutputRef>
        <bpmn:inputDataItem id="InputItem_ut" name="item"/>
        <bpmn:outputDataItem id="OutputItem_ut" name="satu"/>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ut"/>
    <bpmn:sequenceFlow id="f2" sourceRef="ut" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def problems_of(text: str) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidDiagramError) as caught:
        validate_diagram(text.encode(), lane_roles=LANES, form_keys=FORMS, max_bytes=MAX_BYTES)
    assert caught.value.code == "invalid_diagram"
    problems = caught.value.details["problems"]
    assert {p["rule"] for p in problems} == {"alur/data-reference"}
    return [(p["element_id"], p["message"]) for p in problems]


def test_small_diagram_is_valid_and_runs_by_name():
    validate_diagram(SMALL.encode(), lane_roles=LANES, form_keys=FORMS, max_bytes=MAX_BYTES)
    spec, _ = build_specs(load_xml(SMALL.encode(), max_bytes=MAX_BYTES))
    workflow = BpmnWorkflow(spec, {}, script_engine=RestrictedScriptEngine(zone=ZONE))
    workflow.get_tasks(state=TaskState.READY)[0].data["items"] = ["x", "y"]
    workflow.do_engine_steps()
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        assert task.data["item"] in ("x", "y")
        task.set_data(satu=task.data["item"].upper())
        task.run()
    workflow.do_engine_steps()
    assert workflow.completed
    assert workflow.last_task.data["hasil"] == ["X", "Y"]
    assert "data_objects" not in workflow.data


def test_unresolved_loop_references_are_refused_at_deploy():
    text = SMALL.replace(
        "<bpmn:loopDataInputRef>DataObject_items<", "<bpmn:loopDataInputRef>items<"
    ).replace("<bpmn:loopDataOutputRef>DataObject_hasil<", "<bpmn:loopDataOutputRef><")
    assert problems_of(text) == [
        ("ut", "loopDataInputRef 'items' does not refer to any data item; declare a "
               "dataObject (or a dataInput/dataOutput) with that id"),
        ("ut", "empty loopDataOutputRef does not refer to any data item; declare a "
               "dataObject (or a dataInput/dataOutput) with that id"),
    ]


def test_loop_references_must_stay_in_their_process_and_point_at_data():
    other = """<bpmn:process id="p_other" isExecutable="false">
    <bpmn:dataObject id="DataObject_elsewhere" name="elsewhere"/>
  </bpmn:process>
</bpmn:definitions>"""
    text = (
        SMALL.replace("</bpmn:definitions>", other)
        .replace(">DataObject_items<", ">DataObject_elsewhere<")
        .replace(">DataObject_hasil<", ">OutputItem_ut<")
    )
    assert problems_of(text) == [
        ("ut", "loopDataInputRef 'DataObject_elsewhere' refers to a data item of another process"),
        ("ut", "loopDataOutputRef 'OutputItem_ut' refers to the outputDataItem of ut; it must "
               "refer to a dataInput, dataOutput or dataObject"),
    ]


def test_io_set_references_must_point_into_their_io_specification():
    io_spec = """<bpmn:ioSpecification>
      <bpmn:dataInput id="DataInput_a" name="a"/>
      <bpmn:dataOutput id="DataOutput_b" name="b"/>
      <bpmn:inputSet><bpmn:dataInputRefs>DataOutput_b</bpmn:dataInputRefs></bpmn:inputSet>
      <bpmn:outputSet><bpmn:dataOutputRefs>InputItem_ut</bpmn:dataOutputRefs></bpmn:outputSet>
    </bpmn:ioSpecification>
    <bpmn:laneSet id="lanes">"""
    text = SMALL.replace('<bpmn:laneSet id="lanes">', io_spec)
    assert problems_of(text) == [
        ("p_main", "dataInputRefs 'DataOutput_b' does not refer to a dataInput of the same "
                   "ioSpecification"),
        ("p_main", "dataOutputRefs 'InputItem_ut' does not refer to a dataOutput of the same "
                   "ioSpecification"),
    ]


def test_shared_data_item_ids_are_refused_at_deploy():
    text = SMALL.replace('id="OutputItem_ut"', 'id="InputItem_ut"')
    assert problems_of(text) == [
        ("InputItem_ut", "id 'InputItem_ut' is used by 2 elements; give each data item a "
                         "unique id and put the variable name in its name"),
    ]


def test_a_reference_to_an_id_shared_by_different_names_cannot_be_built():
    text = SMALL.replace('id="DataObject_hasil"', 'id="DataObject_items"')
    problems = problems_of(text)
    assert ("ut", "loopDataInputRef 'DataObject_items' is the id of several data items with "
                  "different names: ['hasil', 'items']") in problems
    with pytest.raises(InvalidDiagramError) as caught:
        build_specs(load_xml(text.encode(), max_bytes=MAX_BYTES))
    assert caught.value.code == "bpmn_invalid"


@pytest.mark.parametrize("name", ["nama item", "1item", "class", "item-2", "opd.nama", "ítem"])
def test_a_name_that_is_not_a_variable_name_is_refused(name):
    text = SMALL.replace('name="item"', f'name="{name}"')
    problem = (
        "InputItem_ut",
        f"inputDataItem 'InputItem_ut' of ut: name {name!r} is not a valid variable name "
        "(letters, digits and _, not starting with a digit)",
    )
    assert problems_of(text) == [problem]
    with pytest.raises(InvalidDiagramError) as caught:
        build_specs(load_xml(text.encode(), max_bytes=MAX_BYTES))
    assert caught.value.code == "bpmn_invalid"
    assert caught.value.details["problems"] == [
        {"element_id": problem[0], "rule": "alur/data-reference", "message": problem[1],
         "params": {"detail": problem[1]}}
    ]


def test_a_name_that_is_another_elements_id_is_refused():
    text = SMALL.replace('name="hasil"', 'name="f2"')
    assert problems_of(text) == [
        ("DataObject_hasil", "dataObject 'DataObject_hasil' of p_main: name 'f2' is also the "
                             "id of sequenceFlow 'f2'; rename one of them"),
    ]
