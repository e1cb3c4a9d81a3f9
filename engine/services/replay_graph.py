"""The sequence flows of a deployed diagram, and which logged event shows each one taken.

The replay (engine.services.replay) counts how often every sequence flow was taken, from
the event log alone. The log records some moves directly and others only by what they
caused, so each flow is given, once per deployed version, the one kind of event that
proves it was taken:

- leaving its source, when the log records that: a user task's completion (a parallel
  multi-instance task leaves once its last copy is done), a timer that fired, the main
  process's start (the run started), a period's call activity ending (period_completed);
  an exclusive gateway names the targets it chose (gateway_taken);
- otherwise arriving at its target, when that is recorded and this is the target's only
  way in: a user task opened (task_created), a period's call activity starting
  (period_started). The SOP's OPD report starts this way (its start event leads to row 11)
  and row 13 follows the OPD reports' call activity;
- otherwise, for the start event of a called process, the start of the period call
  activity that calls it (the period's start event leads to the OPD reports).

Anything else (conditional flows out of a task, flows between events the log never
mentions) cannot be told from the log and stays at zero rather than being guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from lxml import etree
from sqlalchemy.orm import Session

from engine.bpmn.diagram_rules import NS, bpmn_tag
from engine.bpmn.outlines import FLOW_NODES
from engine.bpmn.xmlload import load_xml
from engine.models import DefinitionVersion
from engine.runtime import runtime_of
from engine.services import versions


@dataclass(frozen=True)
class Flow:
    flow_id: str
    source: str
    target: str
    conditional: bool


@dataclass(frozen=True)
class FlowGraph:
    """Per kind of logged event, the flows it shows taken (see the module docstring)."""

    flows: tuple[str, ...]  # every sequence flow id, in the diagram's order
    departures: Mapping[str, tuple[str, ...]]  # element left -> flows
    arrivals: Mapping[str, tuple[str, ...]]  # element reached -> flows
    call_starts: Mapping[str, tuple[str, ...]]  # period call activity started -> flows
    choices: Mapping[tuple[str, str], str]  # (exclusive gateway, chosen target) -> flow
    batched: frozenset[str]  # parallel multi-instance user tasks
    lanes: Mapping[str, str]  # element id -> the name of its lane


def graph_of(session: Session, version: DefinitionVersion) -> FlowGraph:
    """The version's flow graph, read once per process (a deployed version never changes)."""
    rt = runtime_of(session)
    rules = versions.content_of(session, version).rules

    def read() -> FlowGraph:
        return read_graph(versions.diagram_of(version).encode(), version.definition.key,
                          rules.period_activities, max_bytes=rt.settings.max_bpmn_bytes)

    return rt.versions.get_or_make(("replay-graph", version.content_hash), read)


def read_graph(xml: bytes, main_process_id: str, period_calls: Collection[str], *,
               max_bytes: int) -> FlowGraph:
    root = load_xml(xml, max_bytes=max_bytes)
    nodes = _Nodes(root, main_process_id, frozenset(period_calls))
    flows = [Flow(f.get("id"), f.get("sourceRef"), f.get("targetRef"), _has_condition(f))
             for f in root.iter(bpmn_tag("sequenceFlow"))]
    incoming: dict[str, list[Flow]] = defaultdict(list)
    outgoing: dict[str, list[Flow]] = defaultdict(list)
    for flow in flows:
        incoming[flow.target].append(flow)
        outgoing[flow.source].append(flow)
    found = _Assigned()
    for flow in flows:
        _assign(flow, nodes, incoming, outgoing, found)
    return FlowGraph(
        flows=tuple(f.flow_id for f in flows),
        departures=_frozen(found.departures), arrivals=_frozen(found.arrivals),
        call_starts=_frozen(found.call_starts), choices=dict(found.choices),
        batched=nodes.batched, lanes=_lanes(root),
    )


