"""Load form-js (v1.x) schemas from forms/ and refuse what the server could not enforce.

A schema is checked once when loaded (and again before each validation, cheaply), so a form using
an unsupported component, a repeated key or an unreadable condition fails at deploy time rather
than letting a submission through unchecked. The walking helpers here define the one notion of
"scope" (the object a key lives in) that validation, HTML posts and prefill all share.

Beyond form-js, a form may say (in a component's custom `properties`, as the form editor
writes them): `decision: "true"`, a choice never prefilled from earlier data; `period_end:
"<frequency variable>"`, the end date of a new reporting period, checked against today and
the previous end and proposed from the frequency (engine.services.periods);
`fills: "<key> <key> ..."` on a select or radio with a `valuesKey`, whose chosen option
(an object from the server, with more than label and value) gives those keys of the same
scope their values, so what the server knows about the choice is stored with it (a SIRUP
package picked at row 10 stores its name, pagu and method); and `validate.required` on a
dynamic list, which then needs at least one complete row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from engine.errors import DomainError, NotFoundError
from engine.forms.conditions import CONDITION_LIMIT, NAME, is_condition_met, parse_condition

PATTERN_LIMIT = 200
DISPLAY_TYPES = frozenset({"text", "separator", "spacer"})
CHOICE_TYPES = frozenset({"select", "radio", "checklist", "taglist"})
INPUT_TYPES = CHOICE_TYPES | {"textfield", "textarea", "number", "checkbox", "datetime"}
SUPPORTED_TYPES = DISPLAY_TYPES | INPUT_TYPES | {"group", "dynamiclist"}
DATE_FORMATS = {
    "date": (re.compile(r"\d{4}-\d{2}-\d{2}"), date.fromisoformat),
    "time": (re.compile(r"\d{2}:\d{2}(:\d{2})?"), time.fromisoformat),
    "datetime": (
        re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?"),
        datetime.fromisoformat,
    ),
}
VALIDATION_TYPES = {
    "email": re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"),
    "phone": re.compile(r"\+?[0-9][0-9 ()-]{4,24}"),
}
_FORM_SUFFIX = ".form.json"
# Custom properties (form-js `properties`) that the server understands.
DECISION = "decision"
PERIOD_END = "period_end"
FILLS = "fills"


def load_forms(directory: Path) -> dict[str, dict]:
    """Read every `<key>.form.json`, refusing the whole set if any one is broken."""
    if not directory.is_dir():
        raise NotFoundError(f"Form directory {directory} does not exist", code="forms_not_found")
    forms: dict[str, dict] = {}
    for path in sorted(directory.glob(f"*{_FORM_SUFFIX}")):
        name = path.name[: -len(_FORM_SUFFIX)]
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise _refuse(name, f"is not valid JSON ({exc})") from exc
        check_form(schema, name)
        forms[name] = schema
    return forms


def check_form(schema: Any, name: str = "form") -> None:
    """Refuse a schema the validator could not enforce faithfully (code `invalid_form`)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("components"), list):
        raise _refuse(name, "has no components list")
    _check_scope(schema["components"], name)


def _check_scope(components: list, name: str) -> None:
    seen: set[str] = set()
    for comp in members(components, name):
        key = key_of(comp)
        if key is None:
            continue
        if key in seen:
            raise _refuse(name, f"repeats the key {key!r}")
        seen.add(key)
        if comp["type"] in ("group", "dynamiclist"):
            _check_scope(comp["components"], name)
    keys = scope_keys(components)
    for comp in members(components):
        if missing := [key for key in fills_of(comp) if key not in keys]:
            raise _refuse(name, f"component {key_of(comp)!r} fills {missing[0]!r}, "
                                "which is not a field beside it")


def _check_component(comp: Any, name: str) -> None:
    if not isinstance(comp, dict):
        raise _refuse(name, "has a component that is not an object")
    kind = comp.get("type")
    label = comp.get("key") or comp.get("path") or comp.get("id") or kind
    if not isinstance(kind, str) or kind not in SUPPORTED_TYPES:
        raise _refuse(name, f"component {label!r} has the unsupported type {kind!r}")
    problem = _component_problem(comp, kind)
    if problem:
        raise _refuse(name, f"component {label!r} {problem}")


def _component_problem(comp: dict, kind: str) -> str | None:
    key = comp.get("key") if kind in INPUT_TYPES else comp.get("path")
    needs_key = kind in INPUT_TYPES or kind == "dynamiclist" or bool(key)
    if needs_key and not (isinstance(key, str) and NAME.fullmatch(key)):
        return "needs a key (or path) of letters, digits and '_' only"
    if kind in ("group", "dynamiclist") and not isinstance(comp.get("components"), list):
        return "needs a components list"
    if kind in CHOICE_TYPES and not _has_options(comp):
        return "needs values [{label, value}] or a valuesKey"
    if kind == "datetime" and comp.get("subtype", "date") not in DATE_FORMATS:
        return f"has the unknown subtype {comp.get('subtype')!r}"
    digits = comp.get("decimalDigits")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)):
        return "has a decimalDigits that is not a whole number"
    return (_rules_problem(comp.get("validate", {})) or _expression_problem(comp)
            or _properties_problem(comp, kind))


