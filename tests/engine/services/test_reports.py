"""The period report through the services: a run of two OPDs over two reported quarters
and a third not reported yet; the figures checked against values computed by hand (the
same run row 13 shows in test_achievements.py), the bands, the trend, the action plan, the
analysis, the reporting discipline, the signatory, who sees what, and the query count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from engine.errors import NotFoundError, PermissionDeniedError
from engine.services import reports, timers
from engine.services import tasks as task_service
from engine.services.reportparts import ActionItem
from tests.engine.services.achievement_support import REPORTS
from tests.engine.services.report_support import two_period_run
from tests.support import actor_for, answers, open_tasks, user


@pytest.fixture()
def run(session, now):
    return two_period_run(session, now)


def report_for(session, run, username, period_no, now):
    return reports.period_report(session, user(session, username), run.id, period_no, now)


def by_code(report):
    return {row.code: row for row in report.indicators}


def figures(row):
    return row.label, row.target, row.realisation, row.achievement, row.band


def test_period_1_figures_bands_and_groups(session, run, now):
    report = report_for(session, run, "tim1", 1, now)
    assert (report.run.registration_no, report.run.year) == (run.registration_no, 2026)
    assert (report.period.number, report.period.label, report.period.start,
            report.period.end) == (1, "Triwulan I", date(2026, 1, 1), date(2026, 3, 31))
    assert (report.period.previous, report.period.next, report.period.count) == (None, 2, 3)
    rows = by_code(report)
    # 250 jt / 4.000 jt = 6.25 % against 10: 62.5 %, below 85: kurang
    assert figures(rows["IKU-01"]) == ("Triwulan I", 10.0, 6.25, 62.5, "kurang")
    assert figures(rows["IKU-03"]) == ("Maret", 30.0, 30.0, 100.0, "baik")
    assert figures(rows["IKU-08"]) == ("Maret", 100.0, 87.5, 87.5, "cukup")
    assert rows["IKU-04"].band == "tidak_dapat_dihitung"
    assert rows["IKU-09"].band == "belum_ada_laporan"
    assert [(g.code, g.name) for g in report.groups] == [
        ("AS1", "Efisiensi"), ("AS2", "Efektivitas"), ("AS3", "Kebijakan"),
        ("AS4", "Transparansi"), ("AS5", "Layanan"), ("AS6", "Kelembagaan")]
    assert [r.code for r in report.groups[1].indicators] == ["IKU-02", "IKU-03", "IKU-04",
                                                              "IKU-11"]
    assert [(o.code, o.realisation, o.achievement, o.band) for o in rows["IKU-01"].opds] == [
        ("DINKES", 10.0, 100.0, "baik"), ("DPUPR", 5.0, 50.0, "kurang")]
    assert rows["IKU-01"].actions == (ActionItem("Reviu HPS", "Triwulan I", "Tim"),)
    assert rows["IKU-01"].recommendations == ("Perkuat reviu HPS",)
    assert report.reported


def test_period_2_trend_shares_and_analysis(session, run, now):
    report = report_for(session, run, "kepala", 2, now)
    rows = by_code(report)
    # (250 + 400 + 100) jt / 7.000 jt = 10.71 %: 107.14 %
    assert figures(rows["IKU-01"]) == ("Triwulan II", 10.0, 10.71, 107.14, "baik")
    assert [(p.period_no, p.realisation, p.achievement, p.band)
            for p in rows["IKU-01"].trend] == [(1, 6.25, 62.5, "kurang"),
                                               (2, 10.71, 107.14, "baik")]
    assert rows["IKU-01"].direction == "naik"
    # mean(30, 40) = 35 HK against 30, minimal T/R: 85.71 %
    assert figures(rows["IKU-03"]) == ("Juni", 30.0, 35.0, 85.71, "cukup")
    # kumulatif jumlah: 18 + 5 = 23 of 20; each OPD's share of 23
    assert figures(rows["IKU-11"]) == ("Triwulan II", 20.0, 23.0, 115.0, "baik")
    assert [(o.code, o.share, o.band) for o in rows["IKU-11"].opds] == [
        ("DINKES", 78.26, "kontribusi"), ("DPUPR", 21.74, "kontribusi")]
    analysis = report.analysis
    assert (analysis.method, analysis.text, analysis.title) == (
        "Analisis tren", "Waktu proses memburuk", "Laporan Triwulan II")
    assert analysis.recommendations == (("IKU-03", "Percepat evaluasi"),)
    assert (analysis.decision, analysis.meeting_notes) == ("b", "Rapat periode 2")
    assert rows["IKU-03"].recommendations == ("Percepat evaluasi",)
    assert report.period.start == date(2026, 4, 1) and report.period.end == date(2026, 6, 30)


def test_reporting_discipline(session, run, now):
    first = report_for(session, run, "tim1", 1, now).submissions
    assert [(s.opd_code, s.state, s.person, s.days_late) for s in first] == [
        ("DINKES", "tepat_waktu", "dr. Andi Pratama", 0),
        ("DPUPR", "tepat_waktu", "Ir. Syafrizal", 0)]
    second = {s.opd_code: s for s in report_for(session, run, "tim1", 2, now).submissions}
    # row 12 opened Tuesday 30 June 2026 (due Wednesday 1 July); DPUPR sent it on Friday
    # 3 July: 2 working days late
    assert second["DPUPR"].due_on == date(2026, 7, 1)
    assert (second["DPUPR"].state, second["DPUPR"].days_late) == ("terlambat", 2)
    assert second["DINKES"].state == "tepat_waktu"


def test_a_period_not_reported_yet(session, run, now):
    report = report_for(session, run, "tim1", 3, now)
    assert not report.reported
    assert (report.period.label, report.period.next) == ("Triwulan III", None)
    assert [(s.opd_code, s.state) for s in report.submissions] == [
        ("DINKES", "belum_dibuka"), ("DPUPR", "belum_dibuka")]
    rows = by_code(report)
    # kumulatif: the earlier periods still count; periodik: nothing this period yet
    assert rows["IKU-03"].band == "belum_ada_laporan"
    assert rows["IKU-11"].realisation == 23.0
    assert report.analysis.text == "" and report.analysis.recommendations == ()
    assert {p.opd_code for p in report.progress} == {"DINKES", "DPUPR"}


@pytest.mark.parametrize("period_no", [0, 4, -1])
def test_a_period_the_run_has_not_opened_is_not_found(session, run, now, period_no):
    with pytest.raises(NotFoundError) as refused:
        report_for(session, run, "tim1", period_no, now)
    assert refused.value.code == "period_not_found"


@pytest.mark.parametrize("username", ["pj.dinkes", "pj.dishub"])
def test_a_pj_is_refused_whether_or_not_their_opd_takes_part(session, run, now, username):
    """The unit's figures are made of every OPD's reports: with two OPDs, one PJ could read
    the other's out of them. Refused before the run is looked up, so it tells nothing."""
    with pytest.raises(PermissionDeniedError) as refused:
        report_for(session, run, username, 1, now)
    assert refused.value.code == "report_overseers_only"


