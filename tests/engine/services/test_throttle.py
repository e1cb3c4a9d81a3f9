"""Sign-in throttling: failures are rows, a lock refuses even the right password, it lifts
when the oldest counted failure leaves the window, and lockouts and sign-ins are logged."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.db import RUNTIME_KEY
from engine.errors import AuthenticationError
from engine.events import EventType
from engine.models import Event, LoginAttempt
from engine.runtime import build_runtime
from engine.services import throttle
from engine.services.demo import DEMO_PASSWORD
from tests.conftest import T0

HERE, ELSEWHERE = "10.0.0.7", "10.0.0.8"


def attempt(session, username, password, at, client=HERE):
    return throttle.sign_in(session, username, password, client=client, now=at, via="page")


def events(session, kind):
    return session.scalars(select(Event).where(Event.type == kind).order_by(Event.seq)).all()


def test_thirty_wrong_then_the_right_password_is_refused(session):
    results = [attempt(session, "tim1", "wrong", T0 + timedelta(seconds=i)) for i in range(30)]
    assert [type(r.error) for r in results[:5]] == [AuthenticationError] * 5
    assert all(isinstance(r.error, throttle.TooManyAttemptsError) for r in results[5:])
    right = attempt(session, "tim1", DEMO_PASSWORD, T0 + timedelta(seconds=31))
    assert right.user is None and isinstance(right.error, throttle.TooManyAttemptsError)
    # the oldest of the five counted failures (at T0) leaves the 15-minute window at T0+15m
    assert right.error.retry_after == 15 * 60 - 31 and right.error.minutes == 15
    # refusals while locked are not failures: only the five that were checked are counted
    stored = session.scalars(select(LoginAttempt).where(LoginAttempt.username == "tim1")).all()
    assert len(stored) == 5 and not any(row.succeeded for row in stored)
    [locked] = events(session, EventType.SIGN_IN_LOCKED)
    assert locked.instance_id is None and locked.actor_id is None
    assert locked.payload == {"scope": "user", "username": "tim1", "client": HERE,
                              "failures": 5, "retry_after": 896}
    assert DEMO_PASSWORD not in str(locked.payload) and "wrong" not in str(locked.payload)


def test_the_lock_lifts_when_the_oldest_failure_leaves_the_window(session):
    for minute in range(5):
        attempt(session, "TIM1", "wrong", T0 + timedelta(minutes=minute))  # usernames: any case
    assert attempt(session, "tim1", DEMO_PASSWORD, T0 + timedelta(minutes=14)).error
    lock = throttle.current_lock(session, "tim1", HERE, T0 + timedelta(minutes=14, seconds=59))
    assert lock.scope == "user" and lock.retry_after == 1
    signed_in = attempt(session, "tim1", DEMO_PASSWORD, T0 + timedelta(minutes=15))
    assert signed_in.error is None and signed_in.user.username == "tim1"
    [event] = events(session, EventType.USER_SIGNED_IN)
    assert event.actor_id == signed_in.user.id and event.payload == {"client": HERE,
                                                                      "via": "page"}


def test_a_success_resets_the_username_count_but_not_the_address_count(session):
    for second in range(4):
        attempt(session, "tim2", "wrong", T0 + timedelta(seconds=second))
    assert attempt(session, "tim2", DEMO_PASSWORD, T0 + timedelta(seconds=5)).user
    for second in range(4):
        attempt(session, "tim2", "wrong", T0 + timedelta(seconds=10 + second))
    assert attempt(session, "tim2", DEMO_PASSWORD, T0 + timedelta(seconds=20)).user
    assert throttle.current_lock(session, "tim2", HERE, T0 + timedelta(seconds=21)) is None


def test_one_address_guessing_many_usernames_is_locked(session):
    session.info[RUNTIME_KEY] = build_runtime(login_max_failures_per_client=6)
    names = ["kepala", "tim2", "admin", "auditor", "pj.dinkes", "pj.dpupr"]
    for second, name in enumerate(names):
        assert isinstance(attempt(session, name, "wrong", T0 + timedelta(seconds=second)).error,
                          AuthenticationError)
    refused = attempt(session, "tim1", DEMO_PASSWORD, T0 + timedelta(seconds=10))
    assert isinstance(refused.error, throttle.TooManyAttemptsError)
    assert attempt(session, "tim1", DEMO_PASSWORD, T0 + timedelta(seconds=11),
                   client=ELSEWHERE).user  # the same person from another address
    [locked] = events(session, EventType.SIGN_IN_LOCKED)
    assert locked.payload["scope"] == "client" and locked.payload["failures"] == 6


def test_unknown_usernames_are_counted_too(session):
    for second in range(5):
        attempt(session, "nobody", "x", T0 + timedelta(seconds=second))
    assert throttle.current_lock(session, "nobody", ELSEWHERE, T0 + timedelta(seconds=6))


def test_old_attempts_are_forgotten_and_recent_ones_kept(session):
    old = T0 - throttle.ATTEMPTS_KEPT - timedelta(minutes=1)
    for _ in range(3):
        try:
            attempt(session, "tim1", "wrong", old)
        except AuthenticationError:
            pass
    attempt(session, "tim1", DEMO_PASSWORD, T0)
    assert throttle.prune_attempts(session, T0) == 3
    kept = session.scalars(select(LoginAttempt)).all()
    assert [(row.username, row.succeeded) for row in kept] == [("tim1", True)]
