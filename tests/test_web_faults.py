"""A gunicorn worker killed (SIGKILL) in the middle of completions loses nothing and
doubles nothing.

gunicorn (scripts/web.sh, two workers of two threads) serves four PJ clients completing
their OPDs' row-10 tasks on several runs at once over the API; twice, while requests are
in flight, one web worker is killed with SIGKILL and gunicorn starts another. A client whose
connection dies does not know whether its completion was kept, so it asks again (as a
person would press the button again). Afterwards: every completion answered 2xx is in the
database exactly once (one task_completed event, the task completed with what was sent);
none is there twice; every run replays from its log and `flask alur verify` passes on every
chain, so nothing was half written.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.db import read_only, unit_of_work, utcnow
from engine.events import EventType
from engine.models import Event, HumanTask
from engine.models.tasks import TASK_OPEN
from tests.conftest import PG_SKIP, PG_URL, isolated_database
from tests.prod_support import HttpApi, Server, running, script_environment, wait_for
from tests.support import (
    PJ_FOR_OPD,
    PLANNING,
    answers,
    assert_replays,
    make_factory,
    run_rows_committed,
    start_sop,
)

RUNS = 4
KILLS_AFTER = (4, 9)  # answers received before each kill
PERIOD_AHEAD = {"akhir_periode": (date.today() + timedelta(days=60)).isoformat()}


@pytest.fixture()
def prepared(tmp_path):
    """RUNS runs at row 10, on the real clock (the servers have no other); their tasks."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    url = isolated_database(PG_URL, "web_faults", tmp_path)
    factory = make_factory(url)
    now = utcnow()
    ids = []
    for _ in range(RUNS):
        with unit_of_work(factory) as session:
            ids.append(start_sop(session, now).id)
            session.commit()
        run_rows_committed(factory, ids[-1], PLANNING[:-1], now)
        run_rows_committed(factory, ids[-1], PLANNING[-1:], now, **PERIOD_AHEAD)
    with read_only(factory) as session:
        tasks = session.scalars(select(HumanTask).where(
            HumanTask.instance_id.in_(ids), HumanTask.element_id == "Task_10")).all()
        work = {pj: [] for pj in PJ_FOR_OPD.values()}
        for task in tasks:
            work[PJ_FOR_OPD[task.opd.code]].append({"id": task.id, "form_key": task.form_key})
    yield url, factory, ids, work
    factory.kw["bind"].dispose()


def _code(body) -> str | None:
    return body.get("error", {}).get("code") if isinstance(body, dict) else None


class Clients:
    """One thread per PJ, completing its tasks; a lost connection or a conflict is asked
    again, up to a few times. Every answer is noted against its task."""

    def __init__(self, api: HttpApi, work: dict[str, list[dict]]):
        self.api, self.work = api, work
        self.answers: dict[int, list[int | str]] = {}
        self.lock = threading.Lock()
        self.received = 0

    def _complete(self, username: str, task: dict) -> None:
        for _ in range(6):
            again = False
            try:
                answer = self.api.complete(username, task)
                status = answer.status
                again = status == 503 or _code(answer.body) == "stale_version"
            except (ConnectionError, http.client.HTTPException, OSError) as error:
                status, again = f"lost: {type(error).__name__}", True
            with self.lock:
                self.answers.setdefault(task["id"], []).append(status)
                self.received += 1
            if not again:
                return

    def _run(self, username: str) -> None:
        for task in self.work[username]:
            self._complete(username, task)

    def run(self, during) -> None:
        threads = [threading.Thread(target=self._run, args=(u,)) for u in self.work]
        for thread in threads:
            thread.start()
        try:
            during()
        finally:
            for thread in threads:
                thread.join(timeout=120)


def test_killed_web_worker_loses_and_doubles_nothing(prepared, tmp_path):
    url, factory, ids, work = prepared
    env = script_environment(url, tmp_path, ALUR_WEB_WORKERS="2", ALUR_WEB_THREADS="2")
    web = Server("web.sh", env, tmp_path / "web.log")
    killed = []
    with running(web):
        web.wait_healthy()
        api = HttpApi(web.base)
        for username in work:
            api.token(username)
        clients = Clients(api, work)

        def kill_workers():
            for after in KILLS_AFTER:
                assert wait_for(lambda a=after: clients.received >= a, 60, 0.01)
                victim = web.worker_pids()[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
                assert wait_for(lambda v=victim: len(web.worker_pids()) == 2
                                and v not in web.worker_pids(), 30), "no worker replaced it"

        clients.run(kill_workers)
        assert len(killed) == 2
        assert web.alive()
        web.wait_healthy()

    print("answers by task:", clients.answers)
    check_exactly_once(factory, clients.answers, work)
    for instance_id in ids:
        assert_replays(factory, instance_id)
    verify = subprocess.run(["flask", "--app", "webapp", "alur", "verify"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def holds(stored, sent) -> bool:
    """What was sent is in what was stored, as sent: the server may add to a row what it
    knows itself (row 10's `paket_sirup`, None for a package typed in), never change it."""
    if isinstance(sent, dict):
        return isinstance(stored, dict) and all(
            key in stored and holds(stored[key], value) for key, value in sent.items())
    if isinstance(sent, list):
        return isinstance(stored, list) and len(stored) == len(sent) and all(
            holds(a, b) for a, b in zip(stored, sent, strict=True))
    return stored == sent


def check_exactly_once(factory, answers_by_task: dict, work: dict) -> None:
    sent = {task["id"]: answers(task["form_key"]) for tasks in work.values() for task in tasks}
    with read_only(factory) as session:
        completions = Counter(session.scalars(select(Event.task_id).where(
            Event.type == EventType.TASK_COMPLETED.value, Event.task_id.in_(sent))))
        rows = {t.id: t for t in session.scalars(
            select(HumanTask).where(HumanTask.id.in_(sent)))}
    assert max(completions.values(), default=0) <= 1, "a completion was applied twice"
    for task_id, statuses in answers_by_task.items():
        task = rows[task_id]
        if any(isinstance(s, int) and 200 <= s < 300 for s in statuses):
            assert completions[task_id] == 1, (task_id, statuses)
            assert task.state != TASK_OPEN and task.completed_at is not None
            assert holds(task.data, sent[task_id]), task_id
        else:  # never answered 2xx: kept exactly once by a lost request, or not at all
            assert completions[task_id] == (task.state != TASK_OPEN), (task_id, statuses)
        assert not any(s == 500 for s in statuses), (task_id, statuses)
    assert set(answers_by_task) == set(sent), "a client gave up before asking"
