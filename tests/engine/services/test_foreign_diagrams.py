"""A diagram drawn in another tool (Camunda Modeler, SpiffArena) without Alur Kinerja's
properties: it is taken into a draft, checked with problems that say what to add, and, once
completed the way a process owner completes it in the editor, deploys and runs to its end."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.models.instances import STATUS_COMPLETED
from engine.services import instances, processdrafts, tasks
from tests.support import open_tasks, user

FOREIGN = Path(__file__).resolve().parents[2] / "fixtures" / "foreign"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
FORM = {
    "type": "default",
    "id": "Form_periksa",
    "components": [
        {"type": "checkbox", "id": "Field_lengkap", "key": "lengkap",
         "label": "Dokumen lengkap"},
        {"type": "textarea", "id": "Field_catatan", "key": "catatan", "label": "Catatan"},
    ],
}


def _upload(session, now, name: str):
    return processdrafts.create_from_upload(
        session, user(session, "pemilik"), filename=f"{name}.bpmn",
        data=(FOREIGN / f"{name}.bpmn").read_bytes(), forms={}, now=now)


def _rules(problems: list[dict]) -> set[tuple[str, str | None]]:
    return {(problem["rule"], problem["element_id"]) for problem in problems}


def _set_properties(node: etree._Element, **values: str) -> None:
    """What the editor's properties panel writes: spiffworkflow:property entries."""
    extensions = node.find("bpmn:extensionElements", NS)
    if extensions is None:
        extensions = etree.Element(f"{{{BPMN}}}extensionElements")
        node.insert(0, extensions)
    properties = extensions.find("spiffworkflow:properties", NS)
    if properties is None:
        properties = etree.SubElement(extensions, f"{{{SPIFF}}}properties")
    for name, value in values.items():
        etree.SubElement(properties, f"{{{SPIFF}}}property", name=name, value=value)


def _completed_camunda(xml: str) -> str:
    root = etree.fromstring(xml.encode("utf-8"))
    by_id = {node.get("id"): node for node in root.iter() if node.get("id")}
    _set_properties(by_id["Lane_Staf"], role="tim_kelembagaan")
    _set_properties(by_id["Task_Periksa"], sop_step="1", waktu_hari_kerja="2",
                    form_key="periksa-dokumen")
    _set_properties(by_id["Task_Setujui"], sop_step="2", waktu_hari_kerja="1",
                    form_key="periksa-dokumen")
    by_id["Flow_Ya"].find("bpmn:conditionExpression", NS).text = "lengkap == True"
    by_id["Gateway_Lengkap"].set("default", "Flow_Tidak")
    return etree.tostring(root, encoding="unicode")


def test_camunda_diagram_is_linted_with_what_to_add(session, now):
    draft = _upload(session, now, "camunda-modeler")
    problems = processdrafts.check_draft(session, user(session, "pemilik"), draft.id)
    found = _rules(problems)
    assert ("alur/expression-grammar", "Flow_Ya") in found  # ${lengkap} is JUEL
    assert ("alur/lane-role", "Lane_Staf") in found  # "Staf Pengadaan" has no role
    for task in ("Task_Periksa", "Task_Setujui"):
        assert ("alur/user-task-form", task) in found
        assert ("alur/sop-step-present", task) in found
        assert ("alur/waktu-positive", task) in found
    assert any(rule == "alur/gateway-conditions" for rule, _ in found)
    assert all(problem["message"] for problem in problems)
    juel = next(p for p in problems if p["element_id"] == "Flow_Ya")
    assert "JUEL" in juel["message"]


def test_spiffarena_diagram_is_linted_for_its_scripts(session, now):
    draft = _upload(session, now, "spiffarena")
    found = _rules(processdrafts.check_draft(session, user(session, "pemilik"), draft.id))
    assert ("alur/no-script", "Activity_hitung") in found
    assert ("alur/no-script", "Activity_isi_usulan") in found  # its preScript
    assert ("alur/user-task-form", "Activity_isi_usulan") in found


def test_completed_camunda_diagram_deploys_and_runs_to_its_end(session, now):
    owner = user(session, "pemilik")
    draft = _upload(session, now, "camunda-modeler")
    draft = processdrafts.save_form(session, owner, draft.id, "periksa-dokumen", FORM,
                                    revision=draft.revision, now=now)
    draft = processdrafts.save_draft(session, owner, draft.id, revision=draft.revision,
                                     bpmn_xml=_completed_camunda(draft.bpmn_xml), now=now)
    assert processdrafts.check_draft(session, owner, draft.id) == []
    deployment = processdrafts.deploy_draft(session, owner, draft.id, revision=draft.revision,
                                            now=now)
    assert deployment.created and deployment.version.version == 1
    assert deployment.version.lane_roles["Staf Pengadaan"] == "tim_kelembagaan"

    run = instances.start_instance(session, user(session, "tim1"), "Process_Reviu", {}, now)
    (check,) = open_tasks(session, run.id, "Task_Periksa")
    assert check.role == "tim_kelembagaan"
    tasks.complete_task(session, user(session, "tim1"), check.id, {"lengkap": True}, now)
    (approve,) = open_tasks(session, run.id, "Task_Setujui")
    assert approve.role == "kepala_ukpbj"
    tasks.complete_task(session, user(session, "kepala"), approve.id, {"lengkap": True}, now)
    session.refresh(run)
    assert run.status == STATUS_COMPLETED and run.ended_at is not None


@pytest.mark.parametrize("name", ["camunda-modeler", "spiffarena"])
def test_foreign_diagram_keeps_its_other_tools_markup_in_the_draft(session, now, name):
    """Nothing of the other tool's markup is dropped on the way in."""
    draft = _upload(session, now, name)
    assert draft.bpmn_xml == (FOREIGN / f"{name}.bpmn").read_text(encoding="utf-8")
