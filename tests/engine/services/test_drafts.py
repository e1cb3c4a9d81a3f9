"""Task drafts: kept per person and task, raw but bounded, only by who may act on the open
task, and gone once the task completes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
)
from engine.models.drafts import TaskDraft
from engine.models.tasks import TASK_CANCELLED
from engine.services import drafts, tasks
from tests.support import PLANNING, answers, open_tasks, run_rows, start_sop, user

HALF = {"tujuan_pbj": "Setengah diketik", "area_strategis": [{"kode": "AS1"}]}


@pytest.fixture()
def row1(session, now):
    return open_tasks(session, start_sop(session, now).id, "Task_01")[0]


def count(session) -> int:
    session.flush()
    return session.scalar(select(func.count()).select_from(TaskDraft))


def test_a_half_filled_draft_is_kept_and_replaced(session, now, row1):
    tim1 = user(session, "tim1")
    saved = drafts.save_draft(session, tim1, row1.id, HALF, now)
    assert (saved.data, saved.saved_at) == (HALF, now)
    later = now + timedelta(minutes=5)
    again = drafts.save_draft(session, tim1, row1.id, {"tujuan_pbj": "Lebih"}, later)
    assert again.id == saved.id and count(session) == 1
    found = drafts.load_draft(session, tim1, row1.id)
    assert (found.data, found.saved_at) == ({"tujuan_pbj": "Lebih"}, later)


def test_each_person_has_their_own_draft(session, now, row1):
    drafts.save_draft(session, user(session, "tim1"), row1.id, HALF, now)
    assert drafts.load_draft(session, user(session, "tim2"), row1.id) is None
    drafts.save_draft(session, user(session, "tim2"), row1.id, {"tujuan_pbj": "Tim 2"}, now)
    assert drafts.load_draft(session, user(session, "tim1"), row1.id).data == HALF
    assert drafts.discard_draft(session, user(session, "tim2"), row1.id) is True
    assert drafts.load_draft(session, user(session, "tim1"), row1.id).data == HALF
    assert count(session) == 1


@pytest.mark.parametrize(
    ("username", "error"),
    [("auditor", PermissionDeniedError), ("kepala", PermissionDeniedError),
     ("admin", PermissionDeniedError), ("pj.dinkes", NotFoundError)],
)
def test_only_who_may_act_saves(session, now, row1, username, error):
    with pytest.raises(error):
        drafts.save_draft(session, user(session, username), row1.id, HALF, now)
    assert count(session) == 0


def test_not_on_a_task_a_colleague_holds(session, now, row1):
    tasks.claim_task(session, user(session, "tim2"), row1.id, now)
    with pytest.raises(ConflictError) as refused:
        drafts.save_draft(session, user(session, "tim1"), row1.id, HALF, now)
    assert refused.value.code == "task_already_claimed" and count(session) == 0


def test_too_large_or_not_an_object_is_refused(session, now, row1):
    tim1 = user(session, "tim1")
    with pytest.raises(PayloadTooLargeError) as refused:
        drafts.save_draft(session, tim1, row1.id, {"tujuan_pbj": "x" * (256 * 1024)}, now)
    assert refused.value.code == "draft_too_large"
    assert refused.value.details["max_bytes"] == drafts.MAX_DRAFT_BYTES
    with pytest.raises(InvalidInputError):
        drafts.save_draft(session, tim1, row1.id, ["not", "an", "object"], now)
    assert count(session) == 0


def test_completing_the_task_discards_every_draft_and_no_more_are_saved(session, now, row1):
    tim1, tim2 = user(session, "tim1"), user(session, "tim2")
    drafts.save_draft(session, tim1, row1.id, HALF, now)
    drafts.save_draft(session, tim2, row1.id, HALF, now)
    tasks.complete_task(session, tim1, row1.id, answers("perencanaan-tujuan"), now)
    assert count(session) == 0
    with pytest.raises(ConflictError) as refused:
        drafts.save_draft(session, tim1, row1.id, HALF, now)
    assert refused.value.code == "task_not_open"
    assert drafts.load_draft(session, tim1, row1.id) is None


def test_a_draft_of_another_task_survives(session, now, row1):
    other = open_tasks(session, start_sop(session, now).id, "Task_01")[0]
    tim1 = user(session, "tim1")
    drafts.save_draft(session, tim1, other.id, HALF, now)
    run_rows(session, row1.instance_id, PLANNING[:1], now)
    assert drafts.load_draft(session, tim1, other.id).data == HALF


def test_a_task_closed_any_way_loses_its_drafts_in_the_database(session, now, row1):
    """The rule lives in a trigger (migration 0011), so a task the engine cancels, not only
    one completed through complete_task, keeps no draft; other updates leave drafts alone."""
    tim1 = user(session, "tim1")
    drafts.save_draft(session, tim1, row1.id, HALF, now)
    tasks.claim_task(session, tim1, row1.id, now)
    session.flush()
    assert count(session) == 1
    row1.state = TASK_CANCELLED
    session.flush()
    assert count(session) == 0