class _Assigned:
    def __init__(self) -> None:
        self.departures: dict[str, list[str]] = defaultdict(list)
        self.arrivals: dict[str, list[str]] = defaultdict(list)
        self.call_starts: dict[str, list[str]] = defaultdict(list)
        self.choices: dict[tuple[str, str], str] = {}


def _assign(flow: Flow, nodes: _Nodes, incoming, outgoing, found: _Assigned) -> None:
    """Give one flow the event that proves it taken (the module docstring's order)."""
    if nodes.kind(flow.source) == "exclusiveGateway":
        found.choices[(flow.source, flow.target)] = flow.flow_id
    elif nodes.departure_logged(flow.source):
        if not flow.conditional or len(outgoing[flow.source]) == 1:
            found.departures[flow.source].append(flow.flow_id)
    elif nodes.arrival_logged(flow.target) and len(incoming[flow.target]) == 1:
        # the target's arrival proves this flow only when no other flow leads there
        found.arrivals[flow.target].append(flow.flow_id)
    else:
        for call in nodes.period_calls_starting(flow.source):
            found.call_starts[call].append(flow.flow_id)


class _Nodes:
    """What the assignment asks of the diagram's flow nodes."""

    def __init__(self, root: etree._Element, main_process_id: str,
                 period_calls: frozenset[str]) -> None:
        self.period_calls = period_calls
        self.kinds: dict[str, str] = {}
        self.process_of: dict[str, str] = {}
        self.elements: dict[str, etree._Element] = {}
        for process in root.iterfind("bpmn:process", NS):
            for tag in FLOW_NODES:
                for node in process.iter(bpmn_tag(tag)):
                    self.kinds[node.get("id")] = tag
                    self.process_of[node.get("id")] = process.get("id")
                    self.elements[node.get("id")] = node
        self.main = main_process_id
        self.calls = {c.get("id"): c.get("calledElement")
                      for c in root.iter(bpmn_tag("callActivity"))}
        self.batched = frozenset(k for k, node in self.elements.items()
                                 if self.kinds[k] == "userTask" and _multi(node) == "parallel")

    def kind(self, element_id: str) -> str | None:
        return self.kinds.get(element_id)

    def departure_logged(self, element_id: str) -> bool:
        kind, node = self.kinds.get(element_id), self.elements.get(element_id)
        if kind == "userTask":
            return _multi(node) != "sequential"
        if kind == "intermediateCatchEvent":
            return node.find("bpmn:timerEventDefinition", NS) is not None
        if kind == "startEvent":
            return self.process_of.get(element_id) == self.main
        return kind == "callActivity" and element_id in self.period_calls

    def arrival_logged(self, element_id: str) -> bool:
        kind = self.kinds.get(element_id)
        return kind == "userTask" or (kind == "callActivity" and element_id in self.period_calls)

    def period_calls_starting(self, element_id: str) -> list[str]:
        """The period call activities whose start also starts `element_id` (a start event
        of the process they call); none for any other element."""
        if self.kinds.get(element_id) != "startEvent":
            return []
        process = self.process_of.get(element_id)
        return sorted(c for c in self.period_calls if self.calls.get(c) == process)


def _multi(node: etree._Element) -> str | None:
    loop = node.find("bpmn:multiInstanceLoopCharacteristics", NS)
    if loop is None:
        return None
    return "sequential" if loop.get("isSequential") == "true" else "parallel"


def _has_condition(flow: etree._Element) -> bool:
    condition = flow.find("bpmn:conditionExpression", NS)
    return condition is not None and bool((condition.text or "").strip())


def _lanes(root: etree._Element) -> dict[str, str]:
    """Element id -> its lane's name (later, inner lanes win, as in SpiffWorkflow)."""
    found = {}
    for ref in root.iter(bpmn_tag("flowNodeRef")):
        name = " ".join((ref.getparent().get("name") or "").split())
        if ref.text and ref.text.strip() and name:
            found[ref.text.strip()] = name
    return found


def _frozen(mapping: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(value) for key, value in mapping.items()}
