"""Validate a submission against its form: the server, not the browser, decides what is stored.

Every problem is collected (not just the first) under a field path such as `paket[1].pagu`;
unknown keys are refused at every level; hidden and empty fields come back as None, so a later
step overwrites what an earlier one stored instead of leaving a stale answer behind.

The caller's context holds what the server knows beside the form: the option lists named by
`valuesKey`, a message per list for a value not in it (OPTION_REFUSALS: "not a package of
your OPD" says more than "not one of the allowed options"), and facts (FORM_FACTS): names
that are not fields but that conditions may read, such as whether the OPD has SIRUP packages
to pick from. Facts are the outermost scope of every condition; a submission may echo them
back at its top level (a client sends back the data it was given), and they are dropped
there: the server's value is the one that counts. A choice whose form says it `fills` other
keys gives them the values of the chosen option object, after the scope is cleaned.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from engine.errors import InvalidInputError
from engine.forms import problems as problems_
from engine.forms.conditions import is_condition_met
from engine.forms.problems import Problem
from engine.forms.schemas import (
    DATE_FORMATS,
    VALIDATION_TYPES,
    check_form,
    fills_of,
    hide_expr,
    is_readonly,
    key_of,
    members,
    option_record,
    options,
    period_end_frequency,
    scope_keys,
)

TEXT_LIMIT = 20_000
# The context entry holding the bounds of a new period's end date (an object with
# `problems(key, end) -> list[str]`, see engine.services.periods), set by the task's caller.
PERIOD_BOUNDS = "period_bounds"
# The context entries of facts the conditions read ({name: value}) and of the message for a
# value not in a `valuesKey` list ({valuesKey: message}), set by the task's caller.
FORM_FACTS = "form_facts"
OPTION_REFUSALS = "option_refusals"
ROW_LIMIT = 500
# Patterns come from form authors, not users, and are at most 200 characters; bounding the value
# too keeps a badly written pattern from backtracking for long on a long answer.
PATTERN_VALUE_LIMIT = 1_000
# NUL and other C0 controls (tab, CR and LF stay allowed): PostgreSQL refuses NUL in text,
# and none of them belongs in what people type into a form.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def validate_submission(schema: dict, data: Mapping, *, context: Mapping | None = None) -> dict:
    """Return the cleaned submission or raise InvalidInputError listing every problem."""
    check_form(schema)
    context = context or {}
    facts = context.get(FORM_FACTS) or {}
    if facts and isinstance(data, Mapping):
        echoed = facts.keys() - scope_keys(schema["components"])
        data = {key: value for key, value in data.items() if key not in echoed}
    run = _Validation(context)
    cleaned = run.scope(schema["components"], data, "", (facts,) if facts else ())
    if run.problems:
        code = "unknown_field" if run.only_unknown else "invalid_form_data"
        raise InvalidInputError("The submitted form has errors", code=code, details=run.problems)
    return cleaned


class _Validation:
    """One validation run: collects problems by field path instead of stopping at the first."""

    def __init__(self, context: Mapping):
        self.context = context
        self.problems: dict[str, list[str]] = {}
        self.only_unknown = True

    def add(self, path: str, problem: str, *, unknown: bool = False) -> None:
        self.problems.setdefault(path or "_form", []).append(problem)
        self.only_unknown = self.only_unknown and unknown

    def scope(self, components, data, prefix, outer, hidden=False) -> dict:
        if data is None or hidden:
            data = {}
        if not isinstance(data, Mapping):
            self.add(prefix.rstrip("."), "Must be an object")
            return {}  # its fields' problems would only repeat this one
        for key in sorted(data.keys() - scope_keys(components), key=str):
            self.add(f"{prefix}{key}", "Unknown field", unknown=True)
        cleaned: dict[str, Any] = {}
        self.fill(components, data, prefix, (data, *outer), hidden, cleaned)
        self.fill_from_choices(components, cleaned)
        return cleaned

    def fill_from_choices(self, components, cleaned) -> None:
        """Keys named by a chosen option's `fills` take the option's values (None for what
        the option lacks), whatever was typed in them: the server's record is the answer."""
        for comp in members(components):
            filled, key = fills_of(comp), key_of(comp)
            if not filled or cleaned.get(key) is None:
                continue
            record = option_record(comp, self.context, cleaned[key]) or {}
            cleaned.update({name: record.get(name) for name in filled})

    def fill(self, components, data, prefix, scopes, hidden, cleaned) -> None:
        for comp in components:
            kind, key = comp["type"], key_of(comp)
            is_hidden = hidden or is_condition_met(hide_expr(comp), scopes)
            if kind == "group" and key is None:
                self.fill(comp["components"], data, prefix, scopes, is_hidden, cleaned)
            elif key is None or is_readonly(comp, scopes):
                continue  # display only, or shown from earlier data: not this step's input
            elif kind == "group":
                cleaned[key] = self.scope(
                    comp["components"], data.get(key), f"{prefix}{key}.", scopes, is_hidden
                )
            elif is_hidden:
                cleaned[key] = None
            elif kind == "dynamiclist":
                cleaned[key] = self.rows(comp, data.get(key), f"{prefix}{key}", scopes)
            else:
                cleaned[key] = self.value(comp, data.get(key), f"{prefix}{key}")

    def rows(self, comp, value, path, scopes) -> list | None:
        """Wholly empty rows fall away; a half-filled one is checked (its problems keep the
        row's index as sent) and a required list needs at least one row left."""
        if value is not None and not isinstance(value, list):
            self.add(path, "Must be a list")
            return None
        if value is not None and len(value) > ROW_LIMIT:
            self.add(path, Problem(problems_.AT_MOST_ROWS, n=ROW_LIMIT))
            return None
        kept = [(i, row) for i, row in enumerate(value or ()) if not is_blank(row)]
        if not kept:
            if comp.get("validate", {}).get("required"):
                self.add(path, "Add at least one complete row")
            return None
        return [self.scope(comp["components"], row, f"{path}[{i}].", scopes) for i, row in kept]

    def value(self, comp, value, path) -> Any:
        if isinstance(value, str) and not value.strip():
            value = None
        problems: list[str] = []
        if value is not None:
            value, problems = _CLEANERS[comp["type"]](comp, value, self.context)
        if value is not None and not problems and period_end_frequency(comp) is not None:
            problems = _period_problems(comp, value, self.context)
        missing = value is None or value is False  # a required checkbox must be ticked
        if comp.get("validate", {}).get("required") and missing and not problems:
            problems = ["This field is required"]
        for problem in problems:
            self.add(path, problem)
        return value if not problems else None


