"""Comments on tasks: readers of a task may comment; each comment is logged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.errors import InvalidInputError, NotFoundError
from engine.models import Comment, Event
from engine.services import comments, tasks
from tests.engine.services.test_diagramviews import finish_period_one
from tests.support import complete_all, open_tasks, run_planning, start_sop, user


@pytest.fixture()
def row1(session, now):
    instance = start_sop(session, now)
    return open_tasks(session, instance.id, "Task_01")[0]


def test_comment_is_listed_and_logged(session, now, row1):
    comments.add_comment(session, user(session, "kepala"), row1.id, "  Mohon lengkapi RPJM  ", now)
    comments.add_comment(session, user(session, "tim1"), row1.id, "Siap", now)
    listed = comments.list_comments(session, user(session, "tim2"), row1.id)
    assert [c.body for c in listed] == ["Mohon lengkapi RPJM", "Siap"]
    logged = session.scalars(
        select(Event)
        .where(Event.task_id == row1.id, Event.type == "comment_added")
        .order_by(Event.seq)
    ).all()
    assert [e.payload["body"] for e in logged] == ["Mohon lengkapi RPJM", "Siap"]


def test_empty_or_foreign_comments_are_refused(session, now, row1):
    count = session.scalar(select(func.count()).select_from(Comment))
    with pytest.raises(InvalidInputError) as empty:
        comments.add_comment(session, user(session, "tim1"), row1.id, "   ", now)
    assert empty.value.code == "comment_empty"
    with pytest.raises(InvalidInputError):
        comments.add_comment(session, user(session, "tim1"), row1.id, "x" * 5001, now)
    run_planning(session, row1.instance_id, now)
    row10 = next(
        t for t in open_tasks(session, row1.instance_id, "Task_10") if t.opd.code == "DINKES"
    )
    with pytest.raises(NotFoundError):
        comments.add_comment(session, user(session, "pj.dpupr"), row10.id, "Halo", now)
    assert session.scalar(select(func.count()).select_from(Comment)) == count


def test_a_runs_comments_come_by_task_and_only_those_the_reader_may_see(session, now, row1):
    run_planning(session, row1.instance_id, now)
    row10 = {t.opd.code: t for t in open_tasks(session, row1.instance_id, "Task_10")}
    comments.add_comment(session, user(session, "tim1"), row1.id, "Tujuan sudah jelas", now)
    comments.add_comment(session, user(session, "pj.dinkes"), row10["DINKES"].id, "Dinkes", now)
    comments.add_comment(session, user(session, "pj.dpupr"), row10["DPUPR"].id, "Dpupr", now)
    for reader, expected in (("tim2", {row1.id: ["Tujuan sudah jelas"],
                                       row10["DINKES"].id: ["Dinkes"],
                                       row10["DPUPR"].id: ["Dpupr"]}),
                             ("pj.dinkes", {row1.id: ["Tujuan sudah jelas"],
                                            row10["DINKES"].id: ["Dinkes"]})):
        found = comments.list_run_comments(session, user(session, reader), row1.instance_id)
        assert {task_id: [c.body for c in listed] for task_id, listed in found.items()} \
            == expected


def test_a_period_reads_the_planning_and_its_own_tasks_only(session, now, row1):
    """A task page of period 2 gathers the evidence of planning (period 0) and period 2,
    not of period 1: its cost does not grow with the periods behind it."""
    instance = row1.instance
    run_planning(session, instance.id, now)
    complete_all(session, instance.id, "Task_10", now)
    first = {t.opd.code: t for t in open_tasks(session, instance.id, "Task_11")}
    comments.add_comment(session, user(session, "tim1"), row1.id, "Rencana", now)
    comments.add_comment(session, user(session, "pj.dinkes"), first["DINKES"].id, "P1", now)
    later = finish_period_one(session, instance, now)
    second = {t.opd.code: t for t in open_tasks(session, instance.id, "Task_11")}
    comments.add_comment(session, user(session, "pj.dinkes"), second["DINKES"].id, "P2", later)
    reader = user(session, "pj.dinkes")
    periods = {0, second["DINKES"].period_no}
    shown = comments.list_run_comments(session, reader, instance.id, periods)
    assert sorted(c.body for listed in shown.values() for c in listed) == ["P2", "Rencana"]
    listed = tasks.list_instance_tasks(session, reader, instance.id, periods)
    assert first["DINKES"].id not in {t.id for t in listed}
    assert {t.period_no for t in listed} == periods


def test_a_comment_on_the_run_itself_is_logged_and_read_by_every_reader(session, now, row1):
    from engine.errors import PermissionDeniedError

    run_planning(session, row1.instance_id, now)
    row10 = {t.opd.code: t for t in open_tasks(session, row1.instance_id, "Task_10")}
    comments.add_comment(session, user(session, "pj.dpupr"), row10["DPUPR"].id, "Dpupr", now)
    added = comments.add_run_comment(session, user(session, "pj.dinkes"), row1.instance_id,
                                     "  Untuk semua  ", now)
    assert added.task_id is None and added.body == "Untuk semua"
    logged = session.scalars(select(Event).where(
        Event.instance_id == row1.instance_id, Event.type == "comment_added",
        Event.task_id.is_(None))).one()
    assert logged.payload == {"comment_id": added.id, "body": "Untuk semua"}
    seen = comments.list_instance_comments(session, user(session, "pj.dinkes"), row1.instance_id)
    assert [(c.comment.body, c.task) for c in seen] == [("Untuk semua", None)]
    everything = comments.list_instance_comments(session, user(session, "kepala"),
                                                 row1.instance_id)
    assert [(c.comment.body, c.task.id if c.task else None) for c in everything] \
        == [("Dpupr", row10["DPUPR"].id), ("Untuk semua", None)]
    count = session.scalar(select(func.count()).select_from(Comment))
    with pytest.raises(PermissionDeniedError):
        comments.add_run_comment(session, user(session, "auditor"), row1.instance_id, "x", now)
    with pytest.raises(InvalidInputError):
        comments.add_run_comment(session, user(session, "tim1"), row1.instance_id, " ", now)
    assert session.scalar(select(func.count()).select_from(Comment)) == count


def test_a_run_the_reader_cannot_see_takes_no_comment(session, now, row1):
    with pytest.raises(NotFoundError):  # no OPD of theirs has a task in it yet
        comments.add_run_comment(session, user(session, "pj.dinkes"), row1.instance_id, "x", now)
