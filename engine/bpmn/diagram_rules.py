"""What a deployable diagram may contain: the element rules of the deploy-time lint.

SpiffWorkflow accepts script tasks, pre/post scripts and service calls, and happily runs a
gateway whose flows have no condition. Alur Kinerja runs an SOP, not arbitrary code, so
every such element is reported here, by element id, before a diagram is stored; a modeller
then fixes the whole list in one round trip instead of meeting the problems one at a time.
Lanes and user tasks have modules of their own (engine.bpmn.lanes, engine.bpmn.user_tasks);
engine.bpmn.lint runs them all.

Each problem is `{"element_id", "rule", "message", "params"}`: `rule` is the id the browser
lint plugin uses for the same check (`alur/<name>`, tests/fixtures/lint/README.md),
`message` is English, and `params` hold what webapp.modeler.problems needs to say it again
in the reader's language.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from lxml import etree

from engine.bpmn.expressions import check_expression

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
CONTAINER_TAGS = ("subProcess", "transaction", "adHocSubProcess")
ACTIVITY_TAGS = ("userTask", "callActivity", *CONTAINER_TAGS)
UNSUPPORTED_TASKS = {
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
DECISION_GATEWAYS = ("exclusiveGateway", "inclusiveGateway")


def bpmn_tag(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def problem_at(
    element_id: str | None, message: str, *, rule: str, params: dict | None = None
) -> dict:
    """One problem in the shape every caller (API, modeler, audit log) shares."""
    return {"element_id": element_id, "rule": rule, "message": message,
            "params": dict(params or {})}


def element_problems(root: etree._Element, form_keys: Collection[str]) -> list[dict]:
    """The rules about single elements (not lanes, not user tasks' properties)."""
    return [
        *_check_reserved_ids(root),
        *_check_task_types(root),
        *_check_script_extensions(root),
        *_check_expressions(root),
        *_check_gateways(root),
        *_check_other_forms(root, form_keys),
    ]


def _check_reserved_ids(root: etree._Element) -> Iterator[dict]:
    """SpiffWorkflow names its own task specs Start, End and <process>.EndJoin: an element
    with such an id silently replaces one of them and the process cannot run."""
    for node in root.iter(etree.Element):
        element_id = node.get("id") or ""
        if element_id in RESERVED_IDS or element_id.endswith(".EndJoin"):
            yield problem_at(element_id, f"the id '{element_id}' is reserved by the engine",
                             rule="alur/reserved-id", params={"id": element_id})


def _check_task_types(root: etree._Element) -> Iterator[dict]:
    tags = ("scriptTask", *UNSUPPORTED_TASKS, *MESSAGE_TASKS)
    for node in root.iter(*(bpmn_tag(tag) for tag in tags)):
        tag = etree.QName(node).localname
        if tag == "scriptTask":
            yield problem_at(node.get("id"), "script tasks are not allowed",
                             rule="alur/no-script", params={"script": tag})
        elif tag in UNSUPPORTED_TASKS:
            yield problem_at(node.get("id"), UNSUPPORTED_TASKS[tag], rule="alur/task-type",
                             params={"type": tag})
        elif node.get("implementation") is not None:
            yield problem_at(node.get("id"), f"{tag} with an implementation is not supported",
                             rule="alur/task-type", params={"type": tag})


def _check_script_extensions(root: etree._Element) -> Iterator[dict]:
    """SpiffWorkflow runs spiffworkflow:preScript/postScript around any task it parses."""
    for extensions in root.iter(bpmn_tag("extensionElements")):
        names = {etree.QName(node).localname for node in extensions.iter(etree.Element)}
        found = sorted(names & SCRIPT_EXTENSIONS)
        if found:
            yield problem_at(extensions.getparent().get("id"), "pre/post scripts are not allowed",
                             rule="alur/no-script", params={"script": ", ".join(found)})


def _check_expressions(root: etree._Element) -> Iterator[dict]:
    tags = [bpmn_tag(tag) for tag in EXPRESSION_TAGS] + [f"{{{SPIFF_NS}}}messagePayload"]
    for node in root.iter(*tags):
        owner = owner_of(node)
        for message in check_expression(node.text or ""):
            yield problem_at(
                owner.get("id") if owner is not None else None, named(owner, message),
                rule="alur/expression-grammar",
                params={"expression": (node.text or "").strip(), "reason": message,
                        "field": etree.QName(node).localname},
            )


def _check_gateways(root: etree._Element) -> Iterator[dict]:
    """A decision with a flow that is neither the default nor conditioned would take that
    flow whatever the data says (or stop the run): every other flow needs a condition."""
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in root.iter(bpmn_tag("sequenceFlow")):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
    for gateway in root.iter(*(bpmn_tag(tag) for tag in DECISION_GATEWAYS)):
        flows = outgoing.get(gateway.get("id"), [])
        default = gateway.get("default")
        bare = [f for f in flows if f.get("id") != default and not _has_condition(f)]
        if len(flows) >= 2 and bare:
            ids = [flow.get("id") for flow in bare]
            yield problem_at(
                gateway.get("id"),
                named(gateway, "give the gateway a default flow or a condition on every "
                      f"outgoing flow; without one: {', '.join(ids)}"),
                rule="alur/gateway-conditions",
                params={"flows": ids,
                        "flow_names": [(f.get("name") or "").strip() or f.get("id") for f in bare]},
            )


def _has_condition(flow: etree._Element) -> bool:
    condition = flow.find("bpmn:conditionExpression", NS)
    return condition is not None and bool((condition.text or "").strip())


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


def _check_other_forms(root: etree._Element, form_keys: Collection[str]) -> Iterator[dict]:
    """A start event (or any element besides a user task) may name a form: it must exist."""
    path = (
        "//*[not(self::bpmn:userTask)][bpmn:extensionElements/spiffworkflow:properties"
        "/spiffworkflow:property[@name='form_key']]"
    )
    for node in root.xpath(path, namespaces=NS):
        form_key = read_properties(node).get("form_key", "").strip()
        if form_key and form_key not in form_keys:
            yield problem_at(node.get("id"), f"form '{form_key}' does not exist",
                             rule="alur/form-missing", params={"form": form_key})
