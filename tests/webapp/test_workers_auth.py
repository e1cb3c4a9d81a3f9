"""Lockouts and sign-outs hold whichever gunicorn worker answers: scripts/web.sh with two
worker processes on PostgreSQL, many fresh connections, and every answer checked. The
access log names the process of each answer, so the test also shows that both answered."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from engine.services.demo import DEMO_PASSWORD
from tests.conftest import PG_SKIP, PG_URL, isolated_database
from tests.prod_support import script_environment, wait_for

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# gunicorn's access log: the worker's process id, the request line and the status
LOG_FORMAT = "PID=%(p)s %(m)s %(U)s %(s)s"

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_SKIP)


class Web:
    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log
        host, port = env["ALUR_BIND"].split(":")
        self.host, self.port = host, int(port)

    def __enter__(self):
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(["sh", str(ROOT / "scripts" / "web.sh")],
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        ready = wait_for(lambda: self._status_or_none("/healthz") == 200, timeout=60)
        assert ready, self.log.read_text()[-3000:]
        return self

    def __exit__(self, *_exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)

    def _status_or_none(self, path):
        try:
            return self.call("GET", path)[0]
        except OSError:
            return None

    def call(self, method, path, body=None, *, cookie=None, form=None, token=None):
        """One request on a fresh connection (so any worker may take it)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers, payload = {}, None
        if body is not None:
            headers["Content-Type"], payload = "application/json", json.dumps(body)
        if form is not None:
            from urllib.parse import urlencode

            headers["Content-Type"] = "application/x-www-form-urlencoded"
            payload = urlencode(form)
        if cookie:
            headers["Cookie"] = f"session={cookie}"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        set_cookie = response.getheader("Set-Cookie") or ""
        new_cookie = set_cookie.split("session=", 1)[1].split(";", 1)[0] if set_cookie else None
        return response.status, text, response, new_cookie

    def pids(self, path_pattern: str, status: int) -> set[str]:
        pattern = re.compile(rf"PID=<?(\d+)>? \w+ {path_pattern} {status}\b")
        return {match.group(1) for match in pattern.finditer(self.log.read_text())}


@pytest.fixture()
def web(tmp_path):
    url = isolated_database(PG_URL, "workers_auth", tmp_path)
    env = script_environment(url, tmp_path, ALUR_WEB_WORKERS="2", ALUR_WEB_THREADS="2",
                             GUNICORN_CMD_ARGS=f"--access-logformat '{LOG_FORMAT}'")
    with Web(env, tmp_path / "gunicorn.log") as server:
        yield server


def sign_in(web: Web, username: str, password: str = DEMO_PASSWORD):
    status, html, _, cookie = web.call("GET", "/login")
    token = CSRF.search(html).group(1)
    status, _, response, signed = web.call(
        "POST", "/login", cookie=cookie,
        form={"csrf_token": token, "username": username, "password": password})
    return status, signed or cookie, response


def test_lockout_and_sign_out_hold_across_workers(web):
    token_path = "/api/v1/auth/token"
    wrong = [web.call("POST", token_path, {"username": "tim1", "password": "salah"})[0]
             for _ in range(5)]
    assert wrong == [401] * 5
    right = [web.call("POST", token_path, {"username": "tim1", "password": DEMO_PASSWORD})
             for _ in range(20)]
    assert [status for status, *_ in right] == [429] * 20
    assert all(int(response.getheader("Retry-After")) > 0 for _, _, response, _ in right)
    status, _, response = sign_in(web, "tim1")
    assert status == 429 and response.getheader("Retry-After")

    status, cookie, _ = sign_in(web, "kepala")
    assert status == 302
    assert {web.call("GET", "/", cookie=cookie)[0] for _ in range(10)} == {200}
    _, html, _, updated = web.call("GET", "/", cookie=cookie)
    cookie, csrf = updated or cookie, CSRF.search(html).group(1)  # the copy a thief keeps
    assert web.call("POST", "/logout", cookie=cookie, form={"csrf_token": csrf})[0] == 302
    after = [web.call("GET", "/", cookie=cookie) for _ in range(20)]
    assert {status for status, *_ in after} == {302}
    assert all(response.getheader("Location").startswith("/login") for _, _, response, _ in after)

    # both worker processes answered the refusals
    assert len(web.pids(re.escape(token_path), 429)) == 2
    assert len(web.pids("/", 302)) == 2
