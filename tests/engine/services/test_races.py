"""Two people acting on the same task at the same moment: exactly one wins, every round.

Real commits on separate connections (SQLite: BEGIN IMMEDIATE + busy timeout;
PostgreSQL: SELECT ... FOR UPDATE), 50 rounds each for completing and for claiming.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.db import read_only, unit_of_work
from engine.errors import ConflictError
from engine.models import Event, HumanTask
from engine.services import tasks
from tests.conftest import racing_factory
from tests.support import answers, open_tasks, start_sop, user

ROUNDS = 50


@pytest.fixture(scope="module")
def race_factory(database_url, tmp_path_factory):
    yield from racing_factory(database_url, "race", tmp_path_factory.mktemp("race"))


def _open_row1(factory, now) -> int:
    with unit_of_work(factory) as session:
        instance = start_sop(session, now)
        task_id = open_tasks(session, instance.id, "Task_01")[0].id
        session.commit()
        return task_id


def _contend(factory, action, usernames, task_id, now) -> list[str]:
    """Run `action` for each user in its own thread and transaction, started together."""
    barrier = threading.Barrier(len(usernames))
    outcomes: list[str] = []

    def attempt(username):
        barrier.wait()
        try:
            with unit_of_work(factory) as session:
                action(session, user(session, username), task_id, now)
                session.commit()
            outcomes.append("ok")
        except ConflictError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in usernames]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _complete(session, actor, task_id, now):
    tasks.complete_task(session, actor, task_id, answers("perencanaan-tujuan"), now)


def test_concurrent_completions_exactly_one_wins(race_factory, now):
    for round_no in range(ROUNDS):
        moment = now + timedelta(minutes=round_no)
        task_id = _open_row1(race_factory, moment)
        outcomes = _contend(race_factory, _complete, ["tim1", "tim2"], task_id, moment)
        assert outcomes.count("ok") == 1 and len(outcomes) == 2, outcomes
        assert set(outcomes) - {"ok"} <= {"task_already_completed", "task_already_claimed"}
        with read_only(race_factory) as session:
            row = session.get(HumanTask, task_id)
            completed = session.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.task_id == task_id, Event.type == "task_completed")
            )
            assert row.state == "completed" and completed == 1
            assert len(open_tasks(session, row.instance_id, "Task_02")) == 1


def test_concurrent_claims_exactly_one_wins(race_factory, now):
    for round_no in range(ROUNDS):
        moment = now + timedelta(minutes=round_no)
        task_id = _open_row1(race_factory, moment)
        outcomes = _contend(race_factory, tasks.claim_task, ["tim1", "tim2"], task_id, moment)
        assert outcomes.count("ok") == 1 and outcomes.count("task_already_claimed") == 1, outcomes
