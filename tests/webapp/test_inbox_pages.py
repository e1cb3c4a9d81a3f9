"""Kotak Masuk: tabs, filters, paging, lateness, claiming, and who may see or touch what."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support import PLANNING
from tests.webapp.inbox_support import (
    open_task_id,
    page_token,
    post_form,
    run_rows_through_services,
    snapshot,
    squash,
    start_run,
    task_state,
    text_of,
)


def test_pages_need_a_sign_in(client):
    for path in ("/", "/instances", "/tasks/1", "/instances/1", "/documents/1", "/instances/new"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_every_page_carries_the_content_security_policy(client, login):
    login("tim1")
    response = client.get("/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = text_of(response)
    assert "<script>" not in html and " style=" not in html  # nothing inline for CSP to block


def test_empty_inbox_says_what_to_do_and_offers_a_start_to_the_team(client, login):
    login("tim1")
    html = squash(text_of(client.get("/")))
    assert "Kotak Masuk" in html and "Tugas Saya" in html and "Tugas Kelompok" in html
    assert "Tidak ada tugas yang menunggu kelompok Anda" in html
    assert "Mulai Pelaksanaan Baru" in html
    html = squash(text_of(client.get("/?tab=mine")))
    assert "Anda belum mengambil tugas apa pun" in html


def test_people_outside_the_start_lane_get_no_start_button(client, login):
    login("pj.disdikbud")
    assert "Mulai Pelaksanaan Baru" not in squash(text_of(client.get("/")))
    assert client.get("/instances/new").status_code == 403


def test_take_and_release_move_a_task_between_the_tabs(web_app, client, login):
    instance_id = start_run(web_app)
    task_id = open_task_id(web_app, instance_id, "Task_01")
    login("tim1")
    group = squash(text_of(client.get("/?tab=group")))
    assert "1. Mendefinisikan tujuan PBJ dan area strategis" in group
    assert "AK-2026-00001" in group and "Langkah 1" in group and "Belum diambil" in group
    taken = post_form(client, f"/tasks/{task_id}/claim", {"next": "/?tab=group"}, page="/")
    assert (taken.status_code, taken.headers["Location"]) == (302, "/?tab=group")
    mine = squash(text_of(client.get("/?tab=mine")))
    assert "Diambil oleh Anda" in mine and "Lepaskan" in mine
    assert task_state(web_app, task_id)[1] is not None
    released = post_form(client, f"/tasks/{task_id}/unclaim", {}, page="/")
    assert released.status_code == 302
    assert task_state(web_app, task_id)[1] is None
    assert "Anda belum mengambil tugas apa pun" in squash(text_of(client.get("/?tab=mine")))


def test_a_task_taken_by_someone_else_cannot_be_taken(web_app, client, login):
    instance_id = start_run(web_app)
    task_id = open_task_id(web_app, instance_id, "Task_01")
    login("tim2")
    assert post_form(client, f"/tasks/{task_id}/claim", {}, page="/").status_code == 302
    client.post("/logout", data={"csrf_token": page_token(client, "/")})
    login("tim1")
    before, state = snapshot(web_app), task_state(web_app, task_id)
    response = post_form(client, f"/tasks/{task_id}/claim", {}, page="/")
    assert response.status_code == 409
    assert "Tugas ini sudah diambil orang lain" in squash(text_of(response))
    assert (snapshot(web_app), task_state(web_app, task_id)) == (before, state)


def test_posts_without_the_csrf_token_are_refused(web_app, client, login):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("tim1")
    before = snapshot(web_app)
    response = client.post(f"/tasks/{task_id}/claim", data={})
    assert response.status_code == 400
    assert snapshot(web_app) == before and task_state(web_app, task_id)[1] is None


def test_a_pj_of_another_opd_gets_404_on_a_forged_task_id(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING)
    theirs = open_task_id(web_app, instance_id, "Task_10", opd="DINKES")
    team_task = open_task_id(web_app, start_run(web_app), "Task_01")
    login("pj.disdikbud")
    before = snapshot(web_app)
    for task_id in (theirs, team_task, 999_999):
        assert client.get(f"/tasks/{task_id}").status_code == 404
        for action in ("claim", "unclaim", "documents"):
            assert post_form(client, f"/tasks/{task_id}/{action}", {}, page="/").status_code == 404
        assert post_form(client, f"/tasks/{task_id}", {"pemetaan[rencana_aksi_opd]": "x"},
                         page="/").status_code == 404
    assert snapshot(web_app) == before
    assert task_state(web_app, theirs)[:3] == ("open", None, None)


def test_a_pj_sees_only_the_row_10_task_of_their_own_opd(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING)
    login("pj.disdikbud")
    response = client.get("/?tab=group")
    html = text_of(response)
    assert html.count('data-testid="task-row"') == 1
    assert "10. Memetakan paket per area strategis" in html
    assert "Dinas Pendidikan dan Kebudayaan" in html and "DISDIKBUD" not in html  # no codes
    assert "Dinas Kesehatan" not in html and "Dinas Pekerjaan Umum" not in html


def test_a_tim_user_cannot_complete_a_kepala_task(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING[:5])
    kepala_task = open_task_id(web_app, instance_id, "Task_06")
    login("tim1")
    before, state = snapshot(web_app), task_state(web_app, kepala_task)
    page = text_of(client.get(f"/tasks/{kepala_task}"))  # Tim oversees the run: read-only
    assert 'data-testid="read-only"' in page and 'data-testid="task-form"' not in page
    response = post_form(client, f"/tasks/{kepala_task}", {"keputusan_rencana": "setujui"},
                         page="/")
    assert response.status_code == 403
    assert (snapshot(web_app), task_state(web_app, kepala_task)) == (before, state)


def test_overseers_read_any_task_but_cannot_send_it(web_app, client, login):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("auditor")
    page = text_of(client.get(f"/tasks/{task_id}"))
    assert 'data-testid="read-only"' in page and 'data-testid="task-form"' not in page
    before = snapshot(web_app)
    response = post_form(client, f"/tasks/{task_id}", {"tujuan_pbj": "x"}, page="/")
    assert response.status_code == 403
    assert snapshot(web_app) == before


def test_filters_narrow_the_list_and_pages_hold_twenty(web_app, client, login):
    ids = [start_run(web_app, judul=f"Pelaksanaan {n}") for n in range(22)]
    login("tim1")
    first = text_of(client.get("/?tab=group"))
    assert first.count('data-testid="task-row"') == 20
    assert "Halaman 1 dari 2" in squash(first)
    assert text_of(client.get("/?tab=group&page=2")).count('data-testid="task-row"') == 2
    one = text_of(client.get(f"/?tab=group&instance={ids[5]}"))
    assert one.count('data-testid="task-row"') == 1
    none = squash(text_of(client.get("/?tab=group&step=2")))
    assert "Tidak ada tugas yang cocok dengan filter ini" in none
    assert client.get("/?tab=group&page=abc&sort=evil&instance=-1").status_code == 200


def test_sorting_by_created_lists_the_newest_first(web_app, client, login):
    older = start_run(web_app, judul="Pelaksanaan lama")
    newer = start_run(web_app, judul="Pelaksanaan baru")
    login("tim1")
    html = text_of(client.get("/?tab=group&sort=-created_at"))
    rows = [html.index(f"AK-2026-{n:05d}") for n in (newer, older)]
    assert rows == sorted(rows)


@pytest.mark.parametrize(("now", "badge"), [
    (datetime(2026, 1, 12, 8, 0, tzinfo=UTC), None),              # due today: not late yet
    (datetime(2026, 1, 14, 2, 0, tzinfo=UTC), "Terlambat 2 HK"),  # Wednesday after the due Monday
])
def test_overdue_tasks_carry_a_red_badge_in_working_days(web_app, client, login, now, badge):
    start_run(web_app)
    web_app.config["NOW"] = now
    login("tim1")
    html = squash(text_of(client.get("/?tab=group")))
    assert "12 Januari 2026" in html
    if badge:
        assert badge in html
    else:
        assert "Terlambat" not in html


def test_the_page_speaks_english_when_asked(client, login):
    login("tim1")
    client.post("/language", data={"csrf_token": page_token(client, "/"), "lang": "en",
                                   "next": "/"})
    html = squash(text_of(client.get("/")))
    assert "My tasks" in html and "Group tasks" in html and "Start a new process run" in html


def test_out_of_range_ids_are_404_before_the_database(client, login):
    login("tim1")
    for path in ("/tasks/0", "/tasks/99999999999999999999", "/instances/2147483648",
                 "/documents/-1"):
        assert client.get(path).status_code == 404, path
