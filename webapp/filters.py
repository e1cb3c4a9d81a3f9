"""Template filters every blueprint's pages use: labels, percentages, file sizes, payloads.

Registered on the app by `create_app` (through `init_filters`), not by one blueprint, so
the inbox, the modeler, the audit and admin pages share them. Dates, moments and plain
numbers are webapp.i18n's (`day`, `moment`, `number`); these build on the same locale.
"""

from __future__ import annotations

import json
from datetime import date

from babel.numbers import format_decimal
from flask import Flask
from flask_babel import get_locale, gettext

from engine.errors import N_
from engine.events import find_event_type
from engine.services import versions
from engine.services.eventviews import Formats, find_choice_label
from engine.services.eventviews import role_label as _role_label
from webapp.i18n import DEFAULT_LOCALE, format_day, format_moment, format_number
from webapp.transaction import db

STATUS_LABELS = {
    "running": N_("Running"),
    "completed": N_("Completed"),
    "open": N_("Open"),
    "cancelled": N_("Cancelled"),
}
PAYLOAD_LIMIT = 140


def _locale() -> str:
    return str(get_locale() or DEFAULT_LOCALE)


def format_percent(value) -> str:
    """'85,75%' in Indonesian, '85.75%' in English; a dash when there is nothing to show."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.00", locale=_locale()) + "%"


def format_money(value) -> str:
    """Rupiah as written in Indonesia: 'Rp1.500.000.000' (no space; cents only when there
    are any), 'Rp1,500,000,000' in English."""
    if value is None or value == "":
        return "—"
    try:
        return "Rp" + format_decimal(value, format="#,##0.##", locale=_locale())
    except (TypeError, ValueError, ArithmeticError):
        return str(value)


def format_year(value) -> str:
    """A year as digits ('2025', never '2.025'); anything else as it is."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
        return str(int(value))
    return "—" if value is None else str(value)


def page_formats() -> Formats:
    """The reader's writers for engine.services.eventviews (the engine has no locale)."""
    return Formats(translate=gettext, day=format_day, moment=format_moment,
                   number=format_number, money=format_money, filesize=format_filesize)


def role_label(role: str | None) -> str:
    """A role code ('kepala_ukpbj') by its name ('Kepala UKPBJ') in the reader's language."""
    return _role_label(role, page_formats())


def choice_label(value, key: str, version) -> str:
    """A stored choice by the label its version's forms give it ('triwulanan' -> 'Triwulanan');
    a value no form names, as it is stored."""
    if value is None or value == "":
        return "—"
    content = versions.content_of(db(), version)
    return find_choice_label(content.forms, key, value) or str(value)


def format_isoday(value) -> str:
    """An ISO date string from form data ('2026-01-31') as '31 Januari 2026'."""
    try:
        return format_day(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def format_filesize(size: int | None) -> str:
    """'2,5 MB', '12 KB' or '800 bytes' (translated), as people read upload limits."""
    if size is None:
        return "—"
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{format_decimal(size / factor, format='#,##0.#', locale=_locale())} {unit}"
    return gettext("%(n)s bytes", n=size)


def event_label(kind: str) -> str:
    """The event type's label (engine.events) translated; an unknown type as it is stored."""
    found = find_event_type(kind)
    return gettext(found.label) if found is not None else kind


def status_label(status: str) -> str:
    """A run's or a task's status in the reader's language; an unknown one as it is stored."""
    return gettext(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def short_payload(payload: dict | None) -> str:
    """An event's payload on one line, cut to a readable length."""
    if not payload:
        return ""
    text = json.dumps(payload, ensure_ascii=False, separators=(", ", ": "), default=str)
    return text if len(text) <= PAYLOAD_LIMIT else text[: PAYLOAD_LIMIT - 1] + "…"


def pretty_payload(payload: dict | None) -> str:
    """An event's stored data in full, indented: the folded technical view of the history."""
    return json.dumps(payload or {}, ensure_ascii=False, indent=2, sort_keys=True, default=str)


FILTERS = {
    "percent": format_percent,
    "money": format_money,
    "year": format_year,
    "role_label": role_label,
    "choice": choice_label,
    "isoday": format_isoday,
    "filesize": format_filesize,
    "event_label": event_label,
    "status_label": status_label,
    "short_payload": short_payload,
    "pretty_payload": pretty_payload,
}


def init_filters(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
