"""The audit search over runs (engine.services.auditsearch): every filter, the late flag
held against engine.services.durations' rule, paging, sorting, counts, refusals, the
query plan, and 10,000 runs answered within 200 ms a page on SQLite."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select, text

from engine.errors import InvalidInputError, PermissionDeniedError
from engine.models import DefinitionVersion, HumanTask, ProcessInstance
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.services import auditsearch, durations
from engine.services.auditsearch import RunSearch
from engine.services.deadlines import WorkingCalendar
from tests.conftest import T0
from tests.support import PLANNING, open_tasks, run_rows, start_sop, user

WIB = timedelta(hours=7)


def find(session, now=T0, viewer="auditor", **fields):
    return auditsearch.search_runs(session, user(session, viewer), RunSearch(**fields), now)


def numbers(result) -> list[str]:
    return [found.instance.registration_no for found in result.runs]


def titles(result) -> list[str]:
    return [found.instance.title for found in result.runs]


@pytest.fixture()
def runs(session):
    """Four runs: A at row 10 (three OPDs), B only started, C completed in period 2, and
    D started at 01.30 WIB on 5 January (still 4 January in UTC), its title full of
    LIKE's wildcards."""
    a = start_sop(session, T0, judul="Pengelolaan Kinerja Pengadaan")
    run_rows(session, a.id, PLANNING, T0)
    b = start_sop(session, T0 + timedelta(days=10), judul="Evaluasi Paket Konstruksi")
    c = start_sop(session, T0 + timedelta(days=20), judul="Rekap Triwulan")
    c.status, c.period_no, c.ended_at = "completed", 2, T0 + timedelta(days=25)
    d = start_sop(session, T0 - timedelta(hours=7, minutes=30), judul="Diskon 100%_uji\\x")
    session.flush()
    return {"a": a, "b": b, "c": c, "d": d}


def test_without_filters_every_run_is_found_newest_first(session, runs):
    result = find(session)
    assert numbers(result) == [runs[k].registration_no for k in "cbad"]
    assert result.total == 4 and result.by_status == {"running": 3, "completed": 1}
    assert (result.page, result.pages) == (1, 1)


def test_definition_and_version(session, runs):
    version = runs["a"].version
    assert find(session, definition_key=version.definition.key).total == 4
    assert find(session, version_id=version.id).total == 4
    with pytest.raises(InvalidInputError) as refused:
        find(session, definition_key="no_such_process", version_id=999_999)
    assert set(refused.value.details) == {"definition", "version"}


def test_an_opd_finds_the_runs_it_takes_part_in(session, runs):
    assert numbers(find(session, opd_code="DINKES")) == [runs["a"].registration_no]
    assert find(session, opd_code="DISHUB").total == 0  # an OPD the run did not invite
    with pytest.raises(InvalidInputError) as refused:
        find(session, opd_code="NOPE")
    assert refused.value.details == {"opd": ["There is no such OPD"]}


def test_period_reached_and_status(session, runs):
    assert numbers(find(session, period_no=2)) == [runs["c"].registration_no]
    assert numbers(find(session, period_no=3)) == []
    only_running = find(session, status="running")
    assert only_running.total == 3 and runs["c"].registration_no not in numbers(only_running)
    # the counts per status say what the other filters find, whatever status is chosen
    assert only_running.by_status == {"running": 3, "completed": 1}
    assert find(session, status="completed", period_no=1).total == 1


def test_started_between_local_days(session, runs):
    """D started at 01.30 WIB on 5 January: 4 January in UTC, 5 January where it counts."""
    first_day = T0.date()
    found = find(session, started_from=first_day, started_until=first_day)
    assert sorted(numbers(found)) == sorted([runs["a"].registration_no,
                                             runs["d"].registration_no])
    assert find(session, started_until=first_day - timedelta(days=1)).total == 0
    later = find(session, started_from=first_day + timedelta(days=1))
    assert sorted(numbers(later)) == sorted([runs["b"].registration_no,
                                             runs["c"].registration_no])
    with pytest.raises(InvalidInputError) as refused:
        find(session, started_from=first_day, started_until=first_day - timedelta(days=1))
    assert set(refused.value.details) == {"started_until"}


def test_free_text_ignores_case_and_escapes_like_wildcards(session, runs):
    assert numbers(find(session, text="pengelolaan kinerja")) == [runs["a"].registration_no]
    assert numbers(find(session, text="100%")) == [runs["d"].registration_no]
    assert numbers(find(session, text="%_")) == [runs["d"].registration_no]
    assert numbers(find(session, text="_")) == [runs["d"].registration_no]
    assert numbers(find(session, text="\\x")) == [runs["d"].registration_no]
    assert find(session, text="%").total == 1  # a literal percent sign, not "anything"
    regno = runs["b"].registration_no
    assert numbers(find(session, text=regno.lower())) == [regno]
    assert find(session, text="   ").total == 4  # blank is no filter


