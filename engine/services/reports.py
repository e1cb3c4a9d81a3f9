"""The period report of a run (Laporan Pencapaian Kinerja, rows 13-17 of the SOP).

`period_report` gathers, for one reporting period of one run: per indicator in plan order,
grouped by strategic area (Sasaran Strategis, row 1's areas named by row 2's indicators),
the target, realisation and achievement with its band, the earlier periods (trend), each
OPD's figures, the action plan (row 4, as updated by row 17a in earlier periods) and row
14's recommendations; the analysis and write-up of rows 14, 15 and 17 for that period;
each OPD's row-11 progress; and who reported at row 12, when, and whether on time.

The achievement is engine.indicators.compile_achievements' (the same numbers row 13 shows),
never computed here. Bands of a computed achievement: BAIK at 100 % or more, CUKUP from 85
% up to 100 %, KURANG below 85 %; otherwise TIDAK_DAPAT_DIHITUNG (a ratio of 0 of 0),
BELUM_ADA_LAPORAN (no realisation yet), TANPA_TARGET (no target); an OPD's share of a
summed (jumlah) indicator has the band KONTRIBUSI.

Who reads it: the overseers (Kepala UKPBJ, Tim Kelembagaan, admin, auditor), as they read
row 13's achievement. A PJ Kinerja is refused (`report_overseers_only`) before any run is
looked up: the unit's figures are computed from every OPD's reports, and with few OPDs one
could read another's figures out of them (engine.services.access). A period not yet
reported (no row 12 done) gives a report whose figures say "belum ada laporan"; a period
the run has not opened is a NotFoundError.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine import indicators
from engine.errors import N_, NotFoundError, PermissionDeniedError
from engine.indicators.achievement import COMPUTED, NO_REALISATION, NO_TARGET
from engine.models import User
from engine.services import access, instances, reportparts
from engine.services.reportparts import (
    ActionItem,
    Analysis,
    OpdProgress,
    PeriodInfo,
    Signatory,
    Submission,
)
from engine.services.reportsources import (
    ACTION_PLAN_FORM,
    ACTION_UPDATE_FORM,
    ANALYSIS_FORM,
    GOALS_FORM,
    PLAN_FORM,
    TARGET_FORM,
    Sources,
    load_sources,
)

BAIK, CUKUP, KURANG = "baik", "cukup", "kurang"
TIDAK_DAPAT_DIHITUNG, BELUM_ADA_LAPORAN, TANPA_TARGET = (
    "tidak_dapat_dihitung", "belum_ada_laporan", "tanpa_target")
KONTRIBUSI = "kontribusi"
GOOD_FROM, FAIR_FROM = 100.0, 85.0

__all__ = ["ActionItem", "Analysis", "OpdProgress", "PeriodInfo", "Signatory", "Submission",
           "band_of", "period_report"]


@dataclass(frozen=True)
class RunInfo:
    id: int
    registration_no: str
    title: str
    year: int


@dataclass(frozen=True)
class TrendPoint:
    period_no: int
    label: str
    target: float | None
    realisation: float | None
    achievement: float | None
    band: str


@dataclass(frozen=True)
class OpdFigure:
    code: str
    name: str
    realisation: float | None
    numerator: float | None
    denominator: float | None
    achievement: float | None
    share: float | None  # of a jumlah indicator's total, percent
    band: str


@dataclass(frozen=True)
class IndicatorReport:
    code: str
    name: str
    unit: str
    polarity: str
    frequency: str
    aggregation: str
    label: str
    target: float | None
    realisation: float | None
    numerator: float | None
    denominator: float | None
    achievement: float | None
    band: str
    direction: str | None
    trend: tuple[TrendPoint, ...]
    opds: tuple[OpdFigure, ...]
    actions: tuple[ActionItem, ...]
    recommendations: tuple[str, ...]


@dataclass(frozen=True)
class StrategicGroup:
    code: str
    name: str
    indicators: tuple[IndicatorReport, ...]


@dataclass(frozen=True)
class PeriodReport:
    run: RunInfo
    period: PeriodInfo
    reported: bool  # at least one row 12 done in this period
    groups: tuple[StrategicGroup, ...]
    submissions: tuple[Submission, ...]
    progress: tuple[OpdProgress, ...]
    analysis: Analysis
    signatory: Signatory

    @property
    def indicators(self) -> list[IndicatorReport]:
        return [row for group in self.groups for row in group.indicators]


def band_of(achievement: float | None, status: str) -> str:
    """The band of an achievement and its status (see the module's docstring)."""
    if status == COMPUTED and achievement is not None:
        if achievement >= GOOD_FROM:
            return BAIK
        return CUKUP if achievement >= FAIR_FROM else KURANG
    if status == NO_REALISATION:
        return BELUM_ADA_LAPORAN
    if status == NO_TARGET:
        return TANPA_TARGET
    return KONTRIBUSI if status == KONTRIBUSI else TIDAK_DAPAT_DIHITUNG


def period_report(session: Session, actor: User, instance_id: int, period_no: int,
                  now: datetime) -> PeriodReport:
    """The report of run period `period_no` for `actor` (see the module's docstring)."""
    if not access.is_overseer(actor):
        raise PermissionDeniedError(
            N_("Only the Kepala UKPBJ, the Tim Kelembagaan, administrators and auditors may "
               "read the period report"),
            code="report_overseers_only",
        )
    instance = instances.get_instance_for(session, actor, instance_id)
    if not 1 <= period_no <= instance.period_no:
        raise NotFoundError("This run has no such reporting period", code="period_not_found",
                            details={"period": period_no, "periods": instance.period_no})
    sources = load_sources(session, instance.id, period_no)
    rows = _compiled(sources, period_no)
    return PeriodReport(
        run=RunInfo(instance.id, instance.registration_no, instance.title,
                    _year(instance)),
        period=reportparts.period_info(sources, period_no, instance.period_no),
        reported=any(reportparts.period_reports(sources, period_no).values()),
        groups=_groups(sources, rows, period_no),
        submissions=reportparts.submissions(session, sources, period_no, now),
        progress=reportparts.progress(sources, period_no),
        analysis=reportparts.analysis(sources, period_no),
        signatory=reportparts.signatory(session, instance.id),
    )


def _year(instance) -> int:
    year = (instance.data or {}).get("tahun_anggaran")
    return int(year) if isinstance(year, int | float) and not isinstance(year, bool) else (
        instance.started_at.year)


def _compiled(sources: Sources, period_no: int) -> list[dict]:
    """engine.indicators' rows for the period, from every report of the run up to it."""
    answers, names = sources.reports()
    lines = [line for p, opd, answer in answers
             for line in indicators.reports_from_answer(p, opd, answer)]
    targets = sources.latest(TARGET_FORM)
    return indicators.compile_achievements(
        sources.latest(PLAN_FORM).get("indikator") or [],
        targets.get("target") or [],
        lines,
        period_no=period_no,
        period_targets=targets.get("target_periode") or [],
        period_ends=sources.period_ends(),
        opd_names=names,
    )


def _groups(sources: Sources, rows: list[dict], period_no: int) -> tuple[StrategicGroup, ...]:
    """The indicators in plan order, grouped by strategic area in order of first use."""
    planned = {row.get("kode"): row for row in sources.latest(PLAN_FORM).get("indikator") or ()
               if isinstance(row, dict)}
    areas = {str(a.get("kode")): a.get("nama") or "" for a in
             sources.latest(GOALS_FORM).get("area_strategis") or () if isinstance(a, dict)}
    actions = reportparts.action_plan(
        sources.latest(ACTION_UPDATE_FORM, before=period_no)
        or sources.latest(ACTION_PLAN_FORM))
    advice = reportparts.recommendations(sources.latest(ANALYSIS_FORM, period_no=period_no))
    grouped: dict[str, list[IndicatorReport]] = {}
    for row in rows:
        area = str((planned.get(row["kode"]) or {}).get("area_strategis") or "")
        grouped.setdefault(area, []).append(
            _indicator(row, actions.get(row["kode"], ()), advice.get(row["kode"], ())))
    return tuple(StrategicGroup(code, areas.get(code, ""), tuple(items))
                 for code, items in grouped.items())


def _indicator(row: dict, actions, advice) -> IndicatorReport:
    opds = row["per_opd"]
    return IndicatorReport(
        code=row["kode"], name=row["nama"] or "", unit=row["satuan"] or "",
        polarity=row["polaritas"], frequency=row["frekuensi"], aggregation=row["agregasi"],
        label=row["label_periode"], target=row["target"], realisation=row["realisasi"],
        numerator=row["pembilang"], denominator=row["penyebut"],
        achievement=row["capaian"], band=band_of(row["capaian"], row["status"]),
        direction=row["arah_tren"],
        trend=tuple(TrendPoint(p["periode_no"], p["label_periode"], p["target"],
                               p["realisasi"], p["capaian"], band_of(p["capaian"], p["status"]))
                    for p in row["tren"]),
        opds=tuple(OpdFigure(o["opd"], o["nama_opd"], o["realisasi"], o["pembilang"],
                             o["penyebut"], o["capaian"], o["kontribusi"],
                             band_of(o["capaian"], o["status"])) for o in opds),
        actions=tuple(actions), recommendations=tuple(advice),
    )
