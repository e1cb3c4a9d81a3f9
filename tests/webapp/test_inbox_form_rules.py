"""What the task pages' forms accept and offer: a required list needs a complete row, a
half-filled row is refused beside its field (and listed above the form, linked), decisions
come back empty on the revision round, and a new period's end is checked against today."""

from __future__ import annotations

from tests.support import PLANNING
from tests.webapp.inbox_support import (
    open_task_id,
    post_form,
    run_rows_through_services,
    snapshot,
    squash,
    start_run,
    task_state,
    text_of,
)

COMPLETE_ROW = {"kode": "IKU-01", "nama": "Persentase efisiensi pengadaan", "satuan": "%",
                "formula": "(pagu - kontrak) / pagu x 100", "polaritas": "maksimal",
                "frekuensi": "triwulanan"}


def row_fields(index: int, values: dict) -> dict:
    return {f"indikator[{index}][{key}]": value for key, value in values.items()}


def row_2(web_app, client, login) -> int:
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, "Task_01")
    login("tim1")
    return open_task_id(web_app, instance_id, "Task_02")


def test_row_2_with_only_a_blank_row_is_refused(web_app, client, login):
    task_id = row_2(web_app, client, login)
    page = text_of(client.get(f"/tasks/{task_id}"))
    assert 'Indikator kinerja <span class="required"' in page  # the list says it is required
    before, state = snapshot(web_app), task_state(web_app, task_id)
    response = post_form(client, f"/tasks/{task_id}", row_fields(0, {"kode": "", "nama": ""}))
    html = text_of(response)
    assert response.status_code == 400
    assert 'id="f-indikator-error"' in html  # the list's own message, at the list
    assert (snapshot(web_app), task_state(web_app, task_id)) == (before, state)


def test_a_half_filled_row_is_refused_on_that_row_and_kept(web_app, client, login):
    task_id = row_2(web_app, client, login)
    half = {"kode": "IKU-02", "nama": "Paket gagal", "satuan": "", "formula": "a / b",
            "polaritas": "minimal", "frekuensi": "triwulanan"}
    response = post_form(client, f"/tasks/{task_id}",
                         {**row_fields(0, COMPLETE_ROW), **row_fields(1, half)})
    html = text_of(response)
    assert response.status_code == 400
    assert html.count('data-testid="field-error"') == 1
    assert 'id="f-indikator-1-satuan-error"' in html and "Wajib diisi" in html
    assert 'value="IKU-02"' in html and 'value="IKU-01"' in html  # what was typed is kept
    assert '<a href="#f-indikator-1-satuan">' in html  # listed above the form, linked
    assert "2, Satuan: Wajib diisi" in squash(html)
    assert task_state(web_app, task_id)[0] == "open"


def test_blank_rows_fall_away_and_a_complete_row_is_sent(web_app, client, login):
    task_id = row_2(web_app, client, login)
    response = post_form(client, f"/tasks/{task_id}", {
        **row_fields(0, {"kode": "", "satuan": ""}), **row_fields(1, COMPLETE_ROW)})
    assert response.status_code == 302, text_of(response)[:2000]
    assert [row["kode"] for row in task_state(web_app, task_id)[3]["indikator"]] == ["IKU-01"]


def test_row_6_comes_back_with_no_decision_chosen(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING[:5])
    run_rows_through_services(web_app, instance_id, "Task_06", keputusan_rencana="perbaiki",
                              catatan_perbaikan="Target efisiensi terlalu rendah")
    run_rows_through_services(web_app, instance_id, *PLANNING[:5])
    login("kepala")
    html = text_of(client.get(f"/tasks/{open_task_id(web_app, instance_id, 'Task_06')}"))
    assert 'name="keputusan_rencana"' in html
    assert 'value="perbaiki" checked' not in html and 'value="setujui" checked' not in html


def test_row_9_refuses_a_period_end_before_today(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING[:8])
    task_id = open_task_id(web_app, instance_id, "Task_09")
    login("tim1")
    response = post_form(client, f"/tasks/{task_id}", {
        "ringkasan_sosialisasi": "Sosialisasi terlaksana", "jumlah_peserta": "12",
        "frekuensi_pelaporan": "triwulanan", "akhir_periode": "2026-01-02"})
    html = text_of(response)
    assert response.status_code == 400
    assert 'id="f-akhir_periode-error"' in html
    assert "5 Januari 2026" in squash(html)  # today (T0), written as a reader writes dates
    assert 'value="2026-01-02"' in html
