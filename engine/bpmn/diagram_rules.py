"""What a deployable diagram may contain: the lint half of engine.bpmn.parser.

SpiffWorkflow accepts script tasks, pre/post scripts and service calls, and would happily
parse a user task with no lane or no form. Alur Kinerja runs an SOP, not arbitrary code, so
every such element is reported here, by element id, before a diagram is stored; a modeller
then fixes the whole list in one round trip instead of meeting the problems one at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from lxml import etree

from engine.bpmn.expressions import check_expression

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
CONTAINER_TAGS = ("subProcess", "transaction", "adHocSubProcess")
ACTIVITY_TAGS = ("userTask", "callActivity", *CONTAINER_TAGS)
UNSUPPORTED_TASKS = {
    "scriptTask": "script tasks are not allowed",
    "serviceTask": "service tasks are not supported",
    "businessRuleTask": "business rule tasks are not supported",
}
MESSAGE_TASKS = ("sendTask", "receiveTask")
RESERVED_IDS = frozenset({"Start", "End", "Root"})
SCRIPT_EXTENSIONS = frozenset({"preScript", "postScript", "script"})
EXPRESSION_TAGS = (
    "conditionExpression", "condition", "timeDate", "timeDuration", "timeCycle",
    "loopCardinality", "completionCondition", "loopCondition",
)


def bpmn_tag(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def find_problems(
    root: etree._Element, lane_roles: Mapping[str, str], form_keys: Collection[str]
) -> list[dict[str, str | None]]:
    """Every problem SpiffWorkflow would not catch, as {"element_id", "message"} dicts."""
    lane_names = lane_membership(root)
    return [
        *_check_reserved_ids(root),
        *_check_task_types(root),
        *_check_script_extensions(root),
        *_check_expressions(root),
        *_check_lanes(root, lane_roles),
        *_check_user_tasks(root, lane_names, form_keys),
        *_check_other_forms(root, form_keys),
    ]


def problem_at(element_id: str | None, message: str) -> dict[str, str | None]:
    return {"element_id": element_id, "message": message}


def _check_reserved_ids(root: etree._Element) -> Iterator[dict]:
    """SpiffWorkflow names its own task specs Start, End and <process>.EndJoin: an element
    with such an id silently replaces one of them and the process cannot run."""
    for node in root.iter(etree.Element):
        element_id = node.get("id") or ""
        if element_id in RESERVED_IDS or element_id.endswith(".EndJoin"):
            yield problem_at(element_id, f"the id '{element_id}' is reserved by the engine")


def _check_task_types(root: etree._Element) -> Iterator[dict]:
    for node in root.iter(*(bpmn_tag(tag) for tag in (*UNSUPPORTED_TASKS, *MESSAGE_TASKS))):
        tag = etree.QName(node).localname
        if tag in UNSUPPORTED_TASKS:
            yield problem_at(node.get("id"), UNSUPPORTED_TASKS[tag])
        elif node.get("implementation") is not None:
            yield problem_at(node.get("id"), f"{tag} with an implementation is not supported")


def _check_script_extensions(root: etree._Element) -> Iterator[dict]:
    """SpiffWorkflow runs spiffworkflow:preScript/postScript around any task it parses."""
    for extensions in root.iter(bpmn_tag("extensionElements")):
        names = {etree.QName(node).localname for node in extensions.iter(etree.Element)}
        if names & SCRIPT_EXTENSIONS:
            yield problem_at(extensions.getparent().get("id"), "pre/post scripts are not allowed")


def _check_expressions(root: etree._Element) -> Iterator[dict]:
    tags = [bpmn_tag(tag) for tag in EXPRESSION_TAGS] + [f"{{{SPIFF_NS}}}messagePayload"]
    for node in root.iter(*tags):
        owner = owner_of(node)
        for message in check_expression(node.text or ""):
            yield problem_at(owner.get("id") if owner is not None else None,
                             named(owner, message))


def owner_of(node: etree._Element) -> etree._Element | None:
    """The flow, event or task an expression belongs to, not its event definition or
    loop characteristics: what a modeller clicks on to fix it."""
    for ancestor in node.iterancestors():
        tag = etree.QName(ancestor).localname
        if ancestor.get("id") and not tag.endswith(("EventDefinition", "LoopCharacteristics")):
            return ancestor
    return None


def named(node: etree._Element | None, message: str) -> str:
    """`message` led by the element's kind and name when it has one (its id goes beside)."""
    has_name = node is not None and (node.get("name") or "").strip()
    return f"{describe_element(node)}: {message}" if has_name else message


