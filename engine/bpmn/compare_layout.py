"""The drawing of a diagram (BPMN DI), read apart from what the diagram means.

engine.bpmn.compare reports an element whose facts are equal but whose drawing differs as
"layout" only, never as changed: moving a shape changes nothing for the engine or for the
people who work the SOP. This module reads that drawing (shape bounds, edge waypoints,
label boxes, DI flags) into one comparable value per element.
"""

from __future__ import annotations

from lxml import etree

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
OMGDI_NS = "http://www.omg.org/spec/DD/20100524/DI"


def read_layouts(root: etree._Element) -> dict[str, tuple]:
    """Element id -> its drawing: bounds, waypoints and DI flags, rounded to tenths."""
    result: dict[str, tuple] = {}
    for shape in root.iter(f"{{{DI_NS}}}BPMNShape", f"{{{DI_NS}}}BPMNEdge"):
        flags = tuple(sorted((k, v) for k, v in shape.attrib.items()
                             if k not in ("id", "bpmnElement")))
        points = tuple(
            (etree.QName(node).localname,
             *(_coordinate(node.get(a))
               for a in ("x", "y", "width", "height") if node.get(a) is not None))
            for node in shape.iter(f"{{{DC_NS}}}Bounds", f"{{{OMGDI_NS}}}waypoint")
        )
        key = shape.get("bpmnElement")
        result[key] = result.get(key, ()) + (flags, points)
    return result


def _coordinate(value: str) -> float | str:
    """A coordinate to a tenth (tools write 100 or 100.0); a value that is no number (a
    draft from elsewhere) is compared as written rather than refused."""
    try:
        return round(float(value), 1)
    except ValueError:
        return value
