"""Who sees what: every GET route of the app, for every kind of viewer, over a run in which
three OPDs have done rows 10-12 (tests/webapp/access_support.py).

The routes come from the app's URL map, so a route added later is checked too (or this
test fails, asking for a way to fill its parameters). Each parameter is filled with every
real id of the run: the instance, each task (the shared steps and every OPD's), each
document. A PJ Kinerja must never receive another OPD's markers (answers, comments,
document names, contents or hashes) in any body, whatever the status; and, so that the
check is not vacuous, every marker must reach someone who may read it: each PJ their own,
each overseer all of them.
"""

from __future__ import annotations

import pytest

from tests.conftest import PG_SKIP, PG_URL
from tests.support import SOP_KEY
from tests.webapp.access_support import (
    CHANNELS,
    OPD_OF_VIEWER,
    OUTSIDER_OPD,
    OVERSEERS,
    RUN_OPDS,
    VIEWERS,
    Run,
    Visitor,
    build_run,
    database_for,
    is_audit_route,
    is_owners_route,
    make_app,
    marker,
)

# GET routes not fetched, each with the reason.
NOT_FETCHED = {
    "static": "the built assets (CSS, JS, icons): the same files for everyone, no run data",
}
# Extra query strings per endpoint, beside the bare route: whatever widens what it shows.
VARIANTS = {
    "api.list_events": [{"limit": 500}],
    "api.list_tasks": [{"state": "completed", "per_page": 100},
                       *({"state": state, "opd": code, "per_page": 100}
                         for code in (*RUN_OPDS, OUTSIDER_OPD) for state in ("open", "completed"))],
    "api.list_instances": [{"per_page": 100}],
    "inbox.instance": [{"events": "all"}],
    "inbox.index": [{"tab": "mine"}, {"tab": "group"}],
}


def _fillers(run: Run) -> dict[str, list[int]]:
    return {"instance_id": [run.instance_id], "task_id": run.task_ids,
            "document_id": run.document_ids, "version_id": [run.version_id],
            "key": [SOP_KEY], "number": [1],
            # the administrators' pages: a person, an OPD, a day of the holiday table
            "user_id": [1], "opd_id": [1], "day": ["2026-01-01"]}


def get_paths(app, run: Run) -> list[tuple[str, str, dict]]:
    """(endpoint, path, query) for every GET route, its parameters filled with the run's ids."""
    fillers, found = _fillers(run), []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_FETCHED:
            continue
        if is_owners_route(app, rule.endpoint):  # no run data; tested in test_modeler_roles
            continue
        unknown = set(rule.arguments) - set(fillers)
        assert not unknown, f"{rule.rule}: fill {unknown} here or list it in NOT_FETCHED"
        combos = [{}]
        for name in sorted(rule.arguments):
            combos = [{**combo, name: value} for combo in combos for value in fillers[name]]
        for values in combos:
            path = rule.build(values, append_unknown=False)[1]
            for query in [{}, *VARIANTS.get(rule.endpoint, [])]:
                found.append((rule.endpoint, path, query))
    return found


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    if request.param == "postgresql" and not PG_URL:
        pytest.skip(PG_SKIP)
    tmp = tmp_path_factory.mktemp(f"visibility-{request.param}")
    app = make_app(database_for(request.param, tmp, "visibility_matrix"), tmp / "uploads")
    run = build_run(app)
    yield app, run
    app.extensions["alur"].engine.dispose()


def _bodies(app, run: Run, username: str) -> list[tuple[str, int, str]]:
    visitor = Visitor(app, username)
    seen = []
    for endpoint, path, query in get_paths(app, run):
        response = visitor.request("GET", path, query_string=query)
        assert response.status_code < 500, (username, path, query)
        body = response.get_data().decode("utf-8", errors="replace")
        seen.append((f"{endpoint} {path} {query}", response.status_code, body))
    return seen


def _leaks(seen, secrets: list[str]) -> list[str]:
    return [f"{where} [{status}] holds {secret}" for where, status, body in seen
            for secret in secrets if secret in body]


