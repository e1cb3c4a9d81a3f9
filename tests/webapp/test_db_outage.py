"""When PostgreSQL goes away, requests fail cleanly and the app heals by itself.

For real: gunicorn (scripts/web.sh, two workers) and the timer worker (scripts/worker.sh)
run against a private PostgreSQL cluster of the test's own, which is restarted under load
(`pg_ctl restart -m fast`) and then stopped and started again. While it is away: 503 with
the JSON error body on /api/ and /healthz, the error page elsewhere, never a 500; once it
is back, the same processes answer 200 and take writes again, and the worker is still
running and healthy. A cheap in-process test covers the same answers on a database port
where nothing listens.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request
from collections import Counter

import pytest
from flask_login.utils import _create_identifier
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from engine.models import ApiToken
from engine.services.demo import DEMO_PASSWORD
from tests.conftest import PG_SKIP, PG_URL, build_database
from tests.prod_support import (
    HttpApi,
    PrivateCluster,
    Server,
    free_port,
    pg_cluster_port,
    request,
    run_script,
    running,
    script_environment,
    status,
    wait_for,
)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# ---- in process: a database that is not there at all -----------------------------------

@pytest.fixture()
def unreachable_app(monkeypatch, tmp_path):
    from webapp import create_app

    monkeypatch.setenv("ALUR_SECRET_KEY", "outage-tests-only")
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    app = create_app({"DATABASE_URL": url, "UPLOAD_DIR": str(tmp_path)})
    yield app
    app.extensions["alur"].engine.dispose()


def test_unreachable_database_is_a_503_everywhere(unreachable_app):
    client = unreachable_app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["error"]["code"] == "database_unavailable"
    assert health.get_json()["database"] == "unavailable"

    api = client.get("/api/v1/tasks", headers={"Authorization": "Bearer not-checked-yet"})
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "database_unavailable"
    assert api.headers["Retry-After"]

    posted = client.post("/api/v1/auth/token", json={"username": "tim1", "password": "x"})
    assert posted.status_code == 503 and posted.is_json

    with unreachable_app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()  # flask-login's "strong" session protection
    with client.session_transaction() as cookie:  # a signed-in browser: the loader asks the DB
        cookie.update({"_user_id": "1", "alur_sid": "k", "_id": identifier, "_fresh": True})
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert page.mimetype == "text/html"
    assert 'data-testid="error-message"' in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)


class SerializationFailure(Exception):
    sqlstate = "40001"  # what psycopg's error carries when PostgreSQL picks a loser


@pytest.mark.parametrize(("orig", "status", "code"), [
    (Exception("server closed the connection unexpectedly"), 503, "database_unavailable"),
    (SerializationFailure("could not serialize access"), 409, "stale_version"),
])
def test_commit_failure_is_answered_and_nothing_is_kept(web_app, orig, status, code):
    """The database going away between the view and the commit: 503, not 500; a lost race
    (SQLSTATE class 40) is the usual conflict. Either way the write is not kept."""
    web_app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    factory = web_app.extensions["alur"].session_factory
    lost = OperationalError("COMMIT", {}, orig)

    def _cut(_session):
        raise lost

    event.listen(factory, "before_commit", _cut)
    try:
        answer = web_app.test_client().post(
            "/api/v1/auth/token", json={"username": "tim1", "password": DEMO_PASSWORD})
    finally:
        event.remove(factory, "before_commit", _cut)
    assert answer.status_code == status
    assert answer.get_json()["error"]["code"] == code
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


# ---- for real: gunicorn and the worker while PostgreSQL restarts -------------------------

@pytest.fixture(scope="module")
def cluster():
    if not PG_URL:
        pytest.skip(PG_SKIP)
    pg = PrivateCluster(pg_cluster_port())
    pg.init()
    try:
        pg.start()
        build_database(pg.url)
        yield pg
    finally:
        pg.remove()


class Browser:
    """A signed-in browser: cookies kept, the sign-in form posted with its CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def sign_in(self, username: str) -> None:
        page = self.opener.open(self.base + "/login", timeout=10).read().decode()
        form = {"csrf_token": CSRF.search(page).group(1), "username": username,
                "password": DEMO_PASSWORD}
        with self.opener.open(self.base + "/login",
                              urllib.parse.urlencode(form).encode(), timeout=10) as answer:
            assert answer.status == 200 and "/login" not in answer.url

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.base + path, timeout=10) as answer:
                return answer.status, answer.headers["Content-Type"], answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read().decode()