def _properties_problem(comp: dict, kind: str) -> str | None:
    found = comp.get("properties")
    if found is not None and not isinstance(found, dict):
        return "has properties that are not an object"
    frequency = period_end_frequency(comp)
    if frequency is not None and (kind != "datetime" or comp.get("subtype", "date") != "date"):
        return "marks a period end but is not a date field"
    if frequency is not None and not NAME.fullmatch(frequency):
        return "names a period frequency that is not a variable name"
    filled = fills_of(comp)
    if filled and (kind not in ("select", "radio") or not comp.get("valuesKey")):
        return "fills other fields but is not a select or radio with a valuesKey"
    if any(not NAME.fullmatch(key) or key == comp.get("key") for key in filled):
        return "fills a key that is not another field's name"
    return None


def _rules_problem(rules: Any) -> str | None:
    if not isinstance(rules, dict):
        return "has a validate that is not an object"
    for rule in ("min", "max", "minLength", "maxLength"):
        value = rules.get(rule)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            return f"has a validate.{rule} that is not a number"
    pattern = rules.get("pattern")
    if pattern is not None:
        if not isinstance(pattern, str) or len(pattern) > PATTERN_LIMIT:
            return f"has a pattern that is not text of at most {PATTERN_LIMIT} characters"
        try:
            re.compile(pattern)
        except re.error as exc:
            return f"has an invalid pattern ({exc})"
    if rules.get("validationType") not in (None, "", *VALIDATION_TYPES):
        return f"has the unknown validationType {rules['validationType']!r}"
    return None


def _expression_problem(comp: dict) -> str | None:
    for expression in (hide_expr(comp), comp.get("readonly")):
        if not isinstance(expression, str):
            continue
        if len(expression) > CONDITION_LIMIT:
            return f"has a condition longer than {CONDITION_LIMIT} characters"
        try:
            parse_condition(expression)
        except ValueError as exc:
            return f"has an unsupported condition {expression!r} ({exc})"
    return None


def _has_options(comp: dict) -> bool:
    if isinstance(comp.get("valuesKey"), str) and comp["valuesKey"]:
        return True
    values = comp.get("values")
    return isinstance(values, list) and all(isinstance(o, dict) and "value" in o for o in values)


def _refuse(name: str, problem: str) -> DomainError:
    return DomainError(f"Form {name!r} {problem}", code="invalid_form", details={"form": name})


def members(components: list, name: str | None = None):
    """Components sharing one data object: path-less groups are flattened into their parent.

    With `name`, each component is checked before it is looked into, so a malformed group is
    refused rather than walked.
    """
    for comp in components:
        if name is not None:
            _check_component(comp, name)
        yield comp
        if comp["type"] == "group" and key_of(comp) is None:
            yield from members(comp["components"], name)


def key_of(comp: dict) -> str | None:
    """The data key a component owns: `key` for inputs, `path` for groups and dynamic lists."""
    if comp["type"] in INPUT_TYPES:
        return comp.get("key")
    if comp["type"] in ("group", "dynamiclist"):
        return comp.get("path") or None
    return None


def scope_keys(components: list) -> set[str]:
    """Every key the data object of this scope may hold; anything else is an unknown field."""
    return {key for comp in members(components) if (key := key_of(comp))}


def hide_expr(comp: dict) -> Any:
    conditional = comp.get("conditional")
    return conditional.get("hide") if isinstance(conditional, dict) else None


def is_readonly(comp: dict, scopes: tuple[Mapping, ...]) -> bool:
    """Read-only and disabled fields show earlier data; they are never this step's input."""
    return comp.get("disabled") is True or is_condition_met(comp.get("readonly"), scopes)


def property_of(comp: dict, name: str) -> str | None:
    """A form-js custom property (`properties`, string values set in the form editor)."""
    found = comp.get("properties")
    value = found.get(name) if isinstance(found, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def is_decision(comp: dict) -> bool:
    """A choice made afresh each time (`properties.decision`): never prefilled from earlier
    data, so a plan sent back is not approved again, or a run ended, by one click on Kirim."""
    return property_of(comp, DECISION) == "true"


def period_end_frequency(comp: dict) -> str | None:
    """For the end date of a new reporting period (`properties.period_end`), the variable
    holding the reporting frequency; the date is proposed from it, never copied."""
    return property_of(comp, PERIOD_END)


def fills_of(comp: dict) -> tuple[str, ...]:
    """The keys beside a choice that its chosen option fills (`properties.fills`)."""
    return tuple((property_of(comp, FILLS) or "").split())


def is_fresh(comp: dict) -> bool:
    """Whether earlier data must not be shown as this field's answer."""
    return is_decision(comp) or period_end_frequency(comp) is not None


def options(comp: dict, context: Mapping) -> tuple[tuple[str, Any], ...]:
    """(label, value) pairs: static `values`, or `context[valuesKey]` chosen by the caller."""
    source = context.get(comp["valuesKey"]) if comp.get("valuesKey") else comp.get("values")
    if not isinstance(source, list):
        return ()
    return tuple(
        (str(option.get("label", option["value"])), option["value"])
        for option in source
        if isinstance(option, Mapping) and "value" in option
    )


def option_record(comp: dict, context: Mapping, value: Any) -> Mapping | None:
    """The whole option object chosen by `value` from `context[valuesKey]`, or None."""
    source = context.get(comp.get("valuesKey") or "")
    for option in source if isinstance(source, list) else ():
        if isinstance(option, Mapping) and type(option.get("value")) is type(value) \
                and option.get("value") == value:
            return option
    return None
