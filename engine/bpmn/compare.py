"""Compare two BPMN diagrams element by element, the way a process owner reads them.

Elements are matched by id: the modeler keeps ids, and SpiffWorkflow aligns task specs
by id too. Each element is reduced to its *facts* (engine.bpmn.compare_facts): two
elements with the same facts mean the same to the engine and to the people who work the
SOP, however they are drawn. The drawing (BPMN DI, engine.bpmn.compare_layout) is
compared apart, so an element that only moved is reported as layout-only, never as
changed. This module reads a whole diagram, places each element next to its SOP step, and
turns the differences into changes in the diff's shape (contract 6).

`engine_changes` (engine.bpmn.compare_specs, re-exported here) asks SpiffWorkflow itself
which elements the engine builds differently: the changes that alter how a new run
proceeds, as opposed to what is only drawn or described.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from lxml import etree

from engine.bpmn.compare_facts import Element, owner_nodes, read_element
from engine.bpmn.compare_layout import read_layouts
from engine.bpmn.compare_specs import engine_changes
from engine.bpmn.lanes import lane_elements

UNANCHORED = frozenset({"lane", "process", "participant", "collaboration", "sequenceFlow"})
SUBJECT_ORDER = (
    "type", "name", "container", "lane", "role", "property:sop_step",
    "property:waktu_hari_kerja", "property:form_key", "property:deadline_group",
    "property:deadline_group_entry", "property:kelengkapan", "property:output",
    "documentation", "source", "target", "condition", "default", "event_definition",
    "timer_type", "timer", "called_element", "multi_instance", "loop_input", "loop_output",
    "input_item", "output_item", "loop_cardinality", "completion_condition",
)


@dataclass
class Diagram:
    root: etree._Element
    elements: dict[str, Element]

    def users_of_form(self, form_key: str) -> list[Element]:
        """Elements (user tasks, a start event) that show the form, by SOP step."""
        found = [e for e in self.elements.values()
                 if e.facts.get("property:form_key") == form_key]
        return sorted(found, key=lambda e: (step_key(e.sop_step or e.anchor), e.element_id))

    def form_keys(self) -> set[str]:
        return {e.facts["property:form_key"] for e in self.elements.values()
                if e.facts.get("property:form_key")}


# ---- reading one diagram -----------------------------------------------------------------

def describe(root: etree._Element, lane_roles: Mapping[str, str] | None = None) -> Diagram:
    """Every element of the diagram with its facts. `lane_roles` is the default lane name ->
    role mapping; a lane's own `role` property overrides it (contract 3)."""
    index = {node.get("id"): node for node in root.iter(etree.Element) if node.get("id")}
    lanes = lane_elements(root)
    layout = read_layouts(root)
    elements: dict[str, Element] = {}
    for node in owner_nodes(root):
        element = read_element(node, index, lanes, lane_roles or {})
        element.layout = layout.get(element.element_id, ())
        elements[element.element_id] = element
    _anchor(elements)
    return Diagram(root, elements)


def _anchor(elements: dict[str, Element]) -> None:
    """Place elements without a step of their own (gateways, events, flows) next to the
    step they come from (or lead to), so a list sorted by step reads along the process."""
    flows = [e for e in elements.values() if e.element_type == "sequenceFlow"]
    for element in elements.values():
        element.anchor = element.sop_step
    for element in elements.values():
        if element.anchor is None and element.element_type not in UNANCHORED:
            element.anchor = _neighbour_step(element.element_id, flows, elements)
    for flow in flows:
        ends = [elements.get(flow.facts.get(end, "")) for end in ("source", "target")]
        flow.anchor = next((e.anchor for e in ends if e is not None and e.anchor), None)


def _neighbour_step(element_id: str, flows: list[Element], elements) -> str | None:
    incoming = [f.facts.get("source") for f in flows if f.facts.get("target") == element_id]
    outgoing = [f.facts.get("target") for f in flows if f.facts.get("source") == element_id]
    for other in (*incoming, *outgoing):
        step = elements[other].sop_step if other in elements else None
        if step:
            return step
    return None


# ---- comparing two -------------------------------------------------------------------------

def step_key(step: str | None) -> tuple:
    """'6' < '11-12' < '11-17' < '17'; elements of no step come last."""
    if not step:
        return (1, ())
    parts = []
    for piece in step.replace("-", " ").split():
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append((int(digits) if digits else 10**6, piece))
    return (0, tuple(parts))


def subject_rank(subject: str | None) -> tuple:
    if subject in SUBJECT_ORDER:
        return (0, SUBJECT_ORDER.index(subject), "")
    return (1, 0, subject or "")


def compare_diagrams(old: Diagram, new: Diagram) -> list[dict]:
    """Changes from `old` to `new`: elements added, removed, changed (one change per fact)
    or only moved on the drawing. Unsorted; the caller orders them with forms' changes."""
    changes = []
    for element_id, before in old.elements.items():
        after = new.elements.get(element_id)
        if after is None:
            changes.append(change_of("removed", before))
        elif before.facts != after.facts or before.element_type != after.element_type:
            changes.extend(_fact_changes(before, after))
        elif before.layout != after.layout:
            changes.append(change_of("layout", after, subject="layout"))
    changes.extend(change_of("added", element) for element_id, element in new.elements.items()
                   if element_id not in old.elements)
    return changes


def _fact_changes(before: Element, after: Element) -> Iterator[dict]:
    subjects = sorted(set(before.facts) | set(after.facts), key=subject_rank)
    for subject in subjects:
        old, new = before.facts.get(subject), after.facts.get(subject)
        if old != new:
            yield change_of("changed", after, subject=subject,
                          before=before.labels.get(subject, old),
                          after=after.labels.get(subject, new))


def change_of(kind: str, element: Element, **values) -> dict:
    """A change of `element` in the diff's shape (contract 6)."""
    return {
        "kind": kind,
        "element_id": element.element_id,
        "element_type": element.element_type,
        "sop_step": element.sop_step,
        "name": element.name or None,
        "subject": values.get("subject"),
        "before": values.get("before"),
        "after": values.get("after"),
        "form_key": None,
        "field": None,
        "field_label": None,
        "field_type": None,
    }


__all__ = ["Diagram", "Element", "change_of", "compare_diagrams", "describe", "engine_changes",
           "step_key", "subject_rank"]
