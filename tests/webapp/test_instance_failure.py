"""A run whose scheduled step failed: its timer job's failed tries are recorded on it (the
real failure path, engine.services.jobs.record_failure), and its page and the API say so to
everyone who may see the run, with the number of tries and the next one; the technical
error text is for administrators only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.db import make_session_factory, read_only, unit_of_work
from engine.models import InstanceState, ProcessInstance
from engine.runtime import build_runtime
from tests.conftest import T0
from tests.job_support import fail_timer, run_jobs, timer_job
from tests.support import PLANNING
from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    ApiClient,
    api_fixture,
    api_template_fixture,
    pg_api_fixture,
    start_instance,
)
from tests.webapp.conftest import SignIn
from tests.webapp.inbox_support import (
    page_token,
    run_rows_through_services,
    squash,
    start_run,
    text_of,
)

# Technical on purpose: an exception name, an internal id and markup that must stay escaped.
ERROR = RuntimeError("state part <Call_OPD:7f3a9c> has no task")
ERROR_TEXT = "RuntimeError: state part <Call_OPD:7f3a9c> has no task"
FIRST_TRY, SECOND_TRY = T0 + timedelta(hours=1), T0 + timedelta(hours=2)  # 10.00, 11.00 WIB
ALERT = 'data-testid="timer-failure"'
TITLE_ID = "Langkah terjadwal pada pelaksanaan ini tidak dapat dijalankan"
TRIES_ID = "Sistem telah mencoba 2 kali; percobaan terakhir gagal pada 5 Januari 2026 11.00 WIB."
NEXT_ID = "Percobaan berikutnya dijadwalkan pada 5 Januari 2026 11.02 WIB."  # 2 min after try 2


def set_aside_twice(factory, instance_id: int) -> None:
    """What two failed tries of the run's timer job leave on it, each committed."""
    for moment in (FIRST_TRY, SECOND_TRY):
        fail_timer(factory, instance_id, ERROR, moment)


def signed_in(web_app, username: str):
    client = web_app.test_client()
    SignIn(client)(username)
    return client


def instance_page(client, instance_id: int) -> str:
    response = client.get(f"/instances/{instance_id}")
    assert response.status_code == 200
    return text_of(response)


# ---- the page ---------------------------------------------------------------------------

def test_staff_see_the_alert_and_only_an_admin_reads_the_error(web_app):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING)  # every OPD's row 10 is open
    set_aside_twice(web_app.extensions["alur"].session_factory, instance_id)

    for username in ("tim1", "pj.dinkes", "kepala"):
        html = instance_page(signed_in(web_app, username), instance_id)
        text = squash(html)
        assert ALERT in html and 'role="alert"' in html, username
        assert TITLE_ID in text and TRIES_ID in text and NEXT_ID in text, username
        assert "hubungi administrator sistem" in text
        for secret in ("RuntimeError", "Call_OPD", "7f3a9c", "Rincian teknis"):
            assert secret not in html, (username, secret)

    html = instance_page(signed_in(web_app, "admin"), instance_id)
    assert ALERT in html and TITLE_ID in squash(html)
    assert 'data-testid="timer-failure-detail"' in html and "Rincian teknis" in html
    assert "RuntimeError: state part &lt;Call_OPD:7f3a9c&gt; has no task" in html
    assert "<Call_OPD" not in html


def test_the_alert_speaks_english_when_asked(web_app):
    instance_id = start_run(web_app)
    set_aside_twice(web_app.extensions["alur"].session_factory, instance_id)
    client = signed_in(web_app, "tim1")
    client.post("/language", data={"csrf_token": page_token(client, "/"), "lang": "en",
                                   "next": "/"})
    text = squash(instance_page(client, instance_id))
    assert "A scheduled step of this run could not be carried out" in text
    assert "The system has tried 2 times; the last try failed on 5 January 2026 11:00 WIB." \
        in text
    assert "The next try is on 5 January 2026 11:02 WIB." in text


def test_one_failed_try_is_said_in_the_singular(web_app):
    instance_id = start_run(web_app)
    fail_timer(web_app.extensions["alur"].session_factory, instance_id, ERROR, FIRST_TRY)
    text = squash(instance_page(signed_in(web_app, "tim1"), instance_id))
    assert "Sistem telah mencoba satu kali; percobaan tersebut gagal pada 5 Januari 2026 " \
           "10.00 WIB." in text
    assert "Percobaan berikutnya dijadwalkan pada 5 Januari 2026 10.01 WIB." in text


def test_a_healthy_run_shows_no_alert(web_app):
    instance_id = start_run(web_app)
    for username in ("tim1", "admin"):
        assert ALERT not in instance_page(signed_in(web_app, username), instance_id)


def break_state(factory, instance_id: int) -> None:
    """Damage the stored state the way a bug would: the top part is no longer JSON."""
    with unit_of_work(factory) as session:
        row = session.scalars(select(InstanceState).where(
            InstanceState.instance_id == instance_id, InstanceState.part_key == "top")).one()
        row.state = "{not json"
        session.commit()


def test_a_real_worker_pass_on_a_broken_run_shows_on_its_page(web_app):
    """The worker runs as its own process (its own runtime, so no cached workflow hides the
    damage); the page of the run it set aside still opens, for a PJ and for the admin."""
    factory = web_app.extensions["alur"].session_factory
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING, "Task_10", "Task_11")
    break_state(factory, instance_id)
    with read_only(factory) as session:
        later = session.get(ProcessInstance, instance_id).next_due_at + timedelta(hours=1)
    worker = make_session_factory(web_app.extensions["alur"].engine, runtime=build_runtime())
    assert run_jobs(worker, later) == 0
    assert timer_job(factory, instance_id).attempts == 1  # retried later, with backoff

    html = instance_page(signed_in(web_app, "pj.dinkes"), instance_id)
    assert ALERT in html and "Sistem telah mencoba satu kali" in squash(html)
    assert "JSONDecodeError" not in html
    html = instance_page(signed_in(web_app, "admin"), instance_id)
    assert ALERT in html and "JSONDecodeError" in html


# ---- the API ----------------------------------------------------------------------------

def test_the_api_gives_the_error_and_its_text_only_to_admins(api):
    check_api_error(api)


def test_the_api_gives_the_error_on_postgresql(pg_api):
    check_api_error(pg_api)


def check_api_error(api: ApiClient) -> None:
    healthy = start_instance(api)
    assert healthy["error"] is None
    instance_id = start_instance(api)["id"]
    set_aside_twice(api.session_factory, instance_id)

    expected = {"failed_attempts": 2, "since": SECOND_TRY.isoformat(),
                "next_try_at": (SECOND_TRY + timedelta(minutes=2)).isoformat(),
                "reason": None}  # a failure the diagram's bounds did not cause
    admin = api.ok(api.get("admin", f"/instances/{instance_id}"))
    assert admin["error"] == {**expected, "message": ERROR_TEXT}
    assert admin["next_due_at"] == expected["next_try_at"]
    for username in ("tim1", "kepala"):
        staff = api.ok(api.get(username, f"/instances/{instance_id}"))
        assert staff["error"] == {**expected, "message": None}, username
    listed = {item["id"]: item for item in api.ok(api.get("tim1", "/instances"))["items"]}
    assert listed[instance_id]["error"] == {**expected, "message": None}
    assert listed[healthy["id"]]["error"] is None
    listed = {item["id"]: item for item in api.ok(api.get("admin", "/instances"))["items"]}
    assert listed[instance_id]["error"]["message"] == ERROR_TEXT