def test_the_signatory_is_the_runs_kepala(session, run, now):
    signer = report_for(session, run, "auditor", 1, now).signatory
    assert signer == reports.Signatory("Kepala UKPBJ", "Hendri Saputra, S.T., M.M.",
                                       "19780412 200501 1 003")


def test_the_query_count_does_not_grow_with_periods(session, run, now):
    counts = []
    for period_no in (1, 2, 3):
        statements = []

        def record(conn, cursor, statement, parameters, context, executemany,
                   found=statements):
            found.append(statement)

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", record)
        try:
            report_for(session, run, "tim1", period_no, now)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        counts.append(len([s for s in statements if "human_tasks" in s]))
    assert counts[0] == counts[1] == counts[2] <= 4


def test_an_overdue_report_not_sent_yet(session, run, now):
    """Period 3's row 12 opened; DINKES sends it, DPUPR has not, five days on."""
    later = run.next_due_at + timedelta(hours=2)
    assert timers.fire_instance_timers(session, run.id, later) == 2
    [dinkes] = [t for t in open_tasks(session, run.id, "Task_12") if t.opd.code == "DINKES"]
    data = answers("laporan-realisasi")
    data["laporan"]["realisasi"] = REPORTS[2]["DINKES"]
    task_service.complete_task(session, actor_for(session, dinkes), dinkes.id, data, later)
    report = report_for(session, run, "tim1", 3, later + timedelta(days=5))
    found = {s.opd_code: s for s in report.submissions}
    assert report.reported and found["DINKES"].state == "tepat_waktu"
    # opened Wednesday 30 September 2026, due Thursday 1 October; on Monday 5 October
    # it is 2 working days late (Friday 2 and Monday 5 October)
    assert (found["DPUPR"].state, found["DPUPR"].due_on, found["DPUPR"].days_late) == (
        "belum_melapor", date(2026, 10, 1), 2)
    assert (found["DPUPR"].person, found["DPUPR"].completed_at) == (None, None)
