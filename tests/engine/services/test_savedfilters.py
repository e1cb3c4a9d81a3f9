"""Saved inbox filters: own ones by name with counts, shared ones read-only, checked fields."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from engine.models import SavedFilter
from engine.services import savedfilters
from tests.support import open_tasks, run_planning, start_sop, user


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(SavedFilter))


def test_a_saved_filter_counts_the_readers_own_tasks(session, now):
    instance = start_sop(session, now)
    run_planning(session, instance.id, now)
    assert open_tasks(session, instance.id, "Task_10")
    pj = user(session, "pj.dinkes")
    saved = savedfilters.create_saved_filter(
        session, pj, "  Baris   10 ", {"scope": "all", "sop_step": "10"}, now)
    assert saved.name == "Baris 10" and saved.query == {"scope": "all", "sop_step": "10"}
    savedfilters.create_saved_filter(session, pj, "Baris 1", {"sop_step": "1"}, now)
    counted = savedfilters.list_counted(session, pj)
    assert [(c.saved.name, c.count, c.shared_with_me) for c in counted] \
        == [("Baris 1", 0, False), ("Baris 10", 1, False)]


def test_the_kepala_shares_a_filter_with_a_role(session, now):
    start_sop(session, now)
    kepala = user(session, "kepala")
    saved = savedfilters.create_saved_filter(session, kepala, "Baris 1", {"sop_step": "1"}, now,
                                             shared_role="tim_kelembagaan")
    tim = user(session, "tim1")
    [shared] = savedfilters.list_counted(session, tim)
    assert shared.shared_with_me and shared.count == 1 and shared.saved.owner.username == "kepala"
    assert savedfilters.list_counted(session, user(session, "pj.dinkes")) == []
    with pytest.raises(PermissionDeniedError) as not_theirs:
        savedfilters.delete_saved_filter(session, tim, saved.id)
    assert not_theirs.value.code == "saved_filter_not_yours"
    with pytest.raises(NotFoundError):
        savedfilters.delete_saved_filter(session, user(session, "pj.dinkes"), saved.id)
    savedfilters.share_saved_filter(session, kepala, saved.id, None)
    assert savedfilters.list_counted(session, tim) == []


def test_only_the_kepala_may_share_and_only_with_a_known_role(session, now):
    before = _count(session)
    with pytest.raises(PermissionDeniedError) as refused:
        savedfilters.create_saved_filter(session, user(session, "tim1"), "x", {}, now,
                                         shared_role="pj_kinerja")
    assert refused.value.code == "saved_filter_share_not_allowed"
    with pytest.raises(InvalidInputError) as unknown:
        savedfilters.create_saved_filter(session, user(session, "kepala"), "x", {}, now,
                                         shared_role="bukan_peran")
    assert unknown.value.code == "saved_filter_unknown_role"
    assert _count(session) == before


@pytest.mark.parametrize("query", [
    {"tab": "mine"}, {"scope": "semua"}, {"instance_id": "5"}, {"instance_id": True},
    {"sort": "name"}, {"state": "cancelled"}, {"sop_step": "10; DROP"}, ["scope"],
    {"opd_code": "x" * 40}, {"page": 2},
])
def test_only_known_filter_fields_are_stored(session, now, query):
    before = _count(session)
    with pytest.raises(InvalidInputError) as refused:
        savedfilters.create_saved_filter(session, user(session, "tim1"), "x", query, now)
    assert refused.value.code == "saved_filter_invalid_query"
    assert _count(session) == before


def test_names_are_required_unique_and_bounded_and_filters_capped(session, now):
    tim = user(session, "tim1")
    first = savedfilters.create_saved_filter(session, tim, "Satu", {}, now)
    for name, code in (("   ", "saved_filter_name_required"),
                       ("x" * 81, "saved_filter_name_too_long"),
                       ("Satu", "saved_filter_name_taken")):
        with pytest.raises(InvalidInputError) as refused:
            savedfilters.create_saved_filter(session, tim, name, {}, now)
        assert refused.value.code == code
    for number in range(2, savedfilters.MAX_PER_OWNER + 1):
        savedfilters.create_saved_filter(session, tim, f"F{number}", {}, now)
    with pytest.raises(InvalidInputError) as capped:
        savedfilters.create_saved_filter(session, tim, "Satu lagi", {}, now)
    assert capped.value.code == "saved_filter_limit"
    # the same name is free for someone else
    savedfilters.create_saved_filter(session, user(session, "tim2"), "Satu", {}, now)
    renamed = savedfilters.rename_saved_filter(session, tim, first.id, "  Utama ")
    assert renamed.name == "Utama"
    with pytest.raises(InvalidInputError):
        savedfilters.rename_saved_filter(session, tim, first.id, "F2")
    savedfilters.delete_saved_filter(session, tim, first.id)
    assert session.get(SavedFilter, first.id) is None


def test_an_auditor_saves_nothing(session, now):
    with pytest.raises(PermissionDeniedError) as refused:
        savedfilters.create_saved_filter(session, user(session, "auditor"), "x", {}, now)
    assert refused.value.code == "read_only_role"
