"""Deploy problems in the reader's language: what to fix, on which element, said plainly.

The engine reports each problem with a rule id, an English message and params
(engine.bpmn.lint); this module adds `text`, the same problem as a process owner reads it:
the element named as the SOP names it ("Langkah 6 “Menyetujui rencana aksi”", "Lajur
“Kepala UKPBJ”") and what to do about it. The id stays in `element_id`, where the editor
uses it to mark the element. A rule without a sentence here still reads well: a generic
sentence with the English message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import gettext

from engine.errors import N_
from webapp.filters import role_label

LONG = 80
SHORTENED = ("expression", "value")
QUOTED_LISTS = ("other_names", "flow_names")
STEP_IN_NAME = re.compile(r"^\s*(\d+)[a-z]?[.)]\s+")

NOUNS = {
    "userTask": N_("Task “%(name)s”"), "manualTask": N_("Task “%(name)s”"),
    "scriptTask": N_("Task “%(name)s”"), "serviceTask": N_("Task “%(name)s”"),
    "task": N_("Task “%(name)s”"), "lane": N_("Lane “%(name)s”"),
    "sequenceFlow": N_("Flow “%(name)s”"), "callActivity": N_("Call activity “%(name)s”"),
    "subProcess": N_("Subprocess “%(name)s”"), "process": N_("Process “%(name)s”"),
    "participant": N_("Pool “%(name)s”"), "definitions": N_("Diagram “%(name)s”"),
}
NOUN_BY_SUFFIX = (("Gateway", N_("Gateway “%(name)s”")), ("Event", N_("Event “%(name)s”")),
                  ("Task", N_("Task “%(name)s”")))
ELEMENT = N_("Element “%(name)s”")
STEP = N_("Step %(step)s “%(name)s”")
NO_ELEMENT = N_("The diagram")
FALLBACK = N_("%(element)s has a problem: %(message)s")

TEMPLATES = {
    ("alur/user-task-form", "missing"): N_(
        "%(element)s has no form: choose its form (form_key) in the properties panel."),
    ("alur/user-task-form", "unknown"): N_(
        "%(element)s uses the form “%(form)s”, which does not exist: choose another form or "
        "create it."),
    ("alur/user-task-lane", "no_lane"): N_(
        "%(element)s is not in a lane: move it into the lane of the people who do it."),
    ("alur/user-task-lane", "no_role"): N_(
        "%(element)s is in the lane “%(lane)s”, which has no role: give the lane a role."),
    ("alur/lane-role", "no_name"): N_("%(element)s has no name: name the lane."),
    ("alur/lane-role", "no_role"): N_(
        "%(element)s has no role: choose the role of the people who work in it."),
    ("alur/lane-role", "unknown_role"): N_(
        "%(element)s has the role “%(role)s”, which is not known: choose one of the roles "
        "offered."),
    ("alur/lane-role", "conflict"): N_(
        "%(element)s: lanes with this name have different roles (%(roles)s): give them the "
        "same role or rename one."),
    ("alur/no-script", "scriptTask"): N_(
        "%(element)s is a script task: scripts are not allowed; use a user task instead."),
    ("alur/no-script", None): N_(
        "%(element)s carries a script (%(script)s): scripts are not allowed; remove it."),
    ("alur/gateway-conditions", None): N_(
        "%(element)s: give every outgoing flow a condition, or make one of them the default "
        "flow (without a condition now: %(flow_names)s)."),
    ("alur/expression-grammar", None): N_(
        "%(element)s: the expression “%(expression)s” cannot be used here (%(reason)s)."),
    ("alur/sop-step-unique", None): N_(
        "%(element)s has step number %(step)s, as does %(other_names)s: give each step its "
        "own number."),
    ("alur/sop-step-present", None): N_(
        "%(element)s has no SOP step number (sop_step): fill it in."),
    ("alur/waktu-positive", "missing"): N_(
        "%(element)s has no time (waktu_hari_kerja): fill in the number of working days, 1 "
        "or more."),
    ("alur/waktu-positive", None): N_(
        "%(element)s: the time (waktu_hari_kerja) must be a whole number of working days, 1 "
        "or more, not “%(value)s”."),
    ("alur/form-missing", None): N_(
        "%(element)s uses the form “%(form)s”, which does not exist: choose another form or "
        "create it."),
    ("alur/form-schema", None): N_(
        "%(element)s uses the form “%(form)s”, which the server cannot check: component "
        "“%(component)s” %(reason)s. Fix it in the form editor."),
    ("alur/form-schema", "whole"): N_(
        "%(element)s uses the form “%(form)s”, which the server cannot check: %(reason)s. "
        "Fix it in the form editor."),
    ("alur/form-schema", "unused"): N_(
        "The form “%(form)s” cannot be checked by the server: component “%(component)s” "
        "%(reason)s. Fix it in the form editor or remove the form."),
    ("alur/reserved-id", None): N_(
        "%(element)s: the id “%(id)s” is reserved by the engine; give the element another id."),
    ("alur/task-type", None): N_(
        "%(element)s: this kind of task (%(type)s) is not supported; use a user task."),
    ("alur/bounds", None): N_(
        "%(element)s asks more of the server than it allows: %(detail)s"),
    ("alur/data-reference", None): N_("%(element)s: a data reference is wrong: %(detail)s"),
    ("alur/sop-declaration", None): N_(
        "%(element)s: an SOP setting is missing or wrong: %(detail)s"),
    ("alur/engine", None): N_(
        "%(element)s: the workflow engine cannot run the diagram: %(detail)s"),
    ("alur/executable", None): N_(
        "The diagram has no process that can run: mark the main process as executable."),
}


def localize(problems: list[dict]) -> list[dict]:
    """Each problem with `text` added (a copy: the engine's problems are not changed)."""
    return [{**problem, "text": problem_text(problem)} for problem in problems]


def problem_text(problem: Mapping) -> str:
    params = problem.get("params") or {}
    template = TEMPLATES.get((problem.get("rule"), _case(problem)))
    template = template or TEMPLATES.get((problem.get("rule"), None))
    values = {key: _shown(key, value) for key, value in params.items()}
    values["element"] = element_label(problem)
    if template is not None:
        try:
            return gettext(template, **values)
        except (KeyError, ValueError, TypeError):
            pass  # params that do not fit their sentence: say it the generic way
    return gettext(FALLBACK, element=values["element"], message=problem.get("message") or "")


def _case(problem: Mapping) -> str | None:
    """Which sentence of a rule fits: a rule says it in `case`, or it shows in the params."""
    rule, params = problem.get("rule"), problem.get("params") or {}
    if rule == "alur/no-script":
        return params.get("script") if params.get("script") == "scriptTask" else None
    if rule == "alur/waktu-positive":
        return "missing" if params.get("value") is None else None
    if rule == "alur/form-schema":
        if not params.get("component"):
            return "whole"
        return None if problem.get("element_id") else "unused"
    return params.get("case")


def _shown(key: str, value) -> str:
    """A param as it reads in a sentence: roles by their names, element names quoted, a
    long expression cut (the editor shows it whole on the element)."""
    if isinstance(value, list | tuple):
        if key == "roles":
            return ", ".join(role_label(item) for item in value)
        return ", ".join(f"“{item}”" if key in QUOTED_LISTS else str(item) for item in value)
    text = "" if value is None else str(value)
    return text[: LONG - 1] + "…" if key in SHORTENED and len(text) > LONG else text


def element_label(problem: Mapping) -> str:
    """The element as the reader finds it: the SOP row and task name for a task, else its
    kind and name (or id); "The diagram" when the problem has no element."""
    params = problem.get("params") or {}
    element_id = problem.get("element_id")
    if not element_id:
        return gettext(NO_ELEMENT)
    kind = params.get("kind") or ""
    name = (params.get("name") or "").strip()
    step = (params.get("sop_step") or "").strip()
    if step and kind == "userTask":
        return gettext(STEP, step=step, name=_without_step(name, step) or element_id)
    return gettext(noun_of(kind), name=name or element_id)


def _without_step(name: str, step: str) -> str:
    """"6. Menyetujui" under step 6 reads "Langkah 6 “Menyetujui”"; another number stays."""
    found = STEP_IN_NAME.match(name)
    same = found is not None and found.group(1) == re.match(r"\d*", step).group()
    return name[found.end():] if same else name


def noun_of(kind: str) -> str:
    if kind in NOUNS:
        return NOUNS[kind]
    for suffix, noun in NOUN_BY_SUFFIX:
        if kind.endswith(suffix):
            return noun
    return ELEMENT
