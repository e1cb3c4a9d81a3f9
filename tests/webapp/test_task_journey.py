"""A new user's journey on the pages and the API: an irreversible choice asks first, the
approver sees the earlier steps' evidence, Kirim says what happens next, an empty inbox
says where the runs stand, and a task a colleague holds stays visible to the group.

Texts are checked in English (the header's language switch), so these tests do not depend
on the Indonesian catalogue; the Indonesian wording is the translators' (pending file)."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from engine.models import HumanTask, ProcessInstance
from engine.services import comments, tasks
from tests.conftest import T0
from tests.support import PLANNING, answers, assert_replays, user
from tests.webapp.api_support import (
    api_fixture,  # noqa: F401
    api_template_fixture,  # noqa: F401
    find_open,
    run_rows_over_api,
    start_instance,
)
from tests.webapp.inbox_support import (
    app_session,
    open_task_id,
    post_form,
    run_rows_through_services,
    snapshot,
    squash,
    start_run,
    task_state,
    text_of,
)

ZONE = ZoneInfo("Asia/Jakarta")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def in_english(client) -> None:
    assert post_form(client, "/language", {"lang": "en", "next": "/"}, page="/").status_code \
        == 302


def english_day(day) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def at_row_6(web_app) -> tuple[int, int]:
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING[:5])
    return instance_id, open_task_id(web_app, instance_id, "Task_06")


def test_approval_asks_first_then_sends_when_confirmed(web_app, client, login):
    instance_id, row6 = at_row_6(web_app)
    login("kepala")
    before, state = snapshot(web_app), task_state(web_app, row6)
    asked = post_form(client, f"/tasks/{row6}", {"keputusan_rencana": "setujui"})
    html = text_of(asked)
    assert asked.status_code == 200 and 'data-testid="confirm-step"' in html
    assert "Langkah ini tidak dapat dibatalkan." in html  # the form's own text
    assert 'value="setujui" checked' in html  # the choice is kept
    assert (snapshot(web_app), task_state(web_app, row6)) == (before, state)
    sent = post_form(client, f"/tasks/{row6}", {"keputusan_rencana": "setujui",
                                                "confirmed": "1"})
    assert sent.status_code == 302 and task_state(web_app, row6)[0] == "completed"
    assert_replays(web_app.extensions["alur"].session_factory, instance_id)


def test_sending_back_needs_no_confirmation(web_app, client, login):
    instance_id, row6 = at_row_6(web_app)
    login("kepala")
    sent = post_form(client, f"/tasks/{row6}", {"keputusan_rencana": "perbaiki",
                                                "catatan_perbaikan": "Perbaiki target"})
    assert sent.status_code == 302 and task_state(web_app, row6)[0] == "completed"
    assert_replays(web_app.extensions["alur"].session_factory, instance_id)


def test_the_page_offers_the_dialog_its_texts(web_app, client, login):
    _, row6 = at_row_6(web_app)
    login("kepala")
    html = text_of(client.get(f"/tasks/{row6}"))
    assert 'data-confirm-dialog' in html and 'data-key="keputusan_rencana"' in html
    assert 'data-value="setujui"' in html and 'data-value="perbaiki"' not in html


def test_kirim_says_who_acts_next_and_by_when(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING[:4])
    row5 = open_task_id(web_app, instance_id, "Task_05")
    login("tim1")
    in_english(client)
    sent = post_form(client, f"/tasks/{row5}", flat(answers("perencanaan-presentasi")))
    assert sent.status_code == 302, squash(text_of(sent))[:1500]
    with app_session(web_app) as session:
        due = session.get(HumanTask, open_task_id(web_app, instance_id, "Task_06")).due_on
    page = squash(text_of(client.get(sent.headers["Location"])))
    assert f"Step 6 is waiting for Kepala UKPBJ (due {english_day(due)})." in page
    assert_replays(web_app.extensions["alur"].session_factory, instance_id)


def test_kirim_names_the_row_a_timer_opens_and_when(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING, "Task_10")
    row11 = open_task_id(web_app, instance_id, "Task_11", opd="DINKES")
    login("pj.dinkes")
    in_english(client)
    sent = post_form(client, f"/tasks/{row11}", flat(answers("pelaksanaan-rencana-aksi")))
    assert sent.status_code == 302, squash(text_of(sent))[:1500]
    with app_session(web_app) as session:
        opens = session.get(ProcessInstance, instance_id).next_due_at
    page = squash(text_of(client.get(sent.headers["Location"])))
    # the other OPDs' row 11 is not this PJ's to know: their own branch waits on row 12
    assert f"Step 12 opens on {english_day(opens.astimezone(ZONE).date())}" in page
    assert_replays(web_app.extensions["alur"].session_factory, instance_id)


def flat(data: dict, prefix: str = "") -> dict:
    """JSON-shaped answers as the page's input names (`list[0][key]`)."""
    out = {}
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else key
        if isinstance(value, dict):
            out.update(flat(value, name))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, row in enumerate(value):
                out.update(flat(row, f"{name}[{index}]"))
        elif value is not None:
            out[name] = "true" if value is True else str(value)
    return out


