"""Comparing two diagrams element by element (engine/bpmn/compare.py).

Each test edits the shipped SOP the way a process owner would in the modeler and checks
that exactly that edit is reported, under the subject the diff page words it by.
"""

from __future__ import annotations

import pytest

from engine.bpmn.compare import compare_diagrams, describe, engine_changes, step_key
from engine.bpmn.parser import load_xml
from engine.services.deployments import load_lane_roles
from tests.support import SOP_BPMN, SOP_LANE_ROLES

SOP = SOP_BPMN.read_text(encoding="utf-8")
LANES = load_lane_roles(SOP_LANE_ROLES)


def diagram(xml: str, lane_roles=LANES):
    return describe(load_xml(xml.encode("utf-8"), max_bytes=10**7), lane_roles)


def compare(new_xml: str, old_xml: str = SOP, *, old_lanes=LANES, new_lanes=LANES) -> list[dict]:
    return compare_diagrams(diagram(old_xml, old_lanes), diagram(new_xml, new_lanes))


def edit(old: str, new: str, text: str = SOP, count: int = 1) -> str:
    assert text.count(old) >= count, f"{old!r} is not in the diagram"
    return text.replace(old, new, count)


def only(changes: list[dict]) -> dict:
    assert len(changes) == 1, changes
    return changes[0]


def summary(changes: list[dict]) -> list[tuple]:
    return [(c["kind"], c["element_id"], c["subject"], c["before"], c["after"]) for c in changes]


def test_the_same_diagram_has_no_changes():
    assert compare(SOP) == []


def test_waktu_of_row_6_is_one_change_named_by_its_step():
    change = only(compare(edit('name="waktu_hari_kerja" value="2"',
                               'name="waktu_hari_kerja" value="3"')))
    assert change == {
        "kind": "changed", "element_id": "Task_06", "element_type": "userTask",
        "sop_step": "6", "name": "6. Analisis dan persetujuan rencana kinerja",
        "subject": "property:waktu_hari_kerja", "before": "2", "after": "3",
        "form_key": None, "field": None, "field_label": None, "field_type": None,
    }


