"""`/admin/insiden` and `/api/v1/incidents`: failed background jobs for administrators, each
with its error and run, a retry (POST with CSRF on the page) that makes the job pending
now and is recorded on the global chain; the counts of waiting and overdue jobs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.db import read_only
from engine.events import EventType
from engine.models import Event
from engine.models.jobs import Job
from tests.conftest import T0
from tests.job_support import fail_timer, timer_job
from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    ApiClient,
    api_fixture,
    api_template_fixture,
    pg_api_fixture,
    start_instance,
)
from tests.webapp.conftest import SignIn
from tests.webapp.inbox_support import post_form, start_run, text_of

ERROR = RuntimeError("state part <Call_OPD:7f3a9c> has no task")
PAGE = "/admin/insiden"


def make_incident(factory, instance_id: int) -> int:
    """A run's timer job that failed every try (the default five), through the real path."""
    moment = T0
    for _ in range(5):
        fail_timer(factory, instance_id, ERROR, moment)
        moment += timedelta(hours=1)
    job = timer_job(factory, instance_id)
    assert job.state == "failed"
    return job.id


def signed_in(web_app, username: str):
    client = web_app.test_client()
    SignIn(client)(username)
    return client


def test_the_admin_sees_the_incident_with_its_run_and_retries_it(web_app):
    factory = web_app.extensions["alur"].session_factory
    instance_id = start_run(web_app)
    job_id = make_incident(factory, instance_id)
    client = signed_in(web_app, "admin")

    html = text_of(client.get(PAGE))
    assert f'data-job-id="{job_id}"' in html and 'data-kind="timer"' in html
    assert f'href="/instances/{instance_id}"' in html and 'data-testid="incident-run"' in html
    assert "RuntimeError: state part &lt;Call_OPD:7f3a9c&gt; has no task" in html
    assert "<Call_OPD" not in html
    assert 'data-testid="jobs-failed" data-count="1"' in html
    assert 'data-testid="retry-incident"' in html and 'name="csrf_token"' in html

    refused = client.post(f"{PAGE}/{job_id}/coba-lagi")  # no CSRF token
    assert refused.status_code == 400 and timer_job(factory, instance_id).state == "failed"

    response = post_form(client, f"{PAGE}/{job_id}/coba-lagi", {}, page=PAGE)
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    job = timer_job(factory, instance_id)
    assert (job.state, job.attempts, job.run_at) == ("pending", 0, T0)
    with read_only(factory) as session:
        event = session.scalars(select(Event).where(Event.type == EventType.JOB_RETRIED)).one()
        assert event.instance_id is None and event.payload == {"job_id": job_id, "kind": "timer"}
    html = text_of(client.get(PAGE))
    assert 'data-testid="no-incidents"' in html
    assert 'data-testid="jobs-pending" data-count="1"' in html


def test_others_may_neither_read_nor_retry(web_app):
    factory = web_app.extensions["alur"].session_factory
    job_id = make_incident(factory, start_run(web_app))
    for username in ("tim1", "kepala", "auditor"):
        client = signed_in(web_app, username)
        assert client.get(PAGE).status_code == 403, username
        token = SignIn.csrf_from(text_of(client.get("/")))
        answer = client.post(f"{PAGE}/{job_id}/coba-lagi", data={"csrf_token": token})
        assert answer.status_code == 403, username
    with read_only(factory) as session:
        assert session.get(Job, job_id).state == "failed"


def test_an_unknown_incident_is_a_404_page(web_app):
    client = signed_in(web_app, "admin")
    assert post_form(client, f"{PAGE}/4242/coba-lagi", {}, page=PAGE).status_code == 404


def test_the_api_lists_and_retries(api):
    check_api(api)


def test_the_api_on_postgresql(pg_api):
    check_api(pg_api)


def check_api(api: ApiClient) -> None:
    instance_id = start_instance(api)["id"]
    job_id = make_incident(api.session_factory, instance_id)
    listed = api.ok(api.get("admin", "/incidents"))
    [item] = listed["items"]
    assert item["id"] == job_id and item["kind"] == "timer" and item["state"] == "failed"
    assert item["instance_id"] == instance_id and item["attempts"] == 5
    assert item["last_error"] == "RuntimeError: state part <Call_OPD:7f3a9c> has no task"
    assert listed["counts"]["failed"] == 1
    for username in ("tim1", "auditor"):
        assert api.get(username, "/incidents").status_code == 403
        assert api.post(username, f"/incidents/{job_id}/retry").status_code == 403
    bad = api.post("admin", f"/incidents/{job_id}/retry", {"now": "please"})
    assert bad.status_code == 400
    retried = api.ok(api.post("admin", f"/incidents/{job_id}/retry", {}))
    assert retried["state"] == "pending" and retried["attempts"] == 0
    assert api.post("admin", f"/incidents/{job_id}/retry").status_code == 404
    assert api.ok(api.get("admin", "/incidents"))["items"] == []
