"""From the OPDs' reports (row 12) to one realisation: first per OPD, then across OPDs.

1. One OPD's lines for an indicator in one period (several when it reports per package)
   make one Entry: their sum, their count, and the sums of their numerators and
   denominators (pembilang / penyebut, for rasio indicators).
2. The nature of the data (sifat data) picks, per OPD, what counts at period p: periodik,
   the entry of period p; nilai terakhir, the OPD's latest entry up to p; kumulatif, the
   sum over periods 1..p of the OPD's period values (numerators and denominators summed).
3. The aggregation (agregasi) joins the OPDs: jumlah, the sum of their values; rata_rata,
   the mean of the OPDs' values where every reported line counts once (periodik and nilai
   terakhir: the mean of all lines, as the first version computed it; kumulatif: the mean
   of the OPDs' sums); rasio, Σ numerators ÷ Σ denominators x 100 over the OPDs that sent
   both (when none did, the mean of the values, as rata_rata).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from engine.indicators.attributes import (
    JUMLAH,
    KUMULATIF,
    NILAI_TERAKHIR,
    RASIO,
    Indicator,
)
from engine.indicators.numbers import HUNDRED, to_decimal


@dataclass(frozen=True)
class Report:
    """One line of one OPD's row-12 report in one period."""

    period_no: int
    opd: str
    indicator: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


@dataclass(frozen=True)
class Entry:
    """What one OPD counts for one indicator: a sum of values over `count` lines, and the
    sums of numerators and denominators when every counted line had both."""

    total: Decimal
    count: int
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    @property
    def has_ratio(self) -> bool:
        return self.numerator is not None and self.denominator is not None

    def value(self, aggregation: str) -> Decimal | None:
        """The OPD's own figure: its sum (jumlah), its ratio (rasio), else its mean."""
        if aggregation == RASIO and self.has_ratio:
            return self.numerator / self.denominator * HUNDRED if self.denominator else None
        if aggregation == JUMLAH:
            return self.total
        return self.total / self.count if self.count else None


@dataclass(frozen=True)
class Aggregate:
    """The realisation across OPDs (None when it cannot be formed, e.g. Σ denominators = 0)."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def reports_from_answer(period_no: int, opd: str, answer: Mapping | None) -> list[Report]:
    """The lines of one row-12 answer (`{"laporan": {"realisasi": [...]}}`)."""
    laporan = (answer or {}).get("laporan") or {}
    lines = []
    for row in laporan.get("realisasi") or ():
        code = (row or {}).get("kode_indikator")
        value = to_decimal(row.get("nilai"))
        numerator, denominator = to_decimal(row.get("pembilang")), to_decimal(row.get("penyebut"))
        if code and (value is not None or denominator is not None):
            lines.append(Report(period_no, opd, code, value, numerator, denominator))
    return lines


def entries_by_opd(reports: Iterable[Report]) -> dict[str, dict[int, Entry]]:
    """OPD -> period -> the Entry its lines make (lines of one indicator only)."""
    grouped: dict[str, dict[int, list[Report]]] = {}
    for report in reports:
        grouped.setdefault(report.opd, {}).setdefault(report.period_no, []).append(report)
    return {
        opd: {period: _entry(lines) for period, lines in periods.items()}
        for opd, periods in grouped.items()
    }


def _entry(lines: list[Report]) -> Entry:
    values = [line.value for line in lines if line.value is not None]
    ratio = all(line.numerator is not None and line.denominator is not None for line in lines)
    return Entry(
        total=sum(values, Decimal(0)),
        count=len(values),
        numerator=sum((line.numerator for line in lines), Decimal(0)) if ratio else None,
        denominator=sum((line.denominator for line in lines), Decimal(0)) if ratio else None,
    )


def entry_at(indicator: Indicator, periods: Mapping[int, Entry], period_no: int) -> Entry | None:
    """What one OPD counts at `period_no`, by the indicator's nature (module doc, step 2)."""
    if indicator.nature == NILAI_TERAKHIR:
        earlier = [p for p in periods if p <= period_no]
        return periods[max(earlier)] if earlier else None
    if indicator.nature != KUMULATIF:
        return periods.get(period_no)
    so_far = [periods[p] for p in sorted(periods) if p <= period_no]
    return _accumulate(indicator, so_far) if so_far else None


def _accumulate(indicator: Indicator, entries: list[Entry]) -> Entry:
    """Amounts add up over the periods. Percentages reported without their numerator and
    denominator cannot be added: such a rasio indicator counts their mean instead."""
    values = [v for e in entries if (v := e.value(indicator.aggregation)) is not None]
    ratio = all(e.has_ratio for e in entries)
    averaged = indicator.aggregation == RASIO and not ratio
    return Entry(
        total=sum(values, Decimal(0)),
        count=len(values) if averaged else min(len(values), 1),
        numerator=sum((e.numerator for e in entries), Decimal(0)) if ratio else None,
        denominator=sum((e.denominator for e in entries), Decimal(0)) if ratio else None,
    )


def aggregate(indicator: Indicator, entries: Iterable[Entry]) -> Aggregate:
    """The realisation across OPDs, by the indicator's aggregation (module doc, step 3)."""
    entries = list(entries)
    if not entries:
        return Aggregate(None)
    if indicator.aggregation == RASIO and any(e.has_ratio for e in entries):
        numerator = sum((e.numerator for e in entries if e.has_ratio), Decimal(0))
        denominator = sum((e.denominator for e in entries if e.has_ratio), Decimal(0))
        value = numerator / denominator * HUNDRED if denominator else None
        return Aggregate(value, numerator, denominator)
    if indicator.aggregation == JUMLAH:
        return Aggregate(sum((e.total for e in entries), Decimal(0)))
    count = sum(e.count for e in entries)
    return Aggregate(sum((e.total for e in entries), Decimal(0)) / count if count else None)

