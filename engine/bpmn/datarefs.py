"""Data items carry their variable name in `name`; SpiffWorkflow reads it from `id`.

SpiffWorkflow uses the `id` of a dataInput, dataOutput, inputDataItem, outputDataItem or
dataObject as the task-data key. A diagram that wants the same variable in two places
would then need two elements with one id: invalid BPMN, refused by the XSD and silently
dropped by bpmn-js on import, so that a diagram opened and saved in the modeler runs
wrongly. Diagrams therefore give every data item a unique id and put the variable name
in `name`, and `normalised_copy` rewrites a copy of the tree (never the stored XML) so
that each named item's id is its name and every reference follows it.

References are resolved from the innermost enclosing element outwards, as scopes nest in
BPMN: an inputSet's dataInputRefs find the ioSpecification's own inputs first, a loop
reference finds the activity's own ioSpecification before the process's data. Problems
that make the rewrite impossible (a name that is not an identifier, a name that is also
another element's id, an id shared by items with different names) are raised by
`normalised_copy`; `reference_problems` adds the deploy-time checks that stored, already
deployed versions are not held to (a loop or input-set reference that resolves to
nothing, or to data outside its own process, would be read silently by name or ignored).
"""

from __future__ import annotations

import copy
import keyword
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from engine.bpmn.diagram_rules import BPMN_NS, bpmn_tag, problem_at
from engine.errors import InvalidDiagramError

DATA_ITEM_TAGS = ("dataInput", "dataOutput", "inputDataItem", "outputDataItem", "dataObject")
LOOP_REF_TAGS = ("loopDataInputRef", "loopDataOutputRef")
SET_REF_TAGS = (
    "dataInputRefs", "optionalInputRefs", "whileExecutingInputRefs",
    "dataOutputRefs", "optionalOutputRefs", "whileExecutingOutputRefs",
)
ASSOCIATION_TAGS = ("dataInputAssociation", "dataOutputAssociation")
ATTRIBUTE_REFS = (("dataObjectReference", "dataObjectRef"), ("ioBinding", "inputDataRef"),
                  ("ioBinding", "outputDataRef"))
LOOP_TARGET_TAGS = ("dataInput", "dataOutput", "dataObject")
SET_TARGET_TAGS = {"inputSet": "dataInput", "outputSet": "dataOutput"}
_HIDDEN_OWNERS = (
    "ioSpecification", "inputSet", "outputSet", "multiInstanceLoopCharacteristics",
    *ASSOCIATION_TAGS,
)


RULE = "alur/data-reference"


def _problem(element_id: str | None, message: str) -> dict:
    return problem_at(element_id, message, rule=RULE, params={"detail": message})


@dataclass(frozen=True)
class _Ref:
    """One reference to a data item: element text, or an attribute when `attribute` is set."""

    node: etree._Element
    attribute: str | None = None

    @property
    def value(self) -> str:
        raw = self.node.get(self.attribute) if self.attribute else self.node.text
        return (raw or "").strip()

    def set(self, value: str) -> None:
        if self.attribute:
            self.node.set(self.attribute, value)
        else:
            self.node.text = value


def variable_name(item: etree._Element) -> str:
    """The task-data key of a data item: its name, or its id when it has no name."""
    return (item.get("name") or "").strip() or item.get("id") or ""


def normalised_copy(root: etree._Element) -> etree._Element:
    """A copy of `root` in which every named data item's id is its variable name.

    Declaration-only dataObjects (no dataObjectReference points at them) are left out of
    the copy: they exist so that loop references resolve in the XML, and SpiffWorkflow
    would otherwise add them to the workflow's data_objects, which also feed expressions.
    """
    problems = list(_rename_problems(root))
    if problems:
        raise InvalidDiagramError(
            f"The diagram's data items could not be resolved: {len(problems)} problem(s)",
            code="bpmn_invalid",
            details={"problems": problems},
        )
    tree = copy.deepcopy(root)
    items = list(_data_items(tree))
    referenced_objects = {ref.value for ref in _attribute_refs(tree, "dataObjectRef")}
    plan = []
    for ref in _references(tree):
        targets = _resolve(ref, items)
        if targets:
            plan.append((ref, variable_name(targets[0])))
    for ref, name in plan:
        ref.set(name)
    for item in items:
        if _tag(item) == "dataObject" and item.get("id") not in referenced_objects:
            item.getparent().remove(item)
        else:
            item.set("id", variable_name(item))
    return tree


def reference_problems(root: etree._Element) -> list[dict[str, str | None]]:
    """Deploy-time only: references that do not point at the data they must point at."""
    items = list(_data_items(root))
    problems = list(_shared_ids(root, items))
    for loop in root.iter(*(bpmn_tag(tag) for tag in LOOP_REF_TAGS)):
        problems.extend(_loop_ref_problems(_Ref(loop), items))
    for set_ref in root.iter(*(bpmn_tag(tag) for tag in SET_REF_TAGS)):
        problems.extend(_set_ref_problems(_Ref(set_ref), items))
    return problems


def _loop_ref_problems(ref: _Ref, items: list[etree._Element]) -> Iterator[dict]:
    activity = ref.node.getparent().getparent()
    owner = activity.get("id") if activity is not None else None
    what = f"{_tag(ref.node)} {ref.value!r}" if ref.value else f"empty {_tag(ref.node)}"
    targets = _resolve(ref, items)
    if not targets:
        yield _problem(owner, f"{what} does not refer to any data item; declare a "
                                "dataObject (or a dataInput/dataOutput) with that id")
        return
    target = targets[0]
    if _tag(target) not in LOOP_TARGET_TAGS:
        yield _problem(owner, f"{what} refers to the {_tag(target)} of "
                                f"{_owner_id(target)}; it must refer to a dataInput, "
                                "dataOutput or dataObject")
    elif _process_of(target) is not _process_of(ref.node):
        yield _problem(owner, f"{what} refers to a data item of another process")


