"""What every user task must say: its lane, its SOP row (`sop_step`), its time allowance
(`waktu_hari_kerja`) and its form (`form_key`).

These are the SOP's columns. The inbox groups and names tasks by row, the deadline clock
counts the working days, and the task page renders the form: a task without one of them
would reach somebody's inbox unusable, so the diagram is refused instead.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from lxml import etree

from engine.bpmn.diagram_rules import NS, bpmn_tag, problem_at, read_properties, whole_days
from engine.bpmn.lanes import lane_element_of, lane_elements, lane_role


def user_task_problems(
    root: etree._Element, lane_defaults: Mapping[str, str], form_keys: Collection[str]
) -> list[dict]:
    lanes = lane_elements(root)
    problems = []
    for task in root.iter(bpmn_tag("userTask")):
        problems.extend(_lane_problems(task, lanes, lane_defaults))
        problems.extend(_property_problems(task, form_keys))
    problems.extend(step_problems(root))
    return problems


def _lane_problems(
    task: etree._Element, lanes: Mapping[str, etree._Element], defaults: Mapping[str, str]
) -> Iterator[dict]:
    process = next(task.iterancestors(bpmn_tag("process")), None)
    if process is None or next(process.iter(bpmn_tag("lane")), None) is None:
        return
    lane = lane_element_of(task, lanes)
    if lane is None:
        yield problem_at(task.get("id"), "user task is not in a lane", rule="alur/user-task-lane",
                         params={"lane": None, "case": "no_lane"})
    elif lane_role(lane, defaults) is None:
        name = (lane.get("name") or "").strip()
        yield problem_at(task.get("id"), f"user task is in lane '{name}', which has no role",
                         rule="alur/user-task-lane", params={"lane": name, "case": "no_role"})


def _property_problems(task: etree._Element, form_keys: Collection[str]) -> Iterator[dict]:
    properties = read_properties(task)
    element_id = task.get("id")
    if not properties.get("sop_step", "").strip():
        yield problem_at(element_id, "user task has no 'sop_step' property",
                         rule="alur/sop-step-present")
    waktu = properties.get("waktu_hari_kerja")
    days = whole_days(waktu)
    if days is None or days < 1:
        yield problem_at(
            element_id,
            "property 'waktu_hari_kerja' must be a whole number of days (1 or more)",
            rule="alur/waktu-positive", params={"value": waktu},
        )
    form_key = properties.get("form_key", "").strip()
    if not form_key:
        yield problem_at(element_id, "user task has no 'form_key' property",
                         rule="alur/user-task-form", params={"form": None, "case": "missing"})
    elif form_key not in form_keys:
        yield problem_at(element_id, f"form '{form_key}' does not exist",
                         rule="alur/user-task-form", params={"form": form_key, "case": "unknown"})


def step_problems(root: etree._Element) -> Iterator[dict]:
    """A row number names one step of one process (a called process counts on its own);
    the outcomes of one decision may share it, as the SOP's 17a and 17c do."""
    for process in root.iterfind("bpmn:process", NS):
        by_step: dict[str, list[etree._Element]] = {}
        for task in process.iter(bpmn_tag("userTask")):
            step = read_properties(task).get("sop_step", "").strip()
            if step:
                by_step.setdefault(step, []).append(task)
        for step, tasks in by_step.items():
            if len(tasks) > 1 and not _outcomes_of_one_decision(process, tasks):
                yield from _duplicates(step, tasks)


def _duplicates(step: str, tasks: list[etree._Element]) -> Iterator[dict]:
    for task in tasks:
        others = [other for other in tasks if other is not task]
        names = [(o.get("name") or "").strip() or o.get("id") for o in others]
        yield problem_at(
            task.get("id"),
            f"sop_step {step} is also the step of {', '.join(names)}: each step of a "
            "process needs its own number",
            rule="alur/sop-step-unique",
            params={"step": step, "others": [o.get("id") for o in others],
                    "other_names": names},
        )


def _outcomes_of_one_decision(process: etree._Element, tasks: list[etree._Element]) -> bool:
    """Each task entered by exactly one flow, all leaving one exclusive gateway."""
    sources = set()
    for task in tasks:
        incoming = [f for f in process.iter(bpmn_tag("sequenceFlow"))
                    if f.get("targetRef") == task.get("id")]
        if len(incoming) != 1:
            return False
        sources.add(incoming[0].get("sourceRef"))
    if len(sources) != 1:
        return False
    [source] = sources
    gateways = process.xpath(".//bpmn:exclusiveGateway[@id=$id]", id=source, namespaces=NS)
    return bool(gateways)