def test_sorting_by_each_column_both_ways(session, runs):
    by_title = [runs[k].registration_no for k in "dbac"]
    assert numbers(find(session, sort="title", descending=False)) == by_title
    assert numbers(find(session, sort="title")) == by_title[::-1]
    by_events = find(session, sort="events")
    counts = [found.instance.event_count for found in by_events.runs]
    assert counts == sorted(counts, reverse=True) and by_events.runs[0].instance is runs["a"]
    assert numbers(find(session, sort="status", descending=False))[0] == \
        runs["c"].registration_no  # "completed" before "running"
    assert numbers(find(session, sort="status"))[-1] == runs["c"].registration_no
    assert numbers(find(session, sort="started", descending=False)) == [
        runs[k].registration_no for k in "dabc"]


def test_paging_25_a_page_with_the_last_page_clamped(session, runs):
    version = runs["a"].version
    _bulk_runs(session, version, 27, T0 - timedelta(days=40))
    first = find(session)
    assert (first.total, first.pages, len(first.runs)) == (31, 2, 25)
    second = find(session, page=2)
    assert len(second.runs) == 6 and second.page == 2
    assert not set(numbers(first)) & set(numbers(second))
    assert find(session, page=99).page == 2  # past the end: the last page
    assert len(find(session, per_page=10, page=4).runs) == 1


def test_refusals_name_each_field(session, runs):
    with pytest.raises(InvalidInputError) as refused:
        find(session, status="lost", period_no=0, sort="id; drop table x", text="x" * 201,
             page=0)
    assert set(refused.value.details) == {"status", "period", "sort", "text", "page"}
    with pytest.raises(InvalidInputError) as refused:
        find(session, text="a\x00b", opd_code="\x00", definition_key="x\ny")
    assert set(refused.value.details) == {"text", "opd", "definition"}
    for viewer in ("tim1", "pj.dinkes", "pemilik"):
        with pytest.raises(PermissionDeniedError):
            find(session, viewer=viewer)
    for viewer in ("admin", "kepala"):
        assert find(session, viewer=viewer).total == 4


# ---- the late flag -----------------------------------------------------------------------

def _late_by_durations(session, now) -> dict[int, bool]:
    """The oracle: every run's tasks through durations.pass_timing, in Python."""
    calendar = WorkingCalendar.load(session, now, since=(T0 - timedelta(days=60)).date())
    late: dict[int, bool] = {}
    for task in session.scalars(select(HumanTask).where(HumanTask.state.in_(
            (TASK_OPEN, TASK_COMPLETED)))):
        timing = durations.pass_timing(calendar, task.created_at, task.completed_at,
                                       task.due_on, now)
        late[task.instance_id] = late.get(task.instance_id, False) or timing.late
    return late


def test_an_open_task_past_its_due_date_is_late_from_the_next_local_day(session, runs):
    [task] = open_tasks(session, runs["b"].id)
    due = task.due_on
    end_of_due_day = datetime.combine(due, datetime.max.time(), tzinfo=UTC) - WIB
    next_morning = end_of_due_day + timedelta(minutes=1)  # 00.00 WIB the day after
    for now, expected in ((end_of_due_day, False), (next_morning, True)):
        flags = {found.instance.id: found.has_late_step for found in find(session, now).runs}
        assert flags[runs["b"].id] is expected
        assert flags == {key: value for key, value in _late_by_durations(session, now).items()
                         if key in flags}
        assert (runs["b"].registration_no in numbers(find(session, now, late_only=True))) \
            is expected


def test_a_task_completed_after_its_due_day_in_wib_stays_late(session, runs):
    """The boundary is the local day: rows 1-5 (one shared due date) done at 23.30 WIB on
    the due date are on time, done at 00.30 WIB the next day (still the due date in UTC)
    they are late, and stay late once done; row 6 then opens with a due date of its own."""
    moments = {}
    for key, after_midnight in (("b", timedelta(hours=23, minutes=30)),
                                ("c", timedelta(days=1, minutes=30))):
        [task] = open_tasks(session, runs[key].id)
        moments[key] = datetime.combine(task.due_on, datetime.min.time(), tzinfo=UTC) - WIB \
            + after_midnight
        run_rows(session, runs[key].id, PLANNING[:5], moments[key])
        assert [t.element_id for t in open_tasks(session, runs[key].id)] == ["Task_06"]
    for key, expected in (("b", False), ("c", True)):
        now = moments[key]
        flags = {found.instance.id: found.has_late_step for found in find(session, now).runs}
        assert flags[runs[key].id] is expected, key
        assert flags == {k: v for k, v in _late_by_durations(session, now).items() if k in flags}
        assert (runs[key].registration_no in numbers(find(session, now, late_only=True))) \
            is expected


