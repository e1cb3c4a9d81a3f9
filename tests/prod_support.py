"""What the production-reality tests share: the scripts compose runs, started for real
(gunicorn, the worker), a private PostgreSQL cluster that can really stop and start, and a
small HTTP client for the API over a real socket.

These tests need PostgreSQL (TEST_DATABASE_URL, as CI sets it) and skip with a reason
without it. Servers bind to free ports on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine.services.demo import DEMO_PASSWORD
from tests.support import SOP_KEY, answers

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
API = "/api/v1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 30.0, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def script_environment(url: str, folder: Path, **settings: str) -> dict:
    """The environment docker-compose gives the scripts, on `url`, on a free local port."""
    env = dict(os.environ)
    for name in [n for n in env if n.startswith("ALUR_") and n != "ALUR_SIGNING_KEY_FILE"]:
        env.pop(name)  # nothing from the developer's shell leaks into the servers
    env.update(
        PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
        DATABASE_URL=url,
        ALUR_DATABASE_URL=url,
        ALUR_INSTANCE_DIR=str(folder / "instance"),
        ALUR_UPLOAD_DIR=str(folder / "uploads"),
        ALUR_SECRET_KEY="test-secret",
        ALUR_BIND=f"127.0.0.1:{free_port()}",
    )
    env.update(settings)
    return env


def run_script(name: str, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(ROOT / "scripts" / name)], env=env, capture_output=True,
                          text=True, timeout=timeout)


@dataclass
class Server:
    """A script started in its own process group (gunicorn's master and its workers)."""

    name: str
    env: dict
    log: Path
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{self.env['ALUR_BIND']}"

    def start(self) -> Server:
        out = self.log.open("ab")
        self.process = subprocess.Popen(["sh", str(ROOT / "scripts" / self.name)], env=self.env,
                                        stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        out.close()
        return self

    def wait_healthy(self, timeout: float = 40.0) -> None:
        ok = wait_for(lambda: status(self.base + "/healthz") == 200, timeout)
        assert ok, f"{self.name} did not answer /healthz:\n{self.output()[-3000:]}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def worker_pids(self) -> list[int]:
        """gunicorn's workers: the children of its master (the script execs gunicorn)."""
        return children(self.process.pid)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


@contextmanager
def running(*servers: Server):
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@dataclass
class Answer:
    status: int
    body: dict | str
    content_type: str


def request(method: str, url: str, body: dict | None = None, headers: dict | None = None,
            timeout: float = 30) -> Answer:
    data = json.dumps(body).encode() if body is not None else None
    heads = {"Accept": "application/json", **(headers or {})}
    if data is not None:
        heads["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=heads)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return _answer(response.status, response.read(), response.headers)
    except urllib.error.HTTPError as error:
        return _answer(error.code, error.read(), error.headers)


def _answer(code: int, raw: bytes, headers) -> Answer:
    kind = headers.get("Content-Type", "")
    text = raw.decode("utf-8", "replace")
    return Answer(code, json.loads(text) if "json" in kind and text else text, kind)


@dataclass
class HttpApi:
    """The API over a real socket, one bearer token per demo user."""

    base: str
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str) -> str:
        if username not in self.tokens:
            answer = request("POST", f"{self.base}{API}/auth/token",
                             {"username": username, "password": DEMO_PASSWORD})
            assert answer.status == 201, answer.body
            self.tokens[username] = answer.body["token"]
        return self.tokens[username]

    def call(self, method: str, username: str, path: str, body: dict | None = None) -> Answer:
        headers = {"Authorization": f"Bearer {self.token(username)}"}
        return request(method, f"{self.base}{API}{path}", body, headers)

    def ok(self, method: str, username: str, path: str, body: dict | None = None,
           expect: int = 200) -> dict:
        answer = self.call(method, username, path, body)
        assert answer.status == expect, (method, path, answer.status, answer.body)
        return answer.body

    def start_instance(self, username: str = "tim1") -> dict:
        body = {"definition_key": SOP_KEY, "data": answers("mulai-pelaksanaan")}
        return self.ok("POST", username, "/instances", body, expect=201)

    def open_tasks(self, username: str, instance_id: int, element_id: str) -> list[dict]:
        items = self.ok("GET", username, f"/tasks?instance_id={instance_id}&per_page=100")
        return [t for t in items["items"] if t["element_id"] == element_id]

    def complete(self, username: str, task: dict, **overrides) -> Answer:
        data = {**answers(task["form_key"], **overrides), "confirmed": True}
        return self.call("POST", username, f"/tasks/{task['id']}/complete", data)


# ---- a PostgreSQL cluster of the test's own, which can really stop and start ---------------

PG_BIN_DIRS = [Path("/usr/local/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"))]


def _pg_tool(name: str) -> str | None:
    for folder in PG_BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


@dataclass
class PrivateCluster:
    """initdb + pg_ctl in a temporary folder, run as a non-root user (PostgreSQL refuses
    to run as root): `postgres` through runuser when we are root, ourselves otherwise.
    The folder is a fresh one under the system's temp dir (pytest's own is private to
    root), removed by `remove()`."""

    port: int
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="alur-pg-")))

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)

    def init(self) -> None:
        initdb = _pg_tool("initdb")
        if initdb is None or _pg_tool("pg_ctl") is None:
            pytest.skip("initdb/pg_ctl not found: cannot run a private PostgreSQL cluster")
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: PostgreSQL will not start as root")
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        done = self._run(initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres",
                         "--no-sync")
        if done.returncode != 0:
            pytest.skip(f"initdb failed, no private cluster here: {done.stderr.strip()[-300:]}")

    def pg_ctl(self, *args: str) -> subprocess.CompletedProcess:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        return self._run(_pg_tool("pg_ctl"), "-D", str(self.data), "-l",
                         str(self.folder / "server.log"), "-o", options, "-w", *args)

    def start(self) -> None:
        done = self.pg_ctl("start")
        assert done.returncode == 0, done.stderr + self.server_log()

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        done = self.pg_ctl("restart", "-m", "fast")
        assert done.returncode == 0, done.stderr + self.server_log()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def server_log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def pg_cluster_port() -> int:
    """A port of our own for the private cluster (5141-5149 when free, else any)."""
    for port in range(5141, 5150):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return free_port()
