"""An indicator's own periods (Triwulan I-IV, Semester I-II, ...) and its target in each.

A run reports at its own pace (row 9's frequency) while each indicator has a frequency of
its own, so a run period is placed in the indicator's year by the month its period ends
(a period ending 31 January is in Triwulan I), or, when the end is unknown, by its number.

A yearly target T over n periods: a kumulatif indicator summing amounts must reach T x k / n
by the end of period k; every other indicator (periodik, nilai terakhir, and a kumulatif
rasio, whose accumulated numerator and denominator make a rate that does not grow) keeps T.
A target given for period k itself (row 3's `target_periode`) is used as given.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.indicators.attributes import KUMULATIF, RASIO, Indicator, Target

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
ROMAN = ("I", "II", "III", "IV")


def period_index(indicator: Indicator, period_end: date | None, run_period_no: int) -> int:
    """Which of the indicator's periods (1..n) a run period ending on `period_end` is in."""
    n = indicator.periods_per_year
    if period_end is not None:
        return (period_end.month - 1) // (12 // n) + 1
    return min(max(run_period_no, 1), n)


def period_label(indicator: Indicator, index: int) -> str:
    """'Triwulan II', 'Semester I', 'Maret', 'Tahunan': the words performance reports use."""
    n = indicator.periods_per_year
    if n == 12:
        return MONTHS[index - 1]
    if n == 4:
        return f"Triwulan {ROMAN[index - 1]}"
    if n == 2:
        return f"Semester {ROMAN[index - 1]}"
    return "Tahunan"


def period_target(indicator: Indicator, target: Target, index: int) -> Decimal | None:
    """The target to meet by the end of the indicator's period `index`."""
    if index in target.per_period:
        return target.per_period[index]
    if target.yearly is None:
        return None
    if indicator.nature == KUMULATIF and indicator.aggregation != RASIO:
        return target.yearly * index / indicator.periods_per_year
    return target.yearly


def split_target(indicator: Indicator, target: Target) -> list[tuple[int, str, Decimal | None]]:
    """Every period of the indicator's year with its label and target, in order."""
    return [
        (k, period_label(indicator, k), period_target(indicator, target, k))
        for k in range(1, indicator.periods_per_year + 1)
    ]
