"""How the steps of a deployed diagram follow one another, as an SOP-AP flowchart draws it.

The SOP document (engine.services.sopdocument) has one row per step and draws, in the row,
where the flow goes next: to the row below, back to an earlier row, through a decision with
labelled ways out, or to the end. In the diagram that path may pass through things the
SOP's table never shows: merging gateways, timers, the start and end of a called process
(rows 11-17 of the shipped SOP live in two call activities). This module walks the sequence
flows through all of them, so each step knows the next steps *as the reader of the SOP sees
them*. It reads the XML only; what each step says (Kegiatan, Mutu Baku) is the version's
stored activity metadata.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from engine.bpmn.diagram_rules import NS, bpmn_tag

STEP_TAGS = frozenset({"task", "userTask", "manualTask"})
DECISION_TAGS = frozenset({"exclusiveGateway", "inclusiveGateway", "eventBasedGateway"})
END = "__end__"


@dataclass(frozen=True)
class Way:
    """One labelled way out of a decision and the steps (or END) it reaches first."""

    label: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class StepFlow:
    """Where the flow goes after one step: plain next steps (or END), or a decision."""

    element_id: str
    next_steps: tuple[str, ...]
    decision: str | None  # the deciding gateway's name (may be empty) when there is one
    ways: tuple[Way, ...]
    waits_for: str | None  # the name of a timer or other catch event before the step


@dataclass(frozen=True)
class DiagramFlow:
    lanes: tuple[str, ...]  # lane names, first appearance in the diagram first
    first_steps: tuple[str, ...]  # reached from the main process's start
    steps: dict[str, StepFlow]  # every step, in diagram order


class _Graph:
    """The sequence flows of every process, with call activities and subprocesses opened."""

    def __init__(self, root: etree._Element, main_id: str):
        self.main_id = main_id
        self.nodes = {node.get("id"): node for node in _flow_nodes(root)}
        self.flows: dict[str, list[etree._Element]] = {}
        self.sources: dict[str, list[str]] = {}
        for flow in root.iter(bpmn_tag("sequenceFlow")):
            self.flows.setdefault(flow.get("sourceRef"), []).append(flow)
            self.sources.setdefault(flow.get("targetRef"), []).append(flow.get("sourceRef"))
        self.processes = {p.get("id"): p for p in root.iterfind("bpmn:process", NS)}
        self.callers: dict[str, list[str]] = {}
        for call in root.iter(bpmn_tag("callActivity")):
            self.callers.setdefault(call.get("calledElement"), []).append(call.get("id"))

    def outgoing(self, node_id: str) -> list[etree._Element]:
        return self.flows.get(node_id, [])

    def is_decision(self, node_id: str) -> bool:
        node = self.nodes.get(node_id)
        return node is not None and etree.QName(node).localname in DECISION_TAGS

    def follow(self, node_id: str, seen: set[str]) -> list[str]:
        """The steps, deciding gateways (by id) or END first met from `node_id` on."""
        if node_id in seen or node_id not in self.nodes:
            return []
        seen.add(node_id)
        node = self.nodes[node_id]
        kind = etree.QName(node).localname
        if kind in STEP_TAGS or (kind in DECISION_TAGS and len(self.outgoing(node_id)) > 1):
            return [node_id]
        if kind == "callActivity":
            return self._enter(self.processes.get(node.get("calledElement")), node_id, seen)
        if kind in ("subProcess", "transaction", "adHocSubProcess"):
            return self._enter(node, node_id, seen)
        if kind == "endEvent":
            return self._leave(node, seen)
        return self.after(node_id, seen)

    def after(self, node_id: str, seen: set[str]) -> list[str]:
        """What follow() meets along every flow leaving `node_id`."""
        return _unique(found for flow in self.outgoing(node_id)
                       for found in self.follow(flow.get("targetRef"), seen))

    def _enter(self, container, node_id: str, seen: set[str]) -> list[str]:
        if container is None:
            return self.after(node_id, seen)
        starts = container.iterfind("bpmn:startEvent", NS)
        return _unique(found for start in starts for found in self.follow(start.get("id"), seen))

    def _leave(self, end: etree._Element, seen: set[str]) -> list[str]:
        """The end of the main process is the SOP's end; any other returns to its caller."""
        container = end.getparent()
        if container.get("id") == self.main_id:
            return [END]
        if etree.QName(container).localname != "process":
            return self.after(container.get("id"), seen)
        callers = self.callers.get(container.get("id"), [])
        return _unique(found for call in callers for found in self.after(call, seen))


def read_flow(root: etree._Element, main_id: str) -> DiagramFlow:
    """Each step's next steps or decision, the first steps, and the lanes in order."""
    graph = _Graph(root, main_id)
    steps = {}
    for node_id, node in graph.nodes.items():
        if etree.QName(node).localname in STEP_TAGS:
            steps[node_id] = _step_flow(graph, node_id)
    main = graph.processes.get(main_id)
    starts = main.iterfind("bpmn:startEvent", NS) if main is not None else ()
    first = _unique(found for start in starts for found in graph.follow(start.get("id"), set()))
    return DiagramFlow(lanes=_lane_names(root), first_steps=tuple(first), steps=steps)


def _step_flow(graph: _Graph, node_id: str) -> StepFlow:
    found = graph.after(node_id, {node_id})
    gateways = [item for item in found if graph.is_decision(item)]
    plain = tuple(item for item in found if item not in gateways)
    if not gateways:
        return StepFlow(node_id, plain, None, (), _waits_for(graph, node_id))
    gateway = gateways[0]
    ways = tuple(_way(graph, flow, gateway) for flow in graph.outgoing(gateway))
    name = (graph.nodes[gateway].get("name") or "").strip()
    return StepFlow(node_id, plain, name, ways, _waits_for(graph, node_id))


def _way(graph: _Graph, flow: etree._Element, gateway: str) -> Way:
    """A way's targets; a decision right behind another is shown as the steps it reaches."""
    seen = {gateway}
    targets: list[str] = []
    pending = graph.follow(flow.get("targetRef"), seen)
    while pending:
        item = pending.pop(0)
        if graph.is_decision(item):
            pending.extend(graph.after(item, seen))
        elif item not in targets:
            targets.append(item)
    return Way((flow.get("name") or "").strip(), tuple(targets))


def _waits_for(graph: _Graph, node_id: str) -> str | None:
    """The catch event (row 12's timer 'Akhir periode pelaporan') the step starts after."""
    for source_id in graph.sources.get(node_id, []):
        source = graph.nodes.get(source_id)
        if source is not None and etree.QName(source).localname == "intermediateCatchEvent":
            return (source.get("name") or "").strip() or None
    return None


def _flow_nodes(root: etree._Element) -> Iterable[etree._Element]:
    """Every element that sequence flows connect: children of processes and subprocesses."""
    containers = ("process", "subProcess", "transaction", "adHocSubProcess")
    for container in root.iter(*(bpmn_tag(tag) for tag in containers)):
        for child in container:
            if not isinstance(child.tag, str) or child.get("id") is None:
                continue
            if etree.QName(child).localname not in ("sequenceFlow", "laneSet", "dataObject",
                                                     "dataObjectReference", "ioSpecification",
                                                     "textAnnotation", "association"):
                yield child


def _lane_names(root: etree._Element) -> tuple[str, ...]:
    names = ((lane.get("name") or "").strip() for lane in root.iter(bpmn_tag("lane")))
    return tuple(_unique(name for name in names if name))


def _unique(items: Iterable[str]) -> list[str]:
    found: list[str] = []
    for item in items:
        if item not in found:
            found.append(item)
    return found
