"""Server-side sessions: alive only while not ended, not past their absolute lifetime, not
idle too long, and their user active; ending all of a user's sessions revokes their tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import AuthenticationError
from engine.events import EventType
from engine.models import Event
from engine.services import sessions, users
from tests.conftest import T0
from tests.support import user


def test_a_new_session_is_alive_and_its_key_is_not_stored(session):
    person = user(session, "tim1")
    key, row = sessions.open_session(session, person, T0, client="10.0.0.7",
                                     user_agent="Mozilla/5.0 " + "x" * 400)
    assert row.key_hash == sessions.key_hash(key) and key not in row.key_hash
    assert row.expires_at == T0 + timedelta(hours=12)
    assert len(row.user_agent) == sessions.AGENT_MAX
    found, dead = sessions.check(session, key, T0 + timedelta(minutes=5))
    assert found.id == row.id and dead is None
    assert sessions.check(session, key + "x", T0) == (None, "unknown")


def test_idle_and_absolute_lifetimes_end_a_session(session):
    key, row = sessions.open_session(session, user(session, "tim1"), T0)
    assert sessions.check(session, key, T0 + timedelta(minutes=30))[1] is None
    assert sessions.check(session, key, T0 + timedelta(minutes=31))[1] == sessions.IDLE
    # seen every 20 minutes: never idle, but dead at twelve hours all the same
    for minutes in range(20, 12 * 60, 20):
        sessions.touch(session, row.id, T0 + timedelta(minutes=minutes))
        session.refresh(row)
    assert sessions.check(session, key, T0 + timedelta(hours=11, minutes=59))[1] is None
    assert sessions.check(session, key, T0 + timedelta(hours=12))[1] == sessions.EXPIRED


def test_touch_writes_at_most_once_a_minute(session):
    _, row = sessions.open_session(session, user(session, "tim1"), T0)
    sessions.touch(session, row.id, T0 + timedelta(seconds=59))
    session.refresh(row)
    assert row.last_seen_at == T0
    assert not sessions.needs_touch(row, T0 + timedelta(seconds=59))
    assert sessions.needs_touch(row, T0 + timedelta(seconds=60))
    sessions.touch(session, row.id, T0 + timedelta(seconds=61))
    session.refresh(row)
    assert row.last_seen_at == T0 + timedelta(seconds=61)


def test_an_ended_session_stays_ended_with_its_reason(session):
    key, row = sessions.open_session(session, user(session, "tim1"), T0)
    assert sessions.end(session, row.id, T0, sessions.LOGOUT) is True
    assert sessions.end(session, row.id, T0, sessions.IDLE) is False
    session.refresh(row)
    assert sessions.check(session, key, T0)[1] == sessions.LOGOUT


def test_ending_all_keeps_one_and_revokes_every_token(session):
    person, other = user(session, "tim1"), user(session, "tim2")
    keys = [sessions.open_session(session, person, T0)[0] for _ in range(3)]
    keep = sessions.find(session, keys[0])
    other_key, _ = sessions.open_session(session, other, T0)
    token, _ = users.issue_token(session, person, T0)
    other_token, _ = users.issue_token(session, other, T0)
    assert sessions.end_all(session, person.id, T0, sessions.EVERYWHERE, keep=keep.id) == (2, 1)
    session.expire_all()
    assert [sessions.check(session, key, T0)[1] for key in keys] == \
        [None, sessions.EVERYWHERE, sessions.EVERYWHERE]
    assert [row.id for row in sessions.live_sessions(session, person.id, T0)] == [keep.id]
    assert sessions.check(session, other_key, T0)[1] is None
    assert users.user_for_token(session, other_token, T0).username == "tim2"
    with pytest.raises(AuthenticationError) as refused:
        users.user_for_token(session, token, T0)
    assert refused.value.code == "invalid_token"


def test_deactivation_kills_sessions_and_is_logged(session):
    person = user(session, "tim2")
    key, _ = sessions.open_session(session, person, T0)
    users.issue_token(session, person, T0)
    assert users.deactivate_user(session, person, T0) == (1, 1)
    session.expire_all()
    assert sessions.check(session, key, T0)[1] == sessions.DEACTIVATED
    event = session.scalars(select(Event).where(Event.type == EventType.USER_DEACTIVATED)).one()
    assert event.instance_id is None
    assert event.payload == {"user_id": person.id, "username": "tim2", "sessions_ended": 1,
                             "tokens_revoked": 1}