class Load:
    """Threads reading the API and the inbox page over and over, noting every status."""

    def __init__(self, api: HttpApi, browser: Browser, instance_id: int):
        self.api, self.browser, self.instance_id = api, browser, instance_id
        self.statuses: list[int] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(4)]

    def _run(self, number: int) -> None:
        while not self.stop.is_set():
            if number % 2:
                code = self.browser.get("/")[0]
            else:
                code = self.api.call("GET", "tim1", f"/instances/{self.instance_id}").status
            self.statuses.append(code)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_postgres_restart_under_load(cluster, tmp_path):
    env = script_environment(cluster.url, tmp_path, ALUR_WEB_WORKERS="2",
                             ALUR_TIMER_INTERVAL="0.3",
                             ALUR_WORKER_HEARTBEAT_FILE=str(tmp_path / "heartbeat"))
    web = Server("web.sh", env, tmp_path / "web.log")
    worker = Server("worker.sh", env, tmp_path / "worker.log")
    with running(web, worker):
        web.wait_healthy()
        api, browser = HttpApi(web.base), Browser(web.base)
        browser.sign_in("tim1")
        instance_id = api.start_instance()["id"]
        assert browser.get("/")[0] == 200

        with Load(api, browser, instance_id) as load:
            assert wait_for(lambda: len(load.statuses) > 20, 20)
            cluster.restart()
            assert wait_for(lambda: status(web.base + "/healthz") == 200, 30)
        assert set(load.statuses) <= {200, 503}, sorted(set(load.statuses))
        print("statuses while PostgreSQL restarted:", Counter(load.statuses))

        cluster.stop()
        try:
            check_answers_while_away(api, browser, web, instance_id)
            heartbeat = tmp_path / "heartbeat"
            last = heartbeat.stat().st_mtime_ns
            assert wait_for(lambda: heartbeat.stat().st_mtime_ns > last, 10), \
                "the worker's loop stopped while the database was away"
            assert run_script("worker-health.sh", env).returncode == 0
        finally:
            cluster.start()

        assert wait_for(lambda: status(web.base + "/healthz") == 200, 30)
        check_recovered(api, browser, instance_id)
        assert worker.alive(), worker.output()[-3000:]
        health = run_script("worker-health.sh", env)
        assert health.returncode == 0, health.stderr


def check_answers_while_away(api: HttpApi, browser: Browser, web: Server, instance_id: int):
    health = request("GET", web.base + "/healthz")
    assert health.status == 503 and health.body["database"] == "unavailable"
    for _ in range(4):  # both gunicorn workers, more than once
        answer = api.call("GET", "tim1", f"/instances/{instance_id}")
        assert answer.status == 503, answer.body
        assert answer.body["error"]["code"] == "database_unavailable"
    task = {"id": 1, "form_key": "perencanaan-tujuan"}
    write = api.complete("tim1", task)
    assert write.status == 503 and write.body["error"]["code"] == "database_unavailable"
    code, kind, html = browser.get("/")
    assert code == 503 and kind.startswith("text/html")
    assert 'data-testid="error-message"' in html and "Traceback" not in html


def check_recovered(api: HttpApi, browser: Browser, instance_id: int) -> None:
    """The same processes, no restart: reads and a write succeed again."""
    assert api.call("GET", "tim1", f"/instances/{instance_id}").status == 200
    assert browser.get("/")[0] == 200
    [task] = api.open_tasks("tim1", instance_id, "Task_01")
    done = api.complete("tim1", task)
    assert done.status == 200, done.body
    assert api.open_tasks("tim1", instance_id, "Task_02")
