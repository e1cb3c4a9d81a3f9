"""The SOP's own rules, as the deployed diagram declares them: the one place the engine
learns what is particular to a process rather than true of every BPMN diagram.

A diagram declares, with `spiffworkflow:property` entries:

- on a call activity of the main process, `opens_period` = `true`: each time it starts, a
  reporting period begins (the period counter moves, the history above it is cut) and,
  optionally, `period_end_variable` names the variable holding the period's last day;
- on a lane, `opd_variable` = a variable name: each task in the lane belongs to the OPD
  that variable names, and only that OPD's people may work it;
- on the main process, `context_keys`: the variables shown beside every task's form;
- on a task, `context_view`: a computed view shown beside its form (`capaian`: each
  indicator's achievement from the plan, the targets and the OPDs' reports so far).

Deploy reads them into `SopRules` (stored on the version) and refuses a diagram that
needs one and lacks it: a lane of a role whose people each belong to an OPD without
`opd_variable`, or a main process that loops back into a call activity without saying
which call activity opens a period.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.diagram_rules import NS, bpmn_tag, problem_at, read_properties
from engine.bpmn.flowgraph import nodes_on_cycles, periods_beside_branches
from engine.bpmn.lanes import lane_element_of, lane_elements, lane_role
from engine.models.users import OPD_ROLES

PERIOD_FLAG = "opens_period"
PERIOD_END = "period_end_variable"
OPD_VARIABLE = "opd_variable"
CONTEXT_KEYS = "context_keys"
CONTEXT_VIEW = "context_view"
# Each computed view and the forms whose answers it reads.
CONTEXT_VIEWS = {
    "capaian": ("perencanaan-indikator", "perencanaan-target", "laporan-realisasi"),
}
RULE = "alur/sop-declaration"


@dataclass(frozen=True)
class SopRules:
    period_activities: frozenset[str] = frozenset()
    period_end_variables: Mapping[str, str] = field(default_factory=dict)
    opd_variables: Mapping[str, str] = field(default_factory=dict)  # element id -> variable
    context_keys: tuple[str, ...] = ()
    context_views: Mapping[str, str] = field(default_factory=dict)  # element id -> view

    def to_dict(self) -> dict:
        return {
            "period_activities": sorted(self.period_activities),
            "period_end_variables": dict(self.period_end_variables),
            "opd_variables": dict(self.opd_variables),
            "context_keys": list(self.context_keys),
            "context_views": dict(self.context_views),
        }

    @classmethod
    def from_dict(cls, dct: Mapping | None) -> SopRules:
        dct = dct or {}
        return cls(
            period_activities=frozenset(dct.get("period_activities", ())),
            period_end_variables=dict(dct.get("period_end_variables", {})),
            opd_variables=dict(dct.get("opd_variables", {})),
            context_keys=tuple(dct.get("context_keys", ())),
            context_views=dict(dct.get("context_views", {})),
        )

    def opd_code(self, element_id: str, data: Mapping) -> tuple[str | None, object]:
        """The OPD variable of an element and the value the data gives it (or None, None)."""
        variable = self.opd_variables.get(element_id)
        return (variable, data.get(variable)) if variable else (None, None)

    def period_end(self, element_id: str, data: Mapping):
        variable = self.period_end_variables.get(element_id)
        return data.get(variable) if variable else None

    def context(self, data: Mapping) -> dict:
        return {key: data[key] for key in self.context_keys if data.get(key) is not None}


def read_rules(root: etree._Element, main_process_id: str) -> SopRules:
    """The rules a (valid) diagram declares."""
    main = _process(root, main_process_id)
    periods = {
        node.get("id"): read_properties(node)
        for node in main.iterfind("bpmn:callActivity", NS)
        if _is_true(read_properties(node).get(PERIOD_FLAG))
    }
    return SopRules(
        period_activities=frozenset(periods),
        period_end_variables={
            k: v[PERIOD_END].strip() for k, v in periods.items() if v.get(PERIOD_END, "").strip()
        },
        opd_variables={
            element_id: variable
            for element_id, (lane, variable) in _lanes_of_nodes(root).items()
            if variable
        },
        context_keys=tuple(_words(read_properties(main).get(CONTEXT_KEYS))),
        context_views={
            node.get("id"): read_properties(node)[CONTEXT_VIEW].strip()
            for node in root.iter(bpmn_tag("userTask"))
            if read_properties(node).get(CONTEXT_VIEW, "").strip()
        },
    )


def rule_problems(
    root: etree._Element,
    main_process_id: str,
    lane_roles: Mapping[str, str],
    form_keys: Collection[str],
) -> list[dict]:
    """Every declaration that is wrong or missing, as {"element_id", "message"} dicts."""
    main = _process(root, main_process_id)
    return [
        *_period_problems(root, main),
        *_lane_problems(root, lane_roles),
        *_context_problems(root, main, form_keys),
    ]


def _problem(element_id: str | None, message: str) -> dict:
    return problem_at(element_id, message, rule=RULE, params={"detail": message})


def _period_problems(root: etree._Element, main: etree._Element) -> Iterator[dict]:
    top_level = {node.get("id") for node in main.iterfind("bpmn:callActivity", NS)}
    for node in root.iter(etree.Element):
        if not _is_true(read_properties(node).get(PERIOD_FLAG)):
            continue
        if node.get("id") not in top_level:
            yield _problem(
                node.get("id"),
                f"'{PERIOD_FLAG}' belongs on a call activity directly in the main process",
            )
        elif node.find("bpmn:multiInstanceLoopCharacteristics", NS) is not None:
            yield _problem(
                node.get("id"), "a call activity that opens a period cannot be multi-instance"
            )
    declared = {
        n.get("id")
        for n in main.iterchildren(etree.Element)
        if _is_true(read_properties(n).get(PERIOD_FLAG))
    }
    for period_id, split_id in periods_beside_branches(main, declared):
        yield _problem(
            period_id,
            f"this period runs beside another branch of gateway '{split_id}': a period's "
            "history can be cut only when nothing else runs beside it; join the branches "
            "before the period starts",
        )
    looping = sorted(top_level & nodes_on_cycles(main))
    if looping and not declared:
        yield _problem(
            looping[0],
            "the main process loops back into this call activity, but no call activity "
            f"declares '{PERIOD_FLAG}' = true: mark the reporting period's call activity",
        )


def _lane_problems(root: etree._Element, lane_roles: Mapping[str, str]) -> Iterator[dict]:
    for lane in root.iter(bpmn_tag("lane")):
        role = lane_role(lane, lane_roles)
        variable = read_properties(lane).get(OPD_VARIABLE, "").strip()
        if role in OPD_ROLES and not variable:
            yield _problem(
                lane.get("id"),
                f"lane '{lane.get('name')}' is for role '{role}', whose people each belong to "
                f"one OPD: give it an '{OPD_VARIABLE}' property naming the variable that holds "
                "the OPD of its tasks",
            )
        elif variable and role not in OPD_ROLES:
            yield _problem(
                lane.get("id"),
                f"'{OPD_VARIABLE}' only fits a lane whose role's people belong to an OPD "
                f"({', '.join(sorted(OPD_ROLES))})",
            )
        elif variable and not variable.isidentifier():
            yield _problem(lane.get("id"), f"'{OPD_VARIABLE}' must be a variable name")


def _context_problems(
    root: etree._Element, main: etree._Element, form_keys: Collection[str]
) -> Iterator[dict]:
    for key in _words(read_properties(main).get(CONTEXT_KEYS)):
        if not key.isidentifier():
            yield _problem(main.get("id"), f"'{CONTEXT_KEYS}' holds '{key}', not a variable name")
    for node in root.iter(bpmn_tag("userTask")):
        view = read_properties(node).get(CONTEXT_VIEW, "").strip()
        if not view:
            continue
        if view not in CONTEXT_VIEWS:
            known = ", ".join(sorted(CONTEXT_VIEWS))
            yield _problem(node.get("id"), f"unknown '{CONTEXT_VIEW}' '{view}' (known: {known})")
            continue
        for form_key in CONTEXT_VIEWS[view]:
            if form_key not in form_keys:
                yield _problem(
                    node.get("id"), f"view '{view}' reads form '{form_key}', which does not exist"
                )


def _process(root: etree._Element, process_id: str) -> etree._Element:
    return root.xpath("bpmn:process[@id=$id]", id=process_id, namespaces=NS)[0]


def _is_true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _words(value: str | None) -> list[str]:
    return (value or "").replace(",", " ").split()


def _lanes_of_nodes(root: etree._Element) -> dict[str, tuple[str, str]]:
    """Flow node id -> (lane id, its OPD variable); inner lanes and containers pass down."""
    lanes = lane_elements(root)
    found = {}
    for node in root.iter(etree.Element):
        lane = lane_element_of(node, lanes)
        if node.get("id") and lane is not None:
            variable = read_properties(lane).get(OPD_VARIABLE, "").strip()
            found[node.get("id")] = (lane.get("id"), variable)
    return found
