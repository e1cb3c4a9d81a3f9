"""Administrators manage people: checked fields, one audit event per change, never a
password in a payload, no locking oneself out, and nobody else may do any of it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import ConflictError, InvalidInputError, PermissionDeniedError
from engine.events import EventType
from engine.models import Event, Opd, User
from engine.services import adminusers, lanedefaults, opds, users
from engine.services.adminusers import UserFilters, UserInput
from tests.conftest import T0
from tests.support import user

PASSWORD = "rahasia-baru-123"


def events(session, type_):
    return list(session.scalars(select(Event).where(Event.type == type_).order_by(Event.id)))


def new_input(session, **changes) -> UserInput:
    dinkes = session.scalars(select(Opd).where(Opd.code == "DINKES")).one()
    data = UserInput(username="pj.baru", full_name="PJ Baru", nip="19850315 201001 1 002",
                     email="pj@contoh.go.id", roles=["pj_kinerja"], opd_id=str(dinkes.id),
                     password=PASSWORD)
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def test_adding_a_person_checks_every_field_and_logs_it(session):
    admin = user(session, "admin")
    person = adminusers.create_user(session, admin, new_input(session), T0)
    assert (person.nip, person.email, person.opd.code) == ("198503152010011002",
                                                           "pj@contoh.go.id", "DINKES")
    created = events(session, EventType.USER_CREATED)[-1]
    assert created.actor_id == admin.id and PASSWORD not in str(created.payload)


def test_bad_fields_are_all_named_and_nothing_is_written(session):
    admin = user(session, "admin")
    count = session.query(User).count()
    bad = new_input(session, username="tim1", nip="123", email="nope", opd_id="",
                    password="short", roles=["pj_kinerja", "raja"])
    with pytest.raises(InvalidInputError) as caught:
        adminusers.create_user(session, admin, bad, T0)
    assert set(caught.value.details) == {"username", "nip", "email", "password", "roles", "opd"}
    with pytest.raises(InvalidInputError) as caught:
        adminusers.create_user(session, admin, new_input(session, opd_id=""), T0)
    assert set(caught.value.details) == {"opd"}
    assert session.query(User).count() == count


def test_an_edit_logs_before_and_after(session):
    admin, tim2 = user(session, "admin"), user(session, "tim2")
    changes = adminusers.update_user(session, admin, tim2.id, UserInput(
        full_name="Fajar R.", nip=tim2.nip, email="fajar@contoh.go.id",
        roles=["tim_kelembagaan", "pemilik_proses"]), T0)
    assert changes["roles"] == [["tim_kelembagaan"], ["pemilik_proses", "tim_kelembagaan"]]
    assert changes["email"] == [None, "fajar@contoh.go.id"]
    event = events(session, EventType.USER_UPDATED)[-1]
    assert event.payload["changes"]["full_name"][1] == "Fajar R."


def test_an_admin_cannot_lock_themselves_out(session):
    admin = user(session, "admin")
    with pytest.raises(ConflictError):
        adminusers.deactivate(session, admin, admin.id, T0)
    with pytest.raises(InvalidInputError) as caught:
        adminusers.update_user(session, admin, admin.id, UserInput(
            full_name=admin.full_name, roles=["auditor"]), T0)
    assert "roles" in caught.value.details and admin.is_active and "admin" in admin.roles


def test_deactivate_reactivate_and_reset_password(session):
    admin, tim2 = user(session, "admin"), user(session, "tim2")
    adminusers.deactivate(session, admin, tim2.id, T0)
    assert not tim2.is_active
    adminusers.reactivate(session, admin, tim2.id, T0)
    assert tim2.is_active and events(session, EventType.USER_REACTIVATED)
    with pytest.raises(InvalidInputError):
        adminusers.reset_password(session, admin, tim2.id, "short", T0)
    adminusers.reset_password(session, admin, tim2.id, PASSWORD, T0)
    assert users.authenticate(session, "tim2", PASSWORD) is tim2
    assert events(session, EventType.PASSWORD_RESET)[-1].payload == {
        "user_id": tim2.id, "username": "tim2"}


def test_the_list_searches_name_username_and_nip(session):
    admin = user(session, "admin")
    found = adminusers.list_user_page(session, admin, UserFilters(query="19850315 2010"))
    assert [p.username for p in found.rows] == ["tim1"]
    found = adminusers.list_user_page(session, admin, UserFilters(role="pj_kinerja"))
    assert found.total == 4


@pytest.mark.parametrize("name", ["tim1", "kepala", "auditor", "pj.dinkes", "pemilik"])
def test_nobody_else_may(session, name):
    other = user(session, name)
    for call in (lambda: adminusers.list_roles(session, other),
                 lambda: adminusers.create_user(session, other, new_input(session), T0),
                 lambda: opds.create_opd(session, other, "X", "X", T0),
                 lambda: lanedefaults.list_lane_rows(session, other)):
        with pytest.raises(PermissionDeniedError):
            call()


def test_opds_and_lane_defaults_are_logged(session):
    admin = user(session, "admin")
    opd = opds.create_opd(session, admin, "arsip", "Dinas Kearsipan", T0)
    opds.rename_opd(session, admin, opd.id, "Dinas Perpustakaan dan Kearsipan", T0)
    opds.set_opd_active(session, admin, opd.id, False, T0)
    assert [e.payload["changes"] for e in events(session, EventType.OPD_UPDATED)] == [
        {"name": ["Dinas Kearsipan", "Dinas Perpustakaan dan Kearsipan"]},
        {"is_active": [True, False]}]
    assert lanedefaults.overlay(session, {"A": "pj_kinerja"}) == {"A": "pj_kinerja"}
    lanedefaults.save_lane_defaults(session, admin, {"Kepala UKPBJ": "admin"}, T0)
    assert events(session, EventType.LANE_ROLES_CHANGED)[-1].payload == {
        "changes": {"Kepala UKPBJ": [None, "admin"]}}
    assert lanedefaults.overlay(session, {"Kepala UKPBJ": "kepala_ukpbj"}) == {
        "Kepala UKPBJ": "admin"}
    with pytest.raises(InvalidInputError):
        lanedefaults.save_lane_defaults(session, admin, {"Kepala UKPBJ": "raja"}, T0)
