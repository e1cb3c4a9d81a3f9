"""The event log as staff read it: activity names, field labels and formatted values.

The log stores what the engine needs (element ids, form keys, codes, ISO dates); a person
reads "3. Menyusun baseline dan target kinerja", "Tahun kondisi awal: 2025" and
"Pagu (Rp): Rp1.500.000.000". The names and labels come from the deployed version's own
content (its activities and forms), so a history reads as the version that wrote it. How
dates and numbers are written depends on the reader's language, which the web layer knows
and the engine does not: the caller hands its writers in as `Formats`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import forms
from engine.errors import N_
from engine.events import find_event_type
from engine.forms import FieldView
from engine.models import DefinitionVersion, Event, Opd, User
from engine.services import versions
from engine.services.taskviews import form_context

ROLE_LABELS = {
    "kepala_ukpbj": N_("Kepala UKPBJ"),
    "tim_kelembagaan": N_("Tim Pengelolaan Kelembagaan UKPBJ"),
    "pj_kinerja": N_("Penanggung Jawab Kinerja"),
    "admin": N_("Administrator"),
    "auditor": N_("Auditor"),
    "pemilik_proses": N_("Pemilik Proses"),
}
# Number fields that hold money or a year: money reads "Rp1.500.000.000", a year "2025".
MONEY_KEYS = frozenset({"pagu", "nilai_kontrak", "nilai_pagu"})
MONEY_MARK = "(Rp)"
YEAR_PREFIX = "tahun"
REASSIGNED = "task_reassigned"


@dataclass(frozen=True)
class Formats:
    """The reader's writers: gettext for msgids, and dates, moments and numbers as written
    in the reader's language."""

    translate: Callable[[str], str]
    day: Callable[[date], str]
    moment: Callable[[datetime], str]
    number: Callable[[Any], str]
    money: Callable[[Any], str]
    filesize: Callable[[int], str]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ShownField:
    """One labelled value: plain text, or a small table for a list of rows."""

    label: str
    text: str = ""
    table: Table | None = None


@dataclass(frozen=True)
class EventView:
    seq: int
    when: datetime
    actor_id: int | None
    what: str
    activity: str | None
    fields: tuple[ShownField, ...]
    event: Event  # the stored event, for the technical data shown to admins and auditors


def is_money(field: FieldView) -> bool:
    return field.key in MONEY_KEYS or MONEY_MARK in (field.label or "")


def is_year(field: FieldView) -> bool:
    return bool(field.key) and field.key.startswith(YEAR_PREFIX)


def role_label(role: str | None, fmt: Formats) -> str:
    return fmt.translate(ROLE_LABELS[role]) if role in ROLE_LABELS else (role or "—")


def format_number_field(field: FieldView, value: Any, fmt: Formats) -> str:
    """A number as its field means it: a year ungrouped, money in Rupiah, else grouped."""
    if is_year(field) and isinstance(value, int | float) and float(value).is_integer():
        return str(int(value))
    return fmt.money(value) if is_money(field) else fmt.number(value)


