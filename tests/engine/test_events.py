"""Event types are declared once: each has a payload schema and a label, and the log
refuses an unknown type or a payload of the wrong shape without writing anything."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

from engine.errors import DomainError
from engine.events import SPECS, EventType, InvalidEventError, check_payload, parse_event_type
from engine.models import Event, ProcessInstance
from engine.services import audit
from tests.support import SOP_KEY, open_tasks, start_sop

ROOT = Path(__file__).resolve().parents[2]
SHA = "0123456789abcdef" * 4

# One payload per type, shaped as its call site writes it today.
GOOD = {
    EventType.INSTANCE_STARTED: {
        "data": {"tahun_anggaran": 2026, "judul": "Kinerja"},
        "version": 1,
        "definition": SOP_KEY,
    },
    EventType.INSTANCE_ENDED: {},
    EventType.TASK_CREATED: {
        "sop_step": "10",
        "role": "pj_kinerja",
        "opd": "DINKES",
        "due_on": "2026-01-07",
        "period_no": 0,
    },
    EventType.TASK_CLAIMED: {},
    EventType.TASK_UNCLAIMED: {},
    EventType.TASK_COMPLETED: {
        "sop_step": "1",
        "form_key": "perencanaan-tujuan",
        "data": {"tujuan_pbj": "Efisien"},
    },
    EventType.TASK_CANCELLED: {},
    EventType.GATEWAY_TAKEN: {"taken": ["Flow_setuju"]},
    EventType.TIMER_FIRED: {"due_at": "2026-01-31T17:00:00+00:00", "opd": "DINKES"},
    EventType.PERIOD_STARTED: {"period_no": 1, "akhir_periode": "2026-01-31"},
    EventType.PERIOD_COMPLETED: {"period_no": 1},
    EventType.DOCUMENT_ADDED: {
        "document_id": 7,
        "filename": "bukti.pdf",
        "sha256": SHA,
        "size": 1024,
        "revision": 1,
        "content_type": "application/pdf",
    },
    EventType.COMMENT_ADDED: {"comment_id": 3, "body": "Mohon lengkapi"},
    EventType.DEPLOYMENT_CREATED: {
        "definition": SOP_KEY,
        "version": 2,
        "content_hash": SHA,
        "filename": "sop.bpmn",
    },
    EventType.DEPLOYMENT_REJECTED: {
        "filename": "sop.bpmn",
        "sha256": SHA,
        "code": "invalid_diagram",
        "message": "The diagram was refused: 1 problem(s)",
        "details": {"problems": [{"element_id": "Task_01", "message": "no lane"}]},
    },
    EventType.USER_SIGNED_IN: {"client": "10.0.0.7", "via": "page"},
    EventType.USER_SIGNED_OUT: {"everywhere": True, "sessions_ended": 2, "tokens_revoked": 1},
    EventType.SIGN_IN_LOCKED: {"scope": "user", "username": "tim1", "client": "10.0.0.7",
                               "failures": 5, "retry_after": 900},
    EventType.PASSWORD_CHANGED: {"user_id": 3, "by": "self", "sessions_ended": 1,
                                 "tokens_revoked": 0},
    EventType.TOKEN_REVOKED: {"token_id": 4, "label": "skrip laporan"},
    EventType.USER_CREATED: {"user_id": 9, "username": "admin2", "roles": ["admin"], "opd": None},
    EventType.USER_DEACTIVATED: {"user_id": 9, "username": "admin2", "sessions_ended": 0,
                                 "tokens_revoked": 0},
    EventType.TASK_REASSIGNED: {"to_user_id": 4, "to_username": "pj_dinkes2",
                                "from_username": "pj_dinkes", "reason": "Cuti"},
    EventType.USER_UPDATED: {"user_id": 4, "username": "pj1", "changes": {"nip": [None, "x"]}},
    EventType.USER_REACTIVATED: {"user_id": 4, "username": "pj1"},
    EventType.PASSWORD_RESET: {"user_id": 4, "username": "pj1"},
    EventType.OPD_CREATED: {"opd_id": 3, "code": "DINKES", "name": "Dinas Kesehatan"},
    EventType.OPD_UPDATED: {"opd_id": 3, "code": "DINKES", "changes": {"name": ["a", "b"]}},
    EventType.LANE_ROLES_CHANGED: {"changes": {"Kepala UKPBJ": [None, "kepala_ukpbj"]}},
    EventType.HOLIDAY_CHANGED: {"action": "added", "day": "2026-06-01", "name": "Pancasila",
                                "kind": "libur_nasional", "legal_basis": None},
    EventType.HOLIDAYS_RESEEDED: {"year": 2027, "added": 17, "updated": 0, "kept_manual": 1},
    EventType.DUE_DATES_RECOMPUTED: {"tasks_moved": 1, "moves": [
        {"task_id": 1, "before": "2026-06-01", "after": "2026-06-02"}]},
    EventType.JOB_RETRIED: {"job_id": 7, "kind": "mail"},
    EventType.PACKAGES_IMPORTED: {"tahun_anggaran": 2026, "filename": "rup-2026.xlsx",
                                  "sha256": "ab" * 32, "added": 120, "updated": 3,
                                  "unchanged": 0},
    EventType.SOP_METADATA_UPDATED: {"definition_key": "sop_pengelolaan_kinerja",
                                     "changes": {"nomor_sop": [None, "800/001/UKPBJ/2026"]}},
}

# The fields that may be None (everything else must be there and not None).
NULLABLE = {
    EventType.TASK_CREATED: {"sop_step", "opd", "due_on"},
    EventType.TASK_COMPLETED: {"sop_step"},
    EventType.TIMER_FIRED: {"opd"},
    EventType.PERIOD_STARTED: {"akhir_periode"},
    EventType.TOKEN_REVOKED: {"label"},
    EventType.USER_CREATED: {"opd"},
    EventType.TASK_REASSIGNED: {"from_username"},
    EventType.HOLIDAY_CHANGED: {"legal_basis", "changes"},
}

BAD = [
    pytest.param(EventType.COMMENT_ADDED, {"comment_id": 3}, id="missing-field"),
    pytest.param(EventType.COMMENT_ADDED, {**GOOD[EventType.COMMENT_ADDED], "x": 1}, id="extra"),
    pytest.param(EventType.COMMENT_ADDED, {"comment_id": "3", "body": "x"}, id="int-as-text"),
    pytest.param(EventType.PERIOD_COMPLETED, {"period_no": True}, id="bool-as-int"),
    pytest.param(EventType.PERIOD_COMPLETED, {"period_no": 1.5}, id="float-as-int"),
    pytest.param(
        EventType.TASK_CREATED,
        {**GOOD[EventType.TASK_CREATED], "role": None},
        id="none-where-required",
    ),
    pytest.param(
        EventType.TASK_CREATED,
        {**GOOD[EventType.TASK_CREATED], "due_on": "31/01/2026"},
        id="not-a-date",
    ),
    pytest.param(EventType.TIMER_FIRED, {"due_at": "soon", "opd": None}, id="not-a-moment"),
    pytest.param(
        EventType.DOCUMENT_ADDED,
        {**GOOD[EventType.DOCUMENT_ADDED], "sha256": "xyz"},
        id="not-a-sha256",
    ),
    pytest.param(EventType.GATEWAY_TAKEN, {"taken": "Flow_setuju"}, id="text-as-list"),
    pytest.param(EventType.GATEWAY_TAKEN, ["Flow_setuju"], id="not-an-object"),
    pytest.param(EventType.TASK_CLAIMED, {"by": "tim1"}, id="payload-on-empty-type"),
    pytest.param(EventType.COMMENT_ADDED, None, id="no-payload"),
]


# ---- the declarations -----------------------------------------------------------------


def test_every_type_has_a_label_and_a_first_payload_schema():
    assert set(SPECS) == set(EventType) == set(GOOD)
    for kind in EventType:
        assert kind.label and kind.label[0].isupper(), kind
        assert 1 in SPECS[kind].schemas and kind.payload_version == 1


def test_labels_are_distinct_and_translated_into_indonesian():
    with (ROOT / "webapp/translations/id/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = {m.id: m.string for m in read_po(handle, locale="id") if m.id}
    labels = [kind.label for kind in EventType]
    assert len(set(labels)) == len(labels)
    assert all(catalog.get(label) for label in labels), "run the commands in babel.cfg"


SINGLE_APPENDS = ("record_event", "record_task_event")


def _types_written_in(source: str) -> set[str]:
    """Types given as strings to audit.record_event/record_task_event (the third argument)
    and as the "type" of the entries that audit.record_events receives."""
    found = set()
    for call in ast.walk(ast.parse(source)):
        name = getattr(getattr(call, "func", None), "attr", "")
        if name in SINGLE_APPENDS and len(call.args) > 2:
            found |= _literal(call.args[2])
        elif name == "record_events":
            for entry in (n for arg in call.args for n in ast.walk(arg)):
                if isinstance(entry, ast.Dict):
                    found |= {
                        text
                        for key, value in zip(entry.keys, entry.values, strict=True)
                        if isinstance(key, ast.Constant) and key.value == "type"
                        for text in _literal(value)
                    }
    return found


def _literal(node: ast.AST) -> set[str]:
    return {node.value} if isinstance(node, ast.Constant) and isinstance(node.value, str) else set()


def test_the_scan_finds_types_given_as_strings():
    source = (
        'audit.record_event(session, instance, "period_started", now, element_id="Task_1")\n'
        "audit.record_task_event(session, task, EventType.TASK_CLAIMED, now, actor.id)\n"
        'audit.record_events(session, instance, now, [{"type": "task_created", "x": "y_z"}])\n'
    )
    assert _types_written_in(source) == {"period_started", "task_created"}


def test_every_type_the_engine_writes_is_declared():
    sources = (path.read_text(encoding="utf-8") for path in (ROOT / "engine").rglob("*.py"))
    written = set().union(*(_types_written_in(source) for source in sources))
    assert written - set(EventType) == set()


@pytest.mark.parametrize("kind", list(EventType))
def test_a_good_payload_fits_and_so_does_none_where_allowed(kind):
    assert check_payload(kind, GOOD[kind]) == 1
    for name in NULLABLE.get(kind, ()):
        assert check_payload(kind, {**GOOD[kind], name: None}) == 1


@pytest.mark.parametrize("kind", [k for k in EventType if GOOD[k]])
def test_every_field_is_required(kind):
    for name in GOOD[kind]:
        missing = {key: value for key, value in GOOD[kind].items() if key != name}
        with pytest.raises(InvalidEventError):
            check_payload(kind, missing)
        if name not in NULLABLE.get(kind, ()):
            with pytest.raises(InvalidEventError):
                check_payload(kind, {**GOOD[kind], name: None})


@pytest.mark.parametrize(("kind", "payload"), BAD)
def test_a_payload_of_the_wrong_shape_is_refused(kind, payload):
    with pytest.raises(InvalidEventError):
        check_payload(kind, payload if payload is not None else {})


def test_unknown_types_and_versions_are_programming_errors():
    with pytest.raises(InvalidEventError) as unknown:
        parse_event_type("task_exploded")
    assert not isinstance(unknown.value, DomainError)
    assert parse_event_type("task_claimed") is EventType.TASK_CLAIMED
    with pytest.raises(InvalidEventError):
        check_payload(EventType.TASK_CLAIMED, {}, version=2)


# ---- refused at append, nothing written -------------------------------------------------


@pytest.fixture()
def instance(session, now) -> ProcessInstance:
    started = start_sop(session, now)
    session.flush()
    return started


def _log_state(session, instance: ProcessInstance) -> tuple:
    session.flush()
    count = session.scalar(select(func.count()).select_from(Event))
    return count, instance.event_count, instance.last_event_hash


@pytest.mark.parametrize(("kind", "payload"), BAD)
def test_record_event_refuses_and_writes_nothing(session, now, instance, kind, payload):
    before = _log_state(session, instance)
    with pytest.raises(InvalidEventError):
        audit.record_event(session, instance, kind, now, payload=payload)
    assert not [row for row in session.new if isinstance(row, Event)]
    assert _log_state(session, instance) == before


def test_an_unknown_type_is_refused_on_every_chain(session, now, instance):
    before = _log_state(session, instance)
    task = open_tasks(session, instance.id)[0]
    with pytest.raises(InvalidEventError):
        audit.record_event(session, instance, "task_exploded", now)
    with pytest.raises(InvalidEventError):
        audit.record_task_event(session, task, "Task_Claimed", now, None)
    with pytest.raises(InvalidEventError):
        audit.record_event(session, None, "deployment_exploded", now)
    assert _log_state(session, instance) == before


def test_record_events_checks_every_entry_before_writing_any(session, now, instance):
    before = _log_state(session, instance)
    entries = [
        {"type": "task_cancelled", "task_id": None, "element_id": "Task_01"},
        {"type": EventType.PERIOD_COMPLETED, "payload": {"period_no": "1"}},
    ]
    with pytest.raises(InvalidEventError):
        audit.record_events(session, instance, now, entries)
    assert _log_state(session, instance) == before


@pytest.mark.parametrize("kind", list(EventType))
def test_every_good_payload_is_appended_with_its_version(session, now, instance, kind):
    target = None if kind.name.startswith("DEPLOYMENT") else instance
    event = audit.record_event(session, target, kind, now, payload=GOOD[kind])
    session.flush()
    stored = session.get(Event, event.id)
    assert (stored.type, stored.payload, stored.payload_version) == (kind, GOOD[kind], 1)


# ---- where the labels are shown ---------------------------------------------------------


def test_pages_translate_the_types_label_and_the_api_gives_its_msgid(now):
    from flask import Flask
    from flask_babel import Babel

    from webapp.api.schemas import EventSchema, dump
    from webapp.filters import event_label

    app = Flask(__name__)
    Babel(
        app,
        locale_selector=lambda: "id",
        default_translation_directories=str(ROOT / "webapp" / "translations"),
    )
    with app.test_request_context():
        assert event_label(EventType.GATEWAY_TAKEN) == "Keputusan diambil"
        assert event_label("deployment_rejected") == "Penerapan diagram ditolak"
        assert event_label("written_by_older_code") == "written_by_older_code"
    event = Event(
        seq=1, type="deployment_created", occurred_at=now, payload={}, payload_version=1, hash=SHA
    )
    dumped = dump(EventSchema(), event, {"users": {}})
    assert (dumped["label"], dumped["payload_version"]) == ("Process version deployed", 1)
