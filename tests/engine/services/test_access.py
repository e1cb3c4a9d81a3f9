"""The one rule of who may see and do what (engine.services.access), at the service level."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.errors import NotFoundError, PermissionDeniedError
from engine.models import Comment, Document, Event, HumanTask, User
from engine.models.users import UserRole
from engine.services import (
    access,
    comments,
    documents,
    history,
    instances,
    tasks,
    timers,
)
from tests.support import (
    PJ_FOR_OPD,
    PLANNING,
    SOP_KEY,
    answers,
    complete_all,
    open_tasks,
    run_rows,
    start_sop,
    user,
)


def _counts(session) -> tuple:
    session.flush()
    return tuple(session.scalar(select(func.count()).select_from(m))
                 for m in (Event, Comment, Document, HumanTask))


@pytest.fixture()
def row10(session, now):
    """A run at row 10: one open task per invited OPD."""
    instance = start_sop(session, now)
    run_rows(session, instance.id, PLANNING, now)
    return instance


def _task_of(session, instance_id: int, element_id: str, code: str) -> HumanTask:
    return next(t for t in open_tasks(session, instance_id, element_id) if t.opd.code == code)


def test_an_auditor_is_read_only_and_the_others_are_not(session):
    with pytest.raises(PermissionDeniedError) as refused:
        access.ensure_can_write(user(session, "auditor"))
    assert refused.value.code == "read_only_role" and refused.value.status == 403
    for username in ("tim1", "kepala", "admin", "pj.dinkes"):
        access.ensure_can_write(user(session, username))


def test_an_auditor_writes_nothing_through_any_service(session, now, tmp_path):
    auditor = user(session, "auditor")
    instance = start_sop(session, now)
    row1 = open_tasks(session, instance.id, "Task_01")[0]
    before = _counts(session)
    attempts = [
        lambda: instances.start_instance(session, auditor, SOP_KEY,
                                         answers("mulai-pelaksanaan"), now),
        lambda: tasks.claim_task(session, auditor, row1.id, now),
        lambda: tasks.unclaim_task(session, auditor, row1.id, now),
        lambda: tasks.complete_task(session, auditor, row1.id,
                                    answers("perencanaan-tujuan"), now),
        lambda: comments.add_comment(session, auditor, row1.id, "tidak boleh", now),
        lambda: documents.add_document(session, auditor, row1.id, "a.txt", io.BytesIO(b"x\n"),
                                       now, storage_dir=tmp_path, max_bytes=1024),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDeniedError) as refused:
            attempt()
        assert refused.value.code == "read_only_role"
    assert _counts(session) == before and list(tmp_path.iterdir()) == []


def test_a_second_role_does_not_lift_read_only(session, now):
    both = User(username="tim.audit", full_name="Tim dan Auditor", password_hash="-",
                role_rows=[UserRole(role="tim_kelembagaan"), UserRole(role="auditor")])
    session.add(both)
    session.flush()
    row1 = open_tasks(session, start_sop(session, now).id, "Task_01")[0]
    assert access.can_view_task(both, row1) and not access.can_act(both, row1)
    with pytest.raises(PermissionDeniedError):
        tasks.claim_task(session, both, row1.id, now)


def test_a_pj_finds_no_other_opds_task_to_write_on(session, now, row10):
    theirs = _task_of(session, row10.id, "Task_10", "DISDIKBUD")
    dinkes = user(session, PJ_FOR_OPD["DINKES"])
    for attempt in (
        lambda: comments.add_comment(session, dinkes, theirs.id, "bukan milik saya", now),
        lambda: tasks.claim_task(session, dinkes, theirs.id, now),
        lambda: tasks.complete_task(session, dinkes, theirs.id, answers("pemetaan-paket"), now),
    ):
        with pytest.raises(NotFoundError):
            attempt()


def test_documents_of_an_opds_task_stay_with_it_and_the_overseers(session, now, row10, tmp_path):
    theirs = _task_of(session, row10.id, "Task_10", "DISDIKBUD")
    owner = user(session, PJ_FOR_OPD["DISDIKBUD"])
    document = documents.add_document(session, owner, theirs.id, "bukti.txt",
                                      io.BytesIO(b"isi\n"), now, storage_dir=tmp_path,
                                      max_bytes=1024)
    session.flush()
    assert access.can_see_document(session, owner, document)
    for username in ("tim1", "kepala", "admin", "auditor"):
        assert access.can_see_document(session, user(session, username), document)
    for username in ("pj.dinkes", "pj.dishub"):
        assert not access.can_see_document(session, user(session, username), document)
        assert documents.list_documents(session, user(session, "pj.dinkes"), row10.id) == []


def test_instances_are_listed_as_they_may_be_opened(session, now, row10):
    other = start_sop(session, now)  # still at row 1: no OPD takes part yet
    for username in ("pj.dinkes", "pj.dishub", "tim1", "auditor"):
        viewer = user(session, username)
        listed, _ = instances.list_instances(session, viewer, per_page=100)
        ids = {row.id for row in listed}
        for instance in (row10, other):
            assert (instance.id in ids) == access.can_view_instance(session, viewer, instance.id)
    listed, _ = instances.list_instances(session, user(session, "pj.dinkes"), per_page=100)
    assert [row.id for row in listed] == [row10.id]


def test_events_are_filtered_per_opd_timers_included(session, now, row10):
    complete_all(session, row10.id, "Task_10", now)
    complete_all(session, row10.id, "Task_11", now)
    assert timers.fire_instance_timers(session, row10.id, now + timedelta(days=40)) == 3
    session.flush()
    events = history.list_events(session, row10.id)
    dinkes = user(session, PJ_FOR_OPD["DINKES"])
    shown = access.visible_events(session, dinkes, row10, events)
    assert access.visible_events(session, user(session, "auditor"), row10, events) == events
    opd_of_task = {e.task_id: e.payload["opd"] for e in events if e.type == "task_created"}
    assert {opd_of_task[e.task_id] for e in shown if e.task_id} == {None, "DINKES"}
    fired = [e for e in events if e.type == "timer_fired"]
    assert len(fired) == 3
    assert [e.payload["opd"] for e in shown if e.type == "timer_fired"] == ["DINKES"]
    assert [e for e in shown if e.task_id is None and e.type != "timer_fired"] == [
        e for e in events if e.task_id is None and e.type != "timer_fired"]
    outsider = access.visible_events(session, user(session, "pj.dishub"), row10, events)
    assert all(e.task_id is None or opd_of_task[e.task_id] is None for e in outsider)


def test_row_13s_computed_view_is_for_overseers(session, now, row10):
    for element_id in ("Task_10", "Task_11"):
        complete_all(session, row10.id, element_id, now)
    later = now + timedelta(days=40)
    timers.fire_instance_timers(session, row10.id, later)
    complete_all(session, row10.id, "Task_12", later)
    [row13] = open_tasks(session, row10.id, "Task_13")
    assert row13.context["capaian"]
    seen = access.visible_context(session, user(session, "pj.dinkes"), row13)
    assert "capaian" not in seen and seen == {k: v for k, v in row13.context.items()
                                              if k != "capaian"}
    assert access.visible_context(session, user(session, "kepala"), row13) == row13.context
    # an OPD's own task keeps its context whole, its OPD included
    own = session.scalars(select(HumanTask).where(
        HumanTask.instance_id == row10.id, HumanTask.element_id == "Task_12")).first()
    viewer = user(session, PJ_FOR_OPD[own.opd.code])
    assert access.visible_context(session, viewer, own) == own.context
    assert own.context["opd"] == own.opd.code