@pytest.mark.parametrize("username", VIEWERS)
def test_no_viewer_reads_another_opds_data(world, username):
    app, run = world
    seen = _bodies(app, run, username)
    assert len(seen) > 100  # every task and document route was fetched
    own = OPD_OF_VIEWER.get(username)
    if username in OVERSEERS:
        forbidden, expected = [], list(RUN_OPDS)
    else:
        forbidden = [code for code in RUN_OPDS if code != own]
        expected = [own] if own in RUN_OPDS else []
    assert _leaks(seen, [s for code in forbidden for s in run.secrets_of(code)]) == []
    everything = "\n".join(body for _, _, body in seen)
    for code in expected:  # not vacuous: each channel of what they may read does reach them
        missing = [c for c in CHANNELS if marker(code, c) not in everything]
        missing += [h for h in run.hashes[code] if h not in everything]
        assert missing == [], f"{username} should see {code}'s {missing}"


def test_an_outsider_finds_nothing_of_the_run(world):
    """A PJ of an OPD not in the run gets 404 on every route that names one of its objects."""
    app, run = world
    visitor = Visitor(app, "pj.dishub")
    named = [(endpoint, path, query) for endpoint, path, query in get_paths(app, run)
             if next(app.url_map.iter_rules(endpoint)).arguments]
    assert len(named) >= 3 * len(run.task_ids)  # page, detail, comments of each task at least
    for endpoint, path, query in named:
        expected = 403 if is_audit_route(app, endpoint) else 404  # refused by role, for any id
        assert visitor.request("GET", path, query_string=query).status_code == expected, path


def test_a_pj_gets_404_for_another_opds_task_and_document(world):
    app, run = world
    visitor = Visitor(app, "pj.dinkes")
    for task_id in run.tasks_of["DISDIKBUD"]:
        for path in (f"/tasks/{task_id}", f"/api/v1/tasks/{task_id}",
                     f"/api/v1/tasks/{task_id}/comments"):
            assert visitor.request("GET", path).status_code == 404, path
    for task_id in run.tasks_of["DINKES"] + run.shared_task_ids:
        assert visitor.request("GET", f"/api/v1/tasks/{task_id}").status_code == 200


def test_the_events_api_counts_and_pages_only_what_the_viewer_may_read(world):
    app, run = world
    path = f"/api/v1/instances/{run.instance_id}/events"
    whole = Visitor(app, "auditor").request("GET", path, query_string={"limit": 500}).get_json()
    mine = Visitor(app, "pj.dinkes")
    body = mine.request("GET", path, query_string={"limit": 500}).get_json()
    assert body["chain_valid"] is True and body["broken_at_seq"] is None
    assert body["total"] == len(body["items"]) < whole["total"] == len(whole["items"])
    dinkes = set(run.tasks_of["DINKES"])
    others = {t for code in RUN_OPDS if code != "DINKES" for t in run.tasks_of[code]}
    shown_tasks = {e["task_id"] for e in body["items"]} - {None}
    assert shown_tasks & dinkes and not shown_tasks & others
    assert {e["type"] for e in body["items"]} >= {"instance_started", "gateway_taken",
                                                  "task_completed", "comment_added",
                                                  "document_added", "timer_fired"}
    assert {e["payload"]["opd"] for e in body["items"] if e["type"] == "timer_fired"} == {"DINKES"}
    first = mine.request("GET", path, query_string={"limit": 3}).get_json()
    assert first["total"] == body["total"] and len(first["items"]) == 3
    rest = mine.request("GET", path, query_string={"after_seq": first["next_after_seq"],
                                                   "limit": 500}).get_json()
    assert [e["seq"] for e in first["items"] + rest["items"]] == \
        [e["seq"] for e in body["items"]]
    assert rest["next_after_seq"] is None


def test_row_13s_achievements_stay_with_the_overseers(world):
    """Row 13's `capaian` is made of every OPD's reports: a PJ reads the shared step without it."""
    app, run = world
    unit = Visitor(app, "tim1")
    [tim] = [body for body in (unit.request("GET", f"/api/v1/tasks/{t}").get_json()
                               for t in run.shared_task_ids) if body["element_id"] == "Task_13"]
    row13 = tim["id"]
    pj = Visitor(app, "pj.dinkes").request("GET", f"/api/v1/tasks/{row13}").get_json()
    assert tim["context"]["capaian"] and "capaian" not in pj["context"]
    assert {k: v for k, v in tim["context"].items() if k != "capaian"} == pj["context"]
