"""A deployed diagram's outline: its pools, which pool each element is in, the call
activities, and the timer events with the element each one follows.

The run's diagram view (engine.services.diagramviews) needs the structure, not the
executable specs: which called process a call activity draws, and that an OPD whose last
task is done waits on the timer its sequence flow enters. Read with the hardened loader
(no DOCTYPE, entities or network), once per deployed version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.diagram_rules import NS, bpmn_tag
from engine.bpmn.parser import load_xml

FLOW_NODES = (
    "userTask", "manualTask", "task", "callActivity", "subProcess", "startEvent", "endEvent",
    "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "eventBasedGateway",
)


@dataclass(frozen=True)
class ProcessOutline:
    process_id: str
    name: str
    participant_id: str | None


@dataclass(frozen=True)
class Outline:
    """What the view needs of a diagram's structure: its processes (pools), which process
    each element is in, the call activities, and which element each timer event follows."""

    main_process_id: str
    processes: tuple[ProcessOutline, ...]
    process_of: dict[str, str]
    calls: dict[str, str]  # call activity id -> called process id
    multi_calls: frozenset[str]
    timers: dict[str, str]  # timer event id -> its timeDate expression ("" if none)
    timer_after: dict[str, str]  # element id -> the timer event its sequence flow enters
    names: dict[str, str]  # element id -> its name, for elements that have one
    timer_leads_to: dict[str, str] = field(default_factory=dict)  # timer -> the element it opens



def read_outline(xml: bytes, main_process_id: str, *, max_bytes: int) -> Outline:
    root = load_xml(xml, max_bytes=max_bytes)
    participants = {p.get("processRef"): p for p in root.iterfind(".//bpmn:participant", NS)}
    processes, process_of = [], {}
    for process in root.iterfind("bpmn:process", NS):
        pid = process.get("id")
        participant = participants.get(pid)
        name = (participant.get("name") if participant is not None else None) or process.get("name")
        processes.append(ProcessOutline(pid, (name or pid).strip(), _id_of(participant)))
        for tag in FLOW_NODES:
            process_of.update({node.get("id"): pid for node in process.iter(bpmn_tag(tag))})
    processes.sort(key=lambda p: p.process_id != main_process_id)
    calls = {c.get("id"): c.get("calledElement") for c in root.iterfind(".//bpmn:callActivity", NS)}
    multi = frozenset(
        c.get("id") for c in root.iterfind(".//bpmn:callActivity", NS)
        if c.find("bpmn:multiInstanceLoopCharacteristics", NS) is not None
    )
    timers = _timer_events(root)
    timer_after = {
        flow.get("sourceRef"): flow.get("targetRef")
        for flow in root.iterfind(".//bpmn:sequenceFlow", NS)
        if flow.get("targetRef") in timers
    }
    timer_leads_to = {
        flow.get("sourceRef"): flow.get("targetRef")
        for flow in root.iterfind(".//bpmn:sequenceFlow", NS)
        if flow.get("sourceRef") in timers
    }
    names = {node.get("id"): " ".join(node.get("name").split())
             for node in root.iter() if node.get("name") and node.get("id") in process_of}
    return Outline(main_process_id, tuple(processes), process_of, calls, multi, timers,
                   timer_after, names, timer_leads_to)


def _id_of(node) -> str | None:
    return node.get("id") if node is not None else None


def _timer_events(root: etree._Element) -> dict[str, str]:
    found = {}
    for event in root.iterfind(".//bpmn:intermediateCatchEvent", NS):
        definition = event.find("bpmn:timerEventDefinition", NS)
        if definition is not None:
            when = definition.find("bpmn:timeDate", NS)
            found[event.get("id")] = (when.text or "").strip() if when is not None else ""
    return found
