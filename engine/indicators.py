"""Achievement (capaian) of performance indicators, as row 13 computes it.

maksimal: R / T x 100; minimal: (2 - R / T) x 100; stabil: 100 inside the tolerance band
around the target, falling off linearly outside it; all capped (120 % by default) and
never below zero. A zero target needs an explicit rule: for minimal indicators R = 0
meets it fully, otherwise achievement is undefined (None) rather than a division error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from statistics import fmean

DEFAULT_CAP = 120.0
STABLE_BAND = 0.05


def achievement_percent(
    polarity: str, target: float | None, realisation: float | None, cap: float = DEFAULT_CAP
) -> float | None:
    if target is None or realisation is None:
        return None
    if target == 0:
        return _zero_target(polarity, realisation)
    ratio = realisation / target
    if polarity == "minimal":
        value = (2 - ratio) * 100
    elif polarity == "stabil":
        deviation = abs(ratio - 1)
        value = 100.0 if deviation <= STABLE_BAND else (1 - (deviation - STABLE_BAND)) * 100
    else:
        value = ratio * 100
    return round(max(0.0, min(cap, value)), 2)


def _zero_target(polarity: str, realisation: float) -> float | None:
    if polarity == "minimal":
        return 100.0 if realisation == 0 else 0.0
    return None


def realisations_by_indicator(reports: Iterable[Mapping | None]) -> dict[str, list[float]]:
    """Collect each indicator's reported values across the OPDs' period reports (row 12)."""
    values: dict[str, list[float]] = {}
    for report in reports:
        for row in (report or {}).get("realisasi") or []:
            code, value = row.get("kode_indikator"), row.get("nilai")
            if code and isinstance(value, int | float):
                values.setdefault(code, []).append(float(value))
    return values


def compile_achievements(
    indicators: Iterable[Mapping], targets: Iterable[Mapping], reports: Iterable[Mapping | None]
) -> list[dict]:
    """One row per planned indicator: target, mean realisation over OPDs, achievement."""
    target_of = {t.get("kode_indikator"): t.get("target") for t in targets}
    values = realisations_by_indicator(reports)
    rows = []
    for indicator in indicators:
        code = indicator.get("kode")
        reported = values.get(code, [])
        realisation = round(fmean(reported), 4) if reported else None
        polarity = indicator.get("polaritas") or "maksimal"
        rows.append(
            {
                "kode": code,
                "nama": indicator.get("nama"),
                "satuan": indicator.get("satuan"),
                "polaritas": polarity,
                "target": target_of.get(code),
                "realisasi": realisation,
                "jumlah_laporan": len(reported),
                "capaian": achievement_percent(polarity, target_of.get(code), realisation),
            }
        )
    return rows
