"""The words of each mail, in the reader's language: subject, plain text and simple HTML.

The engine has no Flask, so the web app's catalogs (webapp/translations, English msgids)
are read here with Babel's own `support.Translations`, one per language, kept once read.
Dates are written as the reader's language writes them ("Selasa, 6 Januari 2026").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape

from babel.dates import format_date
from babel.support import NullTranslations, Translations

from engine.config import PROJECT_ROOT

CATALOGS = PROJECT_ROOT / "webapp" / "translations"
DEFAULT_LOCALE = "id"
SUBJECT_PREFIX = "[Alur Kinerja]"


@dataclass(frozen=True)
class TaskNote:
    """What a mail says about one task."""

    task_id: int
    name: str
    run: str  # "REG-2026-0001 · Pengelolaan Kinerja 2026"
    opd: str | None
    due_on: date | None
    link: str


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=4)
def translations(locale: str) -> NullTranslations:
    """The catalog of `locale` (English msgids: English needs none)."""
    return Translations.load(str(CATALOGS), [locale], domain="messages")


def locale_of(value: str | None) -> str:
    return value if value in ("id", "en") else DEFAULT_LOCALE


class _Writer:
    """gettext and date wording bound to one reader's language."""

    def __init__(self, locale: str | None):
        self.locale = locale_of(locale)
        self.catalog = translations(self.locale)

    def gettext(self, message: str, **values) -> str:
        text = self.catalog.gettext(message)
        return text % values if values else text

    def day(self, value: date | None) -> str:
        if value is None:
            return self.gettext("no due date")
        return format_date(value, "EEEE, d MMMM y", locale=self.locale)


def _task_lines(w: _Writer, note: TaskNote) -> list[str]:
    lines = [w.gettext("Task: %(task)s", task=note.name), w.gettext("Run: %(run)s", run=note.run)]
    if note.opd:
        lines.append(w.gettext("OPD: %(opd)s", opd=note.opd))
    lines.append(w.gettext("Due: %(due)s", due=w.day(note.due_on)))
    return lines


def _compose(w: _Writer, name: str, subject: str, intro: list[str], notes: list[TaskNote],
             account_link: str) -> Letter:
    """Greeting, the intro, each task with its link, and why this mail came."""
    greeting = w.gettext("Hello %(name)s,", name=name)
    footer = w.gettext(
        "You receive this mail from Alur Kinerja. Choose which mail you receive on your "
        "account page: %(link)s", link=account_link,
    )
    open_label = w.gettext("Open the task")
    text = [greeting, "", *intro, ""]
    html = [f"<p>{escape(greeting)}</p>", *(f"<p>{escape(line)}</p>" for line in intro)]
    for note in notes:
        lines = _task_lines(w, note)
        text += [*lines, f"{open_label}: {note.link}", ""]
        html.append(
            "<p>" + "<br>".join(escape(line) for line in lines)
            + f'<br><a href="{escape(note.link)}">{escape(open_label)}</a></p>'
        )
    text += ["-- ", footer]
    html.append(f'<p style="color:#555;font-size:small">{escape(footer)}</p>')
    body_html = (
        f'<!DOCTYPE html><html lang="{w.locale}"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head><body>{''.join(html)}</body></html>"
    )
    one_line = " ".join(subject.split())  # a name with a line break must not break the header
    return Letter(f"{SUBJECT_PREFIX} {one_line}", "\n".join(text) + "\n", body_html)


def task_opened(locale: str | None, name: str, note: TaskNote, account_link: str) -> Letter:
    w = _Writer(locale)
    subject = w.gettext("New task: %(task)s", task=note.name)
    intro = [w.gettext("A new task is waiting for you or your group.")]
    return _compose(w, name, subject, intro, [note], account_link)


def task_due_soon(locale: str | None, name: str, note: TaskNote, account_link: str) -> Letter:
    w = _Writer(locale)
    subject = w.gettext("Due on the next working day: %(task)s", task=note.name)
    intro = [w.gettext("This task is due on the next working day and is not done yet.")]
    return _compose(w, name, subject, intro, [note], account_link)


def task_overdue(locale: str | None, name: str, note: TaskNote, account_link: str) -> Letter:
    w = _Writer(locale)
    subject = w.gettext("Overdue: %(task)s", task=note.name)
    intro = [w.gettext("This task is past its due date and is not done yet.")]
    return _compose(w, name, subject, intro, [note], account_link)


def overdue_digest(
    locale: str | None, name: str, notes: list[TaskNote], account_link: str
) -> Letter:
    w = _Writer(locale)
    subject = w.gettext("Your overdue tasks: %(count)s", count=len(notes))
    intro = [w.gettext("These tasks of yours are past their due date and not done yet.")]
    return _compose(w, name, subject, intro, notes, account_link)


def task_reassigned(
    locale: str | None, name: str, note: TaskNote, by: str, reason: str, account_link: str
) -> Letter:
    w = _Writer(locale)
    subject = w.gettext("Task handed to you: %(task)s", task=note.name)
    intro = [w.gettext("%(person)s handed this task to you.", person=by)]
    if reason.strip():
        intro.append(w.gettext("Reason: %(reason)s", reason=reason.strip()))
    return _compose(w, name, subject, intro, [note], account_link)
