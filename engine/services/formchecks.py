"""The forms deployed with a diagram: each must be one the server can enforce.

A task's form is validated on the server at every submission (engine.forms), so a schema
with a component the validator does not know, or a condition outside the supported
subset, would let answers through unchecked. Deploy therefore checks every form of the
bundle with the same `check_form` the form editor uses, and reports a refusal as a
problem on each element that uses the form, naming the component to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from lxml import etree

from engine.bpmn.diagram_rules import NS, problem_at
from engine.errors import DomainError
from engine.forms import check_form

RULE = "alur/form-schema"
NESTED_TYPES = ("group", "dynamiclist")
COMPONENT_PREFIX = re.compile(r"^component (['\"]).*?\1 ")


def form_problems(root: etree._Element, forms: Mapping[str, Any]) -> list[dict]:
    """One problem per element using a form the server cannot enforce (or one with no
    element when the form is in the bundle but no element uses it)."""
    problems = []
    for key in sorted(forms):
        try:
            check_form(forms[key], key)
        except DomainError as error:
            problems.extend(_refusals(root, key, forms[key], error))
    return problems


def _refusals(root: etree._Element, key: str, schema: Any, error: DomainError) -> Iterator[dict]:
    component = (error.details or {}).get("component") or find_component(schema, key)
    reason = _reason(error.message, key)
    params = {"form": key, "component": component, "reason": reason}
    what = f"component '{component}' {reason}" if component else reason
    for element_id in users_of(root, key) or [None]:
        yield problem_at(element_id, f"form '{key}' cannot be enforced by the server: {what}",
                         rule=RULE, params=params)


def users_of(root: etree._Element, key: str) -> list[str]:
    """Ids of the elements whose `form_key` names the form."""
    path = "//*[bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property" \
           "[@name='form_key'][normalize-space(@value)=$key]]/@id"
    return [str(element_id) for element_id in root.xpath(path, key=key, namespaces=NS)]


def find_component(schema: Any, key: str) -> str | None:
    """The innermost component that is refused on its own, named as the form editor shows
    it (key, path, id or label); None when only the whole form fails (a repeated key)."""
    components = schema.get("components") if isinstance(schema, dict) else None
    return _first_refused(components, key) if isinstance(components, list) else None


def _first_refused(components: list, key: str) -> str | None:
    for comp in components:
        if _refused([comp], key):
            children = comp.get("components") if isinstance(comp, dict) else None
            if isinstance(children, list) and comp.get("type") in NESTED_TYPES:
                inner = _first_refused(children, key)
                if inner is not None:
                    return inner
            return component_label(comp)
    return None


def _refused(components: list, key: str) -> bool:
    try:
        check_form({"components": components}, key)
    except DomainError:
        return True
    return False


def component_label(comp: Any) -> str:
    if not isinstance(comp, dict):
        return str(comp)[:80]
    for attribute in ("key", "path", "id", "label", "type"):
        value = comp.get(attribute)
        if isinstance(value, str) and value:
            return value
    return "?"


def _reason(message: str, key: str) -> str:
    """engine.forms says "Form 'key' component 'x' <what is wrong>": keep what is wrong
    (the form and the component are params of their own)."""
    prefix = f"Form {key!r} "
    reason = message[len(prefix):] if message.startswith(prefix) else message
    return COMPONENT_PREFIX.sub("", reason)
