"""What a version stores about its diagram beside the XML: each activity's SOP metadata
(row, time, form, lane and role, every extension property), who may start it and with
which form, and the process's display name. Read by the inbox, the deadline clock and the
API without parsing the diagram again.
"""

from __future__ import annotations

from dataclasses import asdict

from lxml import etree

from engine.bpmn.diagram_rules import BPMN_NS, SPIFF_NS
from engine.bpmn.parser import ParsedDiagram


def process_name(root: etree._Element, key: str) -> str:
    """The pool's name (participant) if there is one, else the process's, else its id."""
    ns = {"bpmn": BPMN_NS}
    for xpath in ("//bpmn:participant[@processRef=$id]/@name", "//bpmn:process[@id=$id]/@name"):
        names = root.xpath(xpath, id=key, namespaces=ns)
        if names and names[0].strip():
            return names[0].strip()
    return key


def stored_activities(parsed: ParsedDiagram, root: etree._Element, start_key: str
                      ) -> dict[str, dict]:
    """Activity metadata as stored on the version, plus every extension property; the main
    process's start event under `start_key`."""
    result = {}
    for element_id, info in parsed.activities.items():
        entry = asdict(info)
        entry.update({k: v for k, v in _properties(root, element_id).items() if k not in entry})
        result[element_id] = entry
    result[start_key] = _start_entry(root, parsed)
    return result


def _properties(root, element_id: str) -> dict[str, str]:
    nodes = root.xpath(
        "//*[@id=$id]/bpmn:extensionElements/spiff:properties/spiff:property",
        id=element_id,
        namespaces={"bpmn": BPMN_NS, "spiff": SPIFF_NS},
    )
    return {n.get("name"): n.get("value") for n in nodes}


def _start_entry(root, parsed: ParsedDiagram) -> dict:
    """The main process's start event: who may start an instance, with which form."""
    ns = {"bpmn": BPMN_NS}
    process = root.xpath("//bpmn:process[@id=$id]", id=parsed.main_process_id, namespaces=ns)[0]
    start = process.xpath("./bpmn:startEvent", namespaces=ns)[0]
    lanes = process.xpath(".//bpmn:lane[bpmn:flowNodeRef=$id]", id=start.get("id"), namespaces=ns)
    lane = lanes[0].get("name") if lanes else None
    props = _properties(root, start.get("id"))
    return {
        "element_id": start.get("id"),
        "name": start.get("name") or "",
        "lane": lane,
        "role": parsed.lanes.get(lane) if lane else None,
        "form_key": props.get("form_key"),
    }
