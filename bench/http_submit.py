"""One PJ Kinerja submission and one row-17 decision over real HTTP, as in production.

Starts scripts/web.sh (gunicorn) on 127.0.0.1 against a fresh database (PostgreSQL when
BENCH_DATABASE_URL is set, else SQLite), with N = 50 OPDs, and prints at reporting
periods 1, 12, 24 and 48 the median time of a PJ Kinerja completion of row 11
(POST /api/v1/tasks/{id}/complete) and of the row-17 decision that opens the next period.
Periods in between are driven through the services directly. The server listens on the
first free port from 5103 (BENCH_PORT to choose another). Usage:
python bench/http_submit.py [N_OPDS] [INSTANCES] [LAST_PERIOD]
(LAST_PERIOD: stop after that period, say 12 for a shorter run; default 48.)
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from scenarios import (
    ROOT,
    T0,
    actor_of,
    answers,
    complete,
    fresh_database,
    make_factory,
    median_ms,
    open_ids,
    run_to_decision,
    seed,
    start_through_row10,
)
from sqlalchemy import select

from engine.db import make_engine, read_only, unit_of_work
from engine.models import HumanTask, User
from engine.services.users import issue_token

MEASURED = (1, 12, 24, 48)
SUBMISSIONS = 15


PORTS = range(5103, 5111)


def free_port() -> int:
    """BENCH_PORT, else the first port of PORTS that nothing listens on."""
    if "BENCH_PORT" in os.environ:
        return int(os.environ["BENCH_PORT"])
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {PORTS.start}-{PORTS.stop - 1}: set BENCH_PORT")


def start_server(url: str, port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=url,
        ALUR_DATABASE_URL=url,
        ALUR_BIND=f"127.0.0.1:{port}",
        ALUR_SECRET_KEY="bench",
        PATH=f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        ALUR_WEB_WORKERS=os.environ.get("ALUR_WEB_WORKERS", "2"),
    )
    server = subprocess.Popen(
        ["sh", str(ROOT / "scripts" / "web.sh")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("server did not start")


class Client:
    """A keep-alive HTTP connection, as a browser or an integration would hold one.

    The server closes idle connections after a few seconds (while periods are driven
    through the services); the client then reconnects and the retry is what is timed.
    """

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.last_body = b""

    def post(self, path: str, token: str, body: dict) -> tuple[int, float]:
        try:
            return self._post(path, token, body)
        except (ConnectionError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.connect()
            return self._post(path, token, body)

    def _post(self, path: str, token: str, body: dict) -> tuple[int, float]:
        payload = json.dumps(body)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        started = time.perf_counter()
        self.conn.request("POST", path, body=payload, headers=headers)
        response = self.conn.getresponse()
        self.last_body = response.read()
        return response.status, time.perf_counter() - started


def tokens_for_everyone(factory) -> dict[int, str]:
    """Bearer tokens per user id, issued through the service (no password hashing per call)."""
    with unit_of_work(factory) as session:
        tokens = {
            u.id: issue_token(session, u, T0 + timedelta(days=3650))[0]
            for u in session.scalars(select(User))
        }
        session.commit()
    return tokens


def actor_id(factory, task_id: int) -> int:
    with read_only(factory) as session:
        return actor_of(session, session.get(HumanTask, task_id)).id


def submit(client, factory, tokens, task_id: int, data: dict) -> float:
    status, seconds = client.post(
        f"/api/v1/tasks/{task_id}/complete", tokens[actor_id(factory, task_id)], data
    )
    if status != 200:
        raise SystemExit(f"task {task_id}: HTTP {status}: {client.last_body[:500]!r}")
    return seconds


def main() -> None:
    n_opds = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    n_instances = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    last_period = int(sys.argv[3]) if len(sys.argv) > 3 else max(MEASURED)
    url = fresh_database(os.environ.get("BENCH_DATABASE_URL"), "http")
    engine = make_engine(url)
    factory = make_factory(engine)
    codes = seed(factory, n_opds)
    ids = [start_through_row10(factory, codes, T0) for _ in range(n_instances)]
    tokens = tokens_for_everyone(factory)
    port = free_port()
    server = start_server(url, port)
    client = Client(port)
    print(
        f"database: {'PostgreSQL' if 'BENCH_DATABASE_URL' in os.environ else 'SQLite'}; "
        f"{n_opds} OPDs, {n_instances} instances; gunicorn on 127.0.0.1:{port}"
    )
    print(f"{'period':>6} {'PJ submission':>14} {'row-17 decision':>16}")
    now = T0
    try:
        for period in range(1, last_period + 1):
            measure = period in MEASURED
            submissions, decisions = [], []
            for instance_id in ids:
                pending = open_ids(factory, instance_id, "Task_11")
                for task_id in pending[: SUBMISSIONS if measure else 0]:
                    submissions.append(
                        submit(
                            client, factory, tokens, task_id, answers("pelaksanaan-rencana-aksi")
                        )
                    )
            later = run_to_decision(factory, ids, now)
            # the server checks a new period's end against its own (real) today, so the
            # simulated clock catches up with it at the first decision and runs on from there
            next_end = (max(later, datetime.now(UTC)) + timedelta(days=20)).date().isoformat()
            for instance_id in ids:
                for task_id in open_ids(factory, instance_id, "Task_17"):
                    body = answers("keputusan-periode", akhir_periode=next_end)
                    if measure:
                        decisions.append(submit(client, factory, tokens, task_id, body))
                    else:
                        complete(factory, task_id, body, later)
            now = later
            if measure:
                sub, dec = median_ms(submissions), median_ms(decisions)
                print(f"{period:>6} {sub:>12.1f}ms {dec:>14.1f}ms", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
        engine.dispose()


if __name__ == "__main__":
    main()
