"""Workflow state as parts: the top workflow and one JSON document per live subprocess.

SpiffWorkflow's own serializer writes the whole spec and every subprocess on each save,
so its cost grows with the model and with history. Here the specs are never stored with
the state (they come from the deployed version), each subprocess is its own part, and
a save writes only the parts whose tasks changed since the load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

TOP_PART = "top"

_REGISTRY = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
_TOP_CONVERTER = BpmnWorkflowConverter(BpmnWorkflow, _REGISTRY)


@dataclass(frozen=True)
class Part:
    key: str
    parent_key: str | None
    text: str


def _encode(dct: dict) -> str:
    return json.dumps(dct, separators=(",", ":"), default=str)


def dump_top(workflow: BpmnWorkflow) -> Part:
    dct = WorkflowConverter.to_dict(_TOP_CONVERTER, workflow)
    dct["bpmn_events"] = _REGISTRY.convert(workflow.bpmn_events)
    return Part(TOP_PART, None, _encode(dct))


def dump_subprocess(workflow: BpmnWorkflow, task_id: UUID) -> Part:
    sub = workflow.subprocesses[task_id]
    parent = sub.parent_workflow
    parent_key = TOP_PART if parent is workflow else str(parent.parent_task_id)
    return Part(str(task_id), parent_key, _encode(_REGISTRY.convert(sub)))


def is_part_changed(tasks, since: float | None) -> bool:
    """A part is rewritten only if one of its tasks changed state after `since`."""
    if since is None:
        return True
    return any(t.last_state_change >= since for t in tasks.values())


def dump_changed(workflow: BpmnWorkflow, since: float | None) -> list[Part]:
    parts: list[Part] = []
    if is_part_changed(workflow.tasks, since):
        parts.append(dump_top(workflow))
    for task_id, sub in workflow.subprocesses.items():
        if is_part_changed(sub.tasks, since):
            parts.append(dump_subprocess(workflow, task_id))
    return parts


def live_part_keys(workflow: BpmnWorkflow) -> set[str]:
    return {TOP_PART} | {str(k) for k in workflow.subprocesses}


def restore(parts: dict[str, str], spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    """Rebuild a workflow from its parts and the (cached) specs of its version."""
    top = json.loads(parts[TOP_PART])
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
    workflow.tasks = _TOP_CONVERTER.mapping_from_dict(top["tasks"], UUID, workflow=workflow)
    workflow.task_tree = workflow.tasks.get(UUID(top["root"]))
    _TOP_CONVERTER.set_default_attributes(workflow, top)
    subs = {key: json.loads(text) for key, text in parts.items() if key != TOP_PART}
    _TOP_CONVERTER.subprocesses_from_dict(subs, workflow)
    workflow.bpmn_events = _REGISTRY.restore(top.get("bpmn_events", []))
    return workflow
