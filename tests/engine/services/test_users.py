"""Accounts from the shell: checked roles, OPD and password, a free username; a new password
or a deactivation cuts off every session and token; each is an audit event, never with the
password in it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import ConflictError, InvalidInputError, NotFoundError
from engine.events import EventType
from engine.models import Event
from engine.services import sessions, users
from tests.conftest import T0
from tests.support import user

GOOD_PASSWORD = "kata-sandi-panjang"


@pytest.mark.parametrize(("kwargs", "error", "code"), [
    ({"roles": ["boss"]}, InvalidInputError, "unknown_role"),
    ({"roles": []}, InvalidInputError, "unknown_role"),
    ({"roles": ["pj_kinerja"]}, InvalidInputError, "opd_required"),
    ({"roles": ["pj_kinerja"], "opd_code": "NOPE"}, NotFoundError, "opd_not_found"),
    ({"password": "pendek123"}, InvalidInputError, "password_too_short"),
    ({"username": "tim1"}, ConflictError, "username_taken"),
    ({"username": "TIM1"}, ConflictError, "username_taken"),
    ({"username": "dua kata"}, InvalidInputError, "invalid_username"),
])
def test_add_user_refuses_with_a_specific_code(session, kwargs, error, code):
    args = {"username": "baru", "full_name": "Pegawai Baru", "password": GOOD_PASSWORD,
            "roles": ["tim_kelembagaan"], **kwargs}
    with pytest.raises(error) as refused:
        users.add_user(session, args.pop("username"), args.pop("full_name"),
                       args.pop("password"), args.pop("roles"), T0, **args)
    assert refused.value.code == code
    assert users.find_user_by_username(session, "baru") is None


def test_add_user_with_an_opd_is_logged_without_the_password(session):
    person = users.add_user(session, "pj.baru", "PJ Baru", GOOD_PASSWORD,
                            ["pj_kinerja", "pj_kinerja"], T0, opd_code="dinkes", nip="1980")
    assert person.roles == {"pj_kinerja"} and person.opd.code == "DINKES" and person.nip == "1980"
    assert users.authenticate(session, "pj.baru", GOOD_PASSWORD).id == person.id
    event = session.scalars(select(Event).where(Event.type == EventType.USER_CREATED)).one()
    assert event.payload == {"user_id": person.id, "username": "pj.baru",
                             "roles": ["pj_kinerja"], "opd": "DINKES"}
    assert GOOD_PASSWORD not in str(event.payload)


def test_changing_ones_password_keeps_this_session_only(session):
    person = user(session, "tim1")
    here, here_row = sessions.open_session(session, person, T0)
    there, _ = sessions.open_session(session, person, T0)
    users.issue_token(session, person, T0)
    with pytest.raises(InvalidInputError) as wrong:
        users.change_own_password(session, person, "salah", GOOD_PASSWORD, T0,
                                  keep_session=here_row.id)
    assert wrong.value.code == "wrong_password"
    assert users.change_own_password(session, person, "demo12345", GOOD_PASSWORD, T0,
                                     keep_session=here_row.id) == (1, 1)
    session.expire_all()
    assert sessions.check(session, here, T0)[1] is None
    assert sessions.check(session, there, T0)[1] == sessions.PASSWORD
    event = session.scalars(select(Event).where(Event.type == EventType.PASSWORD_CHANGED)).one()
    assert event.actor_id == person.id and event.payload["by"] == "self"


def test_the_new_password_must_differ_and_be_long_enough(session):
    person = user(session, "tim2")
    with pytest.raises(InvalidInputError) as short:
        users.change_own_password(session, person, "demo12345", "pendek", T0, keep_session=None)
    assert short.value.code == "password_too_short"
    with pytest.raises(InvalidInputError) as same:
        users.change_own_password(session, person, "demo12345", "demo12345", T0,
                                  keep_session=None)
    assert same.value.code == "password_unchanged"


def test_opds_are_added_once_by_code(session):
    opd = users.add_opd(session, " arsip-x ", "Dinas Kearsipan")
    assert opd.code == "ARSIP-X"
    with pytest.raises(ConflictError):
        users.add_opd(session, "Arsip-X", "Lagi")
    assert "ARSIP-X" in [row.code for row in users.list_opds(session)]
