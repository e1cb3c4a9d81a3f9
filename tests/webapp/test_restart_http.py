"""A run survives restarts of the server, over real HTTP, in the production shape.

`scripts/web.sh` (gunicorn, two worker processes) serves a database of its own; the SOP
is driven through `/api/v1` as its people would. The server is stopped and started again
in the middle of row 10 (one OPD done, two to go) and in the middle of row 11 (the period
ends today, so each OPD's timer fires as soon as its row 11 is done and opens its
row 12). The run must finish, its log intact.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.services.demo import DEMO_PASSWORD
from tests.conftest import isolated_database
from tests.prod_support import script_environment, wait_for
from tests.support import PJ_FOR_OPD, SOP_KEY, answers

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OPDS = ("DISDIKBUD", "DINKES", "DPUPR")


class Server:
    """scripts/web.sh as a child process that can be stopped and started again."""

    def __init__(self, env: dict, log: Path):
        self.env, self.process, self.log = env, None, log
        self.host, port = env["ALUR_BIND"].split(":")
        self.port = int(port)

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                ["sh", str(ROOT / "scripts" / "web.sh")],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = wait_for(lambda: self.status("/healthz") == 200, timeout=60)
        assert started, "the server did not start:\n" + self.log.read_text()[-3000:]

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)

    def status(self, path: str) -> int | None:
        try:
            return self.request("GET", path)[0]
        except OSError:
            return None

    def request(self, method: str, path: str, body=None, token: str | None = None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body) if body is not None else None
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        return response.status, (json.loads(text) if text else None)


class Team:
    """The SOP's people, each with a token issued by whichever worker answered."""

    def __init__(self, server: Server):
        self.server, self.tokens = server, {}

    def call(self, username: str, method: str, path: str, body=None, expect: int = 200):
        if username not in self.tokens:
            status, answer = self.server.request(
                "POST", "/api/v1/auth/token", {"username": username, "password": DEMO_PASSWORD}
            )
            assert status == 201, answer
            self.tokens[username] = answer["token"]
        status, answer = self.server.request(method, path, body, self.tokens[username])
        assert status == expect, (method, path, answer)
        return answer

    def open_task(self, username: str, instance_id: int, element_id: str) -> dict:
        items = self.call(username, "GET", f"/api/v1/tasks?instance_id={instance_id}&per_page=100")
        return next(t for t in items["items"] if t["element_id"] == element_id)

    def complete(self, username: str, instance_id: int, element_id: str, **overrides) -> None:
        task = self.open_task(username, instance_id, element_id)
        data = {**answers(task["form_key"], **overrides), "confirmed": True}
        self.call(username, "POST", f"/api/v1/tasks/{task['id']}/complete", data)

    def open_elements(self, instance_id: int) -> list[str]:
        detail = self.call("kepala", "GET", f"/api/v1/instances/{instance_id}")
        return sorted(t["element_id"] for t in detail["open_tasks"])


@pytest.fixture()
def server_env(database_url, tmp_path):
    url = isolated_database(database_url, "restart_http", tmp_path)
    return script_environment(url, tmp_path, ALUR_WEB_WORKERS="2")


def test_restarts_in_rows_10_and_11_and_the_run_finishes(server_env, tmp_path):
    server = Server(server_env, tmp_path / "gunicorn.log")
    team = Team(server)
    server.start()
    try:
        start = {"definition_key": SOP_KEY, "data": answers("mulai-pelaksanaan")}
        instance_id = team.call("tim1", "POST", "/api/v1/instances", start, expect=201)["id"]
        for row in ("01", "02", "03", "04", "05"):
            team.complete("tim1", instance_id, f"Task_{row}")
        team.complete("kepala", instance_id, "Task_06")
        team.complete("kepala", instance_id, "Task_07", opd_peserta=list(OPDS))
        team.complete("tim1", instance_id, "Task_08")
        today = datetime.now(ZoneInfo("Asia/Jakarta")).date().isoformat()  # not before today
        team.complete("tim1", instance_id, "Task_09", akhir_periode=today)
        team.complete(PJ_FOR_OPD[OPDS[0]], instance_id, "Task_10")

        server.restart()  # in the middle of row 10
        for opd in OPDS[1:]:
            team.complete(PJ_FOR_OPD[opd], instance_id, "Task_10")
        assert team.open_elements(instance_id) == ["Task_11"] * len(OPDS)
        team.complete(PJ_FOR_OPD[OPDS[0]], instance_id, "Task_11")

        server.restart()  # in the middle of row 11
        for opd in OPDS[1:]:
            team.complete(PJ_FOR_OPD[opd], instance_id, "Task_11")
        assert team.open_elements(instance_id) == ["Task_12"] * len(OPDS)
        for opd in OPDS:
            team.complete(PJ_FOR_OPD[opd], instance_id, "Task_12")
        for element_id in ("Task_13", "Task_14", "Task_15"):
            team.complete("tim1", instance_id, element_id)
        team.complete("kepala", instance_id, "Task_16")
        team.complete("kepala", instance_id, "Task_17", keputusan_periode="c", akhir_periode=None)
        team.complete("kepala", instance_id, "Task_17c")
        detail = team.call("kepala", "GET", f"/api/v1/instances/{instance_id}")
        assert detail["status"] == "completed" and detail["open_tasks"] == []
        events = team.call("kepala", "GET", f"/api/v1/instances/{instance_id}/events?limit=500")
        assert events["chain_valid"] is True
    finally:
        server.stop()
