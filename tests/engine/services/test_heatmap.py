"""The heatmap of a version: medians, p90s and late shares of every step over all its runs,
against each step's Waktu, with the period and OPD filters.

Three runs of the SOP are driven through the services with chosen completion times
(January 2026; Friday 16 January is a holiday):

- Task_01 (Waktu 5) takes 1, 2 and 4 HK: median 2, p90 4, 0.4 of its Waktu ("fast").
- Task_02 (Waktu 5, deadline group due Monday 12 January) takes 7 and 7 HK, both late;
  run C leaves it open (and past its due date).
- Task_03 of run A runs Thursday 15 to Monday 19 January: 1 HK, the holiday skipped.
- Run A goes on to the OPDs: Task_10 (Waktu 1) takes 1 (DISDIKBUD), 3 (DINKES, late) and
  4 HK (DPUPR, late); in period 1 Task_11 (Waktu 3) takes 1 (DISDIKBUD) and 5 HK (DINKES,
  late), DPUPR's stays open past its due date.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from engine.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from engine.models import HumanTask, Opd
from engine.services import heatmap
from engine.services import tasks as task_service
from tests.support import actor_for, answers, deploy_sop, open_tasks, sop_forms, start_sop, user

NOW = datetime(2026, 2, 2, 2, 0, tzinfo=UTC)  # Monday 2 February 2026, 09:00 WIB


def on(day: int, month: int = 1) -> datetime:
    """09:00 WIB on a day of 2026."""
    return datetime(2026, month, day, 2, 0, tzinfo=UTC)


def finish(session, instance_id: int, element_id: str, at: datetime, opd: str | None = None):
    """Complete the open task(s) of `element_id` (only `opd`'s when given) at `at`."""
    pending = [t for t in open_tasks(session, instance_id, element_id)
               if opd is None or t.opd.code == opd]
    assert pending, f"no open {element_id} {opd or ''}"
    for task in pending:
        task_service.complete_task(session, actor_for(session, task), task.id,
                                   answers(task.form_key), at)


def drive_run_a(session, instance_id: int) -> None:
    finish(session, instance_id, "Task_01", on(6))
    finish(session, instance_id, "Task_02", on(15))
    for element_id in ("Task_03", "Task_04", "Task_05", "Task_06", "Task_07", "Task_08",
                       "Task_09"):
        finish(session, instance_id, element_id, on(19))
    finish(session, instance_id, "Task_10", on(20), "DISDIKBUD")
    finish(session, instance_id, "Task_10", on(22), "DINKES")
    finish(session, instance_id, "Task_10", on(23), "DPUPR")
    finish(session, instance_id, "Task_11", on(26), "DISDIKBUD")
    finish(session, instance_id, "Task_11", on(30), "DINKES")


def build_runs(session) -> int:
    """Runs A, B and C started on Monday 5 January (the web tests build them too); returns
    the version id."""
    started = [start_sop(session, on(5)) for _ in range(3)]
    a, b, c = (run.id for run in started)
    drive_run_a(session, a)
    finish(session, b, "Task_01", on(7))
    finish(session, b, "Task_02", on(19))
    finish(session, c, "Task_01", on(9))
    session.flush()
    return started[0].version_id


@pytest.fixture()
def runs(session):
    return build_runs(session)


def heat(session, version_id: int, username: str = "auditor", **filters) -> dict:
    return heatmap.heatmap_of(session, user(session, username), version_id, NOW, **filters)


def test_medians_p90_and_ratio_against_waktu(session, runs):
    result = heat(session, runs)
    first = result["activities"]["Task_01"]
    assert (first["count"], first["median_days"], first["p90_days"]) == (3, 2.0, 4)
    assert (first["waktu"], first["median_ratio"], first["p90_ratio"]) == (5, 0.4, 0.8)
    assert (first["late"], first["late_share"], first["band"]) == (0, 0.0, "fast")
    assert result["instances"] == 3
    assert result["version"]["number"] == 1
    assert result["version"]["definition_key"] == "sop_pengelolaan_kinerja"


def test_late_passes_and_open_ones(session, runs):
    second = heat(session, runs)["activities"]["Task_02"]
    assert (second["count"], second["median_days"], second["median_ratio"]) == (2, 7.0, 1.4)
    assert (second["late"], second["late_share"], second["band"]) == (2, 1.0, "over")
    assert (second["open"], second["open_late"]) == (1, 1)  # run C's, due 12 January


def test_every_user_task_is_listed_in_row_order(session, runs):
    activities = heat(session, runs)["activities"]
    steps = [a["sop_step"] for a in activities.values()]
    assert steps[:3] == ["1", "2", "3"] and steps.index("10") > steps.index("9")
    assert "Call_Periode" not in activities and "__start__" not in activities
    untouched = activities["Task_17c"]
    assert (untouched["count"], untouched["median_days"], untouched["band"]) == (
        0, None, "no_data")


def test_holidays_are_not_working_days(session, runs):
    third = heat(session, runs)["activities"]["Task_03"]  # Thu 15 -> Mon 19, Fri 16 off
    assert (third["count"], third["median_days"], third["median_ratio"]) == (1, 1.0, 0.2)
    assert third["late"] == 1  # measured against its own Waktu, but due with its group


def test_a_step_far_over_its_waktu_is_late(session, runs):
    tenth = heat(session, runs)["activities"]["Task_10"]
    assert (tenth["median_days"], tenth["waktu"], tenth["median_ratio"]) == (3.0, 1, 3.0)
    assert (tenth["band"], tenth["late"], tenth["late_share"]) == ("late", 2, 0.667)


def test_slowest_steps_by_median_against_waktu(session, runs):
    slowest = heat(session, runs)["slowest"]
    assert [a["element_id"] for a in slowest[:3]] == ["Task_10", "Task_02", "Task_11"]
    assert len(slowest) <= heatmap.SLOWEST
    ratios = [a["median_ratio"] for a in slowest]
    assert ratios == sorted(ratios, reverse=True)


def test_late_opds(session, runs):
    late = heat(session, runs)["late_opds"]
    assert [(r["opd"], r["late"], r["total"], r["share"]) for r in late] == [
        ("DINKES", 2, 2, 1.0), ("DPUPR", 1, 1, 1.0), ("DISDIKBUD", 0, 2, 0.0)]
    assert late[1]["open_late"] == 1  # its row 11 is still open, past its due date
    assert late[0]["opd_name"] == "Dinas Kesehatan"


def test_filter_options(session, runs):
    result = heat(session, runs)
    assert result["periods"] == [0, 1]
    assert [o["code"] for o in result["opds"]] == ["DINKES", "DPUPR", "DISDIKBUD"]


def test_filter_by_period(session, runs):
    result = heat(session, runs, period_no=1)
    eleventh = result["activities"]["Task_11"]
    assert (eleventh["count"], eleventh["median_days"], eleventh["p90_days"]) == (2, 3.0, 5)
    assert (eleventh["median_ratio"], eleventh["band"]) == (1.0, "on_time")
    assert result["activities"]["Task_01"]["count"] == 0
    assert result["instances"] == 1 and result["filters"]["period"] == 1
    assert heat(session, runs, period_no=0)["activities"]["Task_11"]["count"] == 0
    assert heat(session, runs, period_no=7)["instances"] == 0


def test_filter_by_opd(session, runs):
    result = heat(session, runs, opd_code="DINKES")
    counted = {k: a["median_days"] for k, a in result["activities"].items() if a["count"]}
    assert counted == {"Task_10": 3.0, "Task_11": 5.0}
    assert [r["opd"] for r in result["late_opds"]] == ["DINKES"]
    assert result["filters"]["opd"] == "DINKES"
    assert result["periods"] == [0, 1] and len(result["opds"]) == 3  # the options stay whole


def test_both_filters(session, runs):
    result = heat(session, runs, period_no=1, opd_code="DPUPR")
    eleventh = result["activities"]["Task_11"]
    assert (eleventh["count"], eleventh["open"], eleventh["open_late"]) == (0, 1, 1)


def test_an_opd_without_passes_gives_an_empty_map(session, runs):
    result = heat(session, runs, opd_code="DISHUB")
    assert result["instances"] == 0 and result["late_opds"] == []


@pytest.mark.parametrize("filters", [{"opd_code": "NOPE"}, {"period_no": -1},
                                     {"period_no": 10**6}])
def test_bad_filters_are_refused(session, runs, filters):
    with pytest.raises(InvalidInputError):
        heat(session, runs, **filters)


def test_only_the_exact_version_counts(session, runs):
    forms = sop_forms()
    labelled = next(c for c in forms["perencanaan-tujuan"]["components"] if "label" in c)
    labelled["label"] += " (revisi)"
    second = deploy_sop(session, on(20), forms=forms)
    assert second.id != runs
    run = start_sop(session, on(21))
    finish(session, run.id, "Task_01", on(22))
    newer = heat(session, second.id)
    assert newer["instances"] == 1 and newer["activities"]["Task_01"]["count"] == 1
    assert heat(session, runs)["activities"]["Task_01"]["count"] == 3
    assert [v["number"] for v in newer["versions"]] == [1, 2]


@pytest.mark.parametrize("username", ["auditor", "admin", "kepala"])
def test_audit_readers_may_read(session, runs, username):
    assert heat(session, runs, username)["instances"] == 3


@pytest.mark.parametrize("username", ["tim1", "pj.dinkes", "pemilik"])
def test_others_may_not(session, runs, username):
    with pytest.raises(PermissionDeniedError):
        heat(session, runs, username)


def test_unknown_version(session, runs):
    with pytest.raises(NotFoundError):
        heat(session, 987654)


def test_version_id_of(session, runs):
    auditor = user(session, "auditor")
    assert heatmap.version_id_of(session, auditor, "sop_pengelolaan_kinerja", 1) == runs
    with pytest.raises(NotFoundError):
        heatmap.version_id_of(session, auditor, "sop_pengelolaan_kinerja", 99)
    with pytest.raises(PermissionDeniedError):
        heatmap.version_id_of(session, user(session, "tim1"), "sop_pengelolaan_kinerja", 1)


def test_no_runs_at_all(session):
    version_id = session.scalar(select(HumanTask.id).limit(1))  # no runs in this test
    assert version_id is None
    from engine.models import DefinitionVersion

    version = session.scalars(select(DefinitionVersion)).first()
    result = heat(session, version.id)
    assert result["instances"] == 0 and result["slowest"] == [] and result["periods"] == []
    assert all(a["band"] == "no_data" for a in result["activities"].values())


@pytest.mark.parametrize(("median_ratio", "waktu", "count", "band"), [
    (0.0, 5, 1, "fast"), (0.5, 5, 1, "fast"), (0.51, 5, 1, "on_time"), (1.0, 5, 1, "on_time"),
    (1.5, 5, 1, "over"), (1.51, 5, 1, "late"), (None, 5, 0, "no_data"),
    (None, None, 3, "no_waktu"), (None, None, 0, "no_waktu"),
])
def test_bands(median_ratio, waktu, count, band):
    assert heatmap.band_of(median_ratio, waktu, count) == band


def test_p90_is_the_nearest_rank():
    assert heatmap.p90([]) is None
    assert heatmap.p90([3]) == 3
    assert heatmap.p90(list(range(1, 11))) == 9
    assert heatmap.p90(list(range(1, 12))) == 10


def test_the_opds_are_the_demo_ones(session):
    codes = set(session.scalars(select(Opd.code)))
    assert {"DISDIKBUD", "DINKES", "DPUPR", "DISHUB"} <= codes
