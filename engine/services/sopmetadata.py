"""The SOP-AP header of a process (Nomor SOP, dates, Disahkan oleh, Dasar Hukum, ...):
reading it, and its owner editing it.

The header belongs to the definition, so every version's document shows the same one.
Everyone signed in reads it (it heads the procedure they all work by); process owners and
administrators change it (access.ensure_modeler), except a read-only person. A change is
checked whole (every field's problem at once, nothing written on any) and recorded on the
global audit chain as `sop_metadata_updated` with each changed field's value before and
after. A field left empty stays empty: the document shows it as not filled in, never a
guess.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import N_, InvalidInputError, NotFoundError
from engine.events import EventType
from engine.models import Definition, SopMetadata, User
from engine.services import access, audit
from engine.services.nip import format_nip, validate_nip

TEXT_LIMITS = {"number": 120, "title": 300, "approver_position": 200, "approver_name": 200,
               "warning": 4000}
DATE_FIELDS = ("made_on", "revised_on", "effective_on")
LIST_FIELDS = ("letterhead", "legal_bases", "qualifications", "related_sops", "equipment",
               "records")
NIP_FIELD = "approver_nip"
MAX_LINES = 30
MAX_LINE = 500


@dataclass(frozen=True)
class SopHeader:
    """The header as the document shows it; every field empty when none was written."""

    letterhead: tuple[str, ...] = ()
    number: str = ""
    title: str = ""
    made_on: date | None = None
    revised_on: date | None = None
    effective_on: date | None = None
    approver_position: str = ""
    approver_name: str = ""
    approver_nip: str = ""
    legal_bases: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    related_sops: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    warning: str = ""
    records: tuple[str, ...] = ()
    updated_at: datetime | None = field(default=None, compare=False)

    def as_form(self) -> dict[str, str]:
        """The values as the edit form shows them: lists one item a line, dates ISO, the
        NIP grouped as it is read ("19850315 201001 1 002")."""
        values = {name: _form_text(getattr(self, name)) for name in FIELD_NAMES}
        values[NIP_FIELD] = format_nip(self.approver_nip)
        return values


FIELD_NAMES = tuple(f.name for f in fields(SopHeader) if f.name != "updated_at")


# ---- reading -----------------------------------------------------------------------------

def get_header(session: Session, actor: User, key: str) -> SopHeader:
    """The header of the process `key`: every signed-in person reads it."""
    return header_of(session, _definition(session, key))


def header_of(session: Session, definition: Definition) -> SopHeader:
    """The stored header, or an empty one; callers have checked the reader's role."""
    row = _row(session, definition)
    if row is None:
        return SopHeader()
    values = {name: getattr(row, name) for name in FIELD_NAMES}
    values.update({name: tuple(values[name] or ()) for name in LIST_FIELDS})
    return SopHeader(**values, updated_at=row.updated_at)


def can_edit(actor: User) -> bool:
    """Process owners and administrators, unless read-only (an auditor)."""
    return access.is_modeler(actor) and not access.is_read_only(actor)


# ---- writing -----------------------------------------------------------------------------

def update_header(session: Session, actor: User, key: str, raw: Mapping[str, str],
                  now: datetime) -> dict[str, list]:
    """Check every field typed into the form (`raw`: text, one list item a line, dates
    YYYY-MM-DD) and store them; returns the changes {field: [before, after]}, empty (and
    no event) when nothing changed. InvalidInputError names every wrong field at once."""
    access.ensure_modeler(actor)
    access.ensure_can_write(actor)
    definition = _definition(session, key)
    values = parse_header(raw, now.date())
    return _write(session, definition, values, actor.id, now)


def fill_header_if_empty(session: Session, key: str, raw: Mapping[str, str],
                         now: datetime) -> bool:
    """The set-up's header (bootstrap: the shipped SOP's own, from its file) for a process
    that has none yet; a header someone wrote is never overwritten. True when written."""
    definition = _definition(session, key)
    if _row(session, definition) is not None:
        return False
    return bool(_write(session, definition, parse_header(raw, now.date()), None, now))


