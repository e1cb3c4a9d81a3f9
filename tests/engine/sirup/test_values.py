"""Cells as SIRUP files write them: Rupiah amounts, dates, years, codes, text."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from engine.sirup import values
from engine.sirup.values import ValueProblem


@pytest.mark.parametrize(("cell", "amount"), [
    ("Rp1.234.567,00", "1234567.00"),
    ("Rp 1.234.567", "1234567"),
    ("Rp. 1.234.567,-", "1234567"),
    ("1.234.567", "1234567"),
    ("1234567.50", "1234567.50"),
    ("1234567", "1234567"),
    ("1,234,567.89", "1234567.89"),
    ("1.234", "1234"),
    ("12,5", "12.5"),
    (" Rp\u00a01.500.000,75 ", "1500000.75"),
    (1234567, "1234567"),
    (1234567.5, "1234567.5"),
    (1234.5600000000002, "1234.56"),
    (Decimal("99.99"), "99.99"),
    ("0", "0"),
])
def test_pagu_in_every_form_users_have(cell, amount):
    assert values.read_pagu(cell) == Decimal(amount)


@pytest.mark.parametrize("cell", [
    "Rp", "satu juta", "-1.000", "1.23.456", "12.3456", "1,2,3", "1.234,567", "+5",
    "1e6", float("nan"), float("inf"), True, -5, {"a": 1}, "10000000000000000",
])
def test_unreadable_pagu_is_refused(cell):
    with pytest.raises(ValueProblem) as refused:
        values.read_pagu(cell)
    assert refused.value.code == "unreadable_pagu"


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_empty_pagu_is_its_own_reason(cell):
    with pytest.raises(ValueProblem) as refused:
        values.read_pagu(cell)
    assert refused.value.code == "missing_pagu"


@pytest.mark.parametrize(("cell", "day"), [
    ("2026-03-02", date(2026, 3, 2)),
    ("2026-03-02T00:00:00", date(2026, 3, 2)),
    ("2026-03-02 08:30:00", date(2026, 3, 2)),
    ("02/03/2026", date(2026, 3, 2)),
    ("2-3-2026", date(2026, 3, 2)),
    ("2 Maret 2026", date(2026, 3, 2)),
    ("Senin, 2 Maret 2026", date(2026, 3, 2)),
    ("17 Agustus 2026", date(2026, 8, 17)),
    ("1 Mei 2026", date(2026, 5, 1)),
    ("24 Des 2026", date(2026, 12, 24)),
    ("5 Nopember 2026", date(2026, 11, 5)),
    ("02-Okt-2026", date(2026, 10, 2)),
    ("Maret 2026", date(2026, 3, 1)),
    (datetime(2026, 3, 2, 9, 0), date(2026, 3, 2)),
    (date(2026, 3, 2), date(2026, 3, 2)),
])
def test_dates_in_every_form_users_have(cell, day):
    assert values.read_date(cell) == day


def test_a_month_alone_ends_on_its_last_day_for_an_end_date():
    assert values.read_date("Februari 2028", month_end=True) == date(2028, 2, 29)


@pytest.mark.parametrize("cell", ["31/02/2026", "2026-13-01", "kemarin", "2 Brumaire 2026",
                                  "12/03/1850", 45000])
def test_unreadable_dates_are_refused(cell):
    with pytest.raises(ValueProblem) as refused:
        values.read_date(cell)
    assert refused.value.code == "unreadable_date"


def test_blank_dates_are_none():
    assert values.read_date(None) is None and values.read_date(" ") is None


def test_kode_rup_from_text_or_number_cells():
    assert values.read_kd_rup(" 51234567 ") == "51234567"
    assert values.read_kd_rup(51234567) == "51234567"
    assert values.read_kd_rup(51234567.0) == "51234567"
    for cell, code in ((None, "missing_kd_rup"), ("51-234", "invalid_kd_rup"),
                       ("=1+1", "invalid_kd_rup")):
        with pytest.raises(ValueProblem) as refused:
            values.read_kd_rup(cell)
        assert refused.value.code == code


def test_years_and_sources():
    assert values.read_year("2026") == 2026 and values.read_year(2026.0) == 2026
    assert values.read_year("") is None
    with pytest.raises(ValueProblem):
        values.read_year("1999")
    assert values.read_sources("APBD; DAK, BLUD") == ["APBD", "DAK", "BLUD"]
    assert values.read_sources(["APBD", " APBN "]) == ["APBD", "APBN"]
    assert values.read_sources(None) == []


def test_text_is_kept_literally_and_long_text_refused():
    assert values.read_text('=HYPERLINK("http://x","y")', 100) == '=HYPERLINK("http://x","y")'
    assert values.read_text("  Dinas   Kesehatan ", 100) == "Dinas Kesehatan"
    with pytest.raises(ValueProblem) as refused:
        values.read_text("x" * 101, 100)
    assert refused.value.code == "text_too_long"


@pytest.mark.parametrize("cell", ["Paket\x00A", "Paket \ud800", {"nama": "x"}, True])
def test_text_no_database_stores_is_refused(cell):
    with pytest.raises(ValueProblem) as refused:
        values.read_text(cell, 100)
    assert refused.value.code == "invalid_value"
