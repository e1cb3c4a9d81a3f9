"""Workflow state as parts: the top workflow and one JSON document per live subprocess.

SpiffWorkflow's own serializer writes the whole spec and every subprocess on each save,
so its cost grows with the model and with history. Here the specs are never stored with
the state (they come from the deployed version), each subprocess is its own part, and a
save writes only the parts whose tasks changed. Every conversion of tasks, workflows and
specs is the library's own converter (its registry, configured as SpiffWorkflow's serializer
configures it); this module only decides what goes in which part.

Each part is stored with the format it was written in (`FORMAT`): our part layout and
SpiffWorkflow's serializer version. A loader refuses a format it does not know, so a new
SpiffWorkflow release means a data migration, never a silently misread workflow.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.errors import StateFormatError

TOP_PART = "top"
PARTS_LAYOUT = 1
FORMAT = f"alur-parts-{PARTS_LAYOUT}+spiff-{SPIFF_SERIALIZER_VERSION}"
KNOWN_FORMATS = frozenset({FORMAT})

_REGISTRY = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
_TOP_CONVERTER = BpmnWorkflowConverter(BpmnWorkflow, _REGISTRY)


@dataclass(frozen=True)
class Part:
    key: str
    parent_key: str | None
    text: str
    format_version: str = FORMAT


def _encode(dct: dict) -> str:
    return json.dumps(dct, separators=(",", ":"), default=str)


def prepare_spec(spec: BpmnProcessSpec) -> BpmnProcessSpec:
    """The spec as SpiffWorkflow's own deserializer would hand it to a restored workflow.

    A freshly parsed spec is not ready to resume a saved workflow: some wiring is made
    lazily while a workflow runs (a multi-instance task connects its children's completion
    to `merge_child` only when it creates them), and the library's spec converter makes it
    eagerly. Without it, a workflow restored in a new process never completes a
    multi-instance whose children were created in another one. Converting the parsed spec
    to a dict and back runs exactly that code.
    """
    return _REGISTRY.restore(_REGISTRY.convert(spec))


def dump_top(workflow: BpmnWorkflow) -> Part:
    dct = WorkflowConverter.to_dict(_TOP_CONVERTER, workflow)
    dct["bpmn_events"] = _REGISTRY.convert(workflow.bpmn_events)
    return Part(TOP_PART, None, _encode(dct))


def dump_subprocess(workflow: BpmnWorkflow, task_id: UUID) -> Part:
    sub = workflow.subprocesses[task_id]
    parent = sub.parent_workflow
    parent_key = TOP_PART if parent is workflow else str(parent.parent_task_id)
    return Part(str(task_id), parent_key, _encode(_REGISTRY.convert(sub)))


def dump_part(workflow: BpmnWorkflow, key: str) -> Part:
    if key == TOP_PART:
        return dump_top(workflow)
    return dump_subprocess(workflow, UUID(key))


def part_tasks(workflow: BpmnWorkflow) -> dict[str, dict]:
    """Each part's key and its workflow's task mapping (what a part is made of)."""
    parts = {TOP_PART: workflow.tasks}
    parts.update({str(task_id): sub.tasks for task_id, sub in workflow.subprocesses.items()})
    return parts


def live_part_keys(workflow: BpmnWorkflow) -> set[str]:
    return {TOP_PART} | {str(k) for k in workflow.subprocesses}


def check_formats(formats: Iterable[str]) -> None:
    """Refuse state written in a format this release cannot read."""
    unknown = sorted(set(formats) - KNOWN_FORMATS)
    if unknown:
        raise StateFormatError(
            "This process run was saved in a format this version of Alur Kinerja cannot read; "
            "an administrator must migrate it first",
            code="state_format_unknown",
            details={"formats": unknown, "known": sorted(KNOWN_FORMATS)},
        )


def restore(parts: Mapping[str, str], spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    """Rebuild a workflow from its parts and the prepared specs of its version.

    The steps are those of `BpmnWorkflowConverter.from_dict`, with the specs given instead
    of read from the state: tasks, root, default attributes, then the subprocesses through
    the library's `subprocesses_from_dict` (which also reconnects each subprocess's
    completion to its call activity), then the pending BPMN events.
    """
    top = json.loads(parts[TOP_PART])
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
    workflow.tasks = _TOP_CONVERTER.mapping_from_dict(top["tasks"], UUID, workflow=workflow)
    workflow.task_tree = workflow.tasks.get(UUID(top["root"]))
    _TOP_CONVERTER.set_default_attributes(workflow, top)
    subs = {key: json.loads(text) for key, text in parts.items() if key != TOP_PART}
    _TOP_CONVERTER.subprocesses_from_dict(subs, workflow)
    if subs:  # the library restores a part only under its call activity's task
        raise StateFormatError(
            "Part of this process run's saved state belongs to no task of it",
            code="state_part_orphaned",
            details={"parts": sorted(subs)},
        )
    workflow.bpmn_events = _REGISTRY.restore(top.get("bpmn_events", []))
    return workflow
