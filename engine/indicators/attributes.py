"""An indicator's attributes (row 2) and its targets (row 3), read from the form answers.

Every attribute added after the first runs is optional: an answer without it takes the
default that reproduces what those runs computed (see the package docstring), and an
unknown value is read as the default rather than failing a whole row 13.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from engine.indicators.numbers import to_decimal

MAKSIMAL, MINIMAL, STABIL = "maksimal", "minimal", "stabil"
POLARITIES = (MAKSIMAL, MINIMAL, STABIL)
# the minimal polarity's two formulas: (2 - R/T) x 100, or T/R x 100
SELISIH, RASIO_VARIANT = "selisih", "rasio"
VARIANTS = (SELISIH, RASIO_VARIANT)
KUMULATIF, PERIODIK, NILAI_TERAKHIR = "kumulatif", "periodik", "nilai_terakhir"
NATURES = (KUMULATIF, PERIODIK, NILAI_TERAKHIR)
JUMLAH, RATA_RATA, RASIO = "jumlah", "rata_rata", "rasio"
AGGREGATIONS = (JUMLAH, RATA_RATA, RASIO)
PERIODS_PER_YEAR = {"bulanan": 12, "triwulanan": 4, "semesteran": 2, "tahunan": 1}

DEFAULT_POLARITY = MAKSIMAL
DEFAULT_VARIANT = SELISIH
DEFAULT_NATURE = PERIODIK
DEFAULT_AGGREGATION = RATA_RATA
DEFAULT_FREQUENCY = "tahunan"
DEFAULT_CAP = Decimal(120)
DEFAULT_BAND = Decimal(5)  # stabil: percent either side of the target that still counts as 100


@dataclass(frozen=True)
class Indicator:
    """What computing an indicator's achievement needs to know about it."""

    code: str
    name: str | None = None
    unit: str | None = None
    polarity: str = DEFAULT_POLARITY
    variant: str = DEFAULT_VARIANT
    cap: Decimal = DEFAULT_CAP
    band: Decimal = DEFAULT_BAND
    frequency: str = DEFAULT_FREQUENCY
    nature: str = DEFAULT_NATURE
    aggregation: str = DEFAULT_AGGREGATION

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.frequency]


@dataclass(frozen=True)
class Target:
    """The yearly target and, optionally, targets set for single periods (1-based index in
    the indicator's own frequency: Triwulan II is 2)."""

    yearly: Decimal | None = None
    per_period: Mapping[int, Decimal] = field(default_factory=dict)


def indicator_from_answer(row: Mapping) -> Indicator:
    """One row of row 2's `indikator` list."""
    return Indicator(
        code=str(row.get("kode") or ""),
        name=row.get("nama"),
        unit=row.get("satuan"),
        polarity=_one_of(row.get("polaritas"), POLARITIES, DEFAULT_POLARITY),
        variant=_one_of(row.get("varian_capaian"), VARIANTS, DEFAULT_VARIANT),
        cap=_positive(row.get("batas_capaian"), DEFAULT_CAP),
        band=_at_least_zero(row.get("toleransi_stabil"), DEFAULT_BAND),
        frequency=_one_of(row.get("frekuensi"), tuple(PERIODS_PER_YEAR), DEFAULT_FREQUENCY),
        nature=_one_of(row.get("sifat_data"), NATURES, DEFAULT_NATURE),
        aggregation=_one_of(row.get("agregasi"), AGGREGATIONS, DEFAULT_AGGREGATION),
    )


def target_from_answer(row: Mapping | None, period_rows: Iterable[Mapping] = ()) -> Target:
    """One row of row 3's `target` list (None: the indicator was given no target) and the
    rows of its `target_periode` list that name the same indicator."""
    row = row or {}
    code = row.get("kode_indikator")
    per_period = {}
    for item in period_rows:
        if not isinstance(item, Mapping) or item.get("kode_indikator") != code:
            continue
        index, value = item.get("periode_ke"), to_decimal(item.get("target"))
        if isinstance(index, int | float) and not isinstance(index, bool) and value is not None:
            per_period[int(index)] = value
    return Target(yearly=to_decimal(row.get("target")), per_period=per_period)


def _one_of(value, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


def _positive(value, default: Decimal) -> Decimal:
    number = to_decimal(value)
    return number if number is not None and number > 0 else default


def _at_least_zero(value, default: Decimal) -> Decimal:
    number = to_decimal(value)
    return number if number is not None and number >= 0 else default
