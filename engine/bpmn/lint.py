"""The deploy-time lint: every rule a diagram must pass before SpiffWorkflow sees it.

The rule ids are shared with the browser lint plugin (frontend/bpmnlint-plugin-alur), and
tests/fixtures/lint holds one failing example per shared rule that both must report alike.
The server is the authority: whatever the browser said, deploy runs these again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from lxml import etree

from engine.bpmn.diagram_rules import element_problems, read_properties
from engine.bpmn.lanes import lane_problems
from engine.bpmn.user_tasks import user_task_problems

SHARED_RULES = (
    "alur/user-task-form", "alur/user-task-lane", "alur/lane-role", "alur/no-script",
    "alur/gateway-conditions", "alur/expression-grammar", "alur/sop-step-unique",
    "alur/sop-step-present", "alur/waktu-positive",
)
SERVER_RULES = (
    "alur/reserved-id", "alur/task-type", "alur/bounds", "alur/data-reference",
    "alur/sop-declaration", "alur/engine", "alur/executable", "alur/form-schema",
    "alur/form-missing",
)


def lint_problems(
    root: etree._Element,
    *,
    lane_defaults: Mapping[str, str],
    form_keys: Collection[str],
    known_roles: Collection[str] | None,
) -> list[dict]:
    """Every problem SpiffWorkflow would not catch, in document order per rule family."""
    elements = element_problems(root, form_keys)
    scripts_and_expressions = [p for p in elements if p["rule"] != "alur/form-missing"]
    return [
        *scripts_and_expressions,
        *lane_problems(root, lane_defaults, known_roles),
        *user_task_problems(root, lane_defaults, form_keys),
        *(p for p in elements if p["rule"] == "alur/form-missing"),
    ]


def label_problems(root: etree._Element, problems: list[dict]) -> list[dict]:
    """Add what names the element to a reader to each problem's params: its kind, its
    name and its SOP row, so a message can say "Langkah 6 'Menyetujui'" instead of an id."""
    index = {node.get("id"): node for node in root.iter(etree.Element) if node.get("id")}
    for problem in problems:
        node = index.get(problem.get("element_id"))
        params = problem.setdefault("params", {})
        if node is None:
            continue
        params.setdefault("kind", etree.QName(node).localname)
        params.setdefault("name", (node.get("name") or "").strip())
        step = read_properties(node).get("sop_step", "").strip()
        if step:
            params.setdefault("sop_step", step)
    return problems