def test_the_late_flag_matches_durations_on_every_run_at_several_moments(session, runs):
    for days in (0, 6, 12, 30, 60):
        now = T0 + timedelta(days=days)
        flags = {found.instance.id: found.has_late_step for found in find(session, now).runs}
        expected = _late_by_durations(session, now)
        assert flags == {key: expected.get(key, False) for key in flags}, days
        assert find(session, now, late_only=True).total == sum(flags.values())


# ---- indexes and scale -------------------------------------------------------------------

def _bulk_runs(session, version: DefinitionVersion, count: int, start: datetime,
               tasks_each: int = 0) -> None:
    """`count` runs written straight into the tables (a search reads rows, not workflows),
    each with `tasks_each` tasks: one late in every seventh run, one per OPD otherwise."""
    first = session.scalar(select(text("coalesce(max(id), 0)")).select_from(
        ProcessInstance.__table__)) + 1
    rows = [{"id": first + n, "registration_no": f"BULK-{first + n:07d}",
             "title": f"Pelaksanaan uji {n:05d}", "version_id": version.id,
             "status": "completed" if n % 3 == 0 else "running",
             "started_at": start + timedelta(minutes=n), "updated_at": start,
             "period_no": n % 5, "data": {}, "event_count": n % 40, "row_version": 1}
            for n in range(count)]
    session.execute(insert(ProcessInstance), rows)
    if tasks_each:
        session.execute(insert(HumanTask), [
            _bulk_task(first + n, k, start, late=(n % 7 == 0 and k == 0))
            for n in range(count) for k in range(tasks_each)])
    session.flush()


def _bulk_task(instance_id: int, k: int, start: datetime, late: bool) -> dict:
    due = (start + timedelta(days=3)).date()
    return {"instance_id": instance_id, "spiff_task_id": f"bulk-{instance_id}-{k}",
            "element_id": f"Task_{k + 10}", "name": "Langkah uji", "role": "pj_kinerja",
            "opd_id": k + 1, "form_key": "uji", "state": TASK_COMPLETED,
            "created_at": start, "due_on": due,
            "completed_at": start + timedelta(days=5 if late else 1), "period_no": 0}


def _plans(session, search: RunSearch, now) -> list[str]:
    """SQLite's plan for every statement the search runs (caught as they are sent)."""
    sent = []

    def catch(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", catch)
    try:
        find(session, now, **search.__dict__)
    finally:
        event.remove(connection, "before_cursor_execute", catch)
    raw = connection.connection.driver_connection
    return ["\n".join(row[-1] for row in raw.execute(f"EXPLAIN QUERY PLAN {statement}",
                                                      parameters))
            for statement, parameters in sent if "process_instances" in statement]


def test_the_opd_and_late_probes_use_indexes(session, runs):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the plan is checked on SQLite, the embedded default")
    plans = _plans(session, RunSearch(opd_code="DINKES", late_only=True), T0 + timedelta(days=30))
    assert len(plans) >= 3
    for plan in plans:
        assert "SCAN human_tasks" not in plan, plan
    assert all("SEARCH human_tasks USING" in plan for plan in plans[:2]), plans


def test_ten_thousand_runs_answer_a_page_within_200_ms(session, runs, capsys):
    version = runs["a"].version
    _bulk_runs(session, version, 10_000, T0 - timedelta(days=400), tasks_each=3)
    now = T0 + timedelta(days=30)
    searches = {
        "default (started, newest first)": RunSearch(),
        "late only": RunSearch(late_only=True),
        "OPD + status, by title": RunSearch(opd_code="DINKES", status="running", sort="title",
                                            descending=False),
        "free text, by events": RunSearch(text="uji 09", sort="events"),
        "period + dates, page 100": RunSearch(period_no=2, started_from=(T0 - timedelta(
            days=399)).date(), page=100),
    }
    viewer = user(session, "auditor")
    assert auditsearch.search_runs(session, viewer, RunSearch(), now).total == 10_004
    figures = {}
    for label, search in searches.items():
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            result = auditsearch.search_runs(session, viewer, search, now)
            timings.append((time.perf_counter() - started) * 1000)
        figures[label] = (min(timings), result.total)
    with capsys.disabled():
        print(f"\naudit search over 10,004 runs ({session.get_bind().dialect.name}):")
        for label, (ms, total) in figures.items():
            print(f"  {label:34} {ms:7.1f} ms  ({total} found)")
    fixture_late = sum(found.has_late_step for found in find(session, now, text="(2026)").runs)
    assert figures["late only"][1] == len(range(0, 10_000, 7)) + fixture_late
    if session.get_bind().dialect.name == "sqlite":
        assert all(ms < 200 for ms, _ in figures.values()), figures
