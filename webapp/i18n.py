"""Languages: Bahasa Indonesia first, English second; dates and numbers as written in Indonesia."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import Flask, current_app, session
from flask_babel import get_locale

LANGUAGES = ("id", "en")
DEFAULT_LOCALE = "id"


def zone() -> ZoneInfo:
    """The deployment's one time zone (ALUR_TIMEZONE, read once into the app's runtime)."""
    return current_app.extensions["alur"].runtime.settings.zone


def select_locale() -> str:
    """Bahasa Indonesia unless the person chose English (the language switch in the header)."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LOCALE


def _locale() -> str:
    return str(get_locale() or DEFAULT_LOCALE)


def format_day(value: date | None, long: bool = False) -> str:
    """'24 November 2026' (or 'Selasa, 24 November 2026' when long)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(zone()).date()
    pattern = "EEEE, d MMMM y" if long else "d MMMM y"
    return format_date(value, pattern, locale=_locale())


def format_moment(value: datetime | None) -> str:
    """'24 November 2026 14.05 WIB' in Indonesian; English keeps its own separators."""
    if value is None:
        return "—"
    local = value.astimezone(zone())
    time_pattern = "HH.mm" if _locale() == "id" else "HH:mm"
    text = format_datetime(local, "d MMMM y " + time_pattern, locale=_locale())
    return f"{text} {local.tzname()}"


def format_number(value) -> str:
    if value is None:
        return "—"
    return format_decimal(value, locale=_locale())


def init_i18n(app: Flask) -> None:
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["get_locale"] = get_locale