@pytest.mark.parametrize(("old", "new", "element", "subject", "before", "after"), [
    ('name="7. Mengirimkan surat edaran ke OPD"', 'name="7. Mengirim surat edaran"',
     "Task_07", "name", "7. Mengirimkan surat edaran ke OPD", "7. Mengirim surat edaran"),
    ('name="sop_step" value="8"', 'name="sop_step" value="8a"', "Task_08",
     "property:sop_step", "8", "8a"),
    ('value="undangan-sosialisasi"', 'value="undangan-baru"', "Task_08", "property:form_key",
     "undangan-sosialisasi", "undangan-baru"),
    ('<spiffworkflow:property name="deadline_group_entry" value="true"/>', "", "Task_01",
     "property:deadline_group_entry", "true", None),
    ('name="deadline_group" value="perencanaan"/>\n          <spiffworkflow:property '
     'name="kelengkapan"', 'name="deadline_group" value="rencana"/>\n          '
     '<spiffworkflow:property name="kelengkapan"', "Task_02", "property:deadline_group",
     "perencanaan", "rencana"),
    ('value="Persetujuan rencana dan target kinerja tahun berjalan"', 'value="Persetujuan"',
     "Task_06", "property:output", "Persetujuan rencana dan target kinerja tahun berjalan",
     "Persetujuan"),
    ('value="Dokumen perencanaan dan target kinerja tahun berjalan"', 'value="Dokumen"',
     "Task_06", "property:kelengkapan", "Dokumen perencanaan dan target kinerja tahun berjalan",
     "Dokumen"),
    ("<bpmn:documentation>Menyusun usulan baseline dan target kinerja</bpmn:documentation>",
     "<bpmn:documentation>Menyusun baseline</bpmn:documentation>", "Task_03", "documentation",
     "Menyusun usulan baseline dan target kinerja", "Menyusun baseline"),
    ('<spiffworkflow:property name="context_view" value="capaian"/>',
     '<spiffworkflow:property name="context_view" value="capaian"/>\n'
     '          <spiffworkflow:property name="catatan" value="baru"/>', "Task_13",
     "property:catatan", None, "baru"),
    ('keputusan_rencana == "setujui"', 'keputusan_rencana == "ya"', "F6a", "condition",
     'keputusan_rencana == "setujui"', 'keputusan_rencana == "ya"'),
    ('<bpmn:sequenceFlow id="F7" sourceRef="Task_07" targetRef="Task_08"/>',
     '<bpmn:sequenceFlow id="F7" sourceRef="Task_07" targetRef="Task_09"/>', "F7", "target",
     "8. Mengirimkan undangan sosialisasi", "9. Melaksanakan sosialisasi"),
    ('<bpmn:sequenceFlow id="F7" sourceRef="Task_07"',
     '<bpmn:sequenceFlow id="F7" sourceRef="Task_06"', "F7", "source",
     "7. Mengirimkan surat edaran ke OPD", "6. Analisis dan persetujuan rencana kinerja"),
    ('<bpmn:exclusiveGateway id="GW_06" name="Rencana disetujui?"',
     '<bpmn:exclusiveGateway id="GW_06" name="Rencana disetujui?" default="F6b"', "GW_06",
     "default", None, "Perbaiki"),
    ('<bpmn:timeDate xsi:type="bpmn:tFormalExpression">akhir_periode</bpmn:timeDate>',
     '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">akhir_periode_baru</bpmn:timeDate>',
     "Timer_12", "timer", "akhir_periode", "akhir_periode_baru"),
    ('<bpmn:inputDataItem id="InputItem_Task_10_opd" name="opd"/>',
     '<bpmn:inputDataItem id="InputItem_Task_10_opd" name="kode_opd"/>', "Task_10",
     "input_item", "opd", "kode_opd"),
    ("<bpmn:loopDataInputRef>DataObject_opd_peserta</bpmn:loopDataInputRef>",
     "<bpmn:loopDataInputRef>DataObject_pemetaan_opd</bpmn:loopDataInputRef>", "Task_10",
     "loop_input", "opd_peserta", "pemetaan_opd"),
    ('calledElement="laporan_opd"', 'calledElement="laporan_lain"', "Call_OPD",
     "called_element", "laporan_opd", "laporan_lain"),
    ('<spiffworkflow:property name="opens_period" value="true"/>', "", "Call_Periode",
     "property:opens_period", "true", None),
    ('<spiffworkflow:property name="period_end_variable" value="akhir_periode"/>',
     '<spiffworkflow:property name="period_end_variable" value="batas"/>', "Call_Periode",
     "property:period_end_variable", "akhir_periode", "batas"),
    ('<bpmn:exclusiveGateway id="GW_merge" gatewayDirection="Converging">',
     '<bpmn:exclusiveGateway id="GW_merge" gatewayDirection="Mixed">', "GW_merge",
     "attr:gatewayDirection", "Converging", "Mixed"),
])
def test_each_fact_is_its_own_change(old, new, element, subject, before, after):
    assert summary(compare(edit(old, new))) == [("changed", element, subject, before, after)]


def test_a_multi_instance_turned_sequential_and_given_a_cardinality():
    xml = edit('<bpmn:multiInstanceLoopCharacteristics>\n        <bpmn:loopDataInputRef>'
               'DataObject_opd_peserta',
               '<bpmn:multiInstanceLoopCharacteristics isSequential="true">\n'
               '        <bpmn:loopCardinality>3</bpmn:loopCardinality>\n'
               '        <bpmn:loopDataInputRef>DataObject_opd_peserta')
    assert summary(compare(xml)) == [
        ("changed", "Task_10", "multi_instance", "parallel", "sequential"),
        ("changed", "Task_10", "loop_cardinality", None, "3"),
    ]


def test_a_timer_of_another_kind():
    xml = edit('<bpmn:timeDate xsi:type="bpmn:tFormalExpression">akhir_periode</bpmn:timeDate>',
               '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P3D"</bpmn:timeDuration>')
    assert summary(compare(xml)) == [
        ("changed", "Timer_12", "timer_type", "timeDate", "timeDuration"),
        ("changed", "Timer_12", "timer", "akhir_periode", '"P3D"'),
    ]


