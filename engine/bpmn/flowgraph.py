"""Walking the sequence flows of one process: what reaches what, and what lies on a cycle.

engine.sop asks two questions of the main process's graph: does a call activity that
opens a period run beside another branch (its history could not be cut safely), and does
the process loop back into a call activity (then one must be declared the period).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from lxml import etree

from engine.bpmn.diagram_rules import NS

SPLITS = ("parallelGateway", "inclusiveGateway")


def periods_beside_branches(main: etree._Element, periods: set[str]) -> Iterator[tuple]:
    """(period, gateway) for each period a parallel or inclusive split reaches before its
    branches join again: a token would be alive beside the period when it starts."""
    edges = _edges(main)
    kinds = {n.get("id"): etree.QName(n).localname for n in main.iterchildren(etree.Element)}
    incoming: dict[str, int] = {}
    for targets in edges.values():
        for target in targets:
            incoming[target] = incoming.get(target, 0) + 1
    for split, kind in kinds.items():
        if kind not in SPLITS or len(edges.get(split, ())) < 2:
            continue
        stops = {n for n, k in kinds.items() if k == kind and incoming.get(n, 0) > 1}
        reached = _reachable(edges, edges[split], stop=stops)
        for period in sorted(periods & reached):
            yield period, split


def _edges(process: etree._Element) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        edges.setdefault(flow.get("sourceRef"), set()).add(flow.get("targetRef"))
    return edges


def nodes_on_cycles(process: etree._Element) -> set[str]:
    """Ids of the flow nodes that lie on a cycle of the process's sequence flows."""
    edges = _edges(process)
    return {node for node in edges if node in _reachable(edges, edges[node])}


def _reachable(
    edges: Mapping[str, set[str]], start: set[str], stop: Collection[str] = ()
) -> set[str]:
    """Nodes reachable from `start` along the flows, not going on past a node in `stop`."""
    seen, stack = set(), list(start)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            if node not in stop:
                stack.extend(edges.get(node, ()))
    return seen