def _clean_text(comp, value, context) -> tuple[Any, list[str]]:
    if not isinstance(value, str):
        return None, ["Must be text"]
    value, rules, problems = value.strip(), comp.get("validate", {}), []
    if CONTROL_CHARS.search(value):
        return None, ["Control characters are not allowed"]
    limit = rules.get("maxLength", TEXT_LIMIT)
    if len(value) > limit:
        problems.append(Problem(problems_.AT_MOST_CHARS, n=limit))
    if len(value) < rules.get("minLength", 0):
        problems.append(Problem(problems_.AT_LEAST_CHARS, n=rules["minLength"]))
    pattern = rules.get("pattern")
    if pattern and not problems and len(value) > PATTERN_VALUE_LIMIT:
        problems.append(Problem(problems_.AT_MOST_CHARS_FOR_FORMAT, n=PATTERN_VALUE_LIMIT))
    elif pattern and not problems and not re.fullmatch(pattern, value):
        problems.append("Does not match the required format")
    kind = VALIDATION_TYPES.get(rules.get("validationType"))
    if kind and not problems and not kind.fullmatch(value):
        problems.append(Problem(problems_.NOT_VALID, n=rules["validationType"]))
    return value, problems


def _clean_number(comp, value, context) -> tuple[Any, list[str]]:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None, ["Must be a number"]
    rules, problems = comp.get("validate", {}), []
    if rules.get("min") is not None and value < rules["min"]:
        problems.append(Problem(problems_.AT_LEAST, n=rules["min"]))
    if rules.get("max") is not None and value > rules["max"]:
        problems.append(Problem(problems_.AT_MOST, n=rules["max"]))
    digits = comp.get("decimalDigits")
    if digits is not None and -Decimal(str(value)).as_tuple().exponent > digits:
        problems.append(Problem(problems_.AT_MOST_DIGITS, n=digits))
    return value, problems


def _clean_choice(comp, value, context) -> tuple[Any, list[str]]:
    allowed = [option_value for _, option_value in options(comp, context)]
    if not any(type(value) is type(option) and value == option for option in allowed):
        refusals = context.get(OPTION_REFUSALS) or {}
        return None, [refusals.get(comp.get("valuesKey")) or "Not one of the allowed options"]
    return value, []


def _clean_many(comp, value, context) -> tuple[Any, list[str]]:
    if not isinstance(value, list):
        return None, ["Must be a list of options"]
    if len(value) > ROW_LIMIT or any(_clean_choice(comp, item, context)[1] for item in value):
        return None, ["Not one of the allowed options"]
    if any(item in value[:index] for index, item in enumerate(value)):
        return None, ["An option is chosen twice"]
    return value or None, []


def _clean_checkbox(comp, value, context) -> tuple[Any, list[str]]:
    return (value, []) if isinstance(value, bool) else (None, ["Must be true or false"])


def _clean_datetime(comp, value, context) -> tuple[Any, list[str]]:
    subtype = comp.get("subtype", "date")
    shape, parse = DATE_FORMATS[subtype]
    if not isinstance(value, str) or not shape.fullmatch(value.strip()):
        return None, [Problem(problems_.ISO_FORMAT, n=subtype)]
    try:
        parsed = parse(value.strip())
    except ValueError:
        return None, [Problem(problems_.NOT_REAL, n=subtype)]
    return parsed.isoformat() if subtype == "date" else value.strip(), []


def _period_problems(comp, value, context) -> list[str]:
    """A new period's end date checked by the bounds the caller knows (today, the previous
    end); without them (a form checked outside a task) only the date itself is checked."""
    bounds = context.get(PERIOD_BOUNDS)
    if bounds is None:
        return []
    return bounds.problems(comp["key"], date.fromisoformat(value))


def is_blank(value: Any) -> bool:
    """Nothing typed: empty text, no choice, an unticked box, or only such values inside."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping):
        return all(is_blank(item) for item in value.values())
    if isinstance(value, list):
        return all(is_blank(item) for item in value)
    return False


_CLEANERS = {
    "textfield": _clean_text,
    "textarea": _clean_text,
    "number": _clean_number,
    "select": _clean_choice,
    "radio": _clean_choice,
    "checklist": _clean_many,
    "taglist": _clean_many,
    "checkbox": _clean_checkbox,
    "datetime": _clean_datetime,
}