def test_a_task_moved_to_another_lane():
    xml = edit("<bpmn:flowNodeRef>Task_08</bpmn:flowNodeRef>\n", "")
    xml = edit("<bpmn:flowNodeRef>Task_07</bpmn:flowNodeRef>",
               "<bpmn:flowNodeRef>Task_07</bpmn:flowNodeRef>"
               "<bpmn:flowNodeRef>Task_08</bpmn:flowNodeRef>", xml)
    assert summary(compare(xml)) == [("changed", "Task_08", "lane",
                                      "Tim Pengelolaan Kelembagaan UKPBJ", "Kepala UKPBJ")]


def test_a_lane_given_its_own_role():
    xml = edit('<bpmn:lane id="Lane_Main_Kepala" name="Kepala UKPBJ">',
               '<bpmn:lane id="Lane_Main_Kepala" name="Kepala UKPBJ"><bpmn:extensionElements>'
               '<spiffworkflow:properties><spiffworkflow:property name="role" value="admin"/>'
               '</spiffworkflow:properties></bpmn:extensionElements>')
    change = only(compare(xml))
    assert (change["element_id"], change["element_type"], change["subject"]) == (
        "Lane_Main_Kepala", "lane", "role")
    assert (change["before"], change["after"]) == ("kepala_ukpbj", "admin")


def test_a_lane_whose_default_role_changed():
    """The version stores the effective lane -> role mapping; a new default shows on
    every lane of that name."""
    new_lanes = {**LANES, "Kepala UKPBJ": "admin"}
    changes = compare(SOP, new_lanes=new_lanes)
    assert {(c["element_id"], c["subject"], c["before"], c["after"]) for c in changes} == {
        (lane, "role", "kepala_ukpbj", "admin") for lane in ("Lane_Main_Kepala",
                                                            "Lane_Periode_Kepala")}


def test_a_lane_opd_variable():
    xml = edit('<spiffworkflow:property name="opd_variable" value="opd"/>',
               '<spiffworkflow:property name="opd_variable" value="kode_opd"/>')
    assert summary(compare(xml)) == [("changed", "Lane_Main_PJ", "property:opd_variable",
                                      "opd", "kode_opd")]


def test_a_new_type_of_task():
    xml = edit('<bpmn:userTask id="Task_08"', '<bpmn:manualTask id="Task_08"')
    xml = edit("</bpmn:userTask>\n    <bpmn:userTask id=\"Task_09\"",
               "</bpmn:manualTask>\n    <bpmn:userTask id=\"Task_09\"", xml)
    assert summary(compare(xml)) == [("changed", "Task_08", "type", "userTask", "manualTask")]


def test_elements_added_and_removed():
    xml = edit('<bpmn:sequenceFlow id="F17c2" sourceRef="Task_17c" targetRef="EndEvent_1"/>',
               '<bpmn:dataObject id="DataObject_baru" name="catatan_baru"/>')
    changes = compare(xml)
    assert summary(changes) == [("removed", "F17c2", None, None, None),
                                ("added", "DataObject_baru", None, None, None)]
    assert changes[1]["name"] == "catatan_baru"


def test_a_removed_step_keeps_its_number():
    new = diagram(SOP)
    del new.elements["Task_04"]
    [change] = compare_diagrams(diagram(SOP), new)
    assert (change["kind"], change["sop_step"], change["element_type"]) == (
        "removed", "4", "userTask")


def test_an_extension_of_another_tool_is_compared_too():
    closing = ('terkirim ke semua OPD/Unit Kerja"/>\n        </spiffworkflow:properties>')
    xml = edit(closing, closing + "\n"
               '        <spiffworkflow:instructionsForEndUser>Kirim hari ini'
               '</spiffworkflow:instructionsForEndUser>')
    change = only(compare(xml))
    assert (change["element_id"], change["subject"]) == (
        "Task_07", "extension:instructionsForEndUser")
    assert "Kirim hari ini" in change["after"]


