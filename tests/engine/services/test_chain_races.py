"""Writes that append to the same chain at the same moment, with real commits on separate
connections: each waits for the chain's lock, none fails, and every chain verifies.

- A comment (or an upload) while a completion holds the instance row: it waits for the
  completion and then appends after it, instead of losing the row's version check (409).
- Several deploys at once: the global chain's lock serializes them, so version numbers
  are distinct and the global chain does not fork.
"""

from __future__ import annotations

import io
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.db import unit_of_work
from engine.errors import InvalidDiagramError
from engine.models import DefinitionVersion, Event
from engine.services import comments, deployments, documents, history, tasks
from tests.conftest import isolated_database
from tests.support import (
    ROOT,
    SOP_BPMN,
    answers,
    make_factory,
    open_tasks,
    run_planning,
    start_sop,
    user,
)

ROUNDS = 5
HOLD_SECONDS = 0.5
DEPLOYERS = 6


@pytest.fixture(scope="module")
def chain_factory(database_url, tmp_path_factory):
    url = isolated_database(database_url, "chain_races", tmp_path_factory.mktemp("chains"))
    factory = make_factory(url)
    yield factory
    factory.kw["bind"].dispose()


def _run_together(*jobs) -> list[Exception]:
    """Run each job in its own thread; the errors they raised, if any."""
    errors: list[Exception] = []

    def run(job):
        try:
            job()
        except Exception as error:  # reported to the test, which asserts there were none
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return errors


def _write_and_hold(factory, locked: threading.Event, write) -> None:
    """Do `write`, then keep its transaction (and the row locks it took) open a while."""
    with unit_of_work(factory) as session:
        write(session)
        session.flush()
        locked.set()
        time.sleep(HOLD_SECONDS)
        session.commit()


def _write_meanwhile(factory, locked: threading.Event, write) -> None:
    """Do `write` in a transaction of its own while the other one still holds its locks."""
    assert locked.wait(timeout=30)
    with unit_of_work(factory) as session:
        write(session)
        session.commit()


def _side_by_side(factory, first, second) -> list[Exception]:
    locked = threading.Event()
    return _run_together(
        lambda: _write_and_hold(factory, locked, first),
        lambda: _write_meanwhile(factory, locked, second),
    )


def _start(factory, now) -> tuple[int, int]:
    """A committed run waiting at row 1: its id and row 1's task id."""
    with unit_of_work(factory) as session:
        instance = start_sop(session, now)
        row1 = open_tasks(session, instance.id, "Task_01")[0]
        session.commit()
        return instance.id, row1.id


def _assert_chain_whole(factory, instance_id: int, *types: str) -> None:
    with unit_of_work(factory) as session:
        events = history.list_events(session, instance_id)
        assert history.verify_chain(events) is None
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert set(types) <= {e.type for e in events}


def test_a_comment_during_a_completion_waits_and_both_succeed(chain_factory, now):
    for round_no in range(ROUNDS):
        moment = now + timedelta(minutes=round_no)
        instance_id, task_id = _start(chain_factory, moment)

        def complete(session, task_id=task_id, moment=moment):
            data = answers("perencanaan-tujuan")
            tasks.complete_task(session, user(session, "tim1"), task_id, data, moment)

        def comment(session, task_id=task_id, moment=moment):
            comments.add_comment(session, user(session, "kepala"), task_id, "Mohon cepat", moment)

        assert _side_by_side(chain_factory, complete, comment) == []
        _assert_chain_whole(chain_factory, instance_id, "task_completed", "comment_added")


def test_an_upload_during_a_completion_waits_and_both_succeed(chain_factory, now, tmp_path):
    moment = now + timedelta(days=1)
    instance_id, _ = _start(chain_factory, moment)
    with unit_of_work(chain_factory) as session:
        run_planning(session, instance_id, moment)
        row10 = {t.opd.code: t.id for t in open_tasks(session, instance_id, "Task_10")}
        session.commit()

    def complete(session):
        data = answers("pemetaan-paket")
        tasks.complete_task(session, user(session, "pj.dinkes"), row10["DINKES"], data, moment)

    def upload(session):
        documents.add_document(
            session,
            user(session, "pj.disdikbud"),
            row10["DISDIKBUD"],
            "rencana.txt",
            io.BytesIO(b"Rencana aksi"),
            moment,
            storage_dir=tmp_path,
            max_bytes=1024,
        )

    assert _side_by_side(chain_factory, complete, upload) == []
    _assert_chain_whole(chain_factory, instance_id, "task_completed", "document_added")


def _deploy_variant(factory, number: int, barrier: threading.Barrier, now) -> None:
    """Deploy the SOP with its documentation changed, so each thread brings a new version."""
    data = SOP_BPMN.read_bytes().replace(
        b"<bpmn:documentation>", f"<bpmn:documentation>Salinan {number}. ".encode(), 1
    )
    forms = deployments.load_forms_dir(ROOT / "forms")
    lanes = deployments.load_lane_roles(ROOT / "bpmn" / "lane-roles.toml")
    barrier.wait()
    with unit_of_work(factory) as session:
        deployed = deployments.deploy_diagram(
            session,
            data,
            filename=f"salinan-{number}.bpmn",
            forms=forms,
            lane_roles=lanes,
            now=now,
        )
        assert deployed.created
        session.commit()


def test_deploys_at_once_take_distinct_versions_on_one_global_chain(chain_factory, now):
    with unit_of_work(chain_factory) as session:
        before = session.scalar(select(func.count()).select_from(DefinitionVersion))
    barrier = threading.Barrier(DEPLOYERS)
    errors = _run_together(
        *((lambda n=n: _deploy_variant(chain_factory, n, barrier, now)) for n in range(DEPLOYERS))
    )
    assert errors == []
    with unit_of_work(chain_factory) as session:
        numbers = session.scalars(select(DefinitionVersion.version)).all()
        assert sorted(numbers) == list(range(1, before + DEPLOYERS + 1))
        events = history.list_global_events(session)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert history.verify_chain(events) is None
        created = [e for e in events if e.type == "deployment_created"]
        assert sorted(e.payload["version"] for e in created) == sorted(numbers)
        assert session.scalar(
            select(func.count()).select_from(Event).where(Event.instance_id.is_(None))
        ) == len(events)


def _refuse_and_hold(factory, number: int, barrier: threading.Barrier, now) -> None:
    """Log a refused upload, then keep the transaction open a moment before committing."""
    error = InvalidDiagramError("The diagram was refused: 1 problem(s)", code="invalid_diagram")
    barrier.wait()
    with unit_of_work(factory) as session:
        deployments.record_rejected_deploy(
            session, filename=f"rusak-{number}.bpmn", data=b"<x/>", error=error, now=now
        )
        session.flush()
        time.sleep(HOLD_SECONDS / DEPLOYERS)
        session.commit()


def test_refused_deploys_at_once_append_to_one_global_chain(chain_factory, now):
    with unit_of_work(chain_factory) as session:
        before = len(history.list_global_events(session))
    barrier = threading.Barrier(DEPLOYERS)
    errors = _run_together(
        *((lambda n=n: _refuse_and_hold(chain_factory, n, barrier, now)) for n in range(DEPLOYERS))
    )
    assert errors == []
    with unit_of_work(chain_factory) as session:
        events = history.list_global_events(session)
        assert [e.seq for e in events] == list(range(1, before + DEPLOYERS + 1))
        assert history.verify_chain(events) is None
