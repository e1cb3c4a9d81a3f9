"""The app under load, as in production: gunicorn and the job worker on PostgreSQL, N virtual
users working the SOP through the API at once, over a task table of 200,000 rows.

Set-up: BENCH_DATABASE_URL's (or LOAD_DATABASE_URL's) public schema is rebuilt, then
`flask alur bootstrap --demo`, then bench/seed_tasks.py adds archive runs and their tasks
(200,000 rows, one in 40 still open: everyone's inbox has a backlog). scripts/web.sh starts
gunicorn (2 workers) on 127.0.0.1:5131 (LOAD_PORT), `flask alur worker` runs beside it.

Each virtual user (a thread with keep-alive connections) works small runs, one after the
other: it starts a run (one OPD takes part), then completes rows 1-11 through
POST /api/v1/tasks/{id}/complete, each as the person of the task's lane, after reading that
person's tasks of the run (GET /api/v1/tasks?instance_id=...); every fourth step it also
reads the person's whole inbox (GET /api/v1/tasks, page 1), which is what the 200,000 rows
weigh on. Every 25th completion is sent twice at the same moment (a double click on two
tabs): exactly one may succeed, the other must be a 409.

Prints completions per second, p50/p95/p99 of the inbox listing, the run's task listing
and the completion, and the 4xx/5xx counts; then checks every run in the database against
what the users were told (each completion that answered 200 is completed, exactly once in
the run's log; nothing else is) and runs `flask alur verify` on every chain. Also prints
the CPU each completion cost the web workers, PostgreSQL, the job worker and the load
generator itself, and the ceiling that cost puts on this machine (bench/cpu.py).

Usage: python bench/load.py [USERS [COMPLETIONS [SEED_TASKS]]]   (default 16, 3000, 200000)
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import cpu
import seed_tasks
from scenarios import ANSWERS, ROOT, SOP_KEY, answers, fresh_database
from sqlalchemy import func, select

from engine.db import make_engine
from engine.models import Event, HumanTask, ProcessInstance
from engine.models.tasks import TASK_COMPLETED
from engine.services.demo import DEMO_PASSWORD

PORT = int(os.environ.get("LOAD_PORT", "5131"))
ROLE_USERS = {"tim_kelembagaan": "tim1", "kepala_ukpbj": "kepala"}
PJ_FOR_OPD = {"DISDIKBUD": "pj.disdikbud", "DINKES": "pj.dinkes", "DPUPR": "pj.dpupr",
              "DISHUB": "pj.dishub"}
LAST_ELEMENT = "Task_11"  # then the run waits for its period's end (a timer)
INBOX_EVERY = 4
RACE_EVERY = 25


class Connection:
    """One keep-alive connection; reconnects once when the server closed it."""

    def __init__(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)

    def call(self, method: str, path: str, token: str, body=None) -> tuple[int, dict, float]:
        for attempt in (1, 2):
            try:
                return self._call(method, path, token, body)
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _call(self, method, path, token, body):
        headers = {"Authorization": f"Bearer {token}"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.conn.request(method, f"/api/v1{path}", body=payload, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        seconds = time.perf_counter() - started
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {"raw": raw[:200].decode("utf-8", "replace")}
        return response.status, data, seconds


@dataclass
class Tally:
    """What every virtual user saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    timings: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    completed: dict[int, set[int]] = field(default_factory=dict)  # run -> tasks answered 200
    races: Counter = field(default_factory=Counter)
    budget: int = 0
    errors: list[str] = field(default_factory=list)

    def note(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.timings.setdefault(kind, []).append(seconds)
            self.statuses[status // 100 * 100] += 1

    def take(self) -> bool:
        with self.lock:
            self.budget -= 1
            return self.budget >= 0


class VirtualUser(threading.Thread):
    def __init__(self, number: int, tally: Tally, tokens: dict[str, str]):
        super().__init__(daemon=True)
        self.number, self.tally, self.tokens = number, tally, tokens
        self.opd = sorted(PJ_FOR_OPD)[number % len(PJ_FOR_OPD)]
        self.http = Connection()
        self.steps = 0

    def run(self) -> None:
        try:
            while self.tally.budget > 0:
                self.work_one_run()
        except Exception as error:  # noqa: BLE001 - reported at the end, the run goes on
            with self.tally.lock:
                self.tally.errors.append(f"user {self.number}: {error!r}")
        finally:
            self.http.conn.close()  # else gunicorn's graceful stop waits for it

    def user_for(self, task: dict) -> str:
        if task["role"] == "pj_kinerja":
            return PJ_FOR_OPD[task["opd"]["code"]]
        return ROLE_USERS[task["role"]]

    def call(self, kind, method, path, user, body=None):
        status, data, seconds = self.http.call(method, path, self.tokens[user], body)
        self.tally.note(kind, status, seconds)
        if status >= 500:
            with self.tally.lock:
                self.tally.errors.append(f"{method} {path}: {status} {data}")
        return status, data

    def work_one_run(self) -> None:
        status, run = self.call("start", "POST", "/instances", "tim1",
                                {"definition_key": SOP_KEY, "data": answers("mulai-pelaksanaan")})
        if status != 201:
            raise RuntimeError(f"start: {status} {run}")
        with self.tally.lock:
            self.tally.completed[run["id"]] = set()
        pending = list(run["open_tasks"])
        while pending and self.tally.take():
            task = pending.pop(0)
            self.step(run["id"], task)
            if task["element_id"] == LAST_ELEMENT:
                return
            if not pending:
                _, detail = self.call("run detail", "GET", f"/instances/{run['id']}", "tim1")
                pending = list(detail.get("open_tasks", []))

    def step(self, run_id: int, task: dict) -> None:
        user = self.user_for(task)
        self.steps += 1
        _, listed = self.call("run tasks", "GET", f"/tasks?instance_id={run_id}", user)
        if task["id"] not in {item["id"] for item in listed.get("items", [])}:
            raise RuntimeError(f"task {task['id']} not in {user}'s list of run {run_id}")
        if self.steps % INBOX_EVERY == 0:
            self.call("inbox", "GET", "/tasks", user)
        overrides = {"opd_peserta": [self.opd]} if task["element_id"] == "Task_07" else {}
        if "akhir_periode" in ANSWERS[task["form_key"]]:  # a period's end: after today
            overrides["akhir_periode"] = (date.today() + timedelta(days=20)).isoformat()
        # `confirmed`: the user said yes to any irreversible choice (webapp.api.progress)
        body = {**answers(task["form_key"], **overrides), "confirmed": True}
        path = f"/tasks/{task['id']}/complete"
        if self.steps % RACE_EVERY == 0:
            outcome, answer = self.race(path, user, body), "(double submission)"
        else:
            outcome, answer = self.call("complete", "POST", path, user, body)
        if outcome == 200:
            with self.tally.lock:
                self.tally.completed[run_id].add(task["id"])
        else:
            raise RuntimeError(f"complete {task['id']} ({task['element_id']}): {outcome}"
                               f" {answer if outcome != 200 else ''}")

    def race(self, path: str, user: str, body: dict) -> int:
        """The same completion twice at once: one 200 and one 409, else a lost or double write."""
        results: list[int] = []
        rival = Connection()

        def send(conn):
            status, _, seconds = conn.call("POST", path, self.tokens[user], body)
            self.tally.note("complete", status, seconds)
            results.append(status)

        other = threading.Thread(target=send, args=(rival,))
        other.start()
        send(self.http)
        other.join()
        rival.conn.close()
        outcome = sorted(results)
        with self.tally.lock:
            self.tally.races["one 200, one 409" if outcome == [200, 409] else str(outcome)] += 1
        return 200 if 200 in outcome else outcome[0]


def env_for(url: str, folder: Path) -> dict:
    return dict(
        os.environ,
        ALUR_DATABASE_URL=url,
        DATABASE_URL=url,
        ALUR_SECRET_KEY="bench",
        ALUR_SIGNING_KEY_FILE=str(folder / "signing-key.pem"),
        ALUR_BIND=f"127.0.0.1:{PORT}",
        ALUR_WEB_WORKERS=os.environ.get("ALUR_WEB_WORKERS", "2"),
        PATH=f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
    )


def flask(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "webapp", "alur", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, check=check,
    )


def wait_for_server(server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("server did not start")


def issue_tokens() -> dict[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    tokens = {}
    for username in (*ROLE_USERS.values(), *PJ_FOR_OPD.values()):
        conn.request("POST", "/api/v1/auth/token",
                     body=json.dumps({"username": username, "password": DEMO_PASSWORD}),
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        body = json.loads(response.read())
        if response.status != 201:
            raise SystemExit(f"token for {username}: {response.status} {body}")
        tokens[username] = body["token"]
    return tokens


def percentiles(samples: list[float]) -> str:
    if len(samples) < 2:
        return "n/a"
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return (f"p50 {cuts[49] * 1000:6.1f}ms  p95 {cuts[94] * 1000:6.1f}ms  "
            f"p99 {cuts[98] * 1000:6.1f}ms  (n={len(samples)})")


def check_runs(url: str, tally: Tally) -> list[str]:
    """Every run as the users were told: completed exactly the tasks answered 200, each once
    in the log, and a head that counts the log."""
    problems = []
    engine = make_engine(url)
    with engine.connect() as conn:
        for run_id, told in sorted(tally.completed.items()):
            stored = set(conn.scalars(select(HumanTask.id).where(
                HumanTask.instance_id == run_id, HumanTask.state == TASK_COMPLETED)))
            logged = Counter(conn.scalars(select(Event.task_id).where(
                Event.instance_id == run_id, Event.type == "task_completed")))
            head = conn.scalar(select(ProcessInstance.event_count).where(
                ProcessInstance.id == run_id))
            events = conn.scalar(select(func.count()).select_from(Event).where(
                Event.instance_id == run_id))
            if stored != told:
                problems.append(f"run {run_id}: completed {sorted(stored)}, told {sorted(told)}")
            if any(n != 1 for n in logged.values()) or set(logged) != stored:
                problems.append(f"run {run_id}: task_completed events {dict(logged)}")
            if head != events:
                problems.append(f"run {run_id}: head counts {head} events, log has {events}")
    engine.dispose()
    return problems


def main() -> None:
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    completions = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    n_seed = int(sys.argv[3]) if len(sys.argv) > 3 else 200_000
    url = os.environ.get("LOAD_DATABASE_URL") or os.environ.get("BENCH_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        raise SystemExit("set LOAD_DATABASE_URL (or BENCH_DATABASE_URL) to a PostgreSQL database")
    folder = Path(tempfile.mkdtemp(prefix="alur-load-"))
    env = env_for(url, folder)
    os.environ["ALUR_SIGNING_KEY_FILE"] = env["ALUR_SIGNING_KEY_FILE"]
    fresh_database(url, "load")
    flask(env, "bootstrap", "--demo")
    seeded = seed_tasks.seed(url, n_seed)
    print(f"database ready: demo, {n_seed} seeded tasks ({seeded:.1f}s)", flush=True)
    log = open(folder / "server.log", "w")  # noqa: SIM115 - open for the servers' lifetime
    server = subprocess.Popen(["sh", str(ROOT / "scripts" / "web.sh")], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=log)
    worker = subprocess.Popen([str(ROOT / ".venv" / "bin" / "flask"), "--app", "webapp", "alur",
                               "worker"], env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        wait_for_server(server)
        tally, tokens = Tally(budget=completions), issue_tokens()
        crowd = [VirtualUser(i, tally, tokens) for i in range(users)]
        groups = {"web": cpu.descendants(server.pid), "worker": [worker.pid],
                  "PostgreSQL": cpu.named("postgres"), "load generator": [os.getpid()]}
        before = cpu.read(groups)
        started = time.perf_counter()
        for user in crowd:
            user.start()
        for user in crowd:
            user.join()
        elapsed = time.perf_counter() - started
        after = cpu.read({**groups, "PostgreSQL": cpu.named("postgres")})
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
    report(tally, users, elapsed, (before, after))
    problems = check_runs(url, tally)
    verified = flask(env, "verify", check=False)
    summary = verified.stdout.strip().splitlines()[-1:] or ["(no output)"]
    print(f"runs checked: {len(tally.completed)}, problems: {len(problems)}")
    for problem in problems[:20]:
        print("  " + problem)
    print(f"flask alur verify: exit {verified.returncode}: {summary[0]}")
    if verified.returncode:
        print("\n".join(line for line in verified.stderr.splitlines()[:20]))
    print(f"server log: {folder / 'server.log'}")
    if problems or verified.returncode or tally.statuses[500] or tally.errors:
        sys.exit(1)


def report(tally: Tally, users: int, elapsed: float, readings: tuple) -> None:
    """The figures of the run; `readings` are bench/cpu.py's before and after it."""
    done = sum(len(tasks) for tasks in tally.completed.values())
    print(f"{users} users, {elapsed:.1f}s: {done} completions, {done / elapsed:.0f} per second "
          f"({len(tally.completed)} runs)")
    for kind in ("inbox", "run tasks", "complete", "start", "run detail"):
        print(f"  {kind:<11} {percentiles(tally.timings.get(kind, []))}")
    print(f"  responses: 2xx {tally.statuses[200]}, 4xx {tally.statuses[400]}, "
          f"5xx {tally.statuses[500]}")
    print(f"  double submissions: {dict(tally.races)}")
    for line in cpu.report(*readings, done, elapsed):
        print(line)
    for error in tally.errors[:10]:
        print(f"  ERROR {error}")


if __name__ == "__main__":
    main()
