"""Which steps of a draft's diagram use which form: what the form editor's list of forms says
beside each ("Langkah 6: ...") so an owner knows what a change of the form touches.

A draft's diagram may be mid-edit and unreadable: then no step is named, and the caller
still lists the draft's own forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.bpmn.diagram_rules import NS, read_properties
from engine.bpmn.xmlload import load_xml
from engine.errors import DomainError

FORM_KEY_PATH = (
    "//*[bpmn:extensionElements/spiffworkflow:properties"
    "/spiffworkflow:property[@name='form_key']]"
)
STEP_IN_NAME = re.compile(r"^\s*\d+[a-z]?[.)]\s+")  # "6. " at the start of a task's name


@dataclass(frozen=True)
class FormUser:
    """One element naming a form: its SOP step (or None) and its name without the number
    the SOP's task names begin with."""

    element_id: str
    sop_step: str | None
    name: str


def form_users(bpmn_xml: str, valid_key: re.Pattern) -> dict[str, list[FormUser]]:
    """form key -> the elements that name it, in document order; keys not matching
    `valid_key` are left out (a form the editor could not open anyway)."""
    data = (bpmn_xml or "").encode("utf-8")
    try:
        root = load_xml(data, max_bytes=len(data) + 1)
    except DomainError:
        return {}
    found: dict[str, list[FormUser]] = {}
    for element in root.xpath(FORM_KEY_PATH, namespaces=NS):
        properties = read_properties(element)
        form_key = properties.get("form_key", "").strip()
        if not valid_key.fullmatch(form_key):
            continue
        name = (element.get("name") or element.get("id") or "").strip()
        step = properties.get("sop_step", "").strip() or None
        shown = (STEP_IN_NAME.sub("", name) or name) if step else name
        found.setdefault(form_key, []).append(FormUser(element.get("id"), step, shown))
    return found
