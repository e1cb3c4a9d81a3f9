"""What the tests share about the SOP: its diagram and forms, a valid answer to every form,
the demo user who acts in each lane (and for each OPD), and driving a run step by step
through the services.

The web and API tests drive runs their own ways on top of this (tests/webapp/inbox_support.py,
tests/webapp/api_support.py); what they share with everyone else lives here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import make_engine, make_session_factory, unit_of_work
from engine.models import HumanTask, User
from engine.models.tasks import TASK_OPEN
from engine.runtime import Runtime, build_runtime
from engine.services import deployments
from engine.services import tasks as task_service

ROOT = Path(__file__).resolve().parent.parent
SOP_BPMN = ROOT / "bpmn" / "sop-pengelolaan-kinerja.bpmn"
SOP_FORMS = ROOT / "forms"
SOP_LANE_ROLES = ROOT / "bpmn" / "lane-roles.toml"
SOP_KEY = "sop_pengelolaan_kinerja"

# Rows 1-9 in order: planning (1-5), approval (6), circular (7), invitation (8), socialisation (9).
PLANNING = tuple(f"Task_{row:02d}" for row in range(1, 10))

# The sample answers to every form of the SOP, one valid submission each: a data file beside
# the forms, which the benchmarks read too (they complete the same forms, without tests/).
SOP_ANSWERS = ROOT / "forms" / "samples" / "sop-answers.json"
ANSWERS: dict[str, dict] = json.loads(SOP_ANSWERS.read_text(encoding="utf-8"))

# Who acts in each lane: the demo users of engine/services/demo.py.
USER_FOR_ROLE = {"tim_kelembagaan": "tim1", "kepala_ukpbj": "kepala"}
PJ_FOR_OPD = {
    "DISDIKBUD": "pj.disdikbud",
    "DINKES": "pj.dinkes",
    "DPUPR": "pj.dpupr",
    "DISHUB": "pj.dishub",
}


def make_factory(url: str, runtime: Runtime | None = None, **engine_options) -> sessionmaker:
    """Sessions on `url` for tests that commit for real, as one process of the app opens
    them: an engine of its own and a runtime of its own (a fresh one unless given)."""
    engine = make_engine(url, **engine_options)
    return make_session_factory(engine, runtime=runtime or build_runtime())


def sop_forms() -> dict[str, dict]:
    """The shipped form schemas, read afresh: a test may alter its copy and deploy that."""
    return deployments.load_forms_dir(SOP_FORMS)


def deploy_sop(session: Session, now: datetime, *, forms: dict[str, dict] | None = None):
    """Deploy the shipped diagram (with the shipped forms unless others are given); returns
    the version, a new one only when the diagram or its forms differ from every other."""
    return deployments.deploy_diagram(
        session,
        SOP_BPMN.read_bytes(),
        filename=SOP_BPMN.name,
        forms=sop_forms() if forms is None else forms,
        lane_roles=deployments.load_lane_roles(SOP_LANE_ROLES),
        now=now,
    ).version


def start_sop(session: Session, now: datetime, *, username: str = "tim1", **overrides):
    """A new run of the shipped SOP, started by `username` with the sample start answers."""
    from engine.services import instances

    data = answers("mulai-pelaksanaan", **overrides)
    return instances.start_instance(session, user(session, username), SOP_KEY, data, now)


def start_committed(factory: sessionmaker, now: datetime, rows: Iterable[str] = ()) -> int:
    """A new run, committed, then each of `rows` done in a committed transaction of its own
    (run_rows_committed): for tests that serve pages or start processes. Returns its id."""
    from engine.db import unit_of_work

    with unit_of_work(factory) as session:
        instance_id = start_sop(session, now).id
        session.commit()
    run_rows_committed(factory, instance_id, rows, now)
    return instance_id


def start_waiting_on_period_timer(factory: sessionmaker, now: datetime) -> int:
    """A new run, committed, with rows 1-11 done by every OPD: it waits for the period's
    end (row 12's timer; the sample period ends in January 2026). Returns its id."""
    from engine.db import unit_of_work

    with unit_of_work(factory) as session:
        instance = start_sop(session, now)
        run_planning(session, instance.id, now)
        complete_all(session, instance.id, "Task_10", now)
        complete_all(session, instance.id, "Task_11", now)
        session.commit()
        return instance.id


def answers(form_key: str, **overrides) -> dict:
    """The sample answer to `form_key` (a copy: callers may change it), with `overrides`."""
    data = copy.deepcopy(ANSWERS[form_key])
    data.update(overrides)
    return data


def user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def actor_for(session: Session, task: HumanTask) -> User:
    """The demo user who may act on `task`: its OPD's PJ Kinerja, else its lane's person."""
    if task.role == "pj_kinerja":
        return user(session, PJ_FOR_OPD[task.opd.code])
    return user(session, USER_FOR_ROLE[task.role])


def open_tasks(
    session: Session, instance_id: int, element_id: str | None = None
) -> list[HumanTask]:
    query = select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.state == TASK_OPEN
    )
    if element_id:
        query = query.where(HumanTask.element_id == element_id)
    return list(session.scalars(query.order_by(HumanTask.id)))


def complete_all(
    session: Session, instance_id: int, element_id: str, now: datetime, **overrides
) -> list[HumanTask]:
    """Complete every open task of `element_id` with the sample answers, as its own people."""
    done = []
    pending = open_tasks(session, instance_id, element_id)
    assert pending, f"no open task {element_id}"
    for task in pending:
        actor = actor_for(session, task)
        done.append(
            task_service.complete_task(
                session, actor, task.id, answers(task.form_key, **overrides), now
            )
        )
    return done


def run_rows(
    session: Session, instance_id: int, element_ids: Iterable[str], now: datetime, **overrides
) -> None:
    """Every task of each row in turn, in the caller's session (nothing is committed)."""
    for element_id in element_ids:
        complete_all(session, instance_id, element_id, now, **overrides)


def run_rows_committed(
    factory: sessionmaker,
    instance_id: int,
    element_ids: Iterable[str],
    now: datetime,
    **overrides,
) -> None:
    """Every task of each row in turn, one committed transaction per row: the database as
    the pages or the API would leave it, for tests whose subject comes after these rows."""
    for element_id in element_ids:
        with unit_of_work(factory) as session:
            complete_all(session, instance_id, element_id, now, **overrides)
            session.commit()


def run_planning(session: Session, instance_id: int, now: datetime) -> None:
    """Rows 1-9 approved on the first pass, up to the OPDs' row 10."""
    run_rows(session, instance_id, PLANNING, now)


def assert_replays(session_or_factory: Session | sessionmaker, instance_id: int) -> None:
    """The run, rebuilt in memory from its version and the data its events carry, makes
    its log again (engine.services.replaycheck); fails naming the first event where the
    log and the engine part. Given a factory, it reads in a read-only transaction; given
    a session, it reads in the caller's (uncommitted steps included) and writes nothing."""
    from engine.db import read_only
    from engine.services import replaycheck

    if isinstance(session_or_factory, Session):
        result = replaycheck.check_instance(session_or_factory, instance_id)
    else:
        with read_only(session_or_factory) as session:
            result = replaycheck.check_instance(session, instance_id)
    assert result.ok, f"instance {instance_id} does not replay: {result.message}"