def read_header_file(data: bytes) -> tuple[str, dict[str, str]]:
    """(definition key, the header as a form would send it) from a header file: JSON
    {"definition_key": ..., "header": {field: text, or a list of lines}} (bpmn/*.sop.json)."""
    try:
        found = json.loads(data)
        key, header = found["definition_key"], found["header"]
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidInputError("The header file is not a JSON object with definition_key "
                                "and header", code="invalid_sop_header_file") from error
    if not isinstance(key, str) or not isinstance(header, dict):
        raise InvalidInputError("The header file is not a JSON object with definition_key "
                                "and header", code="invalid_sop_header_file")
    unknown = sorted(set(header) - set(FIELD_NAMES))
    if unknown:
        raise InvalidInputError(f"The header file names unknown fields: {', '.join(unknown)}",
                                code="invalid_sop_header_file", details={"fields": unknown})
    return key, {name: _form_text(tuple(value) if isinstance(value, list) else value)
                 for name, value in header.items()}


def parse_header(raw: Mapping[str, str], today: date) -> dict:
    """Typed values from the form's text, or InvalidInputError naming every wrong field."""
    values, errors = {}, {}
    for name in FIELD_NAMES:
        text = str(raw.get(name) or "")
        try:
            values[name] = _parse_field(name, text, today)
        except InvalidInputError as error:
            errors[name] = [error.message]
    errors.update(_date_order_errors(values, errors))
    if errors:
        raise InvalidInputError("The SOP header has errors", code="invalid_sop_header",
                                details=errors)
    return values


def _parse_field(name: str, text: str, today: date):
    if name in LIST_FIELDS:
        return _lines(text)
    if name in DATE_FIELDS:
        return _date(text)
    if name == NIP_FIELD:
        return validate_nip(text, today) if text.strip() else ""
    value = text.strip() if name != "warning" else text.strip().replace("\r\n", "\n")
    if len(value) > TEXT_LIMITS[name]:
        raise InvalidInputError(N_("This text is too long"), code="text_too_long")
    return value


def _lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise InvalidInputError(N_("A list holds at most 30 lines"), code="too_many_lines")
    if any(len(line) > MAX_LINE for line in lines):
        raise InvalidInputError(N_("Each line holds at most 500 characters"),
                                code="line_too_long")
    return lines


def _date(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(N_("Enter a date as day, month and year"),
                                code="invalid_date") from None


def _date_order_errors(values: dict, errors: dict) -> dict[str, list[str]]:
    made = values.get("made_on")
    found = {}
    if made is None:
        return found
    for name in ("revised_on", "effective_on"):
        later = values.get(name)
        if name not in errors and later is not None and later < made:
            found[name] = [N_("This date cannot be before the date the SOP was made")]
    return found


def _write(session: Session, definition: Definition, values: dict, actor_id: int | None,
           now: datetime) -> dict[str, list]:
    row = _row(session, definition)
    before = {name: _stored(getattr(row, name)) if row else _stored(_empty(name))
              for name in FIELD_NAMES}
    changes = {name: [before[name], _stored(values[name])] for name in FIELD_NAMES
               if before[name] != _stored(values[name])}
    if not changes:
        return {}
    if row is None:
        row = SopMetadata(definition_id=definition.id)
        session.add(row)
    for name in FIELD_NAMES:
        setattr(row, name, values[name])
    row.updated_by_id, row.updated_at = actor_id, now
    audit.record_event(session, None, EventType.SOP_METADATA_UPDATED, now, actor_id=actor_id,
                       payload={"definition_key": definition.key, "changes": changes})
    session.flush()
    return changes


def _definition(session: Session, key: str) -> Definition:
    found = session.scalar(select(Definition).where(Definition.key == key))
    if found is None:
        raise NotFoundError(f"No deployed process '{key}'", code="definition_not_found")
    return found


def _row(session: Session, definition: Definition) -> SopMetadata | None:
    return session.scalar(select(SopMetadata).where(SopMetadata.definition_id == definition.id))


def _empty(name: str):
    if name in LIST_FIELDS:
        return []
    return None if name in DATE_FIELDS else ""


def _stored(value):
    """A value as the audit event records it (JSON): dates ISO, lists as lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value


def _form_text(value) -> str:
    if isinstance(value, tuple | list):
        return "\n".join(value)
    if isinstance(value, date):
        return value.isoformat()
    return value or ""
