"""Lanes and their roles: who works the tasks of a lane, as the diagram itself says.

A lane may carry its role as `<spiffworkflow:property name="role" value="pj_kinerja"/>`;
a lane without one takes the default for its name from bpmn/lane-roles.toml. The role
therefore travels with the diagram (and the version), and the toml keeps older diagrams,
and diagrams drawn elsewhere, working. The effective mapping (lane name -> role) is what a
version stores: it is the defaults overridden by the lanes' own roles, so a diagram that
sets none stores (and hashes) exactly what it did before lanes could carry roles.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from lxml import etree

from engine.bpmn.diagram_rules import CONTAINER_TAGS, bpmn_tag, problem_at, read_properties

ROLE_PROPERTY = "role"
RULE = "alur/lane-role"


def own_role(lane: etree._Element) -> str | None:
    """The role the lane itself declares, if any."""
    return read_properties(lane).get(ROLE_PROPERTY, "").strip() or None


def lane_role(lane: etree._Element, defaults: Mapping[str, str]) -> str | None:
    """The lane's own role, else the default for its name, else None."""
    return own_role(lane) or defaults.get((lane.get("name") or "").strip()) or None


def effective_lane_roles(root: etree._Element, defaults: Mapping[str, str]) -> dict[str, str]:
    """Lane name -> role: the defaults overridden by each named lane's own role."""
    mapping = dict(defaults)
    for lane in root.iter(bpmn_tag("lane")):
        name, role = (lane.get("name") or "").strip(), own_role(lane)
        if name and role:
            mapping[name] = role
    return mapping


def lane_elements(root: etree._Element) -> dict[str, etree._Element]:
    """Flow node id -> the lane listing it; later (inner) lanes win, as in SpiffWorkflow."""
    return {
        ref.text.strip(): ref.getparent()
        for ref in root.iter(bpmn_tag("flowNodeRef"))
        if ref.text and ref.text.strip()
    }


def lane_element_of(
    node: etree._Element, lanes: Mapping[str, etree._Element]
) -> etree._Element | None:
    """An embedded subprocess passes its lane down to its children, as SpiffWorkflow does."""
    containers = list(node.iterancestors(*(bpmn_tag(tag) for tag in CONTAINER_TAGS)))
    for item in [*reversed(containers), node]:
        if item.get("id") in lanes:
            return lanes[item.get("id")]
    return None


def lane_problems(
    root: etree._Element, defaults: Mapping[str, str], known_roles: Collection[str] | None
) -> list[dict]:
    """Every lane needs a name and a known role; one name cannot mean two roles."""
    return [*_single_lane_problems(root, defaults, known_roles), *_conflicts(root, defaults)]


def _single_lane_problems(
    root: etree._Element, defaults: Mapping[str, str], known_roles: Collection[str] | None
) -> Iterator[dict]:
    for lane in root.iter(bpmn_tag("lane")):
        name, role = (lane.get("name") or "").strip(), lane_role(lane, defaults)
        params = {"lane": name, "role": role}
        if not name:
            yield problem_at(lane.get("id"), "lane has no name", rule=RULE,
                             params={**params, "case": "no_name"})
        elif role is None:
            yield problem_at(lane.get("id"), f"lane '{name}' has no role mapping", rule=RULE,
                             params={**params, "case": "no_role"})
        elif known_roles is not None and role not in known_roles:
            yield problem_at(lane.get("id"), f"lane '{name}' has the unknown role '{role}'",
                             rule=RULE, params={**params, "case": "unknown_role"})


def _conflicts(root: etree._Element, defaults: Mapping[str, str]) -> Iterator[dict]:
    """The version maps lane names to roles: two lanes of one name must agree."""
    by_name: dict[str, list[etree._Element]] = {}
    for lane in root.iter(bpmn_tag("lane")):
        if (lane.get("name") or "").strip() and lane_role(lane, defaults):
            by_name.setdefault(lane.get("name").strip(), []).append(lane)
    for name, lanes in by_name.items():
        roles = sorted({lane_role(lane, defaults) for lane in lanes})
        if len(roles) < 2:
            continue
        for lane in lanes:
            yield problem_at(
                lane.get("id"),
                f"lanes named '{name}' have different roles ({', '.join(roles)}): give each "
                "lane of one name the same role, or rename one",
                rule=RULE,
                params={"lane": name, "role": lane_role(lane, defaults), "roles": roles,
                        "case": "conflict"},
            )
