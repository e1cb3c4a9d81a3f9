"""What staff read on the pages: no element ids or raw JSON in the history, codes by their
labels, years ungrouped, money in Rupiah, one word for an SOP row, an Indonesian 404."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.support import PLANNING
from tests.webapp.inbox_support import (
    open_task_id,
    run_rows_through_services,
    squash,
    start_run,
    text_of,
)

ROOT = Path(__file__).resolve().parents[2]
INTERNAL_IDS = re.compile(r"\b(Task|GW|Event|Call|StartEvent|Flow|Timer)_\w+")
RAW_KEYS = ("due_on", "sop_step", '"role"', "form_key", "period_no", "payload")


@pytest.fixture()
def run_id(web_app) -> int:
    """Rows 1-10 done: decisions, lists of rows, an OPD checklist, a package with its pagu."""
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING, "Task_10")
    return instance_id


def _history(html: str) -> str:
    start = html.index('data-testid="events"')
    return html[start: html.index("</ol>", start)]


def test_the_history_shows_names_labels_and_formatted_values_to_the_team(client, login, run_id):
    login("tim1")
    html = text_of(client.get(f"/instances/{run_id}"))
    history = _history(html)
    text = squash(history)
    assert "Mendefinisikan tujuan PBJ dan area strategis" in text
    assert "Tim Pengelolaan Kelembagaan UKPBJ" in text  # the role, by its name
    assert "Dinas Pendidikan dan Kebudayaan" in text  # the OPD, by its name
    assert "Triwulanan" in text and "triwulanan" not in text  # a choice, by its label
    assert "Rp1.500.000.000" in text  # the pagu, as money
    assert "2025" in text and "2.025" not in squash(html)  # a year, ungrouped
    assert re.search(r"\b\d{1,2} Januari 2026\b", text)  # dates as written in Indonesia
    assert not INTERNAL_IDS.search(squash(html)), INTERNAL_IDS.search(squash(html))
    for key in RAW_KEYS:
        assert key not in history, key
    assert "{" not in text
    assert 'data-testid="technical-data"' not in html and "Data teknis" not in html


@pytest.mark.parametrize("username", ["admin", "auditor"])
def test_admins_and_auditors_see_the_stored_data_folded(client, login, run_id, username):
    login(username)
    history = _history(text_of(client.get(f"/instances/{run_id}")))
    assert '<details class="technical" data-testid="technical-data">' in history
    assert "Data teknis" in history
    assert "due_on" in history and "Task_01" in history  # inside the fold only
    assert "<details open" not in history


def test_a_budget_year_is_never_grouped_on_the_task_page(client, login, web_app, run_id):
    login("tim1")
    html = text_of(client.get(f"/instances/{run_id}"))
    assert "2.026" not in squash(html)


def test_money_and_year_filters(web_app):
    from webapp.filters import format_money, format_year

    with web_app.test_request_context("/"):
        assert format_money(1500000000) == "Rp1.500.000.000"
        assert format_money(1250.5) == "Rp1.250,5"
        assert format_money(None) == "—"
        assert format_year(2025) == "2025"
        assert format_year(2025.0) == "2025"


def test_the_indonesian_404_page_is_all_indonesian(client, login):
    login("tim1")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    text = squash(text_of(response))
    assert "Halaman tidak ditemukan" in text
    for english in ("Not Found", "requested URL", "server", "Please check", "Error 404"):
        assert english not in text, english
    anonymous = squash(text_of(client.get("/nothing-here/either")))
    assert "requested URL" not in anonymous


def test_a_form_sent_without_its_token_is_refused_in_indonesian(client):
    client.get("/login")
    response = client.post("/login", data={"username": "tim1", "password": "x"})
    assert response.status_code == 400
    text = squash(text_of(response))
    assert "Formulir kedaluwarsa atau tidak dikirim dari situs ini" in text
    assert "The form expired" not in text


def test_the_indonesian_catalog_names_an_sop_row_langkah_never_baris():
    with (ROOT / "webapp/translations/id/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    # "baris" stays right for a line of text (a file's line number or rows, the command line)
    found = [message.id for message in catalog if message.id and message.string
             and re.search(r"\bbaris\b", str(message.string), re.IGNORECASE)
             and not re.search(r"\b(lines?|files?)\b", str(message.id), re.IGNORECASE)]
    assert found == []


def test_earlier_answers_on_a_task_page_show_years_ungrouped(client, login, web_app):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, "Task_01", "Task_02", "Task_03")
    login("tim1")
    text = squash(text_of(client.get(f"/tasks/{open_task_id(web_app, instance_id, 'Task_04')}")))
    assert "2025" in text
    assert "2.025" not in text and "2.026" not in text


def test_a_stored_choice_reads_by_its_label(web_app):
    from engine.services import deployments
    from webapp.filters import choice_label

    with web_app.test_request_context("/"):
        from webapp.transaction import db

        version = deployments.latest_version(db(), "sop_pengelolaan_kinerja")
        assert choice_label("triwulanan", "frekuensi_pelaporan", version) == "Triwulanan"
        assert choice_label("harian", "frekuensi_pelaporan", version) == "harian"
        assert choice_label(None, "frekuensi_pelaporan", version) == "—"
