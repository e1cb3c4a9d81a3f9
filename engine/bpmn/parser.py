"""Deploy-time checking of uploaded BPMN diagrams, and what the engine reads from them.

An upload is untrusted: it is read safely (engine.bpmn.xmlload), then linted
(engine.bpmn.lint, bounds, datarefs and the caller's own rules) so that scripts, services
and unsafe expressions are refused at deploy rather than discovered, or executed, at
runtime, and finally built by SpiffWorkflow. All problems are reported at once, each with
its rule, so that a modeller can fix a diagram in one round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.bpmn.bounds import bound_problems
from engine.bpmn.datarefs import normalised_copy, reference_problems
from engine.bpmn.diagram_rules import (
    ACTIVITY_TAGS,
    CONTAINER_TAGS,
    NS,
    bpmn_tag,
    problem_at,
    read_properties,
    whole_days,
)
from engine.bpmn.lanes import effective_lane_roles, lane_element_of, lane_elements, lane_role
from engine.bpmn.limits import Limits
from engine.bpmn.lint import label_problems, lint_problems
from engine.bpmn.xmlload import load_xml
from engine.errors import InvalidDiagramError


@dataclass(frozen=True)
class ActivityInfo:
    """What the inbox and the deadline clock need to know about one step of the SOP."""

    element_id: str
    name: str
    process_id: str
    lane: str | None
    role: str | None
    sop_step: str | None
    waktu_hari_kerja: int | None
    form_key: str | None
    documentation: str
    kelengkapan: str
    output: str
    is_multi_instance: bool


@dataclass(frozen=True)
class ParsedDiagram:
    main_process_id: str
    process_ids: list[str]
    activities: dict[str, ActivityInfo]
    lanes: dict[str, str]
    lane_roles: dict[str, str] = field(default_factory=dict)
    root: etree._Element | None = field(default=None, compare=False, repr=False)


def build_specs(
    root: etree._Element, filename: str = "diagram.bpmn"
) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    """Turn a loaded tree into SpiffWorkflow specs without touching the disk again.

    SpiffWorkflow parses a normalised copy in which data items' ids are their variable
    names (see engine.bpmn.datarefs); `root` itself, like the stored XML, is not changed.
    """
    main_id = _main_process_id(root)
    tree = normalised_copy(root)
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_xml(tree, filename)
        return parser.get_spec(main_id), parser.get_subprocess_specs(main_id)
    except (SpiffWorkflowException, ValueError, TypeError, KeyError, AttributeError) as error:
        # SpiffWorkflow's parser also fails with bare ValueError/TypeError on well-formed but
        # odd input (bounds like x="abc", a process without an id): a problem, never a 500.
        message = str(error.args[0]) if error.args else type(error).__name__
        problem = problem_at(getattr(error, "id", None) or None, message, rule="alur/engine",
                             params={"detail": message})
        raise InvalidDiagramError(
            f"The diagram could not be built: {message}",
            code="bpmn_invalid",
            details={"problems": [problem]},
        ) from error


def _executable_processes(root: etree._Element) -> list[etree._Element]:
    """Like SpiffWorkflow, a process without isExecutable counts as executable."""
    processes = root.iterfind("bpmn:process", NS)
    return [process for process in processes if process.get("isExecutable", "true") == "true"]


def _main_process_id(root: etree._Element) -> str:
    """The first executable process that no call activity calls is the one users start."""
    called = set(root.xpath(".//bpmn:callActivity/@calledElement", namespaces=NS))
    for process in _executable_processes(root):
        if process.get("id") not in called:
            return process.get("id")
    problem = problem_at(root.get("id"), "the diagram has no executable main process",
                         rule="alur/executable")
    raise InvalidDiagramError(
        "The diagram has no executable main process",
        code="bpmn_invalid",
        details={"problems": [problem]},
    )


Check = Callable[[etree._Element, str], list[dict]]


def validate_diagram(
    data: bytes,
    *,
    lane_roles: Mapping[str, str],
    form_keys: Collection[str],
    max_bytes: int,
    filename: str = "diagram.bpmn",
    checks: Sequence[Check] = (),
    limits: Limits | None = None,
    known_roles: Collection[str] | None = None,
) -> ParsedDiagram:
    """Load and lint an upload, refusing it with every problem found, or describe it.

    `lane_roles` are the defaults (bpmn/lane-roles.toml) for lanes that carry no role of
    their own (engine.bpmn.lanes); `known_roles`, when given, the role codes a lane may
    name (the deploy service passes engine.models.users.ROLE_CODES). `checks` are the
    caller's own rules (the SOP's declarations, engine.sop), each given the tree and the
    main process id; their problems are reported with the others, at once. `limits` are
    the settings' bounds on loop counts and timers (engine.bpmn.bounds).
    """
    root = load_xml(data, max_bytes=max_bytes)
    problems = diagram_problems(
        root, lane_roles=lane_roles, form_keys=form_keys, filename=filename, checks=checks,
        limits=limits, known_roles=known_roles,
    )
    if problems:
        raise InvalidDiagramError(
            f"The diagram was refused: {len(problems)} problem(s)",
            code="invalid_diagram",
            details={"problems": problems},
        )
    return describe_diagram(root, lane_roles)


def diagram_problems(
    root: etree._Element,
    *,
    lane_roles: Mapping[str, str],
    form_keys: Collection[str],
    filename: str = "diagram.bpmn",
    checks: Sequence[Check] = (),
    limits: Limits | None = None,
    known_roles: Collection[str] | None = None,
) -> list[dict]:
    """Every problem of a loaded tree (empty when it may be deployed), each naming its rule."""
    problems = lint_problems(
        root, lane_defaults=lane_roles, form_keys=form_keys, known_roles=known_roles
    )
    problems.extend(bound_problems(root, limits or Limits()))
    nameless = [process for process in root.iterfind("bpmn:process", NS) if not process.get("id")]
    if nameless:  # nothing can refer to it, and the engine cannot name its spec
        problems.append(problem_at(None, "a process has no id", rule="alur/engine",
                                   params={"detail": "a process has no id"}))
    elif not _executable_processes(root):
        problems.append(problem_at(root.get("id"), "the diagram has no executable process",
                                   rule="alur/executable"))
    else:
        problems.extend(reference_problems(root))
        main_id = _main_process_id(root)
        for check in checks:
            problems.extend(check(root, main_id))
        try:
            build_specs(root, filename)
        except InvalidDiagramError as error:
            problems.extend(_not_reported(error.details["problems"], problems))
    return label_problems(root, problems)


def _not_reported(engine_problems: list[dict], problems: list[dict]) -> list[dict]:
    """SpiffWorkflow stops at the first element it cannot build, often one the lint already
    reported (a service task, a gateway's bare flow): say it once, the lint's clearer way."""
    reported = {problem["element_id"] for problem in problems}
    reported |= {flow for problem in problems if problem["rule"] == "alur/gateway-conditions"
                 for flow in problem["params"]["flows"]}
    return [problem for problem in engine_problems
            if problem["rule"] != "alur/engine" or problem["element_id"] not in reported]


def describe_diagram(root: etree._Element, defaults: Mapping[str, str]) -> ParsedDiagram:
    """What the engine needs of a diagram that passed the checks (`lane_roles` defaults)."""
    activities = {}
    lanes = lane_elements(root)
    for process in root.iterfind("bpmn:process", NS):
        for node in process.iter(*(bpmn_tag(tag) for tag in ACTIVITY_TAGS)):
            info = _activity_info(node, defaults, lanes)
            activities[info.element_id] = info
    effective = effective_lane_roles(root, defaults)
    named_lanes = ((lane.get("name") or "").strip() for lane in root.iter(bpmn_tag("lane")))
    return ParsedDiagram(
        main_process_id=_main_process_id(root),
        process_ids=[process.get("id") for process in _executable_processes(root)],
        activities=activities,
        lanes={name: effective[name] for name in named_lanes if name in effective},
        lane_roles=effective,
        root=root,
    )


def _activity_info(
    node: etree._Element, defaults: Mapping[str, str], lanes: Mapping[str, etree._Element]
) -> ActivityInfo:
    """process_id is the process or embedded subprocess holding the node: Spiff's spec name."""
    properties = read_properties(node)
    container_tags = [bpmn_tag(tag) for tag in ("process", *CONTAINER_TAGS)]
    container = next(node.iterancestors(*container_tags))
    lane = lane_element_of(node, lanes)
    documentation = node.find("bpmn:documentation", NS)
    return ActivityInfo(
        element_id=node.get("id"),
        name=node.get("name") or node.get("id"),
        process_id=container.get("id"),
        lane=(lane.get("name") or "").strip() or None if lane is not None else None,
        role=lane_role(lane, defaults) if lane is not None else None,
        sop_step=properties.get("sop_step", "").strip() or None,
        waktu_hari_kerja=whole_days(properties.get("waktu_hari_kerja")),
        form_key=properties.get("form_key", "").strip() or None,
        documentation=((documentation.text if documentation is not None else "") or "").strip(),
        kelengkapan=properties.get("kelengkapan", "").strip(),
        output=properties.get("output", "").strip(),
        is_multi_instance=node.find("bpmn:multiInstanceLoopCharacteristics", NS) is not None,
    )
