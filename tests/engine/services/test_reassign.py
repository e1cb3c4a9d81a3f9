"""Disposisi: the Kepala UKPBJ hands an open task to an eligible person, with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from engine.models import Event, HumanTask
from engine.services import reassign, tasks
from engine.services.users import create_user
from tests.support import complete_all, open_tasks, run_planning, start_sop, user


@pytest.fixture()
def row1(session, now):
    instance = start_sop(session, now)
    return open_tasks(session, instance.id, "Task_01")[0]


def _events(session, task_id: int) -> list[Event]:
    return list(session.scalars(select(Event).where(
        Event.task_id == task_id, Event.type == "task_reassigned").order_by(Event.seq)))


def _state(session, task: HumanTask) -> tuple:
    session.flush()
    session.refresh(task)
    count = session.scalar(select(func.count()).select_from(Event))
    return task.claimed_by_id, task.claimed_at, count, task.instance.event_count


def test_the_kepala_hands_a_claimed_task_to_a_colleague(session, now, row1):
    tasks.claim_task(session, user(session, "tim1"), row1.id, now)
    done = reassign.reassign_task(session, user(session, "kepala"), row1.id, "tim2",
                                  "  Tim 1 sedang cuti  ", now)
    assert done.claimed_by.username == "tim2" and done.claimed_at == now
    [event] = _events(session, row1.id)
    assert event.actor_id == user(session, "kepala").id
    assert event.payload == {"to_user_id": user(session, "tim2").id, "to_username": "tim2",
                             "from_username": "tim1", "reason": "Tim 1 sedang cuti"}
    # the new assignee now holds it: it is in their "mine" list, and they may complete it
    mine, _ = tasks.list_tasks(session, user(session, "tim2"), tasks.TaskFilters(scope="mine"))
    assert [t.id for t in mine] == [row1.id]


def test_an_unclaimed_task_is_logged_as_coming_from_nobody(session, now, row1):
    reassign.reassign_task(session, user(session, "admin"), row1.id, "tim1", "Tolong", now)
    [event] = _events(session, row1.id)
    assert event.payload["from_username"] is None


def test_the_eligible_people_are_the_lane_and_opd_less_the_holder(session, now, row1):
    kepala = user(session, "kepala")
    assert [p.username for p in reassign.list_eligible(session, kepala, row1.id)] \
        == ["tim2", "tim1"]  # by full name: Fajar, Rina
    tasks.claim_task(session, user(session, "tim1"), row1.id, now)
    assert [p.username for p in reassign.list_eligible(session, kepala, row1.id)] == ["tim2"]
    run_planning(session, row1.instance_id, now)
    dinkes = next(t for t in open_tasks(session, row1.instance_id, "Task_10")
                  if t.opd.code == "DINKES")
    assert [p.username for p in reassign.list_eligible(session, kepala, dinkes.id)] \
        == ["pj.dinkes"]


@pytest.mark.parametrize(("target", "code"), [
    ("pj.dinkes", "assignee_wrong_role"),
    ("auditor", "assignee_wrong_role"),
    ("nobody", "assignee_unknown"),
    ("", "assignee_unknown"),
    ("tim1", "assignee_already_holds"),
])
def test_ineligible_people_are_refused_and_nothing_changes(session, now, row1, target, code):
    tasks.claim_task(session, user(session, "tim1"), row1.id, now)
    before = _state(session, row1)
    with pytest.raises(InvalidInputError) as refused:
        reassign.reassign_task(session, user(session, "kepala"), row1.id, target, "Alasan", now)
    assert refused.value.code == code
    assert _state(session, row1) == before


def test_an_inactive_person_or_another_opd_is_refused(session, now, row1):
    retired = create_user(session, "tim3", "Tim Tiga", "rahasia-panjang-1", ["tim_kelembagaan"])
    retired.is_active = False
    session.flush()
    before = _state(session, row1)
    with pytest.raises(InvalidInputError) as inactive:
        reassign.reassign_task(session, user(session, "kepala"), row1.id, "tim3", "x", now)
    assert inactive.value.code == "assignee_inactive"
    assert _state(session, row1) == before
    assert "tim3" not in {p.username for p in reassign.list_eligible(
        session, user(session, "kepala"), row1.id)}
    run_planning(session, row1.instance_id, now)
    dinkes = next(t for t in open_tasks(session, row1.instance_id, "Task_10")
                  if t.opd.code == "DINKES")
    with pytest.raises(InvalidInputError) as wrong_opd:
        reassign.reassign_task(session, user(session, "kepala"), dinkes.id, "pj.dpupr", "x", now)
    assert wrong_opd.value.code == "assignee_wrong_opd"
    assert not _events(session, row1.id) and not _events(session, dinkes.id)


@pytest.mark.parametrize(("reason", "code"), [
    ("   ", "reassign_reason_required"),
    ("x" * 501, "reassign_reason_too_long"),
])
def test_a_reason_is_required_and_bounded(session, now, row1, reason, code):
    before = _state(session, row1)
    with pytest.raises(InvalidInputError) as refused:
        reassign.reassign_task(session, user(session, "kepala"), row1.id, "tim2", reason, now)
    assert refused.value.code == code
    assert _state(session, row1) == before


@pytest.mark.parametrize(("who", "error", "code"), [
    ("tim1", PermissionDeniedError, "reassign_not_allowed"),
    ("auditor", PermissionDeniedError, "read_only_role"),
    ("pj.dinkes", NotFoundError, "task_not_found"),
])
def test_only_the_kepala_and_administrators_may_reassign(session, now, row1, who, error, code):
    before = _state(session, row1)
    with pytest.raises(error) as refused:
        reassign.reassign_task(session, user(session, who), row1.id, "tim2", "Alasan", now)
    assert refused.value.code == code
    assert _state(session, row1) == before


def test_a_completed_task_cannot_be_reassigned(session, now, row1):
    complete_all(session, row1.instance_id, "Task_01", now)
    with pytest.raises(ConflictError) as refused:
        reassign.reassign_task(session, user(session, "kepala"), row1.id, "tim2", "x", now)
    assert refused.value.code == "task_already_completed"
