"""Working-day arithmetic against the facts in design/domain.md (SKB 2026 and 2025)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from engine.calendar import (
    HolidaySeed,
    add_working_days,
    count_working_days,
    format_date_id,
    format_date_long_id,
    indonesian_holidays,
    working_days_between,
)
from engine.errors import DomainError

CUTI_BERSAMA_2026 = [
    date(2026, 2, 16),
    date(2026, 3, 18),
    date(2026, 3, 20),
    date(2026, 3, 23),
    date(2026, 3, 24),
    date(2026, 5, 15),
    date(2026, 5, 28),
    date(2026, 12, 24),
]


@pytest.fixture(scope="module")
def seeds() -> list[HolidaySeed]:
    return indonesian_holidays([2025, 2026, 2027])


@pytest.fixture(scope="module")
def closed(seeds) -> frozenset[date]:
    return frozenset(seed.on for seed in seeds)


def test_2026_has_240_working_days(closed):
    assert count_working_days(2026, closed) == 240


def test_2025_has_237_working_days(closed):
    assert count_working_days(2025, closed) == 237


def test_2026_cuti_bersama_dates_match_the_skb(seeds):
    cuti = [seed.on for seed in seeds if seed.kind == "cuti_bersama" and seed.on.year == 2026]
    assert cuti == CUTI_BERSAMA_2026


def test_2026_has_17_libur_nasional(seeds):
    libur = [seed for seed in seeds if seed.kind == "libur_nasional" and seed.on.year == 2026]
    assert len(libur) == 17


def test_seeds_are_one_row_per_date_sorted(seeds):
    days = [seed.on for seed in seeds]
    assert days == sorted(set(days))
    assert {seed.kind for seed in seeds} == {"libur_nasional", "cuti_bersama"}


def test_seed_names_are_indonesian(seeds):
    by_day = {seed.on: seed for seed in seeds}
    assert by_day[date(2026, 3, 19)].name == "Hari Suci Nyepi"
    assert by_day[date(2026, 3, 24)].name == "Cuti Bersama Hari Raya Idul Fitri"


def test_two_holidays_on_one_date_are_joined_and_libur_nasional_wins():
    by_day = {seed.on: seed for seed in indonesian_holidays([2021])}
    seed = by_day[date(2021, 5, 13)]
    assert seed.kind == "libur_nasional"
    assert seed.name.split("; ") == ["Hari Raya Idul Fitri", "Kenaikan Yesus Kristus"]


def test_package_misspelling_is_normalised():
    by_day = {seed.on: seed for seed in indonesian_holidays([2020])}
    seed = by_day[date(2020, 12, 31)]
    assert seed.name == "Pengganti Cuti Bersama Hari Raya Idul Fitri"
    assert seed.kind == "cuti_bersama"
    assert all("Pegangti" not in s.name for s in by_day.values())


def test_no_years_no_seeds():
    assert indonesian_holidays([]) == []


def test_five_hk_after_tuesday_17_march_2026_is_tuesday_31_march(closed):
    assert add_working_days(date(2026, 3, 17), 5, closed) == date(2026, 3, 31)
    assert working_days_between(date(2026, 3, 17), date(2026, 3, 31), closed) == 5


def test_zero_days_returns_start_even_on_a_holiday(closed):
    assert add_working_days(date(2026, 3, 19), 0, closed) == date(2026, 3, 19)


def test_start_on_a_weekend_counts_from_monday():
    saturday = date(2026, 11, 21)
    assert add_working_days(saturday, 1, ()) == date(2026, 11, 23)
    assert add_working_days(saturday, 5, ()) == date(2026, 11, 27)


def test_start_on_a_holiday_does_not_count_the_holiday(closed):
    nyepi = date(2026, 3, 19)  # Thursday, inside the Lebaran block
    assert add_working_days(nyepi, 1, closed) == date(2026, 3, 25)


def test_friday_plus_one_is_monday():
    assert add_working_days(date(2026, 11, 20), 1, ()) == date(2026, 11, 23)


def test_negative_days_walk_back(closed):
    assert add_working_days(date(2026, 3, 25), -1, closed) == date(2026, 3, 17)
    assert working_days_between(date(2026, 3, 25), date(2026, 3, 17), closed) == -1


def test_between_counts_end_but_not_start():
    monday, friday = date(2026, 11, 16), date(2026, 11, 20)
    assert working_days_between(monday, friday, ()) == 4
    assert working_days_between(friday, monday, ()) == -4
    assert working_days_between(monday, monday, ()) == 0
    assert working_days_between(friday, date(2026, 11, 22), ()) == 0


def test_six_day_workweek_is_a_setting():
    saturday = date(2026, 11, 21)
    assert add_working_days(date(2026, 11, 20), 1, (), workweek=range(6)) == saturday
    assert count_working_days(2026, (), workweek=range(6)) == 313


def test_empty_workweek_is_refused():
    with pytest.raises(DomainError) as caught:
        add_working_days(date(2026, 1, 1), 3, (), workweek=())
    assert caught.value.code == "invalid_workweek"


def test_round_trip_with_working_days_between(closed):
    rng = random.Random(20260317)
    for _ in range(400):
        start = date(2025, 1, 1) + timedelta(days=rng.randrange(700))
        days = rng.randrange(-40, 41)
        end = add_working_days(start, days, closed)
        assert working_days_between(start, end, closed) == days, (start, days, end)


def test_indonesian_date_formats():
    assert format_date_id(date(2026, 11, 24)) == "24 November 2026"
    assert format_date_id(date(2026, 8, 1)) == "1 Agustus 2026"
    assert format_date_long_id(date(2026, 11, 24)) == "Selasa, 24 November 2026"
    assert format_date_long_id(date(2026, 11, 20)) == "Jumat, 20 November 2026"
