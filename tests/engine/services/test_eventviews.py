"""The history as staff read it: names, labels and formatted values, never element ids,
form keys or codes (the writers of dates and numbers are handed in, as the web layer does)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.models import ProcessInstance
from engine.services import eventviews
from engine.services.eventviews import Formats
from engine.services.history import list_events
from tests.support import complete_all, run_planning, start_sop

FMT = Formats(
    translate=lambda msgid: f"«{msgid}»",
    day=lambda value: value.strftime("%d/%m/%Y"),
    moment=lambda value: value.strftime("%d/%m/%Y %H:%M"),
    number=lambda value: f"n{value:,}",
    money=lambda value: f"Rp{value:,}",
    filesize=lambda size: f"{size} B",
)


@pytest.fixture()
def views(session, now) -> list[eventviews.EventView]:
    """Rows 1-10 done (DISDIKBUD's row 10 maps a package with its pagu), as one run's views."""
    instance = start_sop(session, now)
    run_planning(session, instance.id, now)
    complete_all(session, instance.id, "Task_10", now)
    session.flush()
    found = session.get(ProcessInstance, instance.id)
    return eventviews.describe_events(session, found.version, list_events(session, found.id), FMT)


def _fields(view: eventviews.EventView) -> dict[str, eventviews.ShownField]:
    return {field.label: field for field in view.fields}


def _first(views, kind: str, activity_prefix: str = "") -> eventviews.EventView:
    return next(v for v in views
                if v.event.type == kind and (v.activity or "").startswith(activity_prefix))


def test_every_event_is_named_by_its_label_and_activity_never_its_id(views):
    for view in views:
        assert view.what.startswith("«"), view.what
        assert not (view.activity or "").startswith(("Task_", "GW_", "Event_", "Call_"))
        texts = " ".join(f.text for f in view.fields)
        assert "Task_" not in texts and "GW_" not in texts
    row1 = _first(views, "task_created").activity
    assert row1 == "1. Mendefinisikan tujuan PBJ dan area strategis"


def test_a_started_run_shows_its_year_ungrouped(views):
    started = _fields(_first(views, "instance_started"))
    assert started["Tahun anggaran"].text == "2026"


def test_a_task_opened_names_role_opd_and_formatted_due_date(views):
    opened = next(v for v in views if v.event.type == "task_created"
                  and v.event.payload["opd"] == "DISDIKBUD")
    shown = {f.label: f.text for f in opened.fields}
    assert shown["«Role»"] == "«Penanggung Jawab Kinerja»"
    assert shown["«OPD»"] == "Dinas Pendidikan dan Kebudayaan"
    due = date.fromisoformat(opened.event.payload["due_on"])
    assert shown["«Due date»"] == due.strftime("%d/%m/%Y")


def test_lists_read_as_tables_with_choice_labels_years_and_numbers(views):
    row2 = _fields(_first(views, "task_completed", "2."))
    table = next(f.table for f in row2.values() if f.table)
    assert "Frekuensi pelaporan" in table.headers
    column = table.headers.index("Frekuensi pelaporan")
    assert table.rows[0][column] == "Triwulanan"
    row3 = next(f.table for f in _first(views, "task_completed", "3.").fields if f.table)
    year = row3.headers.index("Tahun kondisi awal")
    assert row3.rows[0][year] == "2025"
    assert row3.rows[0][row3.headers.index("Target")] == "n10"


def test_money_goes_through_the_money_writer(views):
    row10 = next(f.table for f in _first(views, "task_completed", "10.").fields if f.table)
    assert row10.rows[0][row10.headers.index("Pagu (Rp)")] == "Rp1,500,000,000"


def test_opd_codes_of_a_checklist_read_as_opd_names(views):
    row7 = {f.label: f.text for f in _first(views, "task_completed", "7.").fields}
    chosen = next(text for label, text in row7.items() if label.startswith("OPD"))
    assert "Dinas Kesehatan" in chosen and "DINKES" not in chosen
    assert "/" in next(t for t in row7.values() if t.count("/") == 2)  # the date, formatted


def test_a_decision_names_where_the_run_continues(views):
    taken = _first(views, "gateway_taken")
    assert {f.label: f.text for f in taken.fields}["«Continues to»"].startswith("7. ")


def test_empty_answers_are_left_out(views):
    row1 = _first(views, "task_completed", "1.")
    assert all(field.text or field.table for field in row1.fields)
    assert "usulan_paket" not in {f.label for f in row1.fields}


def test_format_value_without_a_database():
    field = eventviews.FieldView(
        key="tahun", path=("tahun",), type="number", label="Tahun", description=None,
        required=False, options=(), minimum=None, maximum=None, min_length=None,
        max_length=None, subtype=None, hide_if=None, readonly=False, default_value=None,
        text=None, children=())
    assert eventviews.format_value(field, 2025, FMT) == "2025"
    assert eventviews.format_value(field, None, FMT) == "—"
    assert eventviews.format_value(field, True, FMT) == "«Yes»"
    assert eventviews._moment("2026-01-31T17:00:00+00:00", FMT) == datetime(
        2026, 1, 31, 17).strftime("%d/%m/%Y %H:%M")


def test_a_stored_choice_is_found_by_its_label_in_the_versions_forms(session, now):
    instance = start_sop(session, now)
    forms = eventviews.versions.content_of(session, instance.version).forms
    assert eventviews.find_choice_label(forms, "frekuensi_pelaporan", "triwulanan") == "Triwulanan"
    assert eventviews.find_choice_label(forms, "frekuensi_pelaporan", "harian") is None
