"""Compare two versions of the forms of a process, field by field.

A form is a form-js schema; its fields are matched by data key (the name the answer is
stored under, what the SOP's later steps read), prefixed by the path of the group or
dynamic list that holds them, so "nama" in two lists are two fields. A component without
a key (a text block, a path-less group) is matched by its id. Each field is reduced to a
few comparable facts: label, type, required, options, each validation rule, the
condition that hides it, and any other setting, so a change to any of them is reported,
and moving fields around (form-js's `layout`) is not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

# Settings compared under their own subject (in this order), or not compared at all.
LABEL_KEYS = ("label", "dateLabel", "timeLabel", "text")
NOT_COMPARED = frozenset({"id", "key", "path", "components", "layout", "type", "validate",
                          "values", "valuesKey", "valuesExpression", "conditional",
                          *LABEL_KEYS})
FIELD_SUBJECTS = ("type", "label", "required", "values", "conditional")


def compare_forms(old: Mapping[str, Any], new: Mapping[str, Any],
                  keys: Iterable[str]) -> list[dict]:
    """Changes to the forms named by `keys` (those either version uses): a form added or
    removed, or a field added, removed or changed. Each change names the form and field;
    the caller adds the step that shows the form."""
    changes = []
    for form_key in sorted(set(keys)):
        before, after = old.get(form_key), new.get(form_key)
        if before is None and after is None:
            continue
        if before is None or after is None:
            kind = "added" if before is None else "removed"
            changes.append(_change(kind, form_key, subject="form"))
            continue
        changes.extend(_field_changes(form_key, fields_of(before), fields_of(after)))
    return changes


def fields_of(schema: Any) -> dict[str, dict]:
    """Field id ("key", "list.key", or "#id" for a component without a key) -> component."""
    found: dict[str, dict] = {}
    components = schema.get("components") if isinstance(schema, Mapping) else None
    _walk(components if isinstance(components, list) else [], "", found)
    return found


def _walk(components: list, prefix: str, found: dict[str, dict]) -> None:
    for position, comp in enumerate(components):
        if not isinstance(comp, Mapping):
            continue
        data_key = comp.get("key") or comp.get("path")
        if isinstance(data_key, str) and data_key:
            ident = prefix + data_key
        else:
            ident = "#" + str(comp.get("id") or f"{prefix}{comp.get('type')}-{position}")
        found.setdefault(ident, comp)
        children = comp.get("components")
        if isinstance(children, list):
            scoped = isinstance(comp.get("path"), str) and comp.get("path")
            _walk(children, f"{ident}." if scoped else prefix, found)


def facts_of(comp: Mapping) -> dict[str, str]:
    """What a person filling the form meets: its kind, label, whether it is required, its
    options, each validation rule, when it is hidden, and its other settings."""
    facts = {"type": str(comp.get("type", ""))}
    label = next((comp[k] for k in LABEL_KEYS if isinstance(comp.get(k), str) and comp[k]), "")
    _put(facts, "label", label.strip())
    validate = comp.get("validate") if isinstance(comp.get("validate"), Mapping) else {}
    facts["required"] = "true" if validate.get("required") is True else "false"
    for rule, value in sorted(validate.items()):
        if rule != "required":
            _put(facts, f"validate.{rule}", _text(value))
    _put(facts, "values", _options(comp))
    conditional = comp.get("conditional")
    if isinstance(conditional, Mapping):
        _put(facts, "conditional", _text(conditional.get("hide")))
    for name, value in sorted(comp.items()):
        if name not in NOT_COMPARED:
            _put(facts, name, _text(value))
    return facts


def _options(comp: Mapping) -> str:
    values = comp.get("values")
    if isinstance(values, list):
        return "; ".join(_option(item) for item in values)
    for source in ("valuesKey", "valuesExpression"):
        if isinstance(comp.get(source), str) and comp[source]:
            return f"{source}: {comp[source]}"
    return ""


def _option(item: Any) -> str:
    if not isinstance(item, Mapping):
        return _text(item)
    label, value = _text(item.get("label")), _text(item.get("value"))
    return value if label in ("", value) else f"{label} ({value})"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _put(facts: dict, subject: str, value: str) -> None:
    if value:
        facts[subject] = value


def _field_changes(form_key: str, before: dict[str, dict],
                   after: dict[str, dict]) -> Iterator[dict]:
    for ident, comp in before.items():
        if ident not in after:
            yield _change("removed", form_key, field=ident, comp=comp, subject="field")
            continue
        old, new = facts_of(comp), facts_of(after[ident])
        for subject in sorted(set(old) | set(new), key=_rank):
            if old.get(subject) != new.get(subject):
                yield _change("changed", form_key, field=ident, comp=after[ident],
                              subject=f"field.{subject}", before=old.get(subject),
                              after=new.get(subject), old_comp=comp)
    for ident, comp in after.items():
        if ident not in before:
            yield _change("added", form_key, field=ident, comp=comp, subject="field")


def _rank(subject: str) -> tuple:
    if subject in FIELD_SUBJECTS:
        return (0, FIELD_SUBJECTS.index(subject), "")
    return (1, 0, subject)


def _change(kind: str, form_key: str, *, field: str | None = None, comp: Mapping | None = None,
            subject: str | None = None, before: str | None = None, after: str | None = None,
            old_comp: Mapping | None = None) -> dict:
    """A change in the diff's shape; the element fields are the caller's to fill."""
    shown = old_comp if old_comp is not None else comp  # a changed field by its old label
    label = facts_of(shown).get("label") if shown is not None else None
    if not label and comp is not None:
        label = facts_of(comp).get("label")
    return {
        "kind": kind,
        "element_id": None,
        "element_type": None,
        "sop_step": None,
        "name": None,
        "subject": subject,
        "before": before,
        "after": after,
        "form_key": form_key,
        "field": field,
        "field_label": label or None,
        "field_type": str(comp.get("type")) if comp is not None else None,
    }


__all__ = ["compare_forms", "facts_of", "fields_of"]
