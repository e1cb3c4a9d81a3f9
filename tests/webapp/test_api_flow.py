"""The whole SOP over HTTP: a token per person, a revision at row 6, three periods with
their timers, and an audit log that agrees with the completed tasks."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from tests.job_support import run_jobs
from tests.support import PLANNING, answers, assert_replays
from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    TEAM,
    ApiClient,
    api_fixture,
    api_template_fixture,
    complete_all_over_api,
    find_open,
    pg_api_fixture,
    run_rows_over_api,
    start_instance,
)

OPDS = {"DISDIKBUD": "pj.disdikbud", "DINKES": "pj.dinkes", "DPUPR": "pj.dpupr"}
NOTE = "Target efisiensi terlalu rendah"


def test_full_sop_over_http(api):
    run_full_sop(api)


def test_full_sop_over_http_on_postgresql(pg_api):
    run_full_sop(pg_api)


def run_full_sop(api: ApiClient) -> None:
    for username in TEAM:
        api.token(username)
    started = start_instance(api)
    instance_id = started["id"]
    assert started["registration_no"].startswith("AK-2026-")
    assert started["version"]["key"] == "sop_pengelolaan_kinerja"
    assert [t["element_id"] for t in started["open_tasks"]] == ["Task_01"]

    run_rows_over_api(api, instance_id, *PLANNING[:5])
    complete_all_over_api(api, instance_id, "Task_06", keputusan_rencana="perbaiki",
                          catatan_perbaikan=NOTE)
    check_revision(api, instance_id)
    run_rows_over_api(api, instance_id, *PLANNING)

    check_row10(api, instance_id)
    complete_all_over_api(api, instance_id, "Task_10")
    assert instance(api, instance_id)["period_no"] == 1

    run_period(api, instance_id, "a", "2026-02-27")
    complete_all_over_api(api, instance_id, "Task_17a")
    assert instance(api, instance_id)["period_no"] == 2
    run_period(api, instance_id, "b", "2026-03-31")
    assert instance(api, instance_id)["period_no"] == 3
    run_period(api, instance_id, "c", None)
    complete_all_over_api(api, instance_id, "Task_17c")

    ended = instance(api, instance_id)
    assert ended["status"] == "completed" and ended["ended_at"] is not None
    assert ended["open_tasks"] == []
    check_log_matches_tasks(api, instance_id)
    assert_replays(api.session_factory, instance_id)


def instance(api: ApiClient, instance_id: int) -> dict:
    return api.ok(api.get("tim1", f"/instances/{instance_id}"))


def check_revision(api: ApiClient, instance_id: int) -> None:
    """Row 1 comes back with every earlier answer and the Kepala's notes."""
    [(username, task)] = find_open(api, instance_id, "Task_01")
    detail = api.ok(api.get(username, f"/tasks/{task['id']}"))
    assert detail["data"]["tujuan_pbj"] == answers("perencanaan-tujuan")["tujuan_pbj"]
    assert detail["data"]["area_strategis"] == answers("perencanaan-tujuan")["area_strategis"]
    assert detail["context"]["catatan_perbaikan"] == NOTE
    assert detail["form"]["components"]
    assert detail["sop"]["kegiatan"] == task["name"]
    assert detail["sop"]["waktu_hari_kerja"] == 5
    assert detail["state"] == "open" and detail["assignee"] is None


def check_row10(api: ApiClient, instance_id: int) -> None:
    """One row-10 task per invited OPD, each in its own PJ's list only."""
    found = find_open(api, instance_id, "Task_10")
    assert sorted((task["opd"]["code"], username) for username, task in found) == \
        sorted(OPDS.items())
    assert {task["role"] for _, task in found} == {"pj_kinerja"}


def run_period(api: ApiClient, instance_id: int, decision: str, next_end: str | None) -> None:
    """Rows 11-17 of one period; the timer fires two hours after the period ends."""
    complete_all_over_api(api, instance_id, "Task_11")
    assert find_open(api, instance_id, "Task_12") == []
    due = datetime.fromisoformat(instance(api, instance_id)["next_due_at"])
    assert due > api.clock.now
    api.clock.now = due + timedelta(hours=2)
    assert run_jobs(api.session_factory, api.clock.now) == 1  # the run's timer job
    assert len(find_open(api, instance_id, "Task_12")) == len(OPDS)
    complete_all_over_api(api, instance_id, "Task_12")
    [(username, task13)] = find_open(api, instance_id, "Task_13")
    context = api.ok(api.get(username, f"/tasks/{task13['id']}"))["context"]
    assert {row["kode"] for row in context["capaian"]} == {"IKU-01", "IKU-02"}
    run_rows_over_api(api, instance_id, "Task_13", "Task_14", "Task_15", "Task_16")
    overrides = {"keputusan_periode": decision, "akhir_periode": next_end}
    if decision == "a":
        overrides["rekomendasi_disetujui"] = "Perkuat reviu HPS"
    complete_all_over_api(api, instance_id, "Task_17", **overrides)


def all_events(api: ApiClient, instance_id: int) -> list[dict]:
    events, after = [], 0
    while after is not None:
        page = api.ok(api.get("auditor", f"/instances/{instance_id}/events",
                              after_seq=after, limit=40))
        assert page["chain_valid"] is True and page["broken_at_seq"] is None
        events += page["items"]
        after = page["next_after_seq"]
    assert [e["seq"] for e in events] == list(range(1, page["total"] + 1))
    return events


def completed_tasks(api: ApiClient, instance_id: int) -> dict[int, dict]:
    """Every person's completed tasks of the instance, through GET /tasks."""
    found = {}
    for username in TEAM:
        page_no, seen = 1, 0
        while True:
            page = api.ok(api.get(username, "/tasks", state="completed", instance_id=instance_id,
                                  per_page=10, page=page_no))
            found.update({task["id"]: task for task in page["items"]})
            seen += len(page["items"])
            if seen >= page["total"]:
                break
            page_no += 1
    return found


def check_log_matches_tasks(api: ApiClient, instance_id: int) -> None:
    events = all_events(api, instance_id)
    kinds = Counter(e["type"] for e in events)
    done = completed_tasks(api, instance_id)
    completions = [e for e in events if e["type"] == "task_completed"]
    assert kinds["task_completed"] == len(done) == len({e["task_id"] for e in completions})
    assert {e["task_id"] for e in completions} == set(done)
    by_task = {e["task_id"]: e for e in completions}
    for task_id, task in done.items():
        assert by_task[task_id]["actor"]["id"] == task["assignee"]["id"]
        assert by_task[task_id]["element_id"] == task["element_id"]
    assert kinds["instance_started"] == 1 and kinds["instance_ended"] == 1
    assert kinds["timer_fired"] == 3 * len(OPDS)
    assert all(e["prev_hash"] == prev["hash"] for prev, e in zip(events, events[1:], strict=False))