def format_value(field: FieldView, value: Any, fmt: Formats) -> str:
    """One stored answer as the reader expects it: option labels, dates, numbers, yes/no."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_option_label(field, item) for item in value)
    if field.options:
        return _option_label(field, value)
    if isinstance(value, bool):
        return fmt.translate(N_("Yes") if value else N_("No"))
    if isinstance(value, int | float):
        return format_number_field(field, value, fmt)
    if field.type == "datetime" and field.subtype == "date":
        return _iso_day(value, fmt)
    return str(value)


def describe_data(fields: Iterable[FieldView], data: Mapping, fmt: Formats) -> list[ShownField]:
    """A form's submitted data as labelled values, in the form's order; empty ones left out
    (the raw data keeps them), groups flattened, lists of rows as tables."""
    shown: list[ShownField] = []
    for field in fields:
        if not field.key or _is_empty(data.get(field.key)):
            continue
        value, label = data[field.key], field.label or ""
        if field.type == "group":
            shown.extend(describe_data(field.children, _mapping(value), fmt))
        elif field.type == "dynamiclist":
            shown.append(ShownField(label, table=_table(field, value, fmt)))
        else:
            shown.append(ShownField(label, format_value(field, value, fmt)))
    return shown


def find_choice_label(forms_by_key: Mapping, key: str, value: Any) -> str | None:
    """The label a version's forms give a stored choice ('triwulanan' -> 'Triwulanan'):
    the first static option of any field named `key` whose value it is."""
    stack = [c for form in forms_by_key.values() for c in (form or {}).get("components") or ()]
    while stack:
        component = stack.pop(0)
        stack.extend(component.get("components") or ())
        if component.get("key") != key:
            continue
        for option in component.get("values") or ():
            if isinstance(option, Mapping) and option.get("value") == value:
                return str(option.get("label"))
    return None


def describe_events(
    session: Session, version: DefinitionVersion, events: Iterable[Event], fmt: Formats
) -> list[EventView]:
    """Each event of one run, as staff read it (the run's own deployed version names it)."""
    reader = _Reader(session, version, fmt)
    return [reader.view(event) for event in events]


class _Reader:
    """The lookups one history needs, made once: the version's content, forms and OPDs."""

    def __init__(self, session: Session, version: DefinitionVersion, fmt: Formats) -> None:
        self.session = session
        self.content = versions.content_of(session, version)
        self.context = form_context(session)
        self.opds = {code: name for code, name in session.execute(select(Opd.code, Opd.name))}
        self.fmt = fmt
        self._fields: dict[str, list[FieldView]] = {}
        self._people: dict[int | str, str] = {}

    def view(self, event: Event) -> EventView:
        kind = find_event_type(event.type)
        return EventView(
            seq=event.seq,
            when=event.occurred_at,
            actor_id=event.actor_id,
            what=self.fmt.translate(kind.label) if kind is not None else event.type,
            activity=self.activity_name(event.element_id),
            fields=tuple(self.fields_of(event)),
            event=event,
        )

    def activity_name(self, element_id: str | None) -> str | None:
        found = self.content.activity(element_id or "")
        if not found and self.content.start.get("element_id") == element_id:
            found = self.content.start
        return found.get("name")

    def form_fields(self, form_key: str | None) -> list[FieldView]:
        key = form_key or ""
        if key not in self._fields:
            self._fields[key] = forms.iter_fields(self.content.form(key), context=self.context)
        return self._fields[key]

    def fields_of(self, event: Event) -> list[ShownField]:
        payload = event.payload or {}
        if event.type == REASSIGNED:
            shown = _reassigned(self, payload, event.actor_id)
        else:
            describe = _DESCRIBERS.get(event.type)
            shown = describe(self, payload) if describe else []
        return [field for field in shown if field.text or field.table]

    def person(self, key: int | str | None) -> str:
        """A person's full name, by id or username (read once each); the key if unknown."""
        if key is None:
            return ""
        if key not in self._people:
            column = User.id if isinstance(key, int) else User.username
            found = self.session.scalar(select(User.full_name).where(column == key))
            self._people[key] = found or str(key)
        return self._people[key]

    def opd_name(self, code: str | None) -> str:
        return self.opds.get(code, code) if code else ""

    def day(self, value: Any) -> str:
        return _iso_day(value, self.fmt) if value else ""

    def label(self, msgid: str) -> str:
        return self.fmt.translate(msgid)


def _started(reader: _Reader, payload: Mapping) -> list[ShownField]:
    fields = reader.form_fields(reader.content.start.get("form_key"))
    return describe_data(fields, _mapping(payload.get("data")), reader.fmt)


def _completed(reader: _Reader, payload: Mapping) -> list[ShownField]:
    fields = reader.form_fields(payload.get("form_key"))
    return describe_data(fields, _mapping(payload.get("data")), reader.fmt)


def _created(reader: _Reader, payload: Mapping) -> list[ShownField]:
    period = payload.get("period_no") or 0
    return [
        ShownField(reader.label(N_("Step")), str(payload.get("sop_step") or "")),
        ShownField(reader.label(N_("Role")), role_label(payload.get("role"), reader.fmt)),
        ShownField(reader.label(N_("OPD")), reader.opd_name(payload.get("opd"))),
        ShownField(reader.label(N_("Due date")), reader.day(payload.get("due_on"))),
        ShownField(reader.label(N_("Reporting period")), str(period) if period else ""),
    ]


def _gateway(reader: _Reader, payload: Mapping) -> list[ShownField]:
    names = [reader.activity_name(target) for target in payload.get("taken") or ()]
    return [ShownField(reader.label(N_("Continues to")), ", ".join(n for n in names if n))]


def _timer(reader: _Reader, payload: Mapping) -> list[ShownField]:
    due = _moment(payload.get("due_at"), reader.fmt)
    return [
        ShownField(reader.label(N_("Scheduled for")), due),
        ShownField(reader.label(N_("OPD")), reader.opd_name(payload.get("opd"))),
    ]


def _period(reader: _Reader, payload: Mapping) -> list[ShownField]:
    return [
        ShownField(reader.label(N_("Reporting period")), str(payload.get("period_no") or "")),
        ShownField(reader.label(N_("Period ends")), reader.day(payload.get("akhir_periode"))),
    ]


def _document(reader: _Reader, payload: Mapping) -> list[ShownField]:
    size = payload.get("size")
    return [
        ShownField(reader.label(N_("File")), str(payload.get("filename") or "")),
        ShownField(reader.label(N_("Revision")), str(payload.get("revision") or "")),
        ShownField(reader.label(N_("Size")), reader.fmt.filesize(size) if size else ""),
    ]


def _comment(reader: _Reader, payload: Mapping) -> list[ShownField]:
    return [ShownField(reader.label(N_("Comment")), str(payload.get("body") or ""))]


def _reassigned(reader: _Reader, payload: Mapping, by: int | None) -> list[ShownField]:
    """"Didisposisikan kepada X oleh Y: alasan", and who held the task before."""
    target = payload.get("to_user_id") or payload.get("to_username")
    words = reader.label(N_("Reassigned to %(to)s by %(by)s: %(reason)s")) % {
        "to": reader.person(target),
        "by": reader.person(by) or reader.label(N_("System")),
        "reason": str(payload.get("reason") or ""),
    }
    before = payload.get("from_username")
    return [
        ShownField(reader.label(N_("Disposition")), words),
        ShownField(reader.label(N_("Previously held by")), reader.person(before) if before else ""),
    ]


_DESCRIBERS: dict[str, Callable[[_Reader, Mapping], list[ShownField]]] = {
    "instance_started": _started,
    "task_created": _created,
    "task_completed": _completed,
    "gateway_taken": _gateway,
    "timer_fired": _timer,
    "period_started": _period,
    "period_completed": _period,
    "document_added": _document,
    "comment_added": _comment,
}


def _table(field: FieldView, rows: Any, fmt: Formats) -> Table:
    columns = [child for child in field.children if child.key]
    body = []
    for row in rows if isinstance(rows, list) else ():
        cells = _mapping(row)
        body.append(tuple(_cell(child, cells.get(child.key), fmt) for child in columns))
    return Table(tuple(child.label or "" for child in columns), tuple(body))


def _cell(field: FieldView, value: Any, fmt: Formats) -> str:
    """A list row's cell; a nested group or list reads as 'label: value' pairs on one line."""
    if field.type in ("group", "dynamiclist"):
        nested = value if isinstance(value, list) else [value]
        parts = [
            f"{shown.label}: {shown.text}"
            for item in nested
            for shown in describe_data(field.children, _mapping(item), fmt)
            if shown.text
        ]
        return "; ".join(parts) or "—"
    return format_value(field, value, fmt)


def _option_label(field: FieldView, value: Any) -> str:
    for label, option in field.options:
        if option == value:
            return str(label)
    return "" if value is None else str(value)


def _iso_day(value: Any, fmt: Formats) -> str:
    try:
        return fmt.day(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _moment(value: Any, fmt: Formats) -> str:
    if not value:
        return ""
    try:
        return fmt.moment(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _mapping(value: Any) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}
