"""What templates need: field descriptions, earlier answers to prefill, and HTML posts reshaped.

A server-rendered form names its inputs `key`, `group[key]` and `list[0][key]`; FieldView.html_name
writes those names and coerce_form_strings reads them back into the JSON shape form-js sends, so
both paths reach the same validator.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.forms.schemas import (
    CHOICE_TYPES,
    check_form,
    hide_expr,
    is_fresh,
    key_of,
    members,
    options,
)


@dataclass(frozen=True)
class FieldView:
    """One component as a server-rendered template needs it; labels are left unescaped.

    `path` locates the value in the submitted data; None marks a dynamic list row, filled in by
    html_name(), so a template writes the same names that coerce_form_strings() reads back.
    """

    key: str | None
    path: tuple[str | None, ...]
    type: str
    label: str | None
    description: str | None
    required: bool
    options: tuple[tuple[str, Any], ...]
    minimum: Any
    maximum: Any
    min_length: int | None
    max_length: int | None
    subtype: str | None
    hide_if: str | None
    readonly: Any
    default_value: Any
    text: str | None
    children: tuple[FieldView, ...]

    def html_name(self, *row_indices: int) -> str:
        """The input name: `key`, `group[key]`, `list[0][key]` (row numbers outermost first)."""
        indices = iter(row_indices)
        parts = [str(next(indices)) if part is None else part for part in self.path]
        return parts[0] + "".join(f"[{part}]" for part in parts[1:]) if parts else ""

    def error_key(self, *row_indices: int) -> str:
        """The key of this field's problems in InvalidInputError.details, e.g. `list[0].key`."""
        indices, name = iter(row_indices), ""
        for part in self.path:
            name += f"[{next(indices)}]" if part is None else f"{'.' if name else ''}{part}"
        return name


def coerce_form_strings(schema: dict, form: Any) -> dict:
    """Shape an HTML post (a MultiDict or a dict of strings/lists) like form-js JSON.

    Only keys the form defines are read, so the CSRF token and button names fall away; the result
    still goes through validate_submission, which reports "abc" in a number field.
    """
    check_form(schema)
    return _coerce_scope(schema["components"], form, "")


def iter_fields(schema: dict, *, context: Mapping | None = None) -> list[FieldView]:
    """Describe the form for server-side rendering; `context` supplies `valuesKey` options."""
    check_form(schema)
    return [_view(comp, (), context or {}) for comp in schema["components"]]


def prefill(schema: dict, data: Mapping) -> dict:
    """Values to show from earlier data with the same keys, else each field's defaultValue.

    Decisions and new period ends (`properties.decision`, `properties.period_end`) are never
    taken from earlier data: each round decides them afresh.
    """
    check_form(schema)
    return _prefill_scope(schema["components"], data if isinstance(data, Mapping) else {})


_ABSENT = object()
_TRUE_STRINGS = frozenset({"on", "true", "1", "yes"})


def _coerce_scope(components: list, form: Any, prefix: str) -> dict:
    shaped: dict[str, Any] = {}
    for comp in members(components):
        key, kind = key_of(comp), comp["type"]
        if key is None:
            continue
        name = f"{prefix}[{key}]" if prefix else key
        if kind == "group":
            shaped[key] = _coerce_scope(comp["components"], form, name)
        elif kind == "dynamiclist":
            shaped[key] = [
                _coerce_scope(comp["components"], form, f"{name}[{index}]")
                for index in _row_indices(form, name)
            ]
        elif (value := _coerce_value(comp, _getlist(form, name))) is not _ABSENT:
            shaped[key] = value
    return shaped


def _row_indices(form: Any, name: str) -> list[int]:
    """Row numbers posted for a dynamic list, in order; gaps left by deleted rows close up."""
    row = re.compile(re.escape(name) + r"\[(\d{1,4})\]\[")
    return sorted({int(match.group(1)) for key in form.keys() if (match := row.match(key))})


def _getlist(form: Any, name: str) -> list[str]:
    if hasattr(form, "getlist"):
        return [str(value) for value in form.getlist(name)]
    value = form.get(name)
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]


def _coerce_value(comp: dict, values: list[str]) -> Any:
    kind = comp["type"]
    if kind == "checkbox":
        return bool(values) and values[-1].strip().lower() in _TRUE_STRINGS
    if kind in ("checklist", "taglist"):
        return [_match_option(comp, value) for value in values if value.strip()]
    if not values:
        return _ABSENT
    if kind == "number":
        return _parse_number(values[-1])
    return _match_option(comp, values[-1]) if kind in CHOICE_TYPES else values[-1]


def _parse_number(text: str) -> Any:
    """Numbers as an <input type=number> posts them; anything else stays text and is refused."""
    text = text.strip()
    if re.fullmatch(r"-?\d{1,30}", text):
        return int(text)
    if re.fullmatch(r"-?\d{0,30}\.\d{1,30}", text):
        return float(text)
    return text


def _match_option(comp: dict, raw: str) -> Any:
    """Give back a static option's own value (e.g. the int 3) for the string the browser sent."""
    for option in comp.get("values") or ():
        if isinstance(option, Mapping) and str(option.get("value")) == raw:
            return option.get("value")
    return raw


def _view(comp: dict, parent: tuple[str | None, ...], context: Mapping) -> FieldView:
    kind, key = comp["type"], key_of(comp)
    path = (*parent, key) if key else parent
    inner = (*path, None) if kind == "dynamiclist" else path
    rules = comp.get("validate") or {}
    return FieldView(
        key=key,
        path=path,
        type=kind,
        label=comp.get("label") or comp.get("dateLabel") or comp.get("timeLabel"),
        description=comp.get("description"),
        required=bool(rules.get("required")),
        options=options(comp, context),
        minimum=rules.get("min"),
        maximum=rules.get("max"),
        min_length=rules.get("minLength"),
        max_length=rules.get("maxLength"),
        subtype=comp.get("subtype", "date") if kind == "datetime" else None,
        hide_if=hide_expr(comp),
        readonly=comp.get("readonly") or comp.get("disabled") or False,
        default_value=comp.get("defaultValue"),
        text=comp.get("text"),
        children=tuple(_view(child, inner, context) for child in comp.get("components") or ()),
    )


def _prefill_scope(components: list, data: Mapping) -> dict:
    shown: dict[str, Any] = {}
    for comp in members(components):
        key = key_of(comp)
        if key is None:
            continue
        value = data.get(key)
        if comp["type"] == "group":
            nested = value if isinstance(value, Mapping) else {}
            shown[key] = _prefill_scope(comp["components"], nested)
        elif comp["type"] == "dynamiclist":
            rows = value if isinstance(value, list) else []
            shown[key] = [
                _prefill_scope(comp["components"], row) for row in rows if isinstance(row, Mapping)
            ]
        elif is_fresh(comp) or key not in data:
            shown[key] = comp.get("defaultValue")
        else:
            shown[key] = data[key]
    return shown
