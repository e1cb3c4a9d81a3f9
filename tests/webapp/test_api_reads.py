"""What the API shows: the task list and its filters, one task, instances and their log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.services.demo import DEMO_PASSWORD
from tests.conftest import T0
from tests.support import PLANNING, answers
from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    ApiClient,
    api_fixture,
    api_template_fixture,
    find_open,
    run_rows_over_api,
    start_instance,
)

TASK_KEYS = {"id", "instance_id", "registration_no", "name", "element_id", "sop_step", "lane",
             "role", "opd", "state", "assignee", "due_on", "is_overdue", "created_at",
             "claimed_at", "completed_at", "form_key", "period_no"}


@pytest.fixture()
def started(api) -> dict:
    return start_instance(api)


def ids(page: dict) -> list[int]:
    return [task["id"] for task in page["items"]]


def test_task_list_shows_every_field(api, started):
    page = api.ok(api.get("tim1", "/tasks"))
    assert (page["page"], page["per_page"], page["total"]) == (1, 20, 1)
    [task] = page["items"]
    assert set(task) == TASK_KEYS
    assert task["registration_no"] == started["registration_no"]
    assert (task["element_id"], task["sop_step"]) == ("Task_01", 1)
    assert task["role"] == "tim_kelembagaan"
    assert task["lane"] == "Tim Pengelolaan Kelembagaan UKPBJ"
    assert task["opd"] is None and task["assignee"] is None and task["completed_at"] is None
    assert task["due_on"] == "2026-01-12" and task["is_overdue"] is False
    assert task["form_key"] == "perencanaan-tujuan" and task["period_no"] == 0
    api.clock.now = T0 + timedelta(days=8)
    assert api.ok(api.get("tim1", f"/tasks/{task['id']}"))["is_overdue"] is True


def test_scopes_follow_the_claim(api, started):
    task_id = started["open_tasks"][0]["id"]
    claimed = api.ok(api.post("tim1", f"/tasks/{task_id}/claim"))
    assert claimed["assignee"]["username"] == "tim1" and claimed["claimed_at"]
    assert ids(api.ok(api.get("tim1", "/tasks", scope="mine"))) == [task_id]
    assert ids(api.ok(api.get("tim1", "/tasks", scope="group"))) == []
    # a colleague's task stays in the group's list, with who holds it (issue 8)
    held = api.ok(api.get("tim2", "/tasks", scope="group"))["items"]
    assert [(t["id"], t["assignee"]["username"]) for t in held] == [(task_id, "tim1")]
    assert api.ok(api.post("tim1", f"/tasks/{task_id}/claim"))["id"] == task_id  # idempotent
    released = api.ok(api.post("tim1", f"/tasks/{task_id}/unclaim"))
    assert released["assignee"] is None and released["claimed_at"] is None
    assert ids(api.ok(api.get("tim2", "/tasks", scope="group"))) == [task_id]
    assert ids(api.ok(api.get("tim2", "/tasks", scope="mine"))) == []
    log = api.ok(api.get("tim1", f"/instances/{started['id']}/events"))
    types = [e["type"] for e in log["items"]]
    assert types[-2:] == ["task_claimed", "task_unclaimed"]


def test_filters_sorting_and_pages(api):
    first, second, third = (start_instance(api) for _ in range(3))
    everything = api.ok(api.get("tim1", "/tasks", sort="created_at"))
    assert everything["total"] == 3
    newest_first = api.ok(api.get("tim1", "/tasks", sort="-created_at"))
    assert ids(newest_first) == list(reversed(ids(everything)))
    pages = [api.ok(api.get("tim1", "/tasks", sort="created_at", per_page=2, page=n))
             for n in (1, 2, 3)]
    assert [ids(p) for p in pages] == [ids(everything)[:2], ids(everything)[2:], []]
    assert all(p["total"] == 3 for p in pages)
    only = api.ok(api.get("tim1", "/tasks", instance_id=second["id"]))
    assert [t["instance_id"] for t in only["items"]] == [second["id"]]
    assert api.ok(api.get("tim1", "/tasks", sop_step="2"))["total"] == 0
    assert api.ok(api.get("tim1", "/tasks", sop_step="1"))["total"] == 3
    api.ok(api.post("tim1", f"/tasks/{first['open_tasks'][0]['id']}/complete",
                    answers("perencanaan-tujuan")))
    done = api.ok(api.get("tim1", "/tasks", state="completed"))
    assert ids(done) == [first["open_tasks"][0]["id"]]
    assert done["items"][0]["completed_at"] and done["items"][0]["is_overdue"] is False
    assert third["id"] in {t["instance_id"] for t in everything["items"]}


def test_completed_task_shows_what_was_submitted(api, started):
    task_id = started["open_tasks"][0]["id"]
    sent = answers("perencanaan-tujuan")
    api.ok(api.post("tim1", f"/tasks/{task_id}/complete", sent))
    detail = api.ok(api.get("kepala", f"/tasks/{task_id}"))  # the Kepala oversees every lane
    assert detail["state"] == "completed" and detail["assignee"]["username"] == "tim1"
    assert detail["data"]["tujuan_pbj"] == sent["tujuan_pbj"]
    assert set(detail["sop"]) == {"kegiatan", "documentation", "waktu_hari_kerja", "kelengkapan",
                                  "output"}
    assert detail["sop"]["kelengkapan"].startswith("RPJM")
    [(_, row2)] = find_open(api, started["id"], "Task_02")
    assert row2["sop_step"] == 2


def test_opd_lists_and_instances_per_pj(api, started):
    assert api.ok(api.get("pj.dinkes", "/instances"))["total"] == 0
    run_rows_over_api(api, started["id"], *PLANNING)
    mine = api.ok(api.get("pj.dinkes", "/tasks", opd="DINKES"))
    assert [t["opd"]["code"] for t in mine["items"]] == ["DINKES"]
    assert api.ok(api.get("pj.dinkes", "/tasks", opd="DPUPR"))["total"] == 0
    listed = api.ok(api.get("pj.dinkes", "/instances"))
    assert [i["id"] for i in listed["items"]] == [started["id"]]
    detail = api.ok(api.get("pj.dinkes", f"/instances/{started['id']}"))
    assert [t["opd"]["code"] for t in detail["open_tasks"]] == ["DINKES"]
    overseen = api.ok(api.get("kepala", f"/instances/{started['id']}"))
    assert sorted(t["opd"]["code"] for t in overseen["open_tasks"]) == ["DINKES", "DISDIKBUD",
                                                                       "DPUPR"]
    assert api.ok(api.get("pj.dishub", "/instances"))["total"] == 0


def test_instances_list_and_status_filter(api: ApiClient, started):
    body = api.ok(api.get("auditor", "/instances"))
    assert body["total"] == 1
    [row] = body["items"]
    assert row["version"] == {"key": "sop_pengelolaan_kinerja", "name": row["version"]["name"],
                              "version": 1}
    assert (row["status"], row["period_no"], row["ended_at"]) == ("running", 0, None)
    assert row["title"] == "Pengelolaan Kinerja UKPBJ (2026)"
    assert api.ok(api.get("auditor", "/instances", status="completed"))["total"] == 0


def test_events_are_paged_by_seq(api, started):
    api.ok(api.post("tim1", f"/tasks/{started['open_tasks'][0]['id']}/claim"))
    whole = api.ok(api.get("auditor", f"/instances/{started['id']}/events", limit=500))
    total = whole["total"]
    assert total == len(whole["items"]) >= 3 and whole["next_after_seq"] is None
    first = api.ok(api.get("auditor", f"/instances/{started['id']}/events", limit=2))
    assert [e["seq"] for e in first["items"]] == [1, 2] and first["next_after_seq"] == 2
    rest = api.ok(api.get("auditor", f"/instances/{started['id']}/events", after_seq=2))
    assert [e["seq"] for e in rest["items"]] == list(range(3, total + 1))
    assert rest["chain_valid"] is True
    started_event = whole["items"][0]
    assert started_event["type"] == "instance_started" and started_event["prev_hash"] is None
    assert started_event["actor"]["username"] == "tim1"
    assert set(started_event) == {"seq", "type", "label", "occurred_at", "actor", "task_id",
                                  "element_id", "payload", "payload_version", "prev_hash", "hash"}
    beyond = api.ok(api.get("auditor", f"/instances/{started['id']}/events", after_seq=total))
    assert beyond["items"] == [] and beyond["next_after_seq"] is None


def test_a_changed_event_breaks_the_chain(api, started):
    from sqlalchemy import update

    from engine.models import Event

    with api.session_factory() as session, session.begin():
        session.execute(update(Event).where(Event.instance_id == started["id"], Event.seq == 2)
                        .values(payload={"edited": True}))
    page = api.ok(api.get("auditor", f"/instances/{started['id']}/events", after_seq=5))
    assert page["chain_valid"] is False and page["broken_at_seq"] == 2


def test_comments_over_the_api(api, started):
    task_id = api.get("tim1", "/tasks", instance_id=started["id"]).get_json()["items"][0]["id"]
    added = api.post("kepala", f"/tasks/{task_id}/comments", {"body": "Mohon lengkapi"})
    assert added.status_code == 201 and added.get_json()["author"]["username"] == "kepala"
    refused = api.post("tim1", f"/tasks/{task_id}/comments", {"body": "", "extra": 1})
    assert refused.status_code == 400
    listed = api.get("tim2", f"/tasks/{task_id}/comments").get_json()["items"]
    assert [c["body"] for c in listed] == ["Mohon lengkapi"]


@pytest.mark.parametrize("dropped", [1, 2])
def test_removing_the_newest_events_breaks_the_chain(api, started, dropped):
    """The chain is held against the head the instance row stores, in the API and on the page."""
    from sqlalchemy import delete

    from engine.models import Event

    path = f"/instances/{started['id']}/events"
    total = api.ok(api.get("auditor", path))["total"]
    with api.session_factory() as session, session.begin():
        session.execute(delete(Event).where(Event.instance_id == started["id"],
                                            Event.seq > total - dropped))
    page = api.ok(api.get("auditor", path))
    assert page["total"] == total - dropped
    assert page["chain_valid"] is False and page["broken_at_seq"] == total - dropped + 1
    signed_in = api.http.post("/login", data={"username": "auditor",
                                              "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    html = api.http.get(f"/instances/{started['id']}").get_data(as_text=True)
    assert 'class="chain chain-broken"' in html and 'class="chain chain-ok"' not in html


def test_a_pj_reads_only_their_opds_events_and_the_shared_ones(api, started):
    """`total` counts what the caller may read; the chain is checked whole all the same."""
    run_rows_over_api(api, started["id"], *PLANNING, "Task_10")
    path = f"/instances/{started['id']}/events"
    everything = api.ok(api.get("auditor", path, limit=500))
    dinkes = api.ok(api.get("pj.dinkes", path, limit=500))
    assert dinkes["chain_valid"] is True and everything["chain_valid"] is True
    assert dinkes["total"] == len(dinkes["items"]) < everything["total"]
    opd_of = {e["task_id"]: e["payload"]["opd"] for e in everything["items"]
              if e["type"] == "task_created"}
    assert {opd_of[e["task_id"]] for e in dinkes["items"] if e["task_id"]} == {None, "DINKES"}
    row10 = [e for e in everything["items"] if e["element_id"] == "Task_10"
             and e["type"] == "task_completed"]
    assert len(row10) == 3 and sum(e in dinkes["items"] for e in row10) == 1
