"""Deploy-time bounds: what a diagram may ask of the engine before any run starts.

SpiffWorkflow runs whatever it parses. Three kinds of diagram parse fine and then hurt the
server: a multi-instance with a huge count (every copy is made at once, in memory), a
cycle of flows with nothing in it that waits (the engine goes round inside one request),
and a timer cycle of zero length or without end. Each is reported here with the element's
id and name; what depends on a run's data is bounded again at run time
(engine.bpmn.limits, engine.bpmn.timers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC

from lxml import etree

from engine.bpmn.diagram_rules import CONTAINER_TAGS, NS, bpmn_tag, describe_element, problem_at
from engine.bpmn.expressions import ExpressionError, evaluate
from engine.bpmn.limits import Limits
from engine.bpmn.timers import cycle_problems, duration_problems, parse_due

WAITING_TASKS = ("userTask", "manualTask", "receiveTask")
WAITING_EVENTS = ("timer", "message", "signal", "conditional")
CATCH_EVENTS = ("intermediateCatchEvent", "boundaryEvent")
SUBPROCESSES = ("callActivity", *CONTAINER_TAGS)
SHOWN_IN_CYCLE = 8
LEADING_ELEMENT = re.compile(r"^\w+ '[^']*': ")


def _problem(element_id: str | None, message: str) -> dict:
    """`detail` is the message without the element it leads with (named apart, translated)."""
    detail = LEADING_ELEMENT.sub("", message, count=1)
    return problem_at(element_id, message, rule="alur/bounds", params={"detail": detail})


def bound_problems(root: etree._Element, limits: Limits) -> list[dict]:
    """Every count, cycle and timer the engine could not bear, as problem dicts."""
    return [
        *_cardinality_problems(root, limits),
        *_timer_problems(root, limits),
        *WaitGraph(root).problems(),
    ]


def _literal(text: str | None):
    """The value of an expression that reads no data, else None (decided at run time)."""
    try:
        return evaluate(text or "", {})
    except ExpressionError:
        return None


def _cardinality_problems(root: etree._Element, limits: Limits) -> Iterator[dict]:
    cap = limits.max_loop_cardinality
    paths = ".//bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality"
    for node in root.iterfind(paths, NS):
        count = _literal(node.text)
        if count is None:
            continue
        owner = node.getparent().getparent()
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            message = f"loopCardinality must be a whole number of copies, not {count!r}"
        elif count > cap:
            message = f"loopCardinality {count} is more than the {cap} copies allowed"
        else:
            continue
        yield _problem(owner.get("id"), f"{describe_element(owner)}: {message}")
    for node in root.iterfind(".//bpmn:standardLoopCharacteristics[@loopMaximum]", NS):
        owner = node.getparent()
        maximum = node.get("loopMaximum", "").strip()
        if not maximum.isdigit() or int(maximum) > cap:
            yield _problem(owner.get("id"), f"{describe_element(owner)}: loopMaximum "
                             f"{maximum!r} must be a whole number of at most {cap}")


TIMER_CHECKS = {
    "timeCycle": cycle_problems,
    "timeDuration": duration_problems,
    "timeDate": lambda value, _limits: _date_problems(value),
}


def _date_problems(value) -> list[str]:
    try:
        parse_due(value, UTC)
    except ValueError as error:
        return [str(error)]
    return []


def _timer_problems(root: etree._Element, limits: Limits) -> Iterator[dict]:
    for definition in root.iter(bpmn_tag("timerEventDefinition")):
        owner = definition.getparent()
        values = [(etree.QName(n).localname, n.text) for n in definition.iterchildren()]
        for kind, text in values:
            check = TIMER_CHECKS.get(kind)
            value = _literal(text) if check else None
            for message in check(value, limits) if value is not None else ():
                yield _problem(owner.get("id"), f"{describe_element(owner)}: {kind}: {message}")


class WaitGraph:
    """The sequence-flow graph of each process and subprocess, and which nodes wait.

    A node waits when the engine must stop there for a person, a message or time: a user,
    manual or receive task, a catch event with a timer, message, signal or condition, and
    a call activity or subprocess only if what it runs contains such a node (the SOP's
    reporting cycle loops back into a call activity whose process has user tasks and a
    timer). A cycle among nodes that do not wait would run without end.
    """

    def __init__(self, root: etree._Element):
        self.root = root
        self.processes = {p.get("id"): p for p in root.iterfind("bpmn:process", NS)}
        self._waits: dict[str, bool] = {}

    def problems(self) -> Iterator[dict]:
        containers = [*self.processes.values(), *self._subprocess_nodes(self.root)]
        for container in containers:
            yield from self._cycle_problems(container)
        for loop in self.root.iter(bpmn_tag("standardLoopCharacteristics")):
            owner = loop.getparent()
            if not self.waits(owner):
                yield _problem(owner.get("id"), f"{describe_element(owner)}: a loop "
                                 "around an activity that never waits would run without end")

    @staticmethod
    def _subprocess_nodes(node: etree._Element) -> list[etree._Element]:
        return list(node.iter(*(bpmn_tag(tag) for tag in CONTAINER_TAGS)))

    def waits(self, node: etree._Element) -> bool:
        tag = etree.QName(node).localname
        if tag in WAITING_TASKS:
            return True
        if tag in CATCH_EVENTS:
            return any(node.find(f"bpmn:{kind}EventDefinition", NS) is not None
                       for kind in WAITING_EVENTS)
        if tag == "callActivity":
            return self._process_waits(node.get("calledElement"))
        if tag in CONTAINER_TAGS:
            return self._contains_wait(node)
        return False

    def _process_waits(self, process_id: str | None) -> bool:
        """Memoised; a process that calls itself counts as not waiting while it is checked."""
        if process_id not in self._waits:
            self._waits[process_id] = False
            process = self.processes.get(process_id)
            self._waits[process_id] = process is not None and self._contains_wait(process)
        return self._waits[process_id]

    def _contains_wait(self, container: etree._Element) -> bool:
        return any(self.waits(child) for child in container.iter(etree.Element)
                   if child is not container and child.get("id"))

    def _cycle_problems(self, container: etree._Element) -> Iterator[dict]:
        nodes = {c.get("id"): c for c in container.iterchildren(etree.Element) if c.get("id")}
        moving = {node_id for node_id, node in nodes.items() if not self.waits(node)}
        edges: dict[str, list[str]] = {node_id: [] for node_id in moving}
        for source, target in _flows(container):
            if source in moving and target in moving:
                edges[source].append(target)
        for cycle in strongly_connected(list(edges), edges):
            if len(cycle) > 1 or cycle[0] in edges[cycle[0]]:
                ordered = [node_id for node_id in nodes if node_id in cycle]
                yield self._cycle_problem([nodes[node_id] for node_id in ordered])

    @staticmethod
    def _cycle_problem(cycle: list[etree._Element]) -> dict:
        shown = ", ".join(f"{n.get('id')} ({describe_element(n)})" for n in cycle[:SHOWN_IN_CYCLE])
        more = f" and {len(cycle) - SHOWN_IN_CYCLE} more" if len(cycle) > SHOWN_IN_CYCLE else ""
        return _problem(
            cycle[0].get("id"),
            f"{describe_element(cycle[0])}: the flows go round through {shown}{more} without "
            "a wait (a user or receive task, a timer or message event, or a call activity "
            "whose process waits); the engine would loop without end",
        )


def _flows(container: etree._Element) -> Iterator[tuple[str, str]]:
    """Sequence flows, and each activity to its boundary events (they leave from it)."""
    for flow in container.iterfind("bpmn:sequenceFlow", NS):
        yield flow.get("sourceRef"), flow.get("targetRef")
    for event in container.iterfind("bpmn:boundaryEvent", NS):
        yield event.get("attachedToRef"), event.get("id")


def strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iterative (a diagram may be deep)."""
    return _Tarjan(edges).run(nodes)


class _Tarjan:
    def __init__(self, edges: dict[str, list[str]]):
        self.edges = edges
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.on_stack: set[str] = set()
        self.work: list = []
        self.found: list[list[str]] = []

    def run(self, nodes: list[str]) -> list[list[str]]:
        for root in nodes:
            if root not in self.index:
                self._visit(root)
                self._walk()
        return self.found

    def _visit(self, node: str) -> None:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        self.on_stack.add(node)
        self.work.append((node, iter(self.edges.get(node, ()))))

    def _walk(self) -> None:
        while self.work:
            node, successors = self.work[-1]
            nxt = next((n for n in successors if n not in self.index or n in self.on_stack), None)
            if nxt is None:
                self._leave(node)
            elif nxt in self.index:
                self.low[node] = min(self.low[node], self.index[nxt])
            else:
                self._visit(nxt)

    def _leave(self, node: str) -> None:
        self.work.pop()
        if self.work:
            parent = self.work[-1][0]
            self.low[parent] = min(self.low[parent], self.low[node])
        if self.low[node] == self.index[node]:
            component = []
            while not component or component[-1] != node:
                member = self.stack.pop()
                self.on_stack.discard(member)
                component.append(member)
            self.found.append(component)
