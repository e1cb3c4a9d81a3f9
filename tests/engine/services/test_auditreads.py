"""Auditors' reads (engine.services.auditreads): stored as given (cut to fit), listed for
administrators only, newest first, filtered by person, run and local days, paged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import InvalidInputError, PermissionDeniedError
from engine.services import auditreads
from engine.services.auditreads import ReadFilters, ReadRecord
from tests.conftest import T0
from tests.support import start_sop, user


def read(session, who: str, at, instance=None, path="/audit/", endpoint="audit.search",
         via="page"):
    return auditreads.record_read(session, ReadRecord(
        user_id=user(session, who).id, endpoint=endpoint, path=path, via=via, at=at,
        instance_id=instance.id if instance else None,
        version_id=instance.version_id if instance else None))


def listed(session, viewer="admin", **filters):
    return auditreads.list_reads(session, user(session, viewer), ReadFilters(**filters))


@pytest.fixture()
def reads(session):
    """The auditor reads one run's page and another's API history, then the search page
    late on 5 January (UTC); an administrator's read stands in for someone else's."""
    first, second = start_sop(session, T0), start_sop(session, T0)
    rows = [
        read(session, "auditor", T0, first, f"/audit/pelaksanaan/{first.id}", "audit.history"),
        read(session, "auditor", T0 + timedelta(hours=1), second,
             f"/api/v1/instances/{second.id}/history", "api.history", "api"),
        # 23.30 UTC on 5 January is 06.30 WIB on 6 January
        read(session, "auditor", T0 + timedelta(hours=21, minutes=30)),
        read(session, "admin", T0 + timedelta(days=2), first),
    ]
    return {"first": first, "second": second, "rows": rows}


def test_a_read_is_stored_as_given_and_cut_to_fit(session):
    run = start_sop(session, T0)
    row = read(session, "auditor", T0, run, "/audit/?q=" + "x" * 500, "e" * 100, "api")
    assert (row.user_id, row.instance_id, row.version_id, row.via, row.read_at) == (
        user(session, "auditor").id, run.id, run.version_id, "api", T0)
    assert len(row.path) == 300 and row.path.startswith("/audit/?q=xxx")
    assert len(row.endpoint) == 80


def test_newest_first_with_who_and_which_run(session, reads):
    found = listed(session)
    assert found.total == 4 and (found.page, found.pages) == (1, 1)
    assert [row.read.id for row in found.rows] == [r.id for r in reversed(reads["rows"])]
    newest = found.rows[0]
    assert newest.user.username == "admin" and newest.instance.id == reads["first"].id
    assert found.rows[1].instance is None  # the search page reads no one run


def test_filters_by_person_and_run(session, reads):
    auditor = user(session, "auditor")
    assert listed(session, user_id=auditor.id).total == 3
    assert listed(session, instance_id=reads["first"].id).total == 2
    number = reads["second"].registration_no
    [only] = listed(session, registration_no=number.lower()).rows
    assert only.read.via == "api" and only.instance.registration_no == number
    with pytest.raises(InvalidInputError) as refused:
        listed(session, registration_no="AK-1999-99999")
    assert set(refused.value.details) == {"run"}


def test_days_are_local_and_include_both_ends(session, reads):
    day = T0.date()
    assert listed(session, since=day, until=day).total == 2
    next_day = day + timedelta(days=1)
    [late_evening] = listed(session, since=next_day, until=next_day).rows
    assert late_evening.read.path == "/audit/"
    assert listed(session, since=day + timedelta(days=2)).total == 1
    with pytest.raises(InvalidInputError) as refused:
        listed(session, since=next_day, until=day)
    assert set(refused.value.details) == {"until"}


def test_paged(session, reads):
    for minute in range(7):
        read(session, "auditor", T0 + timedelta(days=3, minutes=minute))
    first = listed(session, per_page=5)
    assert (first.total, first.pages, len(first.rows)) == (11, 3, 5)
    last = listed(session, per_page=5, page=3)
    assert len(last.rows) == 1 and last.rows[0].read.id == reads["rows"][0].id
    assert listed(session, per_page=5, page=40).page == 3
    with pytest.raises(InvalidInputError):
        listed(session, per_page=0)


def test_only_administrators_list_reads(session, reads):
    for viewer in ("auditor", "kepala", "tim1", "pj.dinkes", "pemilik"):
        with pytest.raises(PermissionDeniedError):
            listed(session, viewer)
        with pytest.raises(PermissionDeniedError):
            auditreads.list_auditors(session, user(session, viewer))


def test_the_auditors_are_those_whose_reads_are_recorded(session):
    found = auditreads.list_auditors(session, user(session, "admin"))
    assert [person.username for person in found] == ["auditor"]