def describe_element(node: etree._Element | None) -> str:
    """An element as a modeller finds it in the editor: its kind and name (the id is
    reported beside the message), e.g. "sequenceFlow 'Setujui'"."""
    if node is None:
        return "the diagram"
    kind = etree.QName(node).localname
    name = (node.get("name") or "").strip()
    return f"{kind} '{name}'" if name else kind


def _check_lanes(root: etree._Element, lane_roles: Mapping[str, str]) -> Iterator[dict]:
    for lane in root.iter(bpmn_tag("lane")):
        name = lane.get("name")
        if not name:
            yield problem_at(lane.get("id"), "lane has no name")
        elif name not in lane_roles:
            yield problem_at(lane.get("id"), f"lane '{name}' has no role mapping")


def lane_membership(root: etree._Element) -> dict[str, str | None]:
    """Element id -> lane name; later (inner) lanes win, as in SpiffWorkflow's index."""
    return {
        ref.text: ref.getparent().get("name")
        for ref in root.iter(bpmn_tag("flowNodeRef"))
        if ref.text is not None
    }


def lane_of(node: etree._Element, lane_names: Mapping[str, str | None]) -> str | None:
    """An embedded subprocess passes its lane down to its children, as SpiffWorkflow does."""
    containers = list(node.iterancestors(*(bpmn_tag(tag) for tag in CONTAINER_TAGS)))
    for item in [*reversed(containers), node]:
        if lane_names.get(item.get("id")) is not None:
            return lane_names[item.get("id")]
    return None


def read_properties(node: etree._Element) -> dict[str, str]:
    path = "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
    return {
        prop.get("name"): prop.get("value", "")
        for prop in node.xpath(path, namespaces=NS)
        if prop.get("name")
    }


def whole_days(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _check_user_tasks(
    root: etree._Element, lane_names: Mapping[str, str | None], form_keys: Collection[str]
) -> Iterator[dict]:
    for task in root.iter(bpmn_tag("userTask")):
        process = next(task.iterancestors(bpmn_tag("process")), None)
        has_lanes = process is not None and next(process.iter(bpmn_tag("lane")), None) is not None
        if has_lanes and lane_of(task, lane_names) is None:
            yield problem_at(task.get("id"), "user task is not in a lane")
        for message in _property_problems(read_properties(task), form_keys):
            yield problem_at(task.get("id"), message)


def _property_problems(properties: Mapping[str, str], form_keys: Collection[str]) -> list[str]:
    problems = []
    if not properties.get("sop_step", "").strip():
        problems.append("user task has no 'sop_step' property")
    if whole_days(properties.get("waktu_hari_kerja")) is None:
        problems.append("property 'waktu_hari_kerja' must be a whole number of days (0 or more)")
    form_key = properties.get("form_key", "").strip()
    if not form_key:
        problems.append("user task has no 'form_key' property")
    elif form_key not in form_keys:
        problems.append(f"form '{form_key}' does not exist")
    return problems


def _check_other_forms(root: etree._Element, form_keys: Collection[str]) -> Iterator[dict]:
    """A start event (or any element besides a user task) may name a form: it must exist."""
    path = (
        "//*[not(self::bpmn:userTask)][bpmn:extensionElements/spiffworkflow:properties"
        "/spiffworkflow:property[@name='form_key']]"
    )
    for node in root.xpath(path, namespaces=NS):
        form_key = read_properties(node).get("form_key", "").strip()
        if form_key and form_key not in form_keys:
            yield problem_at(node.get("id"), f"form '{form_key}' does not exist")
