"""Row 13's view of every planned indicator: this period's target, realisation and
achievement, each OPD's share of it, and the same figures for the run's earlier periods.

The result is plain JSON (it is stored on the task as its context): numbers rounded to two
decimals, attribute and status codes in the SOP's words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from engine.indicators.achievement import COMPUTED, UNDEFINED, Achievement, achievement
from engine.indicators.attributes import (
    JUMLAH,
    Indicator,
    Target,
    indicator_from_answer,
    target_from_answer,
)
from engine.indicators.numbers import HUNDRED, rounded
from engine.indicators.periods import period_index, period_label, period_target
from engine.indicators.realisation import (
    Aggregate,
    Entry,
    Report,
    aggregate,
    entries_by_opd,
    entry_at,
)

RISING, FALLING, STEADY = "naik", "turun", "tetap"


@dataclass(frozen=True)
class Standing:
    """An indicator as of one run period: its period, target, realisation, achievement and
    what each OPD counted."""

    period_no: int
    index: int
    label: str
    target: Decimal | None
    total: Aggregate
    result: Achievement
    opds: dict[str, Entry]


def compile_achievements(
    indicators: Iterable[Mapping],
    targets: Iterable[Mapping],
    reports: Iterable[Report],
    *,
    period_no: int,
    period_targets: Iterable[Mapping] = (),
    period_ends: Mapping[int, date] | None = None,
    opd_names: Mapping[str, str] | None = None,
) -> list[dict]:
    """One row per planned indicator (row 2's answer, row 3's targets and targets per
    period), as of run period `period_no`, from every report line of the run up to it
    (Report, from row 12)."""
    target_rows = {t.get("kode_indikator"): t for t in targets if isinstance(t, Mapping)}
    period_rows = [row for row in period_targets if isinstance(row, Mapping)]
    lines: dict[str, list[Report]] = {}
    periods = {period_no}
    for report in reports:
        if report.period_no <= period_no:
            lines.setdefault(report.indicator, []).append(report)
            periods.add(report.period_no)
    return [
        indicator_view(
            indicator_from_answer(row),
            target_from_answer(
                target_rows.get(row.get("kode"), {"kode_indikator": row.get("kode")}),
                period_rows,
            ),
            lines.get(row.get("kode"), []),
            periods=sorted(periods),
            period_ends=period_ends or {},
            opd_names=opd_names or {},
        )
        for row in indicators
        if isinstance(row, Mapping)
    ]


def indicator_view(
    indicator: Indicator,
    target: Target,
    reports: list[Report],
    *,
    periods: list[int],
    period_ends: Mapping[int, date],
    opd_names: Mapping[str, str],
) -> dict:
    """The row for one indicator (see compile_achievements) as of the last of `periods`,
    the run periods that had reports (of any indicator), in order."""
    by_opd = entries_by_opd(reports)
    trend = [_standing(indicator, target, by_opd, p, period_ends.get(p)) for p in periods]
    now = trend[-1]
    return {
        **_attributes(indicator),
        "periode_ke": now.index,
        "label_periode": now.label,
        "target_tahunan": rounded(target.yearly),
        **_figures(now),
        "jumlah_laporan": sum(1 for e in now.opds.values() if e.count or e.has_ratio),
        "per_opd": _per_opd(indicator, now, opd_names),
        "tren": [{"periode_no": s.period_no, "label_periode": s.label, **_figures(s)}
                 for s in trend],
        "arah_tren": _direction(trend),
    }


def _standing(indicator, target, by_opd, period_no, period_end) -> Standing:
    index = period_index(indicator, period_end, period_no)
    goal = period_target(indicator, target, index)
    opds = {
        opd: entry
        for opd, periods in by_opd.items()
        if (entry := entry_at(indicator, periods, period_no)) is not None
    }
    total = aggregate(indicator, opds.values())
    return Standing(
        period_no=period_no,
        index=index,
        label=period_label(indicator, index),
        target=goal,
        total=total,
        result=_judge(indicator, goal, total.value, reported=bool(opds)),
        opds=opds,
    )


def _judge(indicator, goal, value, *, reported: bool) -> Achievement:
    """The achievement; a realisation that was reported but cannot be formed (every
    denominator 0) is "tidak dapat dihitung", not "no report yet"."""
    if reported and value is None and goal is not None:
        return Achievement(None, UNDEFINED)
    return achievement(indicator, goal, value)


def _attributes(indicator: Indicator) -> dict:
    return {
        "kode": indicator.code,
        "nama": indicator.name,
        "satuan": indicator.unit,
        "polaritas": indicator.polarity,
        "varian_capaian": indicator.variant,
        "batas_capaian": rounded(indicator.cap),
        "toleransi_stabil": rounded(indicator.band),
        "frekuensi": indicator.frequency,
        "sifat_data": indicator.nature,
        "agregasi": indicator.aggregation,
    }


def _figures(standing: Standing) -> dict:
    return {
        "target": rounded(standing.target),
        "realisasi": rounded(standing.total.value),
        "pembilang": rounded(standing.total.numerator),
        "penyebut": rounded(standing.total.denominator),
        "capaian": rounded(standing.result.percent),
        "status": standing.result.status,
    }


def _per_opd(indicator: Indicator, standing: Standing, names: Mapping[str, str]) -> list[dict]:
    """Each OPD's own value and its achievement against the period's target; for a jumlah
    indicator, where each OPD delivers part of one target, its share of the total instead."""
    whole = standing.total.value
    rows = []
    for opd in sorted(standing.opds, key=lambda code: (names.get(code) or code)):
        entry = standing.opds[opd]
        value = entry.value(indicator.aggregation)
        own = _judge(indicator, standing.target, value, reported=True)
        share = value / whole * HUNDRED if indicator.aggregation == JUMLAH and whole else None
        rows.append({
            "opd": opd,
            "nama_opd": names.get(opd) or opd,
            "realisasi": rounded(value),
            "pembilang": rounded(entry.numerator),
            "penyebut": rounded(entry.denominator),
            "capaian": None if indicator.aggregation == JUMLAH else rounded(own.percent),
            "status": "kontribusi" if indicator.aggregation == JUMLAH else own.status,
            "kontribusi": rounded(share) if share is not None else None,
        })
    return rows


def _direction(trend: list[Standing]) -> str | None:
    """Whether the achievement rose, fell or held since the previous period with one."""
    known = [s.result.percent for s in trend if s.result.status == COMPUTED]
    if len(known) < 2 or trend[-1].result.status != COMPUTED:
        return None
    last, before = known[-1], known[-2]
    return RISING if last > before else FALLING if last < before else STEADY
