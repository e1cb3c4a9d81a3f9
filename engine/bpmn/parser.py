"""Hardened loading and deploy-time checking of uploaded BPMN diagrams.

An upload is untrusted: it is refused before parsing if it declares a DOCTYPE (the
door to XXE and entity bombs, and BPMN needs none), parsed with entity resolution and
network access off, and then linted so that scripts, services and unsafe expressions
are refused at deploy rather than discovered, or executed, at runtime. All problems
are reported at once so that a modeller can fix a diagram in one round trip.
"""

from __future__ import annotations

import codecs
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
    find_problems,
    lane_membership,
    lane_of,
    problem_at,
    read_properties,
    whole_days,
)
from engine.bpmn.limits import Limits
from engine.errors import InvalidDiagramError, PayloadTooLargeError

DOCTYPE_MARKERS = (b"<!doctype", b"<!entity")
DOCTYPE_MESSAGE = "BPMN files must not contain a DOCTYPE or ENTITY declaration"


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
    root: etree._Element | None = field(default=None, compare=False, repr=False)


def load_xml(data: bytes, *, max_bytes: int) -> etree._Element:
    """Parse an upload, refusing oversize files and any DTD before libxml2 sees them."""
    if len(data) > max_bytes:
        raise PayloadTooLargeError(
            f"The BPMN file is larger than the limit of {max_bytes} bytes",
            code="bpmn_too_large",
            details={"size": len(data), "max_bytes": max_bytes},
        )
    if _declares_doctype(data):
        raise InvalidDiagramError(DOCTYPE_MESSAGE, code="bpmn_doctype_forbidden")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=False,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise InvalidDiagramError(
            "The BPMN file is not well-formed XML",
            code="bpmn_malformed",
            details={"line": error.lineno, "reason": error.msg},
        ) from error
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise InvalidDiagramError(DOCTYPE_MESSAGE, code="bpmn_doctype_forbidden")
    if root.tag != bpmn_tag("definitions"):
        raise InvalidDiagramError("This file is not a BPMN diagram", code="bpmn_not_bpmn")
    return root


def _declares_doctype(data: bytes) -> bool:
    """Scan raw bytes; removing NULs also exposes UTF-16/32 text without a BOM."""
    texts = [data, data.replace(b"\x00", b"")]
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or data[:4] == codecs.BOM_UTF32_BE:
        for codec in ("utf-16", "utf-32"):
            texts.append(data.decode(codec, errors="replace").encode("utf-8", errors="replace"))
    return any(marker in text.lower() for text in texts for marker in DOCTYPE_MARKERS)


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
    except SpiffWorkflowException as error:
        message = str(error.args[0]) if error.args else type(error).__name__
        problem = problem_at(getattr(error, "id", None) or None, message)
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
    problem = problem_at(root.get("id"), "the diagram has no executable main process")
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
) -> ParsedDiagram:
    """Load and lint an upload, refusing it with every problem found, or describe it.

    `checks` are the caller's own rules (the SOP's declarations, engine.sop), each given the
    tree and the main process id; their problems are reported with the others, at once.
    `limits` are the settings' bounds on loop counts and timers (engine.bpmn.bounds).
    """
    root = load_xml(data, max_bytes=max_bytes)
    problems = find_problems(root, lane_roles, form_keys)
    problems.extend(bound_problems(root, limits or Limits()))
    if not _executable_processes(root):
        problems.append(problem_at(root.get("id"), "the diagram has no executable process"))
    else:
        problems.extend(reference_problems(root))
        main_id = _main_process_id(root)
        for check in checks:
            problems.extend(check(root, main_id))
        try:
            build_specs(root, filename)
        except InvalidDiagramError as error:
            problems.extend(error.details["problems"])
    if problems:
        raise InvalidDiagramError(
            f"The diagram was refused: {len(problems)} problem(s)",
            code="invalid_diagram",
            details={"problems": problems},
        )
    return _describe(root, lane_roles, lane_membership(root))


def _describe(
    root: etree._Element, lane_roles: Mapping[str, str], lane_names: Mapping[str, str | None]
) -> ParsedDiagram:
    activities = {}
    for process in root.iterfind("bpmn:process", NS):
        for node in process.iter(*(bpmn_tag(tag) for tag in ACTIVITY_TAGS)):
            info = _activity_info(node, lane_roles, lane_names)
            activities[info.element_id] = info
    named_lanes = (lane.get("name") for lane in root.iter(bpmn_tag("lane")))
    return ParsedDiagram(
        main_process_id=_main_process_id(root),
        process_ids=[process.get("id") for process in _executable_processes(root)],
        activities=activities,
        lanes={name: lane_roles[name] for name in named_lanes if name in lane_roles},
        root=root,
    )


def _activity_info(
    node: etree._Element, lane_roles: Mapping[str, str], lane_names: Mapping[str, str | None]
) -> ActivityInfo:
    """process_id is the process or embedded subprocess holding the node: Spiff's spec name."""
    properties = read_properties(node)
    container_tags = [bpmn_tag(tag) for tag in ("process", *CONTAINER_TAGS)]
    container = next(node.iterancestors(*container_tags))
    lane = lane_of(node, lane_names)
    documentation = node.find("bpmn:documentation", NS)
    return ActivityInfo(
        element_id=node.get("id"),
        name=node.get("name") or node.get("id"),
        process_id=container.get("id"),
        lane=lane,
        role=lane_roles.get(lane) if lane else None,
        sop_step=properties.get("sop_step", "").strip() or None,
        waktu_hari_kerja=whole_days(properties.get("waktu_hari_kerja")),
        form_key=properties.get("form_key", "").strip() or None,
        documentation=((documentation.text if documentation is not None else "") or "").strip(),
        kelengkapan=properties.get("kelengkapan", "").strip(),
        output=properties.get("output", "").strip(),
        is_multi_instance=node.find("bpmn:multiInstanceLoopCharacteristics", NS) is not None,
    )