def test_moving_a_shape_or_a_flow_is_layout_only():
    xml = edit('<dc:Bounds x="1510" y="350" width="100" height="80"/>',
               '<dc:Bounds x="1530" y="360" width="100" height="80"/>')
    xml = edit('<di:waypoint x="1610" y="390"/>', '<di:waypoint x="1630" y="400"/>', xml)
    assert summary(compare(xml)) == [("layout", "Task_08", "layout", None, None),
                                     ("layout", "F8", "layout", None, None)]


def test_a_moved_and_renamed_element_is_changed_not_layout():
    xml = edit('<dc:Bounds x="1510" y="350" width="100" height="80"/>',
               '<dc:Bounds x="1530" y="360" width="100" height="80"/>')
    xml = edit('name="8. Mengirimkan undangan sosialisasi"', 'name="8. Undangan"', xml)
    assert summary(compare(xml)) == [("changed", "Task_08", "name",
                                      "8. Mengirimkan undangan sosialisasi", "8. Undangan")]


def test_comments_and_surrounding_whitespace_are_no_change():
    xml = edit("<!-- Langkah 6: persetujuan Kepala UKPBJ; perbaikan kembali ke langkah 1 -->",
               "<!-- diubah -->")
    xml = edit('keputusan_rencana == "setujui"', '\n  keputusan_rencana == "setujui"\n', xml)
    assert compare(xml) == []
    inside = edit('keputusan_rencana == "setujui"', 'keputusan_rencana == "setujui "')
    assert summary(compare(inside)) == [("changed", "F6a", "condition",
                                         'keputusan_rencana == "setujui"',
                                         'keputusan_rencana == "setujui "')]


def test_elements_without_a_step_are_placed_next_to_one():
    elements = diagram(SOP).elements
    assert elements["GW_06"].anchor == "6"  # after row 6
    assert elements["F6a"].anchor == "6"  # leaves the gateway after row 6
    assert elements["F0"].anchor == "1"  # the start event leads into row 1
    assert elements["Lane_Main_Kepala"].anchor is None


def test_steps_sort_by_number():
    steps = ["17", "11-12", None, "6", "11-17", "2", "17a"]
    assert sorted(steps, key=step_key) == ["2", "6", "11-12", "11-17", "17", "17a", None]


def test_the_engine_sees_what_runs_differently():
    old = diagram(SOP)
    new = diagram(edit('name="waktu_hari_kerja" value="2"', 'name="waktu_hari_kerja" value="3"',
                       edit('keputusan_rencana == "setujui"', 'keputusan_rencana == "ya"')))
    assert engine_changes(old.root, new.root) == {"GW_06": ["cond_task_specs"],
                                                  "Task_06": ["extensions"]}


def test_the_engine_sees_nothing_in_a_move():
    moved = diagram(edit('<dc:Bounds x="1510" y="350" width="100" height="80"/>',
                         '<dc:Bounds x="1530" y="360" width="100" height="80"/>'))
    assert engine_changes(diagram(SOP).root, moved.root) == {}


def test_the_engine_sees_a_removed_task_of_a_called_process():
    xml = edit('<bpmn:userTask id="Task_14"', '<bpmn:manualTask id="Task_14"')
    xml = edit("</bpmn:userTask>\n    <bpmn:userTask id=\"Task_15\"",
               "</bpmn:manualTask>\n    <bpmn:userTask id=\"Task_15\"", xml)
    found = engine_changes(diagram(SOP).root, diagram(xml).root)
    assert found == {"Task_14": ["typename"]}


def test_the_engine_has_no_opinion_on_a_diagram_it_cannot_build():
    broken = diagram(edit('calledElement="laporan_opd"', 'calledElement="tidak_ada"'))
    assert engine_changes(diagram(SOP).root, broken.root) is None


def test_a_draft_with_a_shape_that_is_no_number_is_still_compared():
    """SpiffWorkflow's own parser fails on such a shape; the comparison does not."""
    xml = edit('<dc:Bounds x="1510" y="350"', '<dc:Bounds x="abc" y="350"')
    assert summary(compare(xml)) == [("layout", "Task_08", "layout", None, None)]
    assert engine_changes(diagram(SOP).root, diagram(xml).root) is None