def _set_ref_problems(ref: _Ref, items: list[etree._Element]) -> Iterator[dict]:
    """SpiffWorkflow skips an inputSet/outputSet ref that is not in the ioSpecification."""
    io_set = ref.node.getparent()
    wanted = SET_TARGET_TAGS.get(_tag(io_set))
    io_spec = io_set.getparent()
    if wanted is None or io_spec is None:
        return
    targets = [target for target in _resolve(ref, items) if _is_inside(target, io_spec)]
    if not any(_tag(target) == wanted for target in targets):
        yield _problem(_owner_id(ref.node), f"{_tag(ref.node)} {ref.value!r} does not refer "
                         f"to a {wanted} of the same ioSpecification")


def _shared_ids(root: etree._Element, items: list[etree._Element]) -> Iterator[dict]:
    """bpmn-js keeps only the first element of an id and drops the rest on import."""
    counts: dict[str, int] = {}
    for node in root.iter(etree.Element):
        if node.get("id"):
            counts[node.get("id")] = counts.get(node.get("id"), 0) + 1
    reported = set()
    for item in items:
        item_id = item.get("id")
        if counts[item_id] > 1 and item_id not in reported:
            reported.add(item_id)
            yield _problem(item_id, f"id {item_id!r} is used by {counts[item_id]} elements; "
                             "give each data item a unique id and put the variable name in "
                             "its name")


def _rename_problems(root: etree._Element) -> Iterator[dict]:
    items = list(_data_items(root))
    for item in items:
        name = (item.get("name") or "").strip()
        if name and not _is_identifier(name):
            yield _problem(item.get("id"), f"{_describe(item)}: name {name!r} is not a valid "
                             "variable name (letters, digits and _, not starting with a digit)")
    yield from _clashes(root, items)
    for ref in _references(root):
        names = {variable_name(target) for target in _resolve(ref, items)}
        if len(names) > 1:
            yield _problem(_owner_id(ref.node), f"{_tag(ref.node)} {ref.value!r} is the id of "
                             f"several data items with different names: {sorted(names)}")


def _clashes(root: etree._Element, items: list[etree._Element]) -> Iterator[dict]:
    """A name that is another element's id would shadow it in SpiffWorkflow's id index."""
    item_set = set(items)
    for process in root.iter(bpmn_tag("process")):
        others = {
            node.get("id"): node for node in process.iter(etree.Element)
            if node.get("id") and node not in item_set
        }
        for item in items:
            name = (item.get("name") or "").strip()
            if name and name != item.get("id") and name in others and _process_of(item) is process:
                other = others[name]
                yield _problem(item.get("id"), f"{_describe(item)}: name {name!r} is also the id "
                                 f"of {_tag(other)} {name!r}; rename one of them")


def _resolve(ref: _Ref, items: list[etree._Element]) -> list[etree._Element]:
    """Data items with the referenced id in the innermost enclosing scope that has any."""
    matches = [item for item in items if item.get("id") == ref.value]
    if not ref.value or not matches:
        return []
    for scope in ref.node.iterancestors():
        inside = [item for item in matches if _is_inside(item, scope)]
        if inside:
            return inside
    return matches


def _references(root: etree._Element) -> Iterator[_Ref]:
    for node in root.iter(*(bpmn_tag(tag) for tag in (*LOOP_REF_TAGS, *SET_REF_TAGS))):
        yield _Ref(node)
    for association in root.iter(*(bpmn_tag(tag) for tag in ASSOCIATION_TAGS)):
        for node in association.iterchildren(bpmn_tag("sourceRef"), bpmn_tag("targetRef")):
            yield _Ref(node)
    for tag, attribute in ATTRIBUTE_REFS:
        for node in root.iter(bpmn_tag(tag)):
            if node.get(attribute):
                yield _Ref(node, attribute)


def _attribute_refs(root: etree._Element, attribute: str) -> Iterable[_Ref]:
    return (_Ref(node, attr) for tag, attr in ATTRIBUTE_REFS if attr == attribute
            for node in root.iter(bpmn_tag(tag)) if node.get(attr))


def _data_items(root: etree._Element) -> Iterator[etree._Element]:
    for item in root.iter(*(bpmn_tag(tag) for tag in DATA_ITEM_TAGS)):
        if item.get("id"):
            yield item


def _is_identifier(name: str) -> bool:
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


def _is_inside(node: etree._Element, scope: etree._Element) -> bool:
    return any(ancestor is scope for ancestor in node.iterancestors())


def _process_of(node: etree._Element) -> etree._Element | None:
    return next(node.iterancestors(bpmn_tag("process")), None)


def _tag(node: etree._Element | None) -> str:
    return etree.QName(node).localname if node is not None else ""


def _owner_id(node: etree._Element) -> str | None:
    """The nearest ancestor with an id that a modeller can find: a task, process, etc."""
    for ancestor in node.iterancestors():
        if ancestor.get("id") and etree.QName(ancestor).namespace == BPMN_NS:
            if _tag(ancestor) not in _HIDDEN_OWNERS:
                return ancestor.get("id")
    return None


def _describe(item: etree._Element) -> str:
    owner = _owner_id(item)
    where = f" of {owner}" if owner else ""
    return f"{_tag(item)} {item.get('id')!r}{where}"
