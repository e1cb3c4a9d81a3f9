"""An indicator's own periods and its target in each: the yearly target split by frequency
for kumulatif amounts, kept for the rest, and per-period targets used as given."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.indicators import (
    Indicator,
    Target,
    period_index,
    split_target,
    target_from_answer,
)
from engine.indicators.numbers import rounded


def split(frequency, nature, aggregation, yearly, per_period=None):
    indicator = Indicator(code="X", frequency=frequency, nature=nature, aggregation=aggregation)
    target = Target(
        yearly=None if yearly is None else Decimal(str(yearly)),
        per_period={k: Decimal(str(v)) for k, v in (per_period or {}).items()},
    )
    return [(label, rounded(value)) for _, label, value in split_target(indicator, target)]


MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember"]


@pytest.mark.parametrize(
    ("frequency", "yearly", "expected"),
    [
        ("bulanan", 120, list(zip(MONTHS, [10.0 * k for k in range(1, 13)], strict=True))),
        ("triwulanan", 100, [("Triwulan I", 25.0), ("Triwulan II", 50.0),
                             ("Triwulan III", 75.0), ("Triwulan IV", 100.0)]),
        ("semesteran", 10, [("Semester I", 5.0), ("Semester II", 10.0)]),
        ("tahunan", 7, [("Tahunan", 7.0)]),
        ("bulanan", 10, list(zip(MONTHS, [0.83, 1.67, 2.5, 3.33, 4.17, 5.0, 5.83, 6.67, 7.5,
                                          8.33, 9.17, 10.0], strict=True))),
    ],
)
def test_a_kumulatif_amount_grows_by_t_k_over_n(frequency, yearly, expected):
    assert split(frequency, "kumulatif", "jumlah", yearly) == expected
    assert split(frequency, "kumulatif", "rata_rata", yearly) == expected


@pytest.mark.parametrize(
    ("nature", "aggregation"),
    [("periodik", "rata_rata"), ("periodik", "jumlah"), ("nilai_terakhir", "rasio"),
     ("kumulatif", "rasio")],  # a ratio of accumulated sums is a rate: it does not grow
)
def test_other_indicators_keep_the_yearly_target(nature, aggregation):
    assert split("triwulanan", nature, aggregation, 10) == [
        ("Triwulan I", 10.0), ("Triwulan II", 10.0), ("Triwulan III", 10.0),
        ("Triwulan IV", 10.0)]


def test_a_target_given_for_a_period_is_used_as_given():
    assert split("triwulanan", "kumulatif", "jumlah", 100, {2: 40}) == [
        ("Triwulan I", 25.0), ("Triwulan II", 40.0), ("Triwulan III", 75.0),
        ("Triwulan IV", 100.0)]
    assert split("semesteran", "periodik", "rata_rata", 82, {1: 80}) == [
        ("Semester I", 80.0), ("Semester II", 82.0)]
    assert split("semesteran", "periodik", "rata_rata", None, {2: 5}) == [
        ("Semester I", None), ("Semester II", 5.0)]


def test_row_3s_answer_gives_the_targets():
    periods = [{"kode_indikator": "X", "periode_ke": 1, "target": 80},
               {"kode_indikator": "X", "periode_ke": 2.0, "target": 81.5},
               {"kode_indikator": "Y", "periode_ke": 3, "target": 1},
               {"kode_indikator": "X", "periode_ke": None, "target": 1}, None]
    target = target_from_answer({"kode_indikator": "X", "target": 82}, periods)
    assert target == Target(Decimal("82"), {1: Decimal("80"), 2: Decimal("81.5")})
    assert target_from_answer({"kode_indikator": "Y"}, periods) == Target(None, {3: Decimal(1)})
    assert target_from_answer(None, periods) == Target()


@pytest.mark.parametrize(
    ("frequency", "end", "run_period", "expected"),
    [
        ("triwulanan", date(2026, 1, 31), 1, 1),  # a monthly run's January: Triwulan I
        ("triwulanan", date(2026, 3, 31), 3, 1),
        ("triwulanan", date(2026, 4, 30), 4, 2),
        ("triwulanan", date(2026, 12, 31), 12, 4),
        ("semesteran", date(2026, 6, 30), 2, 1),
        ("semesteran", date(2026, 7, 31), 3, 2),
        ("bulanan", date(2026, 2, 28), 1, 2),  # the date wins over the run's counter
        ("tahunan", date(2026, 9, 30), 3, 1),
        ("triwulanan", None, 3, 3),  # no end known: the run's period number
        ("triwulanan", None, 7, 4),  # ... within the year
        ("bulanan", None, 0, 1),
    ],
)
def test_a_run_period_is_placed_by_the_month_it_ends(frequency, end, run_period, expected):
    assert period_index(Indicator(code="X", frequency=frequency), end, run_period) == expected
