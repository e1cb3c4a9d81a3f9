"""Server-rendered forms: the form-js schema walked into fields, posted values and problems.

templates/inbox/_form.html renders the FieldViews of engine.forms.iter_fields with the names
that coerce_form_strings reads back. Conditions (`hide_if`, `readonly`) are evaluated here for
the first paint; the forms bundle (frontend/src/forms/, built into static/dist/forms.js)
re-evaluates `hide_if` as the user types and adds list rows, and the server re-checks
everything on submit anyway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from engine import forms
from engine.errors import N_
from engine.forms import FieldView
from engine.forms.problems import Problem
from engine.services.eventviews import format_number_field
from engine.services.formlists import FormLists
from engine.services.taskviews import form_lists
from webapp.filters import page_formats
from webapp.i18n import format_day

ROW_TOKEN = "__ROW{}__"
_ROW_INDEX = re.compile(r"\[\d{1,4}\]")

_WORDS = {"date": N_("date"), "time": N_("time"), "datetime": N_("date and time"),
          "email": N_("email address"), "phone": N_("phone number")}

# Messages the validator gives as they are; listed so that extraction finds them.
PLAIN_PROBLEMS = (
    N_("This field is required"), N_("Must be text"), N_("Must be a number"),
    N_("Not one of the allowed options"), N_("Must be a list of options"),
    N_("An option is chosen twice"), N_("Must be true or false"), N_("Must be an object"),
    N_("Must be a list"), N_("Unknown field"), N_("Does not match the required format"),
    N_("Add at least one complete row"),
)


def describe_form(session, schema: dict | None, lists: FormLists | None = None) -> list[FieldView]:
    """The schema's fields with their options: `lists` as read for the task shown (its
    OPD's packages, its run's plan), else the lists that need no task."""
    if not schema:
        return []
    found = lists if lists is not None else form_lists(session, schema, None)
    return forms.iter_fields(schema, context=found.context())


def posted_values(schema: dict, form: MultiDict) -> dict:
    """A failed post shaped like the data it would have stored, to show it again."""
    return forms.coerce_form_strings(schema, without_blank_rows(form))


def without_blank_rows(form: MultiDict) -> MultiDict:
    """Drop dynamic-list rows the user left entirely empty (the page offers one blank row)."""
    prefixes: dict[str, bool] = {}
    for key, value in form.items(multi=True):
        for match in _ROW_INDEX.finditer(key):
            prefix = key[: match.end()]
            prefixes[prefix] = prefixes.get(prefix, False) or bool(str(value).strip())
    blank = tuple(prefix + "[" for prefix, filled in prefixes.items() if not filled)
    if not blank:
        return form
    return MultiDict([(k, v) for k, v in form.items(multi=True) if not k.startswith(blank)])


def translate_problem(message: str) -> str:
    """A validator message in the reader's language: a Problem carries its msgid and values."""
    if isinstance(message, Problem):
        params = {k: _shown_param(v) for k, v in message.params.items()}
        return gettext(message.msgid, **params)
    return gettext(message)


def _shown_param(value: Any) -> Any:
    """A problem's value as the page writes it: words translated, dates in Indonesian."""
    if isinstance(value, date):
        return format_day(value)
    return gettext(_WORDS[value]) if isinstance(value, str) and value in _WORDS else value


def row_problems(fields: list[FieldView], problems: Mapping) -> list[tuple[str, str]]:
    """(text, input id) of each problem inside a list row, e.g. "Baris 2, Satuan: Wajib
    diisi": listed above the form, linking to the field, as long lists hide their rows."""
    found = []
    for view, depth in _row_fields(fields, 0):
        pattern = _pattern_of(view.error_key(*(["#"] * depth)))
        for key, messages in problems.items():
            if not pattern.fullmatch(key):
                continue
            rows = [int(n) for n in re.findall(r"\[(\d+)\]", key)]
            name = view.html_name(*rows)
            anchor = "f-" + name.replace("][", "-").replace("[", "-").replace("]", "")
            number = ".".join(str(row + 1) for row in rows)
            found += [(gettext("Row %(n)s, %(field)s: %(problem)s", n=number,
                               field=view.label or view.key, problem=message), anchor)
                      for message in messages]
    return found


def _row_fields(views, depth):
    for view in views:
        if view.key and depth and view.type != "dynamiclist":
            yield view, depth
        yield from _row_fields(view.children, depth + (view.type == "dynamiclist"))


def translate_problems(details: Any) -> dict[str, list[str]]:
    """InvalidInputError.details, {field key: [message]}, in the reader's language."""
    if not isinstance(details, Mapping):
        return {}
    return {str(key): [translate_problem(m)
                       for m in (msgs if isinstance(msgs, list) else [msgs])]
            for key, msgs in details.items()}


def field_errors(field: FieldView, rows: tuple, problems: Mapping) -> list[str]:
    return list(problems.get(field.error_key(*rows), ())) if field.key else []


def is_hidden(field: FieldView, scopes: tuple) -> bool:
    return bool(field.hide_if) and forms.is_condition_met(field.hide_if, scopes)


def is_readonly(field: FieldView, scopes: tuple) -> bool:
    if isinstance(field.readonly, str):
        return forms.is_condition_met(field.readonly, scopes)
    return field.readonly is True


def rows_of(value: Any) -> list[dict]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def row_token(depth: int) -> str:
    return ROW_TOKEN.format(depth)


def option_label(field: FieldView, value: Any) -> str:
    for label, option in field.options:
        if option == value:
            return label
    return "" if value is None else str(value)


def as_text(value: Any) -> str:
    """A stored value as a string for an input's value attribute."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def shown_value(field: FieldView, value: Any) -> str:
    """A submitted value as a reader expects it: option labels, Indonesian dates and numbers."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(option_label(field, item) for item in value)
    if field.options:
        return option_label(field, value)
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, int | float):
        return format_number_field(field, value, page_formats())  # years ungrouped, Rupiah
    if field.type == "datetime" and field.subtype == "date":
        try:
            return format_day(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)


def unmatched_problems(fields: list[FieldView], problems: Mapping) -> list[str]:
    """Problems no rendered field will show (say, an unknown field): listed above the form."""
    shown = set()

    def walk(views, depth):
        for view in views:
            if view.key:
                shown.add(_pattern_of(view.error_key(*(["#"] * depth))))
            walk(view.children, depth + (view.type == "dynamiclist"))

    walk(fields, 0)
    return [m for key, msgs in problems.items() if not any(p.fullmatch(key) for p in shown)
            for m in msgs]


def _pattern_of(key: str) -> re.Pattern:
    return re.compile(re.escape(key).replace(re.escape("[#]"), r"\[\d+\]"))


TEMPLATE_HELPERS = {
    "field_errors": field_errors,
    "field_hidden": is_hidden,
    "field_readonly": is_readonly,
    "rows_of": rows_of,
    "row_token": row_token,
    "option_label": option_label,
    "as_text": as_text,
    "shown_value": shown_value,
    "row_problems": row_problems,
}
