"""One BPMN element reduced to its facts, the unit engine.bpmn.compare compares.

A fact is subject -> text ("name", "lane", "property:waktu_hari_kerja", "condition",
"timer", "loop_input", ...): two elements with the same facts mean the same to the engine
and to the people who work the SOP, however they are drawn. What this module has no name
for (an attribute or child element of another tool) is still read, under a generic subject
("attr:x", "child:x", "extension:x"), so no semantic change goes unreported. Reading facts
is kept apart from the comparison so each reader of a BPMN construct sits in one place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.compare_layout import DI_NS
from engine.bpmn.diagram_rules import BPMN_NS, NS, SPIFF_NS, read_properties
from engine.bpmn.lanes import ROLE_PROPERTY, lane_element_of, lane_role

# An element is compared on its own when its parent is one of these (a flow element, a
# lane, a pool, a root element such as a message); anything deeper with an id (a timer's
# event definition, a loop's data item) is part of the element that holds it.
OWNER_PARENTS = frozenset({
    "definitions", "process", "collaboration", "subProcess", "transaction",
    "adHocSubProcess", "laneSet", "childLaneSet",
})
NOT_OWNERS = frozenset({"laneSet", "childLaneSet", "ioSpecification", "documentation",
                        "extensionElements"})
# Children that are read into named facts, or that repeat what another element says.
KNOWN_CHILDREN = frozenset({
    "documentation", "extensionElements", "incoming", "outgoing", "flowNodeRef",
    "conditionExpression", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
    "dataInputAssociation", "dataOutputAssociation", "ioSpecification", "laneSet",
    "childLaneSet", "property",
})
# Attributes read into named facts: attribute -> subject.
REFERENCE_ATTRIBUTES = {
    "sourceRef": "source", "targetRef": "target", "default": "default",
    "attachedToRef": "attached_to", "processRef": "process",
}
PLAIN_ATTRIBUTES = {"calledElement": "called_element"}
SKIPPED_ATTRIBUTES = frozenset({"id", "name"})
TIMER_TAGS = ("timeDate", "timeDuration", "timeCycle")


@dataclass
class Element:
    """One element as compared: its facts, the display text of facts that name another
    element, its drawing, and the SOP step it belongs to or stands next to."""

    element_id: str
    element_type: str
    name: str
    facts: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    layout: tuple = ()
    sop_step: str | None = None
    anchor: str | None = None


def owner_nodes(root: etree._Element) -> Iterator[etree._Element]:
    """The nodes compared on their own (see OWNER_PARENTS), in document order."""
    return (node for node in root.iter(f"{{{BPMN_NS}}}*") if _is_owner(node))


def read_element(node: etree._Element, index: Mapping[str, etree._Element],
                 lanes: Mapping[str, etree._Element], lane_roles: Mapping[str, str]) -> Element:
    """`node` with its facts. `index` is id -> node of the whole diagram, `lanes` flow node
    id -> its lane (engine.bpmn.lanes), `lane_roles` the default lane name -> role."""
    kind = _local(node)
    properties = read_properties(node)
    element = Element(node.get("id"), kind, (node.get("name") or "").strip(),
                      sop_step=properties.get("sop_step", "").strip() or None)
    facts = element.facts
    facts["type"] = kind
    _put(facts, "name", element.name)
    _put(facts, "documentation", _documentation(node))
    _put(facts, "container", _container(node))
    if kind == "lane":
        properties.pop(ROLE_PROPERTY, None)
        _put(facts, "role", lane_role(node, lane_roles))
    else:
        _put(facts, "lane", _label(lane_element_of(node, lanes), ""))
    for name, value in properties.items():
        _put(facts, f"property:{name}", value.strip())
    facts.update(_extension_facts(node))
    facts.update(_attribute_facts(node, index, element.labels))
    facts.update(_expression_facts(node))
    facts.update(_loop_facts(node, index))
    facts.update(_data_facts(node, index))
    facts.update(_other_children(node))
    return element


def _put(facts: dict, subject: str, value: str | None) -> None:
    if value:
        facts[subject] = value


def _local(node_or_tag) -> str:
    tag = node_or_tag if isinstance(node_or_tag, str) else node_or_tag.tag
    return etree.QName(tag).localname


def _text(node: etree._Element | None) -> str:
    """Text as written, but for the line breaks and indentation around it (inside, a
    space may matter: it can be part of a string an expression compares)."""
    return (node.text or "").strip() if node is not None else ""


def _documentation(node: etree._Element) -> str:
    parts = [(doc.text or "").strip() for doc in node.iterfind("bpmn:documentation", NS)]
    return "\n".join(part for part in parts if part)


def _container(node: etree._Element) -> str | None:
    parent = node.getparent()
    while parent is not None and _local(parent) in ("laneSet", "childLaneSet", "lane"):
        parent = parent.getparent()
    return parent.get("id") if parent is not None and _local(parent) != "definitions" else None


def _label(node: etree._Element | None, fallback: str) -> str:
    if node is None:
        return fallback
    return (node.get("name") or "").strip() or node.get("id") or fallback


def _canonical(node: etree._Element) -> str:
    """A node and everything inside it as one comparable line (ids and comments left out)."""
    attributes = " ".join(f"{_local(k)}={v}" for k, v in sorted(node.attrib.items())
                          if _local(k) != "id")
    children = " ".join(_canonical(child) for child in node if isinstance(child.tag, str))
    return f"{_local(node)}({attributes}){_text(node)}[{children}]"


def _extension_facts(node: etree._Element) -> dict[str, str]:
    """Extensions besides spiffworkflow:properties (instructions, other tools' settings)."""
    facts: dict[str, list[str]] = {}
    for extensions in node.iterfind("bpmn:extensionElements", NS):
        for child in extensions:
            if not isinstance(child.tag, str) or child.tag == f"{{{SPIFF_NS}}}properties":
                continue
            facts.setdefault(f"extension:{_local(child)}", []).append(_canonical(child))
    return {subject: "\n".join(values) for subject, values in facts.items()}


def _attribute_facts(node, index, labels: dict[str, str]) -> dict[str, str]:
    facts = {}
    for key, value in node.attrib.items():
        name = _local(key)
        if name in SKIPPED_ATTRIBUTES or (name == "isExecutable" and value == "true"):
            continue
        if name in REFERENCE_ATTRIBUTES:
            subject = REFERENCE_ATTRIBUTES[name]
            facts[subject] = value
            labels[subject] = _label(index.get(value), value)
        else:
            facts[PLAIN_ATTRIBUTES.get(name, f"attr:{name}")] = value
    return facts


def _expression_facts(node: etree._Element) -> dict[str, str]:
    """A flow's condition; an event's definitions and its timer."""
    facts = {}
    _put(facts, "condition", _text(node.find("bpmn:conditionExpression", NS)))
    definitions = [child for child in node if isinstance(child.tag, str)
                   and _local(child).endswith("EventDefinition")]
    described = []
    for definition in definitions:
        refs = " ".join(f"{_local(k)}={v}" for k, v in sorted(definition.attrib.items())
                        if _local(k) != "id")
        described.append(f"{_local(definition)} {refs}".strip())
        for tag in TIMER_TAGS:
            expression = definition.find(f"bpmn:{tag}", NS)
            if expression is not None:
                facts["timer_type"] = tag
                facts["timer"] = _text(expression)
    _put(facts, "event_definition", ", ".join(described))
    return facts


def _ref_name(index, text: str) -> str:
    """A data reference by its variable name (what the engine reads), else as written."""
    node = index.get(text.strip())
    return (node.get("name") or text).strip() if node is not None else text.strip()


def _loop_facts(node: etree._Element, index) -> dict[str, str]:
    facts = {}
    loop = node.find("bpmn:multiInstanceLoopCharacteristics", NS)
    if loop is not None:
        facts["multi_instance"] = "sequential" if loop.get("isSequential") == "true" else "parallel"
        for tag, subject in (("loopDataInputRef", "loop_input"),
                             ("loopDataOutputRef", "loop_output")):
            _put(facts, subject, _ref_name(index, _text(loop.find(f"bpmn:{tag}", NS))))
        for tag, subject in (("inputDataItem", "input_item"), ("outputDataItem", "output_item")):
            item = loop.find(f"bpmn:{tag}", NS)
            _put(facts, subject, _label(item, "") if item is not None else "")
        for tag, subject in (("loopCardinality", "loop_cardinality"),
                             ("completionCondition", "completion_condition")):
            _put(facts, subject, _text(loop.find(f"bpmn:{tag}", NS)))
    standard = node.find("bpmn:standardLoopCharacteristics", NS)
    if standard is not None:
        facts["standard_loop"] = _canonical(standard)
    return facts


def _data_facts(node: etree._Element, index) -> dict[str, str]:
    """The variables a process or call activity declares and a task's data associations."""
    facts = {}
    spec = node.find("bpmn:ioSpecification", NS)
    if spec is not None:
        for tag, subject in (("dataInput", "inputs"), ("dataOutput", "outputs")):
            names = sorted(_label(item, "") for item in spec.iterfind(f"bpmn:{tag}", NS))
            _put(facts, subject, ", ".join(names))
    for tag, subject in (("dataInputAssociation", "data_inputs"),
                         ("dataOutputAssociation", "data_outputs")):
        associations = node.iterfind(f"bpmn:{tag}", NS)
        described = sorted(_association(item, index) for item in associations)
        _put(facts, subject, ", ".join(described))
    return facts


def _association(node: etree._Element, index) -> str:
    sources = [_ref_name(index, _text(ref)) for ref in node.iterfind("bpmn:sourceRef", NS)]
    target = _ref_name(index, _text(node.find("bpmn:targetRef", NS)))
    return f"{'+'.join(sources)}->{target}"


def _other_children(node: etree._Element) -> dict[str, str]:
    facts: dict[str, list[str]] = {}
    for child in node:
        if not isinstance(child.tag, str) or child.tag.startswith(f"{{{DI_NS}}}"):
            continue
        name = _local(child)
        if (name in KNOWN_CHILDREN or name.endswith("EventDefinition") or _is_owner(child)):
            continue
        facts.setdefault(f"child:{name}", []).append(_canonical(child))
    return {subject: "\n".join(sorted(values)) for subject, values in facts.items()}


def _is_owner(node: etree._Element) -> bool:
    parent = node.getparent()
    return (bool(node.get("id")) and parent is not None and _local(parent) in OWNER_PARENTS
            and _local(node) not in NOT_OWNERS)
