"""Which elements SpiffWorkflow builds differently between two diagrams.

engine.bpmn.compare reads a diagram as people do; this module asks the engine itself
(`SpiffWorkflow.bpmn.util.diff`, the library's own alignment of two versions' task specs),
so the diff can mark the changes that alter how a new run proceeds, as opposed to what is
only drawn or described. Runs already started keep their version either way. It is kept
apart because it is the comparison's only use of SpiffWorkflow's serializer and diff.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import diff_dependencies
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.bpmn.parser import build_specs
from engine.errors import InvalidDiagramError

_REGISTRY = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)


def engine_changes(old_root: etree._Element, new_root: etree._Element) -> dict[str, list] | None:
    """Element id -> what SpiffWorkflow builds differently for it ("added", "removed", or
    the changed task-spec attributes such as "extensions", "cond_task_specs"), for the
    main process and every process it calls. None when either diagram cannot be built (a
    draft still being drawn): the engine has no opinion on it yet."""
    try:
        old_main, old_called = build_specs(old_root)
        new_main, new_called = build_specs(new_root)
    except (InvalidDiagramError, ValueError, TypeError):
        # SpiffWorkflow's parser reads some of what a draft may still get wrong without
        # checking it (a shape's bounds that are no number, a process without an id) and
        # then fails with ValueError / TypeError rather than its own exception.
        return None
    old_all = {old_main.name: old_main, **old_called}
    new_all = {new_main.name: new_main, **new_called}
    found: dict[str, set[str]] = {}
    diffs, added = diff_dependencies(_REGISTRY, old_all, new_all)
    for name, spec_diff in diffs.items():
        if spec_diff is None:
            _note(found, old_all[name].task_specs.values(), "removed")
            continue
        _note(found, spec_diff.added, "added")
        _note(found, spec_diff.removed, "removed")
        for spec, attributes in spec_diff.changed.items():
            _note(found, [spec], *attributes)
    for name in added:
        _note(found, new_all[name].task_specs.values(), "added")
    return {element_id: sorted(values) for element_id, values in found.items()}


def _note(found: dict[str, set[str]], specs: Iterable, *what: str) -> None:
    for spec in specs:
        element_id = getattr(spec, "bpmn_id", None)
        if element_id:
            found.setdefault(element_id, set()).update(what)