def test_the_approver_sees_the_evidence_of_rows_1_to_5(web_app, client, login):
    instance_id = start_run(web_app)
    row1 = open_task_id(web_app, instance_id, "Task_01")
    login("tim1")
    post_form(client, f"/tasks/{row1}/documents", {"file": (io.BytesIO(PDF), "notulen.pdf")},
              page=f"/tasks/{row1}", content_type="multipart/form-data")
    post_form(client, f"/tasks/{row1}/comments", {"body": "Notulen lokakarya terlampir"},
              page=f"/tasks/{row1}")
    run_rows_through_services(web_app, instance_id, *PLANNING[:5])
    row6 = open_task_id(web_app, instance_id, "Task_06")
    login.logout()
    login("kepala")
    html = text_of(client.get(f"/tasks/{row6}"))
    evidence = html.split('data-testid="evidence"')[1]
    assert "notulen.pdf" in evidence and "Notulen lokakarya terlampir" in evidence
    assert "1. Mendefinisikan tujuan PBJ dan area strategis" in evidence
    assert 'href="/documents/' in evidence


def test_a_pj_sees_no_other_opds_evidence(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING)
    dinkes = open_task_id(web_app, instance_id, "Task_10", "DINKES")
    dpupr = open_task_id(web_app, instance_id, "Task_10", "DPUPR")
    with app_session(web_app) as session:
        comments.add_comment(session, user(session, "pj.dpupr"), dpupr, "RAHASIA-DPUPR", T0)
    login("pj.dinkes")
    html = text_of(client.get(f"/tasks/{dinkes}"))
    assert "RAHASIA-DPUPR" not in html


def test_an_empty_inbox_says_where_the_runs_stand(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING[:5])
    login("tim1")
    in_english(client)
    html = squash(text_of(client.get("/?tab=group")))
    assert "No task is waiting for your group" in html
    assert "Step 6 is waiting for Kepala UKPBJ" in html


def test_a_colleagues_task_stays_in_the_group_list_marked_and_not_claimable(
        web_app, client, login):
    instance_id = start_run(web_app)
    row1 = open_task_id(web_app, instance_id, "Task_01")
    with app_session(web_app) as session:
        tasks.claim_task(session, user(session, "tim2"), row1, T0)
        holder = user(session, "tim2").full_name
    login("tim1")
    in_english(client)
    html = text_of(client.get("/?tab=group"))
    row = html.split(f'data-task-id="{row1}"')[1].split("</tr>")[0]
    assert f"Taken by {holder}" in row and 'data-testid="claim"' not in row


def test_api_asks_to_confirm_and_answers_what_is_next(api):
    instance_id = start_instance(api)["id"]
    run_rows_over_api(api, instance_id, *PLANNING[:5])
    [(username, row6)] = find_open(api, instance_id, "Task_06")
    before = api.counts(), api.task_row(row6["id"])
    path = f"/tasks/{row6['id']}/complete"
    refused = api.post(username, path, answers("persetujuan-rencana"))
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "confirmation_required"
    assert "tidak dapat dibatalkan" in error["details"]["confirm"][0]
    assert (api.counts(), api.task_row(row6["id"])) == before
    done = api.ok(api.post(username, path, {**answers("persetujuan-rencana"),
                                            "confirmed": True}))
    assert done["state"] == "completed"
    [step] = done["next"]["steps"]
    assert done["next"]["status"] == "waiting"
    assert (step["sop_step"], step["lane"]) == ("7", "Kepala UKPBJ")
    assert step["due_on"] and done["next"]["message"]
    assert_replays(api.session_factory, instance_id)
