"""The diff's changes as sentences in the SOP's language, in the reader's locale.

engine.services.diffs says what changed in neutral terms (element, subject, before,
after); this module says it as a process owner would: "Langkah 6: Waktu 2 → 3 hari
kerja", "Langkah 9: formulir laporan-sosialisasi: isian “X” ditambahkan", "Lajur Kepala
UKPBJ: peran … → …", "Alur 'Setujui': kondisi diubah", "Langkah 4 dihapus", "Tata letak
saja: …". The diff page and the API both use `with_text`, so they never disagree.

A sentence is composed: who (the step, or the kind of element and its name; then the
form and field), then what happened. Long values (a description, a condition, the list
of options) are not put in the sentence; `detail` tells the page to show them beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import N_
from engine.models import Role

LONG = 60
STEP_IN_NAME = re.compile(r"^\s*(\d+[a-z]?)\.\s")
ALWAYS_LONG = ("documentation", "condition", "property:kelengkapan", "property:output",
               "property:context_keys", "event_definition", "standard_loop", "field.values",
               "field.conditional", "child:", "extension:", "engine")
QUOTED = ("name", "timer", "field.label", "field.description", "field.defaultValue")

ELEMENT_NOUNS = {
    "sequenceFlow": N_("Flow '%(name)s'"),
    "messageFlow": N_("Flow '%(name)s'"),
    "lane": N_("Lane %(name)s"),
    "callActivity": N_("Call activity '%(name)s'"),
    "subProcess": N_("Subprocess '%(name)s'"),
    "process": N_("Process '%(name)s'"),
    "participant": N_("Pool '%(name)s'"),
    "dataObject": N_("Data object '%(name)s'"),
    "dataObjectReference": N_("Data object '%(name)s'"),
}
NOUN_BY_SUFFIX = (("Gateway", N_("Gateway '%(name)s'")), ("Event", N_("Event '%(name)s'")),
                  ("Task", N_("Task '%(name)s'")), ("task", N_("Task '%(name)s'")))
ELEMENT_NOUN = N_("Element '%(name)s'")

SUBJECTS = {
    "type": N_("type"), "name": N_("name"), "container": N_("container"), "lane": N_("lane"),
    "role": N_("role"), "property:sop_step": N_("step number"), "property:form_key": N_("form"),
    "property:deadline_group": N_("deadline group"),
    "property:deadline_group_entry": N_("starts its deadline group"),
    "property:kelengkapan": N_("required documents"), "property:output": N_("output"),
    "documentation": N_("description"),
    "property:opens_period": N_("opens a reporting period"),
    "property:period_end_variable": N_("period end variable"),
    "property:opd_variable": N_("OPD variable"),
    "property:context_keys": N_("data shown beside every form"),
    "property:context_view": N_("view beside the form"),
    "source": N_("from"), "target": N_("to"), "condition": N_("condition"),
    "default": N_("default flow"), "event_definition": N_("event kind"),
    "timer_type": N_("timer kind"), "timer": N_("timer"), "called_element": N_("called process"),
    "multi_instance": N_("one instance per item"), "loop_input": N_("collection"),
    "loop_output": N_("result collection"), "input_item": N_("item variable"),
    "output_item": N_("item result variable"), "loop_cardinality": N_("number of instances"),
    "completion_condition": N_("completion condition"), "standard_loop": N_("loop"),
    "inputs": N_("process inputs"), "outputs": N_("process outputs"),
    "data_inputs": N_("data inputs"), "data_outputs": N_("data outputs"),
    "attached_to": N_("attached to"), "process": N_("process"),
    "engine": N_("how the engine runs it"),
    "field.type": N_("type"), "field.label": N_("field label"), "field.values": N_("options"),
    "field.conditional": N_("condition to hide"), "field.validate.min": N_("minimum"),
    "field.validate.max": N_("maximum"), "field.validate.minLength": N_("minimum length"),
    "field.validate.maxLength": N_("maximum length"), "field.validate.pattern": N_("pattern"),
    "field.validate.validationType": N_("validation"), "field.description": N_("help text"),
    "field.defaultValue": N_("default value"), "field.readonly": N_("read-only"),
    "field.disabled": N_("disabled"), "field.subtype": N_("kind"),
    "field.properties": N_("custom properties"),
}
GENERIC_SUBJECTS = (("property:", N_("property “%(name)s”")), ("attr:", N_("attribute %(name)s")),
                    ("child:", N_("element %(name)s")), ("extension:", N_("extension %(name)s")),
                    ("field.validate.", N_("rule %(name)s")), ("field.", N_("setting “%(name)s”")))
VALUES = {"true": N_("yes"), "false": N_("no"), "parallel": N_("in parallel"),
          "sequential": N_("one after another")}

CHANGED = N_("%(element)s: %(what)s %(before)s → %(after)s")
SET = N_("%(element)s: %(what)s set to %(after)s")
CLEARED = N_("%(element)s: %(what)s removed (was %(before)s)")
LONG_CHANGED = N_("%(element)s: %(what)s changed")
LONG_SET = N_("%(element)s: %(what)s added")
LONG_CLEARED = N_("%(element)s: %(what)s removed")
WAKTU = {"changed": N_("%(element)s: time %(before)s → %(after)s working days"),
         "set": N_("%(element)s: time set to %(after)s working days"),
         "cleared": N_("%(element)s: time of %(before)s working days removed")}
ADDED = N_("%(element)s added")
REMOVED = N_("%(element)s removed")
LAYOUT = N_("Layout only: %(element)s")
STEP = N_("Step %(step)s")
FORM_OF = N_("%(element)s: form %(form)s")
FORM = N_("Form %(form)s")
FIELD_OF = N_("%(element)s: field “%(field)s”")
REQUIRED = {"true": N_("%(element)s is now required"),
            "false": N_("%(element)s is no longer required")}


def _say(msgid: str, **params) -> str:
    """gettext for the msgids marked with N_ above (a name of its own, so that message
    extraction does not mistake the arguments here for msgids)."""
    return gettext(msgid, **params)


def with_text(changes: Iterable[dict], roles: Mapping[str, str] | None = None) -> list[dict]:
    """Each change with its sentence (`text`) and whether its values are worth showing
    beside it (`detail`); `roles` names role codes (roles.code -> name)."""
    return [{**change, **describe(change, roles or {})} for change in changes]


def describe(change: Mapping, roles: Mapping[str, str]) -> dict:
    who = _who(change)
    kind = change["kind"]
    if kind == "layout":
        return {"text": _say(LAYOUT, element=who), "detail": False}
    if kind in ("added", "removed"):
        return {"text": _say(ADDED if kind == "added" else REMOVED, element=who),
                "detail": False}
    return _changed(change, who, roles)


def element_label(change: Mapping) -> str:
    """"Langkah 6" for a step (its own number when the name carries one, as "17a."),
    else the kind of element and its name (or id): "Alur 'Setujui'", "Lajur Kepala UKPBJ"."""
    name = change.get("name") or change.get("element_id") or ""
    if change.get("sop_step"):
        found = STEP_IN_NAME.match(change.get("name") or "")
        return _say(STEP, step=found.group(1) if found else change["sop_step"])
    kind = change.get("element_type") or ""
    noun = ELEMENT_NOUNS.get(kind) or next(
        (noun for suffix, noun in NOUN_BY_SUFFIX if kind.endswith(suffix)), ELEMENT_NOUN)
    return _say(noun, name=name)


def _who(change: Mapping) -> str:
    if change.get("form_key") is None:
        return element_label(change)
    if change.get("element_id"):
        who = _say(FORM_OF, element=element_label(change), form=change["form_key"])
    else:
        who = _say(FORM, form=change["form_key"])
    if change.get("field") and change.get("subject") != "field.label":  # the label says it
        field = change.get("field_label") or change["field"].lstrip("#")
        who = _say(FIELD_OF, element=who, field=field)
    return who


def _changed(change: Mapping, who: str, roles: Mapping[str, str]) -> dict:
    subject = change.get("subject") or ""
    before, after = change.get("before"), change.get("after")
    if subject == "field.required":
        return {"text": _say(REQUIRED[after or "false"], element=who), "detail": False}
    if subject == "property:waktu_hari_kerja":
        case = "changed" if before and after else ("set" if after else "cleared")
        return {"text": _say(WAKTU[case], element=who, before=before, after=after),
                "detail": False}
    what = _subject(subject)
    if _is_long(subject, before, after):
        template = LONG_CHANGED if before and after else (LONG_SET if after else LONG_CLEARED)
        return {"text": _say(template, element=who, what=what), "detail": True}
    shown = {"before": _value(subject, before, roles), "after": _value(subject, after, roles)}
    template = CHANGED if before and after else (SET if after else CLEARED)
    return {"text": _say(template, element=who, what=what, **shown), "detail": False}


def _subject(subject: str) -> str:
    if subject in SUBJECTS:
        return _say(SUBJECTS[subject])
    for prefix, template in GENERIC_SUBJECTS:
        if subject.startswith(prefix):
            return _say(template, name=subject[len(prefix):])
    return subject


def _is_long(subject: str, before: str | None, after: str | None) -> bool:
    if subject.startswith(ALWAYS_LONG):
        return True
    return any(value and (len(value) > LONG or "\n" in value) for value in (before, after))


def _value(subject: str, value: str | None, roles: Mapping[str, str]) -> str:
    if value is None:
        return ""
    if subject == "role":
        return roles.get(value, value)
    if value in VALUES and subject not in QUOTED:
        return _say(VALUES[value])
    return f"“{value}”" if subject in QUOTED else value


def role_names(session: Session) -> dict[str, str]:
    """Role code -> the role's name, to say "peran Kepala UKPBJ" rather than a code."""
    return {role.code: role.name for role in session.scalars(select(Role))}


def side_json(side: dict) -> dict:
    """A compared version or draft as JSON (times in ISO 8601)."""
    return {key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in side.items()}


__all__ = ["describe", "element_label", "role_names", "side_json", "with_text"]
